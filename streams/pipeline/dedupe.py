"""Stage 2, dedupe: validated articles in one order → first-seen articles and copy markers.

Runs on the dedupe topic, which has ONE partition by default (see streams/app.py for why): one agent
instance at a time owns the fingerprint table and decides "first seen" for all workers. The decision
itself is streams.duplicates.Deduplicator over that table (changelog-backed, so it survives restarts and
moves with the partition on fail-over).

* a new article goes on to the extract topic keyed by its id;
* a copy (same id, same URL, same normalised text, or a near copy within the horizon) goes on as a
  small "copy of X" marker keyed by X, the id of the first copy: the extract stage, which holds X's
  contacts on that partition, records the copy's outlet as another source of them.

The "now" of a decision is the Kafka timestamp of the article on the input topic (when it entered
the pipeline), not the wall clock of the worker: a backlog processed late decides as it would have
live. Old fingerprints are dropped when a timer's ``Expire`` control record passes through the topic
(tables can only be written from inside the stream, so the timer sends a record instead of touching
the table; streams.pipeline.agent calls ``expire``).

Accounting and redeliveries: every input message reaches this stage once per delivery, as an
article or as validate's "rejected" marker (streams.pipeline.validate keeps no state). The stage
counts ``in``, duplicates by kind and dead letters (emitting the rejected message's dead letter), and
keeps per input partition the offset after the last message it handled; a message whose input offset
is below the mark was handled before and is skipped, so a redelivery is neither counted twice nor
mistaken for a duplicate. Marks and counts live in the same delta record as the fingerprints.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timezone
from collections.abc import MutableMapping
from typing import Any

from streams import metrics
from streams.duplicates import Deduplicator
from streams.pipeline.serde import Out
from streams.records import Article, CopyOf, Expire, Heartbeat, NewArticle, Rejected, ValidArticle

log = logging.getLogger(__name__)

COPY_FIELDS = ("id", "source", "url", "published_at", "lang", "title")


class DedupeStage:
    def __init__(self, dedup: Deduplicator, accounting: MutableMapping) -> None:
        self.dedup = dedup
        self.accounting = accounting

    def handle(self, rec: ValidArticle | Rejected, partition: int = 0,
               offset: int | None = None) -> list[Out]:
        """``offset``: of ``rec`` on the dedupe topic; it travels with the record sent to extract
        (``seq``: [partition, offset]) so that extract recognises a record repeated after a crash
        (sent, acknowledged, then decided again because the delta marking it handled was lost)."""
        origin = rec.origin
        key = f"dedupe:{partition}"
        # (values written before "in" and "dead_letter" were counted here lack them)
        acc = {"marks": {}, "in": 0, "new": 0, "duplicate": {}, "dead_letter": {},
               **(self.accounting.get(key) or {})}
        mark = f"{origin['topic']}:{origin['partition']}"
        if origin["offset"] < acc["marks"].get(mark, 0):
            return []   # redelivered: decided (and counted) before
        metrics.article_in()
        acc["in"] += 1
        marks = {**acc["marks"], mark: origin["offset"] + 1}
        if type(rec) is Rejected:
            # validate's verdict: counted here, with the mark, and the dead letter sent from here
            code = metrics.dead_letter(rec.reason)
            dl = dict(acc["dead_letter"])
            dl[code] = dl.get(code, 0) + 1
            self.accounting[key] = {**acc, "marks": marks, "dead_letter": dl}
            return [Out("dead_letter", rec.key, rec.dead_letter)]
        doc = rec.article
        article = Article.from_dict(doc)
        now = float(rec.in_ts or time.time())
        acc, wm = _advance_watermark(acc, mark, doc.get("published_at"), now)
        verdict = self.dedup.check_and_remember(article, now)
        if verdict.is_duplicate:
            metrics.duplicate(verdict.kind)
            dup = dict(acc["duplicate"])
            dup[verdict.kind] = dup.get(verdict.kind, 0) + 1
            self.accounting[key] = {**acc, "marks": marks, "duplicate": dup}
            return [Out("extract", verdict.original_id, CopyOf(
                of=verdict.original_id, dup_kind=verdict.kind, similarity=verdict.similarity,
                article={f: doc.get(f) for f in COPY_FIELDS},
                origin=origin, in_ts=rec.in_ts, seq=[partition, offset], wm=wm))]
        self.accounting[key] = {**acc, "marks": marks, "new": acc["new"] + 1}
        return [Out("extract", article.id, NewArticle(article=doc, origin=origin, in_ts=rec.in_ts,
                                                      seq=[partition, offset], wm=wm))]

    def expire(self, now: float) -> None:
        """Forget the fingerprints older than the horizon as of ``now``."""
        self.dedup.expire(now)

    def heartbeats(self, partition: int, now: float, extract_partitions: int) -> list[Out]:
        """After an ``Expire``: this partition's watermark to every extract partition, behind the
        records sent before it (every later record carries that stamp or a later one), so the
        aggregate's bound moves past paths with nothing else to send (docs/pipeline.md)."""
        wm = (self.accounting.get(f"dedupe:{partition}") or {}).get("wm")
        hb = Heartbeat(now=now, wm=wm, dedupe=partition)
        return [Out("extract", None, hb, partition=e) for e in range(extract_partitions)]


