"""The Prometheus catalogue of diplowatch, in one place (documented in docs/metrics.md).

Conventions: prefix ``diplowatch_``, base units (seconds, messages), counters end in ``_total``,
and every label has a bounded value set. Article ids, URLs and free text never become label values:
unknown values of a closed label are folded into ``other`` (see ``_Closed``), and open-ended labels
(topics, tables) are capped so one bad input cannot create unbounded series.

Agents stay thin by calling the helpers below (``article_in()``, ``observe_stage("extract")`` …).
Label children are bound once at import, so a hot-path call is a dict lookup plus a locked add,
negligible next to the work of the stage it measures.

Exposition: a Faust worker serves ``render_metrics()`` on its own web server (route ``/metrics``);
a process without Faust calls ``serve_metrics(port)``.
"""
from __future__ import annotations

import functools
import inspect
import re
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import gc_collector, platform_collector, process_collector
from prometheus_client.openmetrics import exposition as openmetrics

from streams.pubdate import REASONS as PUBDATE_REASONS
from streams.records import MODES

PREFIX = "diplowatch"

# --- closed label sets -------------------------------------------------------------------------

STAGES = ("validate", "dedupe", "extract", "aggregate", "alert")
DUPLICATE_KINDS = ("id", "url", "text", "near")

# Dead-letter reason codes: the closed set used both as the metric label and as the ``reason`` field
# of dead-letter records, so a dashboard panel and a record on the topic speak the same words.
DL_INVALID_JSON = "invalid_json"          # payload is not JSON at all
DL_NOT_OBJECT = "not_object"              # JSON, but not an object (list, string, number …)
DL_SCHEMA = "schema"                      # object fails the article JSON Schema
DL_TOO_LARGE = "too_large"                # payload exceeds the size limit
DL_BAD_ENCODING = "bad_encoding"          # bytes are not valid UTF-8
DL_EMPTY_TEXT = "empty_text"              # text is empty or only whitespace / markup
DL_BAD_DATE = "bad_date"                  # published_at present but unparseable
DL_UNSUPPORTED_LANGUAGE = "unsupported_language"  # not Arabic, Persian or English
DL_EXTRACTOR_ERROR = "extractor_error"    # the extractor raised on this article
DL_OTHER = "other"                        # anything else (also where unknown codes are folded)
DEAD_LETTER_REASONS = (
    DL_INVALID_JSON, DL_NOT_OBJECT, DL_SCHEMA, DL_TOO_LARGE, DL_BAD_ENCODING, DL_EMPTY_TEXT,
    DL_BAD_DATE, DL_UNSUPPORTED_LANGUAGE, DL_EXTRACTOR_ERROR, DL_OTHER,
)

OTHER = "other"
NONE = "none"            # label value for "no topic"
ALL = "all"              # label value for the detector's all-topics bucket "*"
TOP_PAIRS = 20           # diplowatch_pair_contacts_week keeps only the current top-N pairs
MAX_SPIKES = 50          # diplowatch_spike_active keeps only the top-N running episodes by score
MAX_TOPICS = 40          # distinct topic label values before folding into "other"
MAX_TABLES = 32          # distinct table label values before folding into "other"
MAX_PARTITIONS = 1024    # (topic, partition) lag series before new ones are dropped

_TOKEN = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")       # topic (iran-nuclear) / table / alert-status tokens
_KAFKA_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,120}$")  # Kafka's own legal topic names
_PAIR = re.compile(r"^[A-Z]{3}-[A-Z]{3}$")


class _Closed:
    """Maps a raw value onto a bounded label set: members of ``allowed`` pass; if ``cap`` is given,
    any token matching ``pattern`` passes until ``cap`` distinct values were seen; else ``other``."""

    def __init__(self, allowed: Iterable[str] = (), pattern: re.Pattern[str] | None = None,
                 cap: int = 0, other: str = OTHER) -> None:
        self.allowed = set(allowed)
        self.pattern = pattern
        self.cap = cap
        self.other = other
        self.seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str):
            return self.other
        if value in self.allowed:
            return value
        if self.pattern is None or not self.pattern.match(value):
            return self.other
        if value in self.seen:
            return value
        with self._lock:
            if len(self.seen) < self.cap:
                self.seen.add(value)
                return value
        return self.other


