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
    """``inputs``: how many partitions the input topic has (settings ``partitions``): each one's
    path is waited for (docs/pipeline.md, "Event-time watermark"); ``idle_seconds``: input time
    without a dated article after which an input partition is idle (0: never)."""

    def __init__(self, dedup: Deduplicator, accounting: MutableMapping, inputs: int = 1,
                 idle_seconds: float = 0.0) -> None:
        self.dedup = dedup
        self.accounting = accounting
        self.inputs = inputs
        self.idle_seconds = float(idle_seconds)

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
        acc, wm = advance_stamps(acc, mark, doc.get("published_at"), now,
                                 [f"{origin['topic']}:{i}" for i in range(self.inputs)],
                                 self.idle_seconds)
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
        """After an ``Expire``: this partition's stamp per input partition to every extract
        partition, behind the records sent before it (every later record from input partition p
        carries p's stamp or a later one), so the aggregate's bound moves past paths with nothing
        else to send (docs/pipeline.md)."""
        acc = upgraded(self.accounting.get(f"dedupe:{partition}") or {})
        stamps = {_input_partition(m): d for m, d in sorted((acc.get("stamps") or {}).items())}
        idle = sorted(int(_input_partition(m)) for m in acc.get("idle") or ())
        hb = Heartbeat(now=now, wm=acc.get("wm"), dedupe=partition, stamps=stamps, idle=idle)
        return [Out("extract", None, hb, partition=e) for e in range(extract_partitions)]


def _input_partition(mark: str) -> str:
    """"articles:3" -> "3" (the input partition of a mark, as the stamps vector and the paths
    name it)."""
    return mark.rsplit(":", 1)[1]


def upgraded(acc: dict[str, Any]) -> dict[str, Any]:
    """Accounting written before the per-partition stamps (a scalar ``wm``, ``days`` and no
    ``stamps``) as it is read now: each partition's stamp is its newest day but no lower than the
    old watermark, which stays as ``floor``, the least stamp a partition that had no dated article
    yet gets. Every stamp is thus at least every stamp sent before the upgrade, so no record is
    stamped below a day the aggregate stage already evaluated."""
    if "stamps" in acc or acc.get("wm") is None:
        return acc
    floor = acc["wm"]
    return {**acc, "floor": floor,
            "stamps": {m: max(d, floor) for m, d in (acc.get("days") or {}).items()}}


def advance_stamps(acc: dict[str, Any], mark: str, published_at: Any, in_ts: float,
                   inputs: list[str], idle_seconds: float) -> tuple[dict[str, Any], str | None]:
    """The event-time stamps after this article, and the one it carries (docs/pipeline.md,
    "Event-time watermark").

    ``days``: per input partition (``mark``), the newest publication day of its articles so far; a
    day after the article's arrival day + 1 (a typo in a feed) does not count. ``stamps``: per
    input partition its stamp, its newest day, and while it is idle no lower than the least stamp
    of the partitions that are not (the bound it would rejoin at); it never moves back. An article
    is stamped with its own input partition's stamp, so the stamps along a path from one input
    partition only grow and depend only on that partition's own sequence (unless a partition is
    idle). ``inputs``: the marks of every input partition (each is waited for). ``now``: the
    newest Kafka timestamp of an article so far (input time); ``last``: per partition, ``now`` when
    it last delivered a dated article, ``since``: the first article's (for a partition with none
    yet). A partition is idle when ``now`` has moved more than ``idle_seconds`` (> 0) past its
    ``last`` and the others delivered more than two dated articles per input partition since its
    last one (``seen``: dated articles so far; ``at``: per partition, ``seen`` at its last one):
    input time went on that long, and the input with it, without a dated article from it.
    ``wm``: the least stamp (shown on /pipeline/counts/). All of it lives in the stage's
    accounting value, so it is persisted with the marks and recomputed identically when a crash
    makes dedupe decide the same messages again."""
    acc = upgraded(acc)
    stamps = dict(acc.get("stamps") or {})
    last = dict(acc.get("last") or {})
    at = dict(acc.get("at") or {})
    seen = int(acc.get("seen") or 0)
    now = max(float(acc.get("now") or in_ts), in_ts)
    since = float(acc.get("since") or in_ts)
    day = published_at[:10] if isinstance(published_at, str) and len(published_at) >= 10 else None
    if day is not None and _DAY.match(day) and day <= _iso_day(in_ts + 86400):
        days = acc.get("days") or {}
        if day > days.get(mark, ""):
            acc = {**acc, "days": {**days, mark: day}}
        # delivering now: not idle, whatever its own Kafka timestamp (a partition whose timestamps
        # lag, or another's that jumps ahead, does not make a delivering partition idle)
        last[mark] = now
        seen += 1
        at[mark] = seen
        floor = acc.get("floor")
        stamps[mark] = max(stamps.get(mark, floor or day), day)
    every = sorted(set(inputs) | set(stamps) | set(last))
    # idle: input time went on idle_seconds, and the others delivered at least two dated articles
    # per input partition meanwhile (one article stamped far ahead makes nobody idle)
    quorum = 2 * len(every)
    idle = [m for m in every
            if idle_seconds > 0 and now - float(last.get(m, since)) > idle_seconds
            and seen - at.get(m, 0) > quorum]
    busy = [m for m in every if m not in idle]
    if idle and busy and all(m in stamps for m in busy):
        low = min(stamps[m] for m in busy)
        for m in idle:
            if low > stamps.get(m, ""):
                stamps[m] = low
    acc = {**acc, "stamps": stamps, "last": last, "at": at, "seen": seen, "now": now, "since": since,
           "idle": idle,
           "wm": min(stamps.values()) if stamps else acc.get("wm")}
    return acc, stamps.get(mark)


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
            Deduplicator(store, horizon_seconds=horizon), SideMapping(store), s.partitions,
            s.idle_partition_seconds), horizon,
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
