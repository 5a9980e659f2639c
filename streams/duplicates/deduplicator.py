"""Deduplicator: is this article one we have already seen (same id, same URL, same text, or a
near-duplicate copy)? State lives in an injected ``MutableMapping`` of plain JSON data so the Faust
layer can back it with a Table (every change is an assignment ``store[key] = value``: Faust only
writes assignments to the changelog).

Store layout (``ts`` = first seen, seconds since the epoch). Values are flat JSON lists, not
objects: a worker holds ~20 of them per article for the whole horizon, and a list of two items
takes much less memory than a two-key dict plus its inner lists (bench/bench_memory.py measures the
state per article):

* ``id:<article id>``    -> [original id, ts]
* ``url:<url key>``      -> [original id, ts]
* ``text:<sha1>``        -> [original id, ts]
* ``sig:<article id>``   -> [original id, ts, encoded MinHash signature]
* ``band:<i>:<hash>``    -> [stored article id, ts, stored article id, ts, ...] (at most BUCKET_CAP ids)

Values in the older object layout ({"article", "ts"[, "sig"]}, {"ts", "ids": [[id, ts], ...]}) are
still read, so state persisted by an earlier version keeps working.

Copies are remembered too (their keys point at the original): a later copy that resembles the
second copy more than the first still finds the story. LSH candidates are verified on the stored
signature before a copy is declared "near".

Expiry reads only what can have expired: every write of a key is noted in the slot of
``SLOT_SECONDS`` its time falls in (a key once per write: a band key in the slot of each id it
holds), and a pass visits the slots up to the horizon's cutoff. A full scan would visit every key
of the store on every pass: tens of millions at a 14-day horizon, with the event loop blocked
meanwhile. The schedule is the store's own (``store.schedule``: a disk-store worker keeps it on
disk next to the mapping, streams.pipeline.materialised) or else a ``MemorySchedule``; it is built
from the store by one scan when the store was (re)built (``generation``, which ``DeltaLogStore``
counts; a plain dict is scanned once, on the first pass) — except over a store that schedules
what it replays itself (``slots_of``, ``schedules_itself``: a disk-backed ``DeltaLogStore``, whose
schedule is kept with its mapping across restarts).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from streams.duplicates import fingerprints as fp
from streams.expiry import MemorySchedule
from streams.records import Article

KINDS = ("id", "url", "text", "near")
BUCKET_CAP = 4   # ids kept per LSH bucket: bounded values; the first ids of a story are enough
SLOT_SECONDS = 60.0   # the expiry schedule's granularity (a pass reads a slot's keys together)


@dataclass(frozen=True, slots=True)
class DedupVerdict:
    kind: str | None              # None (new article) or one of KINDS
    original_id: str | None = None
    similarity: float | None = None   # 1.0 for exact kinds; estimated Jaccard/containment for "near"

    @property
    def is_duplicate(self) -> bool:
        return self.kind is not None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "original_id": self.original_id, "similarity": self.similarity}


NEW = DedupVerdict(None)


class Deduplicator:
    """Exact and near-duplicate detection over a bounded store.

    ``threshold``: estimated Jaccard similarity of the word 3-shingle sets at or above which an
    LSH candidate is a copy. ``containment``: a candidate whose shingles contain at least this
    share of the *new* article's shingles is a copy too (a shortened repost: everything in it was
    already seen), provided its Jaccard is at least ``min_jaccard_for_containment`` (keeps the
    estimate away from the noise floor of 128 permutations)."""

    def __init__(
        self,
        store: MutableMapping[str, Any],
        horizon_seconds: float = 7 * 86400.0,
        threshold: float = 0.5,
        containment: float = 0.8,
        min_jaccard_for_containment: float = 0.25,
    ) -> None:
        self.store = store
        self.horizon = float(horizon_seconds)
        self.threshold = threshold
        self.containment = containment
        self.min_jaccard_for_containment = min_jaccard_for_containment
        # slot -> the keys written at a time in it (repeats allowed: each is checked on its entry)
        schedule = getattr(store, "schedule", None)   # (an empty one is falsy: not `or`)
        self._due = MemorySchedule() if schedule is None else schedule
        self._due_over: int | None = None   # the store generation the schedule was built over
        if hasattr(store, "slots_of"):   # a DeltaLogStore: it schedules what it replays
            store.slots_of = self.slots_of

    # -- fingerprints -------------------------------------------------------------------------
    @staticmethod
    def fingerprints(article: Article) -> fp.Fingerprints:
        """The article's fingerprints (compute once, pass to ``check``/``remember``)."""
        return fp.fingerprints(article.id, article.url, article.text)

    def keys_for(self, article: Article, fps: fp.Fingerprints | None = None) -> list[str]:
        """Every store key this article reads or writes (id, url, text, sig, band keys): the
        pipeline can route an article to the partition owning its keys if it shards the store."""
        f = fps or self.fingerprints(article)
        return ([k for _, k in f.exact] + [f"sig:{article.id}"] * (f.sig is not None)
                + list(f.band_store_keys))

    def _live(self, entry: Any, now: float) -> bool:
        ts = _ts(entry)
        return ts is not None and now - ts <= self.horizon

    # -- the decision -------------------------------------------------------------------------
    def check(self, article: Article, now: float, fps: fp.Fingerprints | None = None,
              _buckets: list[Any] | None = None) -> DedupVerdict:
        """Verdict for ``article`` against what was remembered within the horizon. Read-only."""
        f = fps or self.fingerprints(article)
        for kind, key in f.exact:
            entry = self.store.get(key)
            # a live id entry is a redelivery; other exact keys pointing at this very id are too
            # (caught by the id key first), so only a different article makes a url/text copy
            if self._live(entry, now) and (kind == "id" or _root(entry) != article.id):
                return DedupVerdict(kind, _root(entry), 1.0)
        sig = f.sig
        if sig is None:
            return NEW
        best: DedupVerdict = NEW
        best_score = -1.0
        seen: set[str] = set()
        get = self.store.get
        buckets = _buckets if _buckets is not None else [get(k) for k in f.band_store_keys]
        for bucket in buckets:
            if not self._live(bucket, now):
                continue
            for stored_id, ts in _ids(bucket):
                if stored_id in seen or stored_id == article.id or now - ts > self.horizon:
                    continue
                seen.add(stored_id)
                entry = self.store.get(f"sig:{stored_id}")
                if not self._live(entry, now):
                    continue
                other = fp.Signature.decode(_sig(entry))
                j = sig.jaccard(other)
                c = sig.containment_in(other)
                if j >= self.threshold or (
                    c >= self.containment and j >= self.min_jaccard_for_containment
                ):
                    score = max(j, c)
                    if score > best_score:
                        best_score = score
                        best = DedupVerdict("near", _root(entry), round(j, 4))
        return best

    def remember(self, article: Article, now: float, original_id: str | None = None,
                 fps: fp.Fingerprints | None = None, _buckets: list[Any] | None = None) -> None:
        """Record ``article``'s fingerprints; ``original_id`` is the story it copies (None: itself).
        Existing live entries are kept (first seen wins), expired ones are overwritten.
        (``_buckets``: the band buckets as ``check`` read them, in ``band_store_keys`` order.)"""
        f = fps or self.fingerprints(article)
        root = original_id or article.id
        slot = int(now // SLOT_SECONDS)
        due: list[str] = []
        for _, key in f.exact:
            if not self._live(self.store.get(key), now):
                self.store[key] = [root, now]
                due.append(key)
        if f.sig is None:
            if due:
                self._due.add(slot, due)
            return
        sig_key = f"sig:{article.id}"
        if not self._live(self.store.get(sig_key), now):
            self.store[sig_key] = [root, now, f.sig.encode()]
            due.append(sig_key)   # the same str object as the store's key
        keys = f.band_store_keys
        if _buckets is None:
            _buckets = [self.store.get(k) for k in keys]
        aid = article.id
        for key, bucket in zip(keys, _buckets):
            if bucket:
                old = _ids(bucket)
                if len(old) >= BUCKET_CAP and all(now - x[1] <= self.horizon for x in old):
                    continue   # full of live ids: the story's first copies are there already
                if any(x[0] == aid for x in old):
                    continue
                flat = [v for x in old if now - x[1] <= self.horizon for v in x]
                flat += (aid, now)
            else:
                flat = [aid, now]
            # reassign a fresh value: Faust tables only persist assignments
            self.store[key] = flat
            due.append(key)
        if due:
            self._due.add(slot, due)

    def check_and_remember(self, article: Article, now: float) -> DedupVerdict:
        """``check`` then ``remember`` (copies are remembered pointing at their original)."""
        f = self.fingerprints(article)
        # the band buckets (fp.BANDS of them) are read once for both (check writes nothing;
        # remember writes the exact and sig keys, never a band key, before it comes to the bands)
        many = getattr(self.store, "get_many", None)
        if many is not None:
            # a disk-backed store: every key this article reads in one multi-get (the exact and
            # sig keys are then read again from the store's cache of recent reads)
            ahead = [k for _, k in f.exact] + [f"sig:{article.id}"] * (f.sig is not None)
            buckets = many(ahead + list(f.band_store_keys))[len(ahead):]
        else:
            get = self.store.get
            buckets = [get(k) for k in f.band_store_keys]
        verdict = self.check(article, now, f, buckets)
        if verdict.kind == "id":
            return verdict  # the very same article again: nothing new to remember
        self.remember(article, now, verdict.original_id, f, buckets)
        return verdict

    # -- bounded state ------------------------------------------------------------------------
    def expire(self, now: float) -> int:
        """Delete entries older than the horizon; returns how many keys were deleted. Buckets keep
        their live ids (reassigned) and are deleted when none is left. Reads the keys written in
        the slots up to the cutoff only (the module's docstring)."""
        generation = getattr(self.store, "generation", 0)
        if self._due_over != generation:
            if not getattr(self.store, "schedules_itself", False):
                self._reschedule()
            self._due_over = generation
        horizon = self.horizon
        last = int((now - horizon) // SLOT_SECONDS)   # the slot of the cutoff: partly expired
        deleted = 0
        store = self.store
        for slot, keys in self._due.take(last):
            keep = []
            for key in keys:
                entry = store.get(key)
                if not isinstance(entry, (dict, list)):
                    continue   # deleted already (an earlier slot), or not an entry of ours
                if key.startswith("band:"):
                    old = _ids(entry)
                    ids = [x for x in old if now - x[1] <= horizon]
                    if not ids:
                        del store[key]
                        deleted += 1
                    elif len(ids) != len(old):
                        store[key] = [v for x in ids for v in x]
                    if slot == last and any(_slot(x[1]) == slot for x in ids):
                        keep.append(key)
                else:
                    ts = _ts(entry) or 0.0
                    if now - ts > horizon:
                        del store[key]
                        deleted += 1
                    elif slot == last and _slot(ts) == slot:
                        keep.append(key)
            if keep:   # written in the cutoff's slot after the cutoff: the next pass reads them
                self._due.add(slot, keep)
        return deleted

    @staticmethod
    def slots_of(key: str, entry: Any) -> set[int]:
        """The slots a key's entry is scheduled in: a band bucket's in the slot of each id it
        holds, any other in the slot of its time."""
        if not isinstance(entry, (dict, list)):
            return set()
        if key.startswith("band:"):
            return {_slot(ts) for _, ts in _ids(entry)}
        return {_slot(_ts(entry) or 0.0)}

    def _reschedule(self) -> None:
        """The schedule of every entry in the store (one scan, streamed where the store can:
        ``DeltaLogStore.scan``, which does not list a disk store's keys in memory first)."""
        self._due.clear()
        scan = getattr(self.store, "scan", None)
        items = scan() if scan is not None else list(self.store.items())
        due: dict[int, list[str]] = {}
        held = 0
        for key, entry in items:
            slots = self.slots_of(key, entry)
            for slot in slots:
                due.setdefault(slot, []).append(key)
            held += len(slots)
            if held >= 50_000:   # handed over in bounded chunks
                for slot, keys in due.items():
                    self._due.add(slot, keys)
                due, held = {}, 0
        for slot, keys in due.items():
            self._due.add(slot, keys)


def _slot(ts: float) -> int:
    return int(ts // SLOT_SECONDS)


# -- the store's values (flat lists; the older object layout read as well) -----------------------
def _ts(entry: Any) -> float | None:
    """First-seen time of an entry; for a band bucket of several ids, its newest id's."""
    if isinstance(entry, list):
        if len(entry) >= 4:
            return float(max(entry[1::2]))
        if len(entry) >= 2:
            return float(entry[1])
        return None
    if isinstance(entry, dict):
        return float(entry.get("ts", 0.0))
    return None


def _root(entry: Any) -> str:
    return entry[0] if isinstance(entry, list) else entry["article"]


def _sig(entry: Any) -> str:
    return entry[2] if isinstance(entry, list) else entry["sig"]


def _ids(bucket: Any) -> list[tuple[str, float]]:
    """(article id, ts) pairs of a band bucket."""
    if isinstance(bucket, list):
        return [(bucket[i], bucket[i + 1]) for i in range(0, len(bucket) - 1, 2)]
    if isinstance(bucket, dict):
        return [(x[0], x[1]) for x in bucket.get("ids", ())]
    return []
