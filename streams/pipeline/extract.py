"""Stage 3, extract: first-seen articles → contacts (topic ``contacts``, keyed by country pair).

The extract topic is keyed by article id, so an article and every later "copy of" marker pointing at
it land on the same partition, in order. The stage keeps a bounded table article id → its contacts
and the outlets that carried it:

* an article is extracted (streams.extraction.extract_contacts, pure), its contacts are published on
  ``contacts`` and remembered; the partition's accounting keeps the offset after the last article
  counted, so a redelivered message is skipped ("processed" is counted once);
* a copy marker from a new outlet re-publishes the first article's contacts on the internal
  ``sources`` topic with the copy's article id, outlet and URL: the aggregator counts them as the
  same distinct contacts (same contact key), with one more source in their evidence;
* an ``Expire`` control record (streams.pipeline.agent calls ``expire``) drops entries older than
  the dedup horizon (no copy can point at them any more: the fingerprints are gone too). It reads
  only the entries written in the minutes up to the cutoff (an expiry schedule, streams.expiry, the
  store's own when it has one: on a disk-store worker it is on disk with the entries), not every
  entry of the partition.
"""
from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import Any

import orjson

from streams import metrics
from streams.expiry import MemorySchedule
from streams.pipeline.serde import (Origin, Out, dead_letter_record, pair_key, stamp_headers,
                                    vector_headers)
from streams.records import CopyOf, Heartbeat, NewArticle


def _source_of(doc: dict[str, Any]) -> str:
    """The outlet of an article: its source, else the host of its URL, else its id (so two copies
    from unnamed outlets still count as two sources)."""
    if doc.get("source"):
        return str(doc["source"])
    url = doc.get("url") or ""
    if "://" in url:
        return url.split("://", 1)[1].split("/", 1)[0].lower()
    return f"article:{doc.get('id')}"


# the contacts kept in an article's entry (for its copies), encoded: one entry is one value of a
# delta record, which must stay bounded (tables.DeltaLogStore): room for a few hundred contacts
ENTRY_CONTACTS_BYTES = 256 * 1024


