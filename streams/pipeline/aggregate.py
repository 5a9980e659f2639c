"""Stage 4, aggregate: contacts (and extra sources of copies) → distinct contacts per pair, topic and
event day in the ``windows`` table, then spike detection on the same partition (streams.pipeline.alert).

The agent reads ``contacts`` and the internal ``sources`` topic together; both are keyed by country
pair with the same partition count, so a pair's contacts, its copies' sources, its windows and its
spike episodes all live on one partition (one worker). Counting is by contact key
(streams.detection.counts.PairCounts): a replayed contact changes no count, and a copy's record is one
more report of its contact (it counts the contact when it comes first, and the contact is seen from
the least stamp of its reports), so the counts and alerts do not depend on how the two topics
interleave. Contacts land on the day they
happened; a pair is evaluated for a day once the watermark bound has passed it (as-of evaluation,
streams.detection.asof), so a contact reported late counts in the windows of the days evaluated
after it came, not in those decided before.

Event-time watermark (docs/pipeline.md): dedupe stamps every article with its own input
partition's newest publication day (an idle partition's follows the others'; a stamp never moves
back), and extract passes the stamp on in the headers of the contact and source records, with the
path the record took (input partition, dedupe partition, extract partition), along which stamps
only grow. A contact whose day is more than DIPLOWATCH_RETAIN_DAYS behind its stamp is late:
counted nowhere (``diplowatch_late_contacts_total``). Whether a contact is late is thus decided by
its input partition's own sequence, not by how the partitions interleave or which of the
aggregate's paths delivered something newer first. Old days are dropped when the timer's
``Expire`` control record passes (streams.pipeline.agent calls ``expire``), below the bound (the
least of the newest stamps received on every path, none until each delivered one) minus
DIPLOWATCH_RETAIN_DAYS: no contact still to come on any path can land there (stamps grow along a
path), so an expiry pass never removes a day that a contact counted later would have needed,
whenever it runs.
"""
from __future__ import annotations

import time
from collections.abc import MutableMapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from streams import metrics
from streams.detection import PairCounts, SpikeParams, contact_day, contact_key
from streams.detection.asof import AsOfEvaluator
from streams.detection.contact_keys import as_contact, counted
from streams.pipeline.alert import AlertStage, spike_params
from streams.pipeline.serde import Out

WATERMARK = "watermark"   # the latest event day counted in the partition (the status page shows it)
# path "<input p>.<dedupe p>.<extract p>" (":sources" after it for the sources topic) -> the newest
# stamp received on it. (Before the per-partition stamps the paths were "<dedupe p>.<extract p>"
# under "~paths": that value is no longer read, and its records' paths are not tracked.)
PATHS = "~stamps"
EXPIRED = "~expired"      # days before this one were expired: nothing is counted there any more
# {"contacts": offset, "sources": offset}: the next offset of each input partition not yet applied,
# written after the state records of the records before it are acknowledged. A record redelivered
# after a crash whose state already reached the changelog is skipped, so it is not evaluated a
# second time against windows that already hold the contacts that came after it (which can move
# the day an episode starts). The committed offsets alone, committed every few seconds, would leave
# most of a crash's redeliveries to be evaluated again.
MARKS = "~marks"
# "~src|<pair>|<day>" -> {contact key: [outlets of copies]}: a copy's source that arrived before its
# contact, applied when the contact is counted (and expired with its day by PairCounts.expire).
# Written before the per-partition stamps only (a copy's record now counts its contact): applied
# when found, never written
PENDING = "~src"


def _epoch(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()


def _minus_days(day: str, n: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=n)).isoformat()


def current_path(path: str | None) -> bool:
    """A path of the current form, "<input p>.<dedupe p>.<extract p>" (one written before the
    per-partition stamps, "<dedupe p>.<extract p>", names no input partition)."""
    return path is not None and path.count(".") == 2


def path_bound(paths: dict[str, str], need: int) -> str | None:
    """The least newest stamp over the ``need`` paths of ``paths`` (the PATHS value); None until
    each has delivered one."""
    return min(paths.values()) if paths and len(paths) >= need else None