_reason = _Closed(DEAD_LETTER_REASONS, other=DL_OTHER)
_mode = _Closed(MODES)
_topic = _Closed((NONE, ALL), _TOKEN, MAX_TOPICS)
# the detector's statuses: "new" (an episode starts: a spike) and "update" (more contacts in it)
ALERT_STATUSES = ("new", "update")
_alert_status = _Closed(ALERT_STATUSES, _TOKEN, 8)
_pubdate_reason = _Closed(PUBDATE_REASONS)
_table = _Closed((), re.compile(r"^[a-z][a-z0-9_.-]{0,59}$"), MAX_TABLES)  # Faust table names

# --- registry and metrics ----------------------------------------------------------------------

# *_created series double the series count for no use here (Prometheus handles counter resets).
disable_created_metrics()
REGISTRY = CollectorRegistry(auto_describe=True)
# process_* (CPU, RSS, fds, start time), python_info, python_gc_*: what the default registry has.
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)

# 10 µs … 10 s, roughly ×2.5 per step: validate/dedupe sit in the µs range, extract in ms,
# a slow aggregate commit or a stalled alert send reaches seconds.
STAGE_BUCKETS = (1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2,
                 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Article in → contact out, including Kafka hops between agents (ms … a minute under backlog).
E2E_BUCKETS = (1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_H, _D = 3600.0, 86400.0
# Event date → processing time: news reports contacts hours to days after they happen; replays of
# history reach months and years.
EVENT_LAG_BUCKETS = (_H, 3 * _H, 6 * _H, 12 * _H, _D, 2 * _D, 4 * _D, 7 * _D, 14 * _D, 30 * _D,
                     60 * _D, 90 * _D, 180 * _D, 365 * _D, 730 * _D)

ARTICLES_IN = Counter(f"{PREFIX}_articles_in", "Messages read from the input topic, valid or not, each counted once.",
                      registry=REGISTRY)
ARTICLES_PROCESSED = Counter(f"{PREFIX}_articles_processed",
                             "Articles that passed validation and dedupe and went through extraction.",
                             registry=REGISTRY)
DUPLICATES = Counter(f"{PREFIX}_duplicates", "Articles dropped as duplicates, by how they matched.",
                     ["kind"], registry=REGISTRY)
DEAD_LETTERS = Counter(f"{PREFIX}_dead_letters", "Records sent to the dead-letter topic, by reason code.",
                       ["reason"], registry=REGISTRY)
CONTACTS = Counter(f"{PREFIX}_contacts_extracted",
                   "Contacts extracted, by mode and primary topic.",
                   ["mode", "topic"], registry=REGISTRY)
ALERTS = Counter(f"{PREFIX}_alerts", "Spike alerts emitted, by topic and status.", ["topic", "status"],
                 registry=REGISTRY)
LATE_CONTACTS = Counter(f"{PREFIX}_late_contacts",
                        "Contacts not counted: their day is more than DIPLOWATCH_RETAIN_DAYS behind the "
                        "event-time watermark they were stamped with.", registry=REGISTRY)
EXTRACTOR_ERRORS = Counter(f"{PREFIX}_extractor_errors", "Exceptions raised by the extractor.",
                           registry=REGISTRY)
STAGE_LATENCY = Histogram(f"{PREFIX}_stage_latency_seconds", "Time spent in one pipeline stage per record.",
                          ["stage"], buckets=STAGE_BUCKETS, registry=REGISTRY)
END_TO_END = Histogram(f"{PREFIX}_end_to_end_latency_seconds",
                       "Time from an article entering the pipeline to its contacts being produced.",
                       buckets=E2E_BUCKETS, registry=REGISTRY)
EVENT_LAG = Histogram(f"{PREFIX}_event_lag_seconds",
                      "Time from a contact's event date to its processing.", buckets=EVENT_LAG_BUCKETS,
                      registry=REGISTRY)
CONSUMER_LAG = Gauge(f"{PREFIX}_consumer_lag_messages",
                     "Messages not yet committed by this worker: end offset minus committed offset.",
                     ["topic", "partition"], registry=REGISTRY)
TABLE_ENTRIES = Gauge(f"{PREFIX}_table_entries", "Keys held in a Faust table by this worker.", ["table"],
                      registry=REGISTRY)
PAIR_CONTACTS_WEEK = Gauge(f"{PREFIX}_pair_contacts_week",
                           f"Distinct contacts this week for the current top {TOP_PAIRS} country pairs.",
                           ["pair"], registry=REGISTRY)
SPIKE_ACTIVE = Gauge(f"{PREFIX}_spike_active",
                     f"Distinct contacts in the latest firing window of each running spike episode "
                     f"(the top {MAX_SPIKES} by score held by this worker), by pair and topic.",
                     ["pair", "topic"], registry=REGISTRY)
BUILD_INFO = Gauge(f"{PREFIX}_build_info", "Always 1; the label carries the diplowatch version.",
                   ["version"], registry=REGISTRY)
PUBLISHED_AT_IGNORED = Counter(f"{PREFIX}_published_at_ignored",
                               "Articles whose published_at cannot be a publication time (another "
                               "calendar's year, a future day) and was treated as absent, by reason.",
                               ["reason"], registry=REGISTRY)
DELTA_CACHE_DAMAGED = Counter(f"{PREFIX}_delta_cache_damaged",
                              "Dedupe/extract delta caches (rocksdb://) found damaged, set aside and "
                              "rebuilt from the changelog.", registry=REGISTRY)
LAST_ARTICLE = Gauge(f"{PREFIX}_last_article_timestamp_seconds",
                     "Unix time when this worker last read an article (0 = none yet).", registry=REGISTRY)


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("diplowatch")
    except Exception:  # running from a source tree without installed metadata
        return "unknown"


VERSION = _version()
BUILD_INFO.labels(VERSION).set(1)

# Pre-bound children: the hot path never formats labels. Pre-creating them also makes every
# closed-set series exist at 0 from the start, so rate() and absent-vs-zero behave in PromQL.
_STAGE = {s: STAGE_LATENCY.labels(s) for s in STAGES}
_DUP = {k: DUPLICATES.labels(k) for k in DUPLICATE_KINDS}
_DL = {r: DEAD_LETTERS.labels(r) for r in DEAD_LETTER_REASONS}
for _r in _pubdate_reason.allowed:
    PUBLISHED_AT_IGNORED.labels(_r)
_contact_children: dict[tuple[str, str], Any] = {(m, NONE): CONTACTS.labels(m, NONE) for m in MODES}
_alert_children: dict[tuple[str, str], Any] = {(ALL, st): ALERTS.labels(ALL, st) for st in ALERT_STATUSES}

# --- helpers for the agents --------------------------------------------------------------------


def article_in(n: int = 1) -> None:
    ARTICLES_IN.inc(n)
    LAST_ARTICLE.set(time.time())


def published_at_ignored(reason: str) -> None:
    """Count an article whose published_at was treated as absent (streams.pubdate.REASONS)."""
    PUBLISHED_AT_IGNORED.labels(_pubdate_reason(reason)).inc()


def article_processed(n: int = 1) -> None:
    ARTICLES_PROCESSED.inc(n)


def duplicate(kind: str) -> None:
    """Count a dropped duplicate; ``kind`` is one of DUPLICATE_KINDS."""
    try:
        _DUP[kind].inc()
    except KeyError:
        raise ValueError(f"unknown duplicate kind {kind!r}; expected one of {DUPLICATE_KINDS}") from None


def reason_code(reason: str) -> str:
    """The dead-letter reason code ``dead_letter(reason)`` would count (unknown codes become
    ``other``), without counting: for the record of a message that is counted later, elsewhere."""
    return _reason(reason)


def dead_letter(reason: str) -> str:
    """Count a dead letter. Returns the reason code actually used (unknown codes become ``other``),
    so the caller can put the same code in the dead-letter record."""
    code = _reason(reason)
    _DL[code].inc()
    return code


def extractor_error() -> None:
    EXTRACTOR_ERRORS.inc()


def contact_extracted(mode: str, topics: Iterable[str] = ()) -> None:
    """Count one contact under its first (primary) topic, ``none`` when it has none. Once per
    contact, so ``sum by (mode)`` is the number of contacts."""
    first = next(iter(topics), None)
    key = (_mode(mode), _topic(first or NONE))
    child = _contact_children.get(key)
    if child is None:
        child = _contact_children[key] = CONTACTS.labels(*key)
    child.inc()


def alert_emitted(topic: str | None, status: str = "new") -> None:
    """Count an alert record sent to the alert topic; ``topic`` "*" (all topics) becomes ``all``."""
    key = (ALL if topic == "*" else _topic(topic or NONE), _alert_status(status))
    child = _alert_children.get(key)
    if child is None:
        child = _alert_children[key] = ALERTS.labels(*key)
    child.inc()


def late_contact() -> None:
    LATE_CONTACTS.inc()


def delta_cache_damaged() -> None:
    DELTA_CACHE_DAMAGED.inc()


def observe_end_to_end(seconds: float) -> None:
    END_TO_END.observe(max(0.0, seconds))


def observe_event_lag(seconds: float) -> None:
    """Event date → processing time; negative lags (event dated in the future) count as 0."""
    EVENT_LAG.observe(max(0.0, seconds))


def observe_stage_seconds(stage: str, seconds: float) -> None:
    _STAGE[stage].observe(seconds)


class observe_stage:
    """Times one stage: ``with observe_stage("extract"): ...`` or as a decorator on a sync or async
    function. Uses perf_counter and a pre-bound histogram child (no label formatting per call).
    The time is recorded also when the body raises."""

    __slots__ = ("_child", "_t0")

    def __init__(self, stage: str) -> None:
        try:
            self._child = _STAGE[stage]
        except KeyError:
            raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}") from None
        self._t0 = 0.0

    def __enter__(self) -> "observe_stage":
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self._child.observe(time.perf_counter() - self._t0)

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        child = self._child
        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def awrapper(*a: Any, **kw: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return await fn(*a, **kw)
                finally:
                    child.observe(time.perf_counter() - t0)
            return awrapper

        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                child.observe(time.perf_counter() - t0)
        return wrapper


def set_consumer_lag(lags: Mapping[tuple[str, int], int]) -> None:
    """Replace the lag series with ``{(topic, partition): end_offset - committed_offset}`` for the
    partitions this worker holds now; partitions revoked in a rebalance disappear."""
    CONSUMER_LAG.clear()
    for i, ((topic, partition), lag) in enumerate(sorted(lags.items())):
        if i >= MAX_PARTITIONS:
            break
        if not _KAFKA_TOPIC.match(str(topic)):
            continue
        CONSUMER_LAG.labels(str(topic), str(int(partition))).set(max(0, int(lag)))


def set_table_entries(table: str, n: int) -> None:
    TABLE_ENTRIES.labels(_table(table)).set(n)


def pair_label(pair: str | tuple[str, str] | list[str]) -> str:
    """``("USA", "IRN")`` or ``"IRN-USA"`` → ``"IRN-USA"`` (sorted alpha-3 codes)."""
    codes = pair.split("-") if isinstance(pair, str) else list(pair)
    if len(codes) != 2:
        raise ValueError(f"not a country pair: {pair!r}")
    label = "-".join(sorted(str(c).upper() for c in codes))
    if not _PAIR.match(label):
        raise ValueError(f"not a pair of ISO alpha-3 codes: {pair!r}")
    return label


def set_pair_counts(counts: Mapping[Any, int], n: int = TOP_PAIRS) -> list[tuple[str, int]]:
    """Publish the top ``n`` pairs of ``{pair: distinct contacts this week}``; the gauge is cleared
    first so pairs that left the top-N disappear and the label set stays bounded. Ties are broken by
    the pair label so repeated updates are stable. Returns the published ``[(label, count)]``."""
    labelled: dict[str, int] = {}
    for pair, count in counts.items():
        try:
            label = pair_label(pair)
        except ValueError:
            continue
        labelled[label] = labelled.get(label, 0) + int(count)
    top = sorted(labelled.items(), key=lambda kv: (-kv[1], kv[0]))[:min(n, TOP_PAIRS)]
    # clear + set under the gauge's own lock would need internals; a scrape between the two sees a
    # partial set for one scrape at worst, which a gauge tolerates.
    PAIR_CONTACTS_WEEK.clear()
    for label, count in top:
        PAIR_CONTACTS_WEEK.labels(label).set(count)
    return top


def set_active_spikes(episodes: Iterable[tuple[Any, str | None, int, float]],
                      n: int = MAX_SPIKES) -> list[tuple[str, str, int]]:
    """Publish the running spike episodes ``[(pair, topic, observed, score)]`` of this worker's
    partitions: one series per (pair, topic), value = distinct contacts in the episode's latest
    firing window. The gauge is replaced wholesale (ended episodes and partitions moved to another
    worker disappear); only the ``n`` highest-scoring episodes are kept, topics go through the same
    capped label set as the other metrics (``*`` becomes ``all``), so the series stay bounded.
    Returns the published ``[(pair, topic, observed)]``."""
    best: dict[tuple[str, str], tuple[float, int]] = {}
    for pair, topic, observed, score in episodes:
        try:
            label = pair_label(pair)
        except ValueError:
            continue
        t = ALL if topic == "*" else _topic(topic or NONE)
        key = (label, t)
        cur = (float(score or 0.0), int(observed or 0))
        if key not in best or cur > best[key]:
            best[key] = cur
    top = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:min(n, MAX_SPIKES)]
    SPIKE_ACTIVE.clear()
    for (label, t), (_score, observed) in top:
        SPIKE_ACTIVE.labels(label, t).set(observed)
    return [(label, t, observed) for (label, t), (_score, observed) in top]


# --- exposition -------------------------------------------------------------------------------


def render_metrics(accept: str | None = None) -> tuple[bytes, str]:
    """The registry in the text format (or OpenMetrics when ``accept`` asks for it):
    ``(body, content_type)`` for whatever web server the process runs."""
    if accept and "application/openmetrics-text" in accept:
        return openmetrics.generate_latest(REGISTRY), openmetrics.CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def serve_metrics(port: int, addr: str = "0.0.0.0") -> Any:
    """Serve ``/metrics`` from a background thread (for processes without Faust's web server).
    Returns the server (``.shutdown()`` stops it; ``.server_port`` is the bound port when 0 was
    asked)."""
    from prometheus_client import start_http_server
    server, _thread = start_http_server(port, addr=addr, registry=REGISTRY)
    return server


def sample(name: str, labels: Mapping[str, str] | None = None) -> float:
    """Current value of one sample (0.0 if absent) — for the status page and tests."""
    v = REGISTRY.get_sample_value(name, dict(labels or {}))
    return 0.0 if v is None else v


def snapshot() -> dict[str, Any]:
    """Plain numbers of this process's pipeline health, read from the registry in one pass (the
    status page shows these without needing Prometheus)."""
    out: dict[str, Any] = {
        "articles_in": 0.0, "articles_processed": 0.0, "extractor_errors": 0.0,
        "duplicates": dict.fromkeys(DUPLICATE_KINDS, 0.0),
        "dead_letters": dict.fromkeys(DEAD_LETTER_REASONS, 0.0),
        "contacts": 0.0, "alerts": 0.0, "consumer_lag": {}, "last_article": 0.0, "version": VERSION,
    }
    simple = {f"{PREFIX}_articles_in_total": "articles_in",
              f"{PREFIX}_articles_processed_total": "articles_processed",
              f"{PREFIX}_extractor_errors_total": "extractor_errors",
              f"{PREFIX}_last_article_timestamp_seconds": "last_article"}
    for metric in REGISTRY.collect():
        if not metric.name.startswith(PREFIX):
            continue
        for s in metric.samples:
            if s.name in simple:
                out[simple[s.name]] = s.value
            elif s.name == f"{PREFIX}_duplicates_total":
                out["duplicates"][s.labels["kind"]] = s.value
            elif s.name == f"{PREFIX}_dead_letters_total":
                out["dead_letters"][s.labels["reason"]] = s.value
            elif s.name == f"{PREFIX}_contacts_extracted_total":
                out["contacts"] += s.value
            elif s.name == f"{PREFIX}_alerts_total":
                out["alerts"] += s.value
            elif s.name == f"{PREFIX}_consumer_lag_messages":
                out["consumer_lag"][(s.labels["topic"], int(s.labels["partition"]))] = s.value
    return out