def _bounded(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first contacts that fit in ENTRY_CONTACTS_BYTES (all of them for any real article, whose
    text is bounded by validation). A copy re-issues only these."""
    out, size = [], 0
    for c in contacts:
        size += len(orjson.dumps(c)) + 1
        if size > ENTRY_CONTACTS_BYTES:
            break
        out.append(c)
    return out


def _path(rec: NewArticle | CopyOf, partition: int) -> str:
    """"<input partition>.<dedupe partition>.<extract partition>": the path a record travels to the
    aggregate stage, along which its stamps never decrease (each input partition's stamps grow
    along its own sequence, which dedupe and extract keep in order)."""
    seq = rec.seq or (0, None)
    return f"{(rec.origin or {}).get('partition', 0)}.{seq[0]}.{partition}"


class ExtractStage:
    def __init__(self, extracted: MutableMapping, accounting: MutableMapping,
                 extract: Callable[[dict[str, Any]], list[Any]], horizon_seconds: float,
                 out_partitions: int = 1) -> None:
        self.extracted = extracted
        self.accounting = accounting
        self.extract = extract
        self.horizon = float(horizon_seconds)
        self.out_partitions = out_partitions   # of the contacts and sources topics (heartbeats)
        # slot (SLOT_SECONDS) -> the article ids whose entry was written with a time in it
        schedule = getattr(extracted, "schedule", None)   # (an empty one is falsy: not `or`)
        self.schedule = MemorySchedule() if schedule is None else schedule
        self._schedule_over: int | None = None   # the store generation it was built over
        if hasattr(extracted, "slots_of"):   # a DeltaLogStore: it schedules what it replays
            extracted.slots_of = _entry_slots

    def _repeat(self, rec: NewArticle | CopyOf, partition: int) -> bool:
        """A record dedupe sent again (same dedupe partition and offset as one handled here): after
        a crash, dedupe decides again what its last persisted delta did not cover and repeats the
        records it had already delivered. Dedupe sends in the order of its input, so per dedupe
        partition the offsets arriving on this partition only grow; a repeat is at or below the
        mark."""
        seq = rec.seq
        if not seq or seq[1] is None:
            return False
        acc = self.accounting.get(f"extract:{partition}") or {}
        return int(seq[1]) <= int((acc.get("src") or {}).get(str(seq[0]), -1))

    def _accounting(self, key: str) -> dict[str, Any]:
        """The partition's accounting value (``key``: ``extract:<partition>``), or a fresh one."""
        return self.accounting.get(key) or {"processed": 0, "dead_letter": {}, "next_offset": 0}

    def _mark(self, acc: dict[str, Any], rec: NewArticle | CopyOf) -> dict[str, Any]:
        seq = rec.seq
        if seq and seq[1] is not None:
            acc = {**acc, "src": {**(acc.get("src") or {}), str(seq[0]): int(seq[1])}}
        return acc

    def _count(self, partition: int, offset: int | None, reason: str | None = None,
               rec: NewArticle | None = None) -> None:
        """Count one article as processed, or (with ``reason``) as dead-lettered, and move the
        partition's marks past its input offset and its dedupe seq — in one value, so one
        changelog record."""
        key = f"extract:{partition}"
        acc = self._accounting(key)
        if rec is not None:
            acc = self._mark(acc, rec)
        if reason is None:
            acc = {**acc, "processed": acc.get("processed", 0) + 1}
        else:
            dl = dict(acc.get("dead_letter", {}))
            dl[reason] = dl.get(reason, 0) + 1
            acc = {**acc, "dead_letter": dl}
        if offset is not None:
            acc["next_offset"] = max(int(acc.get("next_offset", 0)), offset + 1)
        self.accounting[key] = acc

    def handle(self, rec: NewArticle | CopyOf, partition: int = 0, now: float | None = None,
               offset: int | None = None) -> list[Out]:
        """``offset``: of ``rec`` on the extract topic (None outside Kafka: no redelivery check)."""
        if type(rec) is Heartbeat:
            return self.heartbeat(rec, partition)
        if self._repeat(rec, partition):
            return []
        if type(rec) is CopyOf:
            return self._copy(rec, partition)
        return self._article(rec, partition, now, offset)

    def _article(self, rec: NewArticle, partition: int, now: float | None,
                 offset: int | None) -> list[Out]:
        doc = rec.article
        aid = str(doc["id"])
        acc = self.accounting.get(f"extract:{partition}") or {}
        if offset is not None and offset < int(acc.get("next_offset", 0)):
            return []   # redelivered: extracted (and counted) before
        # (the same id in a later message is the article sent again after the dedup horizon: dedupe
        # counted it as new, so it is extracted and counted again)
        o = rec.origin or {}
        origin = [o.get("topic"), o.get("partition"), o.get("offset")]
        in_ts = float(rec.in_ts or time.time())
        try:
            contacts = [c.to_dict() if hasattr(c, "to_dict") else dict(c) for c in self.extract(doc)]
        except Exception as exc:   # the extractor promises not to raise; if it does, dead letter
            metrics.extractor_error()
            code = metrics.dead_letter(metrics.DL_EXTRACTOR_ERROR)
            self.extracted[aid] = {"ts": in_ts, "sources": [_source_of(doc)], "contacts": [],
                                   "origin": origin}
            self.schedule.add(_slot(in_ts), (aid,))
            self._count(partition, offset, reason=code, rec=rec)
            return [Out("dead_letter", aid, dead_letter_record(
                orjson.dumps(doc), reason=code, detail=f"{type(exc).__name__}: {exc}",
                origin=Origin.from_dict(rec.origin), stage="extract", article_id=aid))]
        # the entry first, the count and mark last: a crash between them re-extracts on redelivery
        # (contacts count once anyway) instead of losing the article's count
        self.extracted[aid] = {"ts": in_ts, "sources": [_source_of(doc)], "contacts": _bounded(contacts),
                               "origin": origin}
        self.schedule.add(_slot(in_ts), (aid,))
        self._count(partition, offset, rec=rec)
        metrics.article_processed()
        for c in contacts:
            metrics.contact_extracted(c["mode"], c.get("topics") or ())
        metrics.observe_end_to_end((time.time() if now is None else now) - in_ts)
        headers = stamp_headers(rec.wm, _path(rec, partition))
        return [Out("contacts", pair_key(c["countries"]), c, headers=headers) for c in contacts]

    def _copy(self, rec: CopyOf, partition: int = 0) -> list[Out]:
        if rec.seq:
            key = f"extract:{partition}"
            self.accounting[key] = self._mark(self._accounting(key), rec)
        entry = self.extracted.get(rec.of)
        if entry is None:
            return []   # the first copy expired (or failed extraction): nothing to add to
        doc = rec.article
        source = _source_of(doc)
        if source in entry["sources"]:
            return []   # this outlet is counted already (e.g. the same article delivered twice)
        self.extracted[rec.of] = {**entry, "sources": entry["sources"] + [source]}
        outs = []
        for c in entry["contacts"]:
            # the original's publication time first: an undated contact is placed on its publication
            # day, and a copy must land on the same contact key (an extra source, not a new count)
            out = {**c, "article_id": str(doc["id"]), "source": doc.get("source") or source,
                   "url": doc.get("url"), "published_at": c.get("published_at") or doc.get("published_at"),
                   "copy_of": rec.of}
            outs.append(Out("sources", pair_key(c["countries"]), out,
                            headers=stamp_headers(rec.wm, _path(rec, partition))))
        return outs

    def heartbeat(self, rec: Heartbeat, partition: int) -> list[Out]:
        """Dedupe's stamps per input partition, passed on to every partition of the contacts and
        sources topics with headers naming the paths (``src``: "<dedupe p>.<extract p>", ``wmv``:
        input partition -> stamp), behind this partition's records from that dedupe partition: on
        contacts (a public topic) as a record with an empty value, on sources as the record.
        Nothing is stored; a repeat after a crash says again what was true. A heartbeat without
        stamps (sent before an upgrade) names no path of the current form: it is dropped."""
        if rec.stamps is None:
            return []
        headers = vector_headers(rec.stamps, f"{rec.dedupe}.{partition}")
        return [Out(topic, None, b"" if topic == "contacts" else rec, partition=p, headers=headers)
                for p in range(self.out_partitions) for topic in ("contacts", "sources")]

    def expire(self, now: float) -> None:
        """Drop the entries older than the dedup horizon as of ``now``: those scheduled in the
        slots up to the cutoff's (an entry written in the cutoff's slot after the cutoff waits for
        the next pass). The schedule is rebuilt by one scan after the store was (re)built."""
        generation = getattr(self.extracted, "generation", 0)
        if self._schedule_over != generation and getattr(self.extracted, "schedules_itself", False):
            self._schedule_over = generation   # kept complete by the store across rebuilds
        if self._schedule_over != generation:
            self.schedule.clear()
            scan = getattr(self.extracted, "scan", None)
            for aid, v in (scan() if scan is not None else list(self.extracted.items())):
                if isinstance(v, dict):
                    self.schedule.add(_slot(float(v.get("ts", 0))), (aid,))
            self._schedule_over = generation
        last = _slot(now - self.horizon)
        for slot, aids in self.schedule.take(last):
            keep = []
            for aid in aids:
                v = self.extracted.get(aid)
                if not isinstance(v, dict):
                    continue   # deleted already, or not an entry
                ts = float(v.get("ts", 0))
                if now - ts > self.horizon:
                    del self.extracted[aid]
                elif slot == last and _slot(ts) == slot:
                    keep.append(aid)
            if keep:
                self.schedule.add(slot, keep)


SLOT_SECONDS = 60.0   # the expiry schedule's granularity


def _slot(ts: float) -> int:
    return int(ts // SLOT_SECONDS)


def _entry_slots(aid: str, v: Any) -> tuple[int, ...]:
    """The slot an article entry is scheduled in (its arrival time's)."""
    return (_slot(float(v.get("ts", 0))),) if isinstance(v, dict) else ()


# one contact sentence per language: the extractor compiles some of its patterns on first use
# (seconds for the first Arabic article alone); a text without a
# contact word loads the knowledge base but reaches none of them
WARM_UP_ARTICLES = (
    {"id": "warm-up-en", "lang": "en", "published_at": "2024-03-04",
     "text": "Iran's foreign minister held a phone call with his Omani counterpart on Monday."},
    {"id": "warm-up-ar", "lang": "ar", "published_at": "2024-03-04",
     "text": "أجرى وزير الخارجية الإيراني اتصالا هاتفيا مع نظيره العماني يوم الاثنين."},
    {"id": "warm-up-fa", "lang": "fa", "published_at": "2024-03-04",
     "text": "وزیر امور خارجه ایران روز دوشنبه با همتای عمانی خود تلفنی گفت‌وگو کرد."},
)


def warm_up() -> None:
    """Load the extractor's knowledge base and compile its lazily built patterns now (seconds)
    rather than on the first articles, so the first records after a start or a rebalance do not
    stall their partitions."""
    from streams.extraction import extract_contacts, load_knowledge
    load_knowledge()  # a missing or malformed knowledge file stops the worker here, named
    for article in WARM_UP_ARTICLES:
        extract_contacts(article)


def register(p) -> None:
    from streams.extraction import extract_contacts
    from streams.pipeline import agent
    from streams.pipeline.tables import SideMapping
    s = p.settings
    horizon = s.dedup_horizon_seconds
    # per extract partition: the article entries live in memory and reach the changelog of the
    # ``extracted`` table as ONE delta record per up to 16 messages (tables.DeltaLogStore),
    # which also carries the partition's accounting (processed, dead letters, redelivery mark):
    # the entry and its count are persisted together, one changelog record instead of two
    stages = agent.PartitionStages(
        p, "extracted", s.topic_extract, lambda store: ExtractStage(
            store, SideMapping(store), extract_contacts, horizon, s.partitions), horizon,
        records="extract",
        handle=lambda stage, rec, m: stage.handle(rec, m.partition, offset=m.offset))
    p.readers["extract_accounting"] = stages.accounting

    @p.app.agent(p.topics["extract"], name="extract")
    async def extract(stream):
        await agent.run(p, stream, "extract", stages, p.agent_batch)