class AggregateStage:
    """Counting (PairCounts), as-of evaluation (streams.detection.asof) and spike detection
    (AlertStage) over one partition's tables. ``paths``: how many paths deliver contacts (input
    partitions x dedupe partitions x extract partitions); ``sources``: the sources topic's paths count too (the live
    pipeline: a copy's outlet can complete a window's corroboration). The bound waits until each
    path has delivered a stamped record or heartbeat."""

    def __init__(self, windows: MutableMapping, episodes: MutableMapping, params: SpikeParams, *,
                 retain_days: int, paths: int = 1, min_confidence: float = 0.0,
                 settle_days: int = 1, sources: bool = False) -> None:
        self.windows = windows
        self.min_confidence = min_confidence
        self.counts = PairCounts(windows, feed_totals=params.reports_per_contact > 0)
        self.alerts = AlertStage(self.counts, episodes, params)
        self.asof = AsOfEvaluator(self.counts, self.alerts.detector, settle_days,
                                  on_coverage=self.alerts.note_day)
        self.retain_days = retain_days
        self.paths = paths * (2 if sources else 1)

    def _see(self, stamp: str | None, path: str | None, sources: bool) -> None:
        """Keep the newest stamp received on ``path`` (stamps only grow along a path)."""
        if not stamp or path is None:
            return
        key = f"{path}:sources" if sources else path
        paths = self.windows.get(PATHS) or {}
        if stamp > paths.get(key, ""):
            self.windows[PATHS] = {**paths, key: stamp}

    def heartbeat(self, stamp: str | None, path: str | None, sources: bool = False) -> list[Out]:
        """A path's heartbeat: the path has passed ``stamp`` (``heartbeats``)."""
        return self.heartbeats({path: stamp} if path is not None else {}, sources)

    def heartbeats(self, stamps: dict[str, str], sources: bool = False) -> list[Out]:
        """A heartbeat extract passed on (dedupe's stamps per input partition): each path of
        ``stamps`` has passed its stamp; the days that lets out are evaluated, and when the bound
        moved past a retained day an expiry pass runs too (so the tables follow the bound without
        waiting for the timer's next pass)."""
        for path, stamp in stamps.items():
            self._see(stamp, path, sources)
        b = self.bound()
        if b is not None and _minus_days(b, self.retain_days) > (self.windows.get(EXPIRED) or ""):
            return self.expire()
        return self.evaluate()

    def evaluate(self) -> list[Out]:
        """Evaluate the days the bound has let out (streams.detection.asof); their alerts."""
        b = self.bound()
        if b is None:
            return []
        with metrics.observe_stage("alert"):
            return self.alerts.outs(self.asof.advance(b))

    def handle(self, msg: dict[str, Any], now: float | None = None, stamp: str | None = None,
               path: str | None = None, extra_source: bool = False) -> list[Out]:
        """``stamp``, ``path``: the record's watermark stamp and path (``serde.read_stamp``).
        ``extra_source``: a record of the sources topic (a copy's outlet for contacts counted from
        the first copy): it adds its report to the contact, and counts the contact if its first
        copy's record has not come yet. Either way the contact is seen from the least stamp of its
        reports and described by the least stamped one, so what a day's evaluation sees depends on
        the stamps, not on how the two topics interleave nor which copy dedupe saw first. A
        counted contact is evaluated with its day, once the bound lets that day out
        (``evaluate``)."""
        now = time.time() if now is None else now
        if "countries" not in msg:
            return []
        self._see(stamp, path, extra_source)
        outs = self._count(msg, now, stamp, extra_source)
        return outs + self.evaluate()

    def _count(self, msg: dict[str, Any], now: float, stamp: str | None,
               extra_source: bool) -> list[Out]:
        if not counted(msg, self.min_confidence):
            return []   # below DIPLOWATCH_MIN_CONFIDENCE: published on contacts, not counted
        c = as_contact(msg)   # once: the keys below and the count read the same record
        day = contact_day(c, msg.get("published_at"))
        key = contact_key(c, msg.get("published_at")) if day is not None else None
        if key is None:
            return []   # no event day and no publication day (or not a pair): cannot be windowed
        if self.late(day[0], stamp):
            metrics.late_contact()
            return []
        pkey = f"{PENDING}|{key.split('|', 1)[0]}|{day[0]}"
        if extra_source:
            pair_, kday, _ = key.split("|")
            star = self.windows.get(f"{pair_}|*|{kday}") or {}
            if key in star:
                self._add_source(key, star[key], {
                    "source": msg.get("source"), "url": msg.get("url"),
                    "article_id": msg.get("article_id"), "stamp": stamp, "mode": msg.get("mode"),
                    "evidence": msg.get("evidence")})
                return []
            # its contact is not counted yet: the copy's record is a report of it like any other
            # and counts it, with its stamp. (With one input partition a copy is stamped no lower
            # than the article dedupe saw first; with several it can be, and the days that see the
            # contact must not depend on which of them dedupe saw first: docs/pipeline.md.)
        wm = self.windows.get(WATERMARK)
        # a contact dated in the future (a typo in a feed) must not move the displayed day
        tomorrow = datetime.fromtimestamp(now + 86400, timezone.utc).date().isoformat()
        if (wm is None or day[0] > wm) and day[0] <= tomorrow:
            self.windows[WATERMARK] = day[0]
        seen = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        res = self.asof.add(c, stamp, published_at=msg.get("published_at"), seen_at=seen)
        pending = self.windows.get(pkey)
        if res.contact_key is not None and pending and key in pending:
            star = self.windows.get(f"{res.pair}|*|{res.day}") or {}
            for extra in pending[key]:
                if key in star:
                    self._add_source(key, star[key], extra)
            rest = {k: v for k, v in pending.items() if k != key}
            if rest:
                self.windows[pkey] = rest
            else:
                del self.windows[pkey]
        metrics.observe_event_lag(now - _epoch(day[0]))
        return []

    def _add_source(self, key: str, entry: dict[str, Any], extra: dict[str, Any]) -> None:
        topics = ("*", *entry.get("topics", ()))
        stamp = extra.get("stamp")
        report = {k: extra.get(k) for k in ("source", "url", "article_id", "mode", "evidence")}
        if stamp is None:
            self.counts.add_source(key, **report)
        else:
            self.asof.add_source(key, topics, stamp, **report)

    def late(self, day: str, stamp: str | None) -> bool:
        """More than ``retain_days`` behind the record's stamp, or on a day already expired (only a
        record that did not come by a tracked path — a copy's source — can find one)."""
        if stamp and day < _minus_days(stamp, self.retain_days):
            return True
        expired = self.windows.get(EXPIRED)
        return bool(expired) and day < expired

    def bound(self) -> str | None:
        """The least newest stamp over all paths (None until every path delivered one)."""
        return path_bound(self.windows.get(PATHS) or {}, self.paths)

    def expire(self, now: float | None = None) -> list[Out]:
        """Drop the days no contact still to come can land on (the module docstring); ``now`` is
        not used: the bound is the watermark stamps', not a clock's. The days the bound lets out
        are evaluated first (their alerts are returned)."""
        outs = self.evaluate()
        b = self.bound()
        if b is None:
            return outs
        before = _minus_days(b, self.retain_days)
        if before > (self.windows.get(EXPIRED) or ""):
            self.windows[EXPIRED] = before
        self.counts.expire(before)
        self.alerts.expire(before)
        return outs