def _advance_watermark(acc: dict[str, Any], mark: str, published_at: Any,
                       in_ts: float) -> tuple[dict[str, Any], str | None]:
    """The event-time watermark after this article (docs/pipeline.md, "Event-time watermark").

    ``days``: per input partition (``mark``), the latest publication day of its articles so far; a
    day after the article's arrival day + 1 (a typo in a feed) does not count. ``wm``: the least
    of those days over the input partitions that had a dated article, never moving back (a
    partition's first dated article can be older than the others'). Both live in the stage's
    accounting value, so they are persisted with the marks and recomputed identically when a
    crash makes dedupe decide the same messages again."""
    day = published_at[:10] if isinstance(published_at, str) and len(published_at) >= 10 else None
    if day is not None and _DAY.match(day) and day <= _iso_day(in_ts + 86400):
        days = acc.get("days") or {}
        if day > days.get(mark, ""):
            days = {**days, mark: day}
            acc = {**acc, "days": days}
    days = acc.get("days") or {}
    wm = acc.get("wm")
    if days:
        low = min(days.values())
        if wm is None or low > wm:
            wm = low
            acc = {**acc, "wm": wm}
    return acc, wm


_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).date().isoformat()


def register(p) -> None:
    """The dedupe agent, and the timer that sends ``Expire`` control records through the stages."""
    from streams.app import DeliveryError
    from streams.pipeline import agent
    from streams.pipeline.tables import SideMapping
    s = p.settings
    horizon = s.dedup_horizon_seconds
    # per dedupe partition: the fingerprints live in memory and reach the changelog as one delta
    # record per up to 16 articles (streams.pipeline.tables.DeltaLogStore), which also carries the
    # stage's accounting: decisions, fingerprints and counts are persisted together or not at all
    stages = agent.PartitionStages(
        p, "fingerprints", s.topic_dedupe, lambda store: DedupeStage(
            Deduplicator(store, horizon_seconds=horizon), SideMapping(store)), horizon,
        records="dedupe",
        handle=lambda stage, rec, m: stage.handle(rec, m.partition, m.offset),
        on_expire=lambda stage, partition, now: stage.heartbeats(partition, now, s.partitions))
    p.readers["dedupe_accounting"] = stages.accounting

    @p.app.agent(p.topics["dedupe"], name="dedupe")
    async def dedupe(stream):
        await agent.run(p, stream, "dedupe", stages, p.agent_batch)

    @p.app.timer(s.expire_interval_seconds, on_leader=True, name="expire")
    async def expire() -> None:
        # one control record per partition of each stateful topic; each agent expires the keys of
        # the partition it reads it from
        value = Expire(now=time.time())
        outs = [Out("dedupe", None, value, partition=i) for i in range(s.dedupe_partitions)]
        outs += [Out(t, None, value, partition=i) for t in ("extract", "sources")
                 for i in range(s.partitions)]
        try:
            await p.send(outs)
        except DeliveryError as exc:   # the next tick sends them again
            log.warning("expire records not sent: %r", exc)
