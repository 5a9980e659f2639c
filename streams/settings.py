"""One settings object for the whole pipeline, read from environment variables prefixed ``DIPLOWATCH_``.

Every setting is declared once in ``SPECS`` (name, type, default, help); the same table feeds
``Settings.from_env``, ``python -m streams worker --help`` and docs/configuration.md (a unit test keeps
the document in step), so a setting cannot exist in one place and be missing in another.

Topic names of the internal hops default to names derived from the app id, so two apps (two test
runs, a staging and a production deployment) sharing one broker never read each other's internals.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Mapping

PREFIX = "DIPLOWATCH_"


@dataclass(frozen=True, slots=True)
class Spec:
    name: str                    # attribute name; the variable is PREFIX + NAME.upper()
    type: Callable[[str], Any]
    default: Any
    help: str
    fallback_env: str | None = None   # a second, unprefixed variable read when ours is unset

    @property
    def env(self) -> str:
        return PREFIX + self.name.upper()


def _bool(s: str) -> bool:
    v = s.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {s!r}")


_DAY = 86400

SPECS: tuple[Spec, ...] = (
    # --- Kafka and the Faust app
    Spec("kafka_bootstrap", str, "127.0.0.1:9092",
         "Kafka bootstrap servers, comma-separated (falls back to KAFKA_BOOTSTRAP)",
         fallback_env="KAFKA_BOOTSTRAP"),
    Spec("kafka_security_protocol", str, "PLAINTEXT",
         "how every Kafka client of the project connects: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL "
         "(streams/security.py builds the client settings from the KAFKA_* settings below)"),
    Spec("kafka_sasl_mechanism", str, "PLAIN", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"),
    Spec("kafka_sasl_username", str, "", "SASL user name (SASL_PLAINTEXT, SASL_SSL)"),
    Spec("kafka_sasl_password", str, "", "SASL password (never printed)"),
    Spec("kafka_sasl_password_file", str, "",
         "read the SASL password from this file instead (first line; e.g. a container secret)"),
    Spec("kafka_ssl_cafile", str, "",
         "PEM file of the CA certificates the broker's certificate is checked against (SSL, SASL_SSL; "
         "'' = the system's CA store)"),
    Spec("kafka_ssl_certfile", str, "", "PEM client certificate, for brokers that ask for one (mutual TLS)"),
    Spec("kafka_ssl_keyfile", str, "", "PEM private key of the client certificate"),
    Spec("kafka_ssl_check_hostname", _bool, True,
         "check that the broker's certificate names the host (or IP) the client connects to"),
    Spec("app_id", str, "diplowatch",
         "Faust app id: the consumer group, and the prefix of internal topics and table changelogs"),
    Spec("store", str, "memory://",
         "table store: memory:// rebuilds tables from their changelog topics at every start; "
         "rocksdb:// keeps them on disk under DATA_DIR (RocksDB through the rocksdict wheel; a "
         "write is saved there once its changelog record is acknowledged) and reads only the "
         "changelog records written after what it holds; dedupe's and extract's caches of their "
         "delta records likewise replay only the records after their saved position"),
    Spec("store_cache_mb", int, 16,
         "rocksdb:// only: block cache of each table partition's database, in MB (and 2 write "
         "buffers of 4 MB each): what bounds the store's memory, with dedupe's and extract's disk "
         "caches of their mappings (`delta-cache/` under DATA_DIR's instance directory: per "
         "partition a 16 MB block cache and 2 write buffers of 8 MB, "
         "streams/pipeline/materialised.py)"),
    Spec("instance_id", str, "",
         "the worker's static group membership id (KIP-345): a worker restarted after a crash takes "
         "its old place in the consumer group at once instead of waiting for the dead member's "
         "session to expire ('' = host name + the lowest worker slot free on this host under "
         "DATA_DIR; 'none' = dynamic membership)"),
    Spec("session_timeout_seconds", float, 45.0,
         "how long the group waits for a silent worker before giving its partitions to the others "
         "(a restarted static member does not wait for it)"),
    Spec("replication", int, 1, "replication factor of the topics the app creates"),
    Spec("fetch_max_wait_ms", int, 100,
         "longest the broker holds the worker's fetch for partitions with nothing new (Faust's "
         "own 1500 ms left the worker idle with a backlog: streams/faust_ext/transport.py)"),
    Spec("agent_batch", int, 200,
         "most events an agent handles in one run, of those delivered to it while the event loop "
         "turns a few times (1 with a store other than memory:// or rocksdb://): "
         "streams/pipeline/batching.py"),
    Spec("loglevel", str, "info", "worker log level"),
    Spec("data_dir", str, "var/faust", "where the worker keeps Faust's local data (<dir>/<app id>-data); "
                                       "relative to the working directory"),
    # --- topics
    Spec("topic_articles", str, "articles", "input topic: article records (raw bytes, parsed by the worker)"),
    Spec("topic_dead_letter", str, "articles.dead-letter",
         "every input that cannot be processed, with its bytes, reason and origin"),
    Spec("topic_contacts", str, "contacts", "one record per extracted contact, keyed by country pair"),
    Spec("topic_alerts", str, "alerts", "one record per spike (new or growing episode), keyed by pair"),
    Spec("topic_dedupe", str, "", "internal: validated articles in one order ('' = APP_ID-dedupe)"),
    Spec("topic_extract", str, "", "internal: first-seen articles and copy markers, keyed by article "
                                   "id ('' = APP_ID-extract)"),
    Spec("topic_sources", str, "", "internal: extra sources of already counted contacts, keyed by pair "
                                   "('' = APP_ID-sources)"),
    Spec("partitions", int, 4, "partitions of articles, extract, contacts, sources, alerts (and their "
                               "tables): the parallelism of the pipeline"),
    Spec("dedupe_partitions", int, 1, "partitions of the dedupe topic; 1 gives one global 'first seen' "
                                      "order"),
    Spec("dead_letter_partitions", int, 1, "partitions of the dead-letter topic"),
    Spec("retention_days", float, 7.0, "retention of articles and the internal topics"),
    Spec("output_retention_days", float, 90.0, "retention of contacts, alerts and dead letters"),
    # --- validation
    Spec("max_article_bytes", int, 512 * 1024, "largest accepted input message in bytes"),
    Spec("max_text_chars", int, 200_000, "largest accepted article text in characters"),
    # --- dedupe
    Spec("dedup_horizon_seconds", float, 14 * _DAY, "how long a fingerprint is remembered: copies "
                                                    "arriving later count as new articles"),
    Spec("expire_interval_seconds", float, 60.0, "how often the timer asks the stages to drop expired "
                                                 "fingerprints and article entries, and dedupe sends "
                                                 "its input partitions' stamps down every path (which "
                                                 "lets alerts of a quiet path's days out)"),
    Spec("idle_partition_seconds", float, 300.0, "an input partition with no dated article while input "
         "time (the newest Kafka timestamp of an article) went on this many seconds, and the others "
         "delivered more than two dated articles per partition, is idle: its stamp follows the busy "
         "partitions' until it delivers again, and its articles more than RETAIN_DAYS behind that "
         "stamp are then late (0: never idle, for replays of mixed eras; docs/pipeline.md, "
         "'Event-time watermark')"),
    # --- aggregation and detection (defaults = streams.detection.model.SpikeParams)
    Spec("window_days", int, 7, "the recent window whose distinct contacts are tested for a spike"),
    Spec("history_weeks", int, 12, "weeks before the window that give the expected count"),
    Spec("spike_alpha", float, 0.01, "tail probability under the baseline below which a window fires"),
    Spec("spike_min_count", int, 3, "never alert on fewer distinct contacts in the window"),
    Spec("spike_min_ratio", float, 2.0, "never alert below this multiple of the expected count"),
    Spec("spike_min_reports", int, 8, "a new alert needs its window's contacts reported in this many "
                                      "distinct articles (docs/detection.md)"),
    Spec("spike_corroborate_by", str, "article_ids", "what min_reports counts: article_ids or sources "
                                                     "(distinct outlets)"),
    Spec("spike_strong_alpha", float, 1e-8, "... unless the window's tail probability is below this"),
    Spec("spike_reports_per_contact", float, 0.0, "> 0: min_reports is in units of this many reports per "
                                                  "contact, scaled to the feed's running mean (0: absolute)"),
    Spec("spike_reports_per_expected", float, 4.0, "a new alert needs this many more reports per contact "
                                                   "the baseline expects in the window (busy pairs)"),
    Spec("spike_unseen_pair_reports", int, 2, "... and this many more when the pair had no contact in "
                                              "its observed baseline"),
    Spec("spike_min_ratio_new", float, 4.0, "a new alert needs at least this multiple of the expected "
                                            "count (updates: SPIKE_MIN_RATIO; 0: off)"),
    Spec("spike_min_reported_contacts", int, 2, "a new alert needs this many of its window's contacts each "
                                                "reported SPIKE_CONTACT_REPORTS times (0: off; off with "
                                                "SPIKE_MIN_REPORTS 1)"),
    Spec("spike_contact_reports", int, 2, "... in this many distinct reports (what SPIKE_CORROBORATE_BY "
                                          "counts)"),
    Spec("spike_count_unit", str, "contacts", "what a window counts: distinct contacts, or days with a "
                                              "contact (days)"),
    Spec("spike_report_dispersion", float, 0.0, "> 0: a window may also fire on its distinct reports "
                                                "against the pair's own, divided by this dispersion (0: off)"),
    Spec("spike_busy_expected", float, 0.0, "... only for pairs whose baseline expects at least this many "
                                            "contacts in the window (0: every pair)"),
    Spec("cooldown_days", int, 42, "an episode ends after this many quiet days; the next spike is new"),
    Spec("settle_days", int, 1, "a day's alerts are decided once the event-time watermark is past the "
                                "day + this many days, counting the contacts stamped up to then: "
                                "how long after a day its contacts may still arrive and count for "
                                "its alerts (docs/pipeline.md, 'Event-time watermark')"),
    Spec("retain_days", int, 371, "days of counts kept per pair behind the latest contact day "
         "(53 weeks: the pair page charts a year; the detector itself needs only the window and "
         "its history, 91 days)"),
    Spec("min_confidence", float, 0.0, "contacts (and their copies' sources) with a lower `confidence` "
                                       "are published but not counted (0: count every contact)"),
    Spec("knowledge_dir", str, "", "a folder whose files replace the packaged knowledge files of the "
                                   "same relative name (topics.tsv, cues/en/statement.txt ...), "
                                   "checked at start: streams/knowledge/README.md ('' = none)"),
    # --- web
    Spec("web_host", str, "127.0.0.1",
         "address the worker's web server (/metrics, /status) listens on; 0.0.0.0 for every "
         "interface (only behind a firewall: the server has no authentication)"),
    Spec("web_port", int, 6066, "port of the worker's web server"),
    Spec("web_url", str, "",
         "the URL other workers reach this worker's web server at: the API forwards a pair's request "
         "to the worker holding its partition (Faust's canonical URL; '' = http://<web_host>:<web_port>, "
         "with the address of this machine's host name when web_host is 0.0.0.0 or ::)"),
    Spec("web_enabled", _bool, True, "serve /metrics and /status from the worker"),
    Spec("web_table_views", _bool, False,
         "also serve Faust's /router/ and /table/<name>/<key>/ views (table contents, to anyone who "
         "can reach the web server)"),
)

_BY_NAME = {s.name: s for s in SPECS}


@dataclass(frozen=True, slots=True)
class Settings:
    kafka_bootstrap: str
    kafka_security_protocol: str
    kafka_sasl_mechanism: str
    kafka_sasl_username: str
    kafka_sasl_password: str = field(repr=False)   # never in logs or reprs
    kafka_sasl_password_file: str
    kafka_ssl_cafile: str
    kafka_ssl_certfile: str
    kafka_ssl_keyfile: str
    kafka_ssl_check_hostname: bool
    app_id: str
    store: str
    store_cache_mb: int
    instance_id: str
    session_timeout_seconds: float
    replication: int
    fetch_max_wait_ms: int
    agent_batch: int
    loglevel: str
    data_dir: str
    topic_articles: str
    topic_dead_letter: str
    topic_contacts: str
    topic_alerts: str
    topic_dedupe: str
    topic_extract: str
    topic_sources: str
    partitions: int
    dedupe_partitions: int
    dead_letter_partitions: int
    retention_days: float
    output_retention_days: float
    max_article_bytes: int
    max_text_chars: int
    dedup_horizon_seconds: float
    expire_interval_seconds: float
    idle_partition_seconds: float
    window_days: int
    history_weeks: int
    spike_alpha: float
    spike_min_count: int
    spike_min_ratio: float
    spike_min_reports: int
    spike_corroborate_by: str
    spike_strong_alpha: float
    spike_reports_per_contact: float
    spike_reports_per_expected: float
    spike_unseen_pair_reports: int
    spike_min_ratio_new: float
    spike_min_reported_contacts: int
    spike_contact_reports: int
    spike_count_unit: str
    spike_report_dispersion: float
    spike_busy_expected: float
    cooldown_days: int
    settle_days: int
    retain_days: int
    min_confidence: float
    knowledge_dir: str
    web_host: str
    web_port: int
    web_url: str
    web_enabled: bool
    web_table_views: bool

    def __post_init__(self) -> None:
        # fill the derived internal topic names (frozen: go through object.__setattr__)
        for attr, suffix in (("topic_dedupe", "dedupe"), ("topic_extract", "extract"),
                             ("topic_sources", "sources")):
            if not getattr(self, attr):
                object.__setattr__(self, attr, f"{self.app_id}-{suffix}")
        problems = []
        for attr in ("store_cache_mb", "partitions", "dedupe_partitions", "dead_letter_partitions", "replication",
                     "max_article_bytes", "max_text_chars", "window_days", "history_weeks",
                     "retain_days"):
            if getattr(self, attr) < 1:
                problems.append(f"{PREFIX}{attr.upper()} must be >= 1")
        if self.idle_partition_seconds < 0:
            problems.append(f"{PREFIX}IDLE_PARTITION_SECONDS must be >= 0")
        if self.settle_days < 0:
            problems.append(f"{PREFIX}SETTLE_DAYS must be >= 0")
        # a day is evaluated once the watermark is SETTLE_DAYS + 1 past it, and reads its window and
        # history back from there: none of those days may have expired by then
        if self.retain_days < self.window_days + 7 * self.history_weeks + self.settle_days + 1:
            problems.append(f"{PREFIX}RETAIN_DAYS must cover the window, its history and SETTLE_DAYS + 1")
        if not 0 <= self.min_confidence <= 1:
            problems.append(f"{PREFIX}MIN_CONFIDENCE must be in [0, 1]")
        if not 0 < self.spike_alpha < 1:
            problems.append(f"{PREFIX}SPIKE_ALPHA must be in (0, 1)")
        if self.spike_corroborate_by not in ("article_ids", "sources"):
            problems.append(f"{PREFIX}SPIKE_CORROBORATE_BY must be article_ids or sources")
        if self.spike_count_unit not in ("contacts", "days"):
            problems.append(f"{PREFIX}SPIKE_COUNT_UNIT must be contacts or days")
        if self.spike_report_dispersion < 0 or self.spike_busy_expected < 0:
            problems.append(f"{PREFIX}SPIKE_REPORT_DISPERSION and SPIKE_BUSY_EXPECTED must be >= 0")
        if not 0 < self.web_port < 65536:
            problems.append(f"{PREFIX}WEB_PORT out of range")
        if self.web_url and not self.web_url.startswith(("http://", "https://")):
            problems.append(f"{PREFIX}WEB_URL must be an http:// or https:// URL")
        if self.session_timeout_seconds < 6:   # the broker's group.min.session.timeout.ms
            problems.append(f"{PREFIX}SESSION_TIMEOUT_SECONDS must be >= 6")
        from streams.security import security_problems
        problems.extend(security_problems(self))
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Read every setting from ``environ`` (default ``os.environ``); ``overrides`` (from command
        line flags) win over the environment. Bad values raise ValueError naming the variable."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in SPECS:
            raw = env.get(spec.env)
            if raw is None and spec.fallback_env:
                raw = env.get(spec.fallback_env)
            if raw is None:
                values[spec.name] = spec.default
                continue
            try:
                values[spec.name] = spec.type(raw.strip())
            except ValueError as exc:
                raise ValueError(f"{spec.env}={raw!r}: {exc}") from None
        for name, value in overrides.items():
            if name not in _BY_NAME:
                raise TypeError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = value
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings (for starting worker subprocesses)."""
        out = {}
        for spec in SPECS:
            v = getattr(self, spec.name)
            out[spec.env] = ("true" if v else "false") if isinstance(v, bool) else str(v)
        return out


def settings_table() -> str:
    """The settings as a Markdown table (docs/configuration.md)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SPECS:
        default = s.default if s.default != "" else "(derived)"
        extra = f" (also `{s.fallback_env}`)" if s.fallback_env else ""
        rows.append(f"| `{s.env}`{extra} | `{default}` | {s.help} |")
    return "\n".join(rows)


def settings_help() -> str:
    """The settings as plain text for ``--help`` epilogs."""
    width = max(len(s.env) for s in SPECS)
    lines = ["environment (defaults in brackets):"]
    for s in SPECS:
        default = s.default if s.default != "" else "derived"
        lines.append(f"  {s.env:<{width}}  {s.help} [{default}]")
    return "\n".join(lines)