def path_count(s) -> int:
    """How many paths deliver to each aggregate partition per topic: input partitions (the
    ``articles`` topic has ``partitions``) x dedupe partitions x extract partitions."""
    return s.partitions * s.dedupe_partitions * s.partitions


def register(p) -> None:
    from streams.pipeline import agent
    from streams.pipeline.serde import read_stamp, read_vector
    from streams.pipeline.tables import ChangelogWriter, PartitionView
    from streams.records import Heartbeat
    s = p.settings
    writer = ChangelogWriter()
    windows = PartitionView(p.tables["windows"], writer=writer)
    episodes = PartitionView(p.tables["episodes"], writer=writer)
    stage = AggregateStage(windows, episodes, spike_params(s), retain_days=s.retain_days,
                           paths=path_count(s), min_confidence=s.min_confidence,
                           settle_days=s.settle_days, sources=True)
    source = p.app.topic(s.topic_contacts, s.topic_sources, key_serializer="raw",
                         value_serializer="raw")

    def topic_of(m) -> str:
        return "contacts" if m.topic == s.topic_contacts else "sources"

    def handle(stage, msg, m) -> list[Out]:
        contacts = m.topic == s.topic_contacts
        if type(msg) is Heartbeat or not msg:   # a heartbeat (on contacts: an empty record)
            return stage.heartbeats(read_vector(m.headers) or {}, sources=not contacts)
        stamp, path = read_stamp(m.headers)
        # (a record sent before the per-partition stamps is counted with its stamp; its path,
        # which names no input partition, is not tracked)
        return stage.handle(msg, stamp=stamp, path=path if current_path(path) else None,
                            extra_source=not contacts)

    # the marks (MARKS, in windows) are written after the batch's alerts and table writes are
    # acknowledged (streams.pipeline.agent.run)
    plug = agent.ViewStage(stage, [windows, episodes], writer, records="sources",
                           marks_key=MARKS, topic_of=topic_of, handle=handle)

    @p.app.agent(source, name="aggregate")
    async def aggregate(stream):
        await agent.run(p, stream, "aggregate", plug, p.agent_batch)
