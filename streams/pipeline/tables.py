"""Per-partition views of Faust tables.

A Faust table writes a key's changelog record to the partition of the event being processed, and
its memory store keeps the keys of all partitions this worker holds in one dict. A stage that
iterates its table (to expire old entries) must therefore only touch the keys of the partition it
is processing, or its deletions would land in the wrong changelog partition and the keys would
come back on the next recovery. ``PartitionView`` prefixes keys with the partition number, so each
partition's keys are a namespace of their own; the pure cores see a plain mapping.

``ChangelogWriter``: with one, a view over a memory-store table writes the store's dict itself and
queues the key's changelog record for its agent to hand to the producer right after the event's own
output records (``Pipeline.send``), instead of Faust's ``Table.__setitem__`` path (a FutureMessage,
the producer buffer's queue and background task, per write). The records are the same: the table's
changelog topic, the partition of the event, the key and value JSON-encoded as Faust's "json" codec
encodes them, a delete as a tombstone — so Faust's recovery reads them as its own
(streams.faust_ext.changelog holds both the store access and the encoding).
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any

from streams.faust_ext.changelog import (decode, disk_keys, disk_persisted_offset, disk_store,
                                         encode, memory_store_dict, read_disk, read_disk_many,
                                         write_disk)
from streams.pipeline.materialised import CacheDamaged, MemoryBacking


_ABSENT = object()

log = logging.getLogger(__name__)


class ChangelogWriter:
    """Changelog records of one agent's table writes, waiting for the agent to send them
    (``take()`` right after the stage has handled an event, before any await).

    Writes to a disk-store table (``add_disk``) are also held here, per changelog partition, until
    the broker has acknowledged their records (``persisted(offsets)``): only then are they written
    to the partition's RocksDB database, in one write batch with the last offset they reach. A
    disk store therefore never holds a write whose changelog record is not on the broker (whose
    outputs, sent before it, might be lost): a SIGKILL leaves the database at a changelog offset
    with exactly the records up to it, and recovery reads the rest from the changelog. Reads of
    the stage (``PartitionView``) see these writes first (``lookup``)."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, bytes, bytes | None, int]] = []
        # (changelog topic, partition) -> (the Faust store, {key: (value, key bytes, value bytes)})
        self.unsaved: dict[tuple[str, int], tuple[Any, dict[str, tuple[Any, bytes, Any]]]] = {}

    def add(self, topic: str, key: str, value: Any, partition: int) -> None:
        self.pending.append((topic, encode(key), None if value is None else encode(value),
                             partition))

    def add_disk(self, store: Any, topic: str, key: str, value: Any, partition: int) -> None:
        kb, vb = encode(key), None if value is None else encode(value)
        self.pending.append((topic, kb, vb, partition))
        held = self.unsaved.get((topic, partition))
        if held is None:
            held = self.unsaved[(topic, partition)] = (store, {})
        held[1][key] = (value, kb, vb)

    def lookup(self, topic: str, partition: int, key: str) -> Any:
        """The value of a disk-store write not saved yet (None: deleted), or ``_ABSENT``."""
        held = self.unsaved.get((topic, partition))
        if held is None:
            return _ABSENT
        hit = held[1].get(key)
        return _ABSENT if hit is None else hit[0]

    def unsaved_keys(self, topic: str, partition: int) -> dict[str, Any]:
        """key -> value (None: deleted) of the disk-store writes not saved yet."""
        held = self.unsaved.get((topic, partition))
        return {k: v[0] for k, v in held[1].items()} if held else {}

    def take(self) -> list[tuple[str, bytes, bytes | None, int]]:
        out, self.pending = self.pending, []
        return out

    def persisted(self, offsets: dict[tuple[str, int], int]) -> None:
        """The records taken so far are acknowledged (``offsets``: the highest offset per changelog
        partition): save the held disk-store writes with them."""
        held, self.unsaved = self.unsaved, {}
        for (topic, partition), (store, writes) in held.items():
            write_disk(store, partition, {kb: vb for _, kb, vb in writes.values()},
                       offsets.get((topic, partition)))

    def discard(self) -> None:
        """Drop writes held from a batch that was never delivered (its events come again)."""
        self.pending = []
        self.unsaved = {}


class PartitionView(MutableMapping):
    """A table seen through one partition's key prefix (``use(partition)``). Three backings:
    a memory-store table (its dict read and written directly, writes queued in ``writer``), a
    RocksDB-store table with a ``writer`` (the partition's database read directly, writes held in
    the writer until their changelog records are acknowledged), or any other mapping (Faust's own
    table path, or a plain dict in unit tests)."""

    def __init__(self, table: MutableMapping, partition: int = 0,
                 writer: ChangelogWriter | None = None) -> None:
        self.table = table
        self._rawd: dict | None = None
        self._disk: Any = None   # the RocksDB store, once found (False: none)
        self.writer = writer
        self._changelog: str | None = None
        self.use(partition)

    def use(self, partition: int) -> "PartitionView":
        """Switch to the partition of the event about to be processed."""
        self.partition = partition
        self.prefix = f"{partition}|"
        return self

    def _raw(self) -> dict | None:
        """The memory store's plain dict behind a Faust table (None for other mappings). Reads go
        there directly: a Faust table read runs sensors and, for a missing key, raises and catches
        KeyError — the detector reads ~90 mostly empty days per contact."""
        if self._rawd is None:   # the memory store keeps one dict for its lifetime (cached)
            raw = memory_store_dict(self.table)
            # none: remembered once the table's store exists (Faust creates it on first access)
            self._rawd = False if raw is None and getattr(self.table, "data", None) is not None \
                else raw
        return None if self._rawd is False else self._rawd

    def _store(self) -> Any:
        """The RocksDB store when this view reads and writes it directly (a writer is given), else
        None."""
        if self._disk is None:   # (a store is a mapping: an empty one is falsy)
            store = disk_store(self.table) if self.writer is not None else None
            self._disk = False if store is None else store
            if store is not None and self._changelog is None:
                self._changelog = self.table.changelog_topic.get_topic_name()
        return None if self._disk is False else self._disk

    def identity(self) -> tuple[str, int] | None:
        """(changelog topic, partition) of a disk-store view (None for any other backing)."""
        if self._store() is None:
            return None
        return self._changelog, self.partition

    def held(self) -> dict[str, Any]:
        """key -> value (None: deleted) of this partition's writes held until their records are
        acknowledged (a disk store's; {} for any other backing)."""
        if self.writer is None or self._store() is None:
            return {}
        n = len(self.prefix)
        return {k[n:]: v for k, v in self.writer.unsaved_keys(self._changelog, self.partition).items()
                if k.startswith(self.prefix)}

    def saved(self, key: str) -> Any:
        """The value of ``key`` in the partition's database, the held writes ignored (None:
        absent)."""
        b = read_disk(self._store(), self.partition, encode(self.prefix + key))
        return None if b is None else decode(b)

    def persisted_offset(self) -> int | None:
        """The last changelog offset the partition's RocksDB database holds (None: none, or not a
        disk store)."""
        store = self._store()
        if store is None:
            return None
        return disk_persisted_offset(store, self._changelog, self.partition)

    def _disk_get(self, store: Any, k: str, default: Any) -> Any:
        hit = self.writer.lookup(self._changelog, self.partition, k)
        if hit is not _ABSENT:
            return default if hit is None else hit
        b = read_disk(store, self.partition, encode(k))
        return default if b is None else decode(b)

    def __getitem__(self, key: str) -> Any:
        store = self._store() if self._raw() is None else None
        if store is None:
            return self.table[self.prefix + key]
        v = self._disk_get(store, self.prefix + key, _ABSENT)
        if v is _ABSENT:
            raise KeyError(key)
        return v

    def get(self, key: str, default: Any = None) -> Any:
        raw = self._raw()
        if raw is not None:
            return raw.get(self.prefix + key, default)
        store = self._store()
        if store is not None:
            return self._disk_get(store, self.prefix + key, default)
        try:
            return self.table[self.prefix + key]
        except KeyError:
            return default

    def sizes(self, prefix: str, suffixes) -> list[int]:
        """``len`` of the value at each ``prefix + suffix`` (0 if missing or empty): one call, one
        string per key, for the detector's ~90 daily reads per evaluation."""
        raw = self._raw()
        if raw is None:
            store = self._store()
            if store is None:
                return [len(v) if (v := self.get(prefix + s)) else 0 for s in suffixes]
            # one multi-get for the keys the writer does not hold
            p = self.prefix + prefix
            keys = [p + s for s in suffixes]
            held = [self.writer.lookup(self._changelog, self.partition, k) for k in keys]
            ask = [i for i, h in enumerate(held) if h is _ABSENT]
            got = read_disk_many(store, self.partition, [encode(keys[i]) for i in ask])
            for i, b in zip(ask, got):
                held[i] = None if b is None else decode(b)
            return [len(v) if v else 0 for v in held]
        get = raw.get
        p = self.prefix + prefix
        return [len(v) if (v := get(p + s)) else 0 for s in suffixes]

    def _direct(self) -> dict | None:
        """The store's dict when writes go through the ChangelogWriter (a memory-store table and
        a writer), else None (a disk store, Faust's own path, or a plain mapping in unit tests)."""
        if self.writer is None:
            return None
        raw = self._raw()
        if raw is not None and self._changelog is None:
            self._changelog = self.table.changelog_topic.get_topic_name()
        return raw

    def __setitem__(self, key: str, value: Any) -> None:
        raw = self._direct()
        k = self.prefix + key
        if raw is not None:
            raw[k] = value
            self.writer.add(self._changelog, k, value, self.partition)
            return
        store = self._store()
        if store is None:
            self.table[k] = value
            return
        self.writer.add_disk(store, self._changelog, k, value, self.partition)

    def __delitem__(self, key: str) -> None:
        raw = self._direct()
        k = self.prefix + key
        if raw is not None:
            del raw[k]   # KeyError for a missing key, as the table's own delete
            self.writer.add(self._changelog, k, None, self.partition)
            return
        store = self._store()
        if store is None:
            del self.table[k]
            return
        if self._disk_get(store, k, _ABSENT) is _ABSENT:
            raise KeyError(key)
        self.writer.add_disk(store, self._changelog, k, None, self.partition)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        raw = self._raw()
        if raw is None and (store := self._store()) is not None:
            return self._disk_get(store, self.prefix + key, _ABSENT) is not _ABSENT
        return (self.prefix + key) in (raw if raw is not None else self.table)

    def __iter__(self) -> Iterator[str]:
        n = len(self.prefix)
        raw = self._raw()
        if raw is None and (store := self._store()) is not None:
            held = self.writer.unsaved_keys(self._changelog, self.partition)
            keys = [k for kb in disk_keys(store, self.partition)
                    if isinstance(k := decode(kb), str) and k not in held]
            keys += [k for k, v in held.items() if v is not None]
        else:
            keys = list(raw if raw is not None else self.table.keys())
        for k in keys:
            if isinstance(k, str) and k.startswith(self.prefix):
                yield k[n:]

    def __len__(self) -> int:
        return sum(1 for _ in self)


class DeltaLogStore(MutableMapping):
    """A mapping whose changes reach a (changelog-backed) table as one delta per
    ``flush()`` — one record, or a few bounded ones — instead of one entry per key.

    Why: the deduplicator writes ~20 keys per article (id, URL, text hash, signature, 16 LSH bands).
    Through a Faust table that is 36 changelog records per article, which made the changelog, not the
    work, the bottleneck of a worker. Here the keys written while deciding one article are collected
    and persisted as one delta record ``d:<seq>`` -> {"ts", "set": {key: value or None}, "side"}.

    ``side`` is a small value of the stage's own (the dedupe accounting) written with every delta:
    the decision, its fingerprints and its count reach the changelog together, so a crash cannot
    persist one without the other.

    Bounded records: a delta whose encoded keys and values exceed ``part_bytes`` (a mass expiry
    deletes thousands of keys at once) is written as a *group* of parts with consecutive sequence
    numbers, each ``{"ts", "set": <a share of the keys>, "group": <seq of the first part>,
    "parts": n}``, the last one with the side value. A group is applied on recovery only when all
    of its parts are there: a crash in the middle of writing one leaves the mapping as it was before
    it (and the side value, i.e. the redelivery marks, with it). A single key whose value alone
    exceeds ``max_value_bytes`` is refused (ValueError): the stage must bound its values.

    Recovery: Faust restores the delta records; the next access after ``invalidate()`` (called on
    every partition assignment) replays the complete deltas in sequence order, which rebuilds exactly
    the mapping that was persisted. A persistent backing (``DiskBacking``, kept across restarts)
    records a *position* with its contents: the seq of the last delta record it has applied, a
    digest of that record's value, the changelog offset its delivery reached and the side value
    there. The invariant: the backing holds the effect of exactly the delta records up to its
    position — its changes and the position are committed together, in one write batch, only once
    the broker has acknowledged the records that carry them (``persisted``, after the table's own
    write of them), so the backing is never ahead of the changelog. On a rebuild the position is
    used only if it is valid for the table as recovered: same changelog topic and partition, an
    offset not past the one the table's database holds (itself not past the changelog's end, which
    Faust's recovery checks), and the record at its seq still there with the same digest. Then
    only the records after it are replayed (and the heads of records deleted since dropped).
    Anything else — a cache ahead of the changelog after an unclean leader election, a truncated
    or recreated topic (a record of another history at that seq: another digest), a cache from
    another worker or an earlier ownership whose record was compacted away since, no position at
    all (a crash in the middle of a replay removes it first) — empties the backing and replays
    every record, as before. ``compact(before_ts, now)`` deletes the deltas stamped before
    ``before_ts`` (a prefix, never the newest delta); keys whose latest value lived in a deleted
    delta and that are still in the mapping are written again in a new delta *before* the old ones
    are deleted, so a crash in the middle of a compaction never loses a live key.

    The materialised mapping (key -> value, key -> seq of its delta, the records' heads, and the
    expiry schedule of the stage over it, ``schedule``) lives in ``backing``
    (streams.pipeline.materialised): dicts by default, or a RocksDB database per partition on a
    disk-store worker, a cache rebuilt from the delta records with the mapping. The changes since
    the last flush (``pending``, bounded by the stage's flush interval) are held in memory and
    read first.
    """

    PREFIX = "d:"
    PART_BYTES = 256 * 1024          # keys and values per record, encoded (a delta may have many)
    MAX_VALUE_BYTES = 512 * 1024     # one value, encoded: a larger one is the stage's bug

    def __init__(self, table: MutableMapping, side: Any = None, *,
                 part_bytes: int | None = None, max_value_bytes: int | None = None,
                 backing: Any = None) -> None:
        self.table = table
        self.backing = backing if backing is not None else MemoryBacking()
        self.pending: dict[str, Any] = {}   # key -> value (None: deleted) since the last flush
        self.seq = 0
        self.side_default = side
        self.side: Any = side
        self._side_dirty = False
        self.built = False
        self._generation = 0   # counts rebuilds: a reader's index over the mapping is stale after one
        self.part_bytes = part_bytes or self.PART_BYTES
        self.max_value_bytes = max_value_bytes or self.MAX_VALUE_BYTES
        # the stage's expiry slots of a key's value (set by the stage): with a persistent backing
        # the store then schedules what it replays itself, committed with its position, and the
        # stage does not rescan the mapping after a rebuild (``schedules_itself``)
        self.slots_of: Any = None
        self._last: tuple[int, str, Any] | None = None   # (seq, digest, side) of the newest record
        self._unpositioned = False   # a delta flushed since the backing's last commit
        self.resumed = 0   # delta records the last rebuild replayed, -1: all (a full rebuild)

    @property
    def schedule(self) -> Any:
        """The expiry schedule kept with the mapping (emptied with it on a rebuild)."""
        return self.backing.schedule

    def invalidate(self) -> None:
        self.built = False

    def close(self) -> None:
        """Release the backing (a disk backing's database); a later access reopens and rebuilds
        it (from its position, if valid)."""
        self.built = False
        self.backing.close()

    @property
    def schedules_itself(self) -> bool:
        """The expiry schedule is kept complete by the store across rebuilds (a persistent backing
        and the stage's ``slots_of``): the stage need not rescan the mapping after one."""
        return self.slots_of is not None and getattr(self.backing, "persistent", False)

    def persisted(self, offsets: dict[tuple[str, int], int]) -> None:
        """The records handed out so far are acknowledged (``offsets``: the highest per changelog
        partition): a persistent backing commits the changes they carry with its new position."""
        commit = getattr(self.backing, "commit", None)
        if commit is None:
            return
        if not self.schedules_itself:   # a cache without a position: its changes, no more
            commit(None, mapping=True)
            return
        if not self._unpositioned:
            commit(None)   # schedule operations only (an expiry pass that changed nothing)
            return
        ident = self.table.identity() if hasattr(self.table, "identity") else None
        offset = offsets.get(ident) if ident is not None else None
        self._unpositioned = False
        if offset is None or self._last is None:
            # not a disk-store table (no offsets to check against), or acknowledged without an
            # offset for it: never a position; the mapping is rebuilt from the records next time
            self.backing.discard()
            self.built = False
            return
        commit(_position_record(ident, offset, self._last))

    def discard_unsaved(self) -> None:
        """Changes whose records were never acknowledged (an abandoned batch): a persistent
        backing drops them and the next access rebuilds from the table (from the position)."""
        if getattr(self.backing, "persistent", False):
            self.backing.discard()
            self._unpositioned = False
            self.built = False

    def _deltas(self) -> list[str]:
        return sorted(k for k in self.table if k.startswith(self.PREFIX))

    def _seq(self, key: str) -> int:
        return int(key[len(self.PREFIX):])

    @staticmethod
    def _head(rec: dict) -> dict:
        return {f: rec[f] for f in ("ts", "group", "parts") if f in rec}

    def _units(self, pairs: Iterable[tuple[str, Any]]
               ) -> Iterator[tuple[list[str], list[dict], bool]]:
        """The delta records, given as (key, value) in sequence order, as units of (keys, values,
        complete): a single record, or the parts of one group (complete when every part is
        present, in order). A generator: the records are read (and may be decoded) one unit at a
        time."""
        it = iter(pairs)
        nxt = next(it, None)
        while nxt is not None:
            k, v = nxt
            v = v or {}
            nxt = next(it, None)
            n = int(v.get("parts", 1) or 1)
            if n <= 1:
                yield [k], [v], True
                continue
            g, seq = int(v.get("group", -1)), self._seq(k)
            if g != seq:   # a part whose group's first part is missing: never applicable
                yield [k], [v], False
                continue
            ks, vs = [k], [v]
            while nxt is not None and len(ks) < n:
                kj, vj = nxt
                vj = vj or {}
                if self._seq(kj) != seq + len(ks) or int(vj.get("group", -1)) != g:
                    break
                ks.append(kj)
                vs.append(vj)
                nxt = next(it, None)
            yield ks, vs, len(ks) == n

    def _ensure(self) -> None:
        if self.built:
            return
        backing = self.backing
        if getattr(backing, "closed", False):
            backing.open()
        discard = getattr(backing, "discard", None)
        if discard is not None:
            discard()   # uncommitted changes: applied again below from the held writes
        self.pending = {}
        self._unpositioned = False
        keys = self._deltas()
        # a disk-store table's writes whose records are not acknowledged yet (an assignment in the
        # middle of a batch's delivery): the backing is rebuilt or resumed over the records the
        # table's database holds, then these are applied on top, uncommitted, as a flush would
        held = self.table.held() if hasattr(self.table, "held") else {}
        held = {k: v for k, v in held.items() if k.startswith(self.PREFIX)}
        self._read = self.table.__getitem__
        saved = keys
        if held:
            new = {k for k, v in held.items() if v is not None}
            saved = sorted((set(keys) - new) | {k for k, v in held.items() if v is None})
            self._read = self.table.saved
        try:
            why = self._resume(saved)
        except CacheDamaged as exc:   # its position or heads unreadable: it is only a cache
            backing.set_aside(str(exc))
            why = "no position"
        damage = getattr(backing, "damage", None)
        if damage is not None:   # set aside (here or when opened): logged there, as a WARNING
            backing.damage = None
            why = f"set aside as damaged: {damage}"
        if why is not None:
            self._rebuild(saved)
        if held:
            self._apply_held(held)
        keys = sorted(set(keys) | set(saved))
        if getattr(backing, "persistent", False):
            where = getattr(backing, "path", None)
            where = where.name if where is not None else "?"
            if why is None:
                log.info("delta cache %s: resumed from its position, %d of %d delta records "
                         "replayed", where, self.resumed, len(keys))
            else:
                # a position that did not hold is worth an operator's look (records lost by the
                # broker, a recreated topic); none at all is a first start or a cut-short replay
                (log.info if why == "no position" or damage is not None else log.warning)(
                    "delta cache %s: rebuilt from all %d delta records (%s)", where, len(keys), why)
        self.seq = self._seq(keys[-1]) + 1 if keys else 0
        self._side_dirty = False
        self.built = True
        self._generation += 1

    def _schedule(self, share: dict[str, Any]) -> None:
        """Schedule the keys a replayed delta sets (``slots_of``): one entry per slot."""
        by_slot: dict[int, list[str]] = {}
        slots_of = self.slots_of
        for k, v in share.items():
            if v is not None:
                for slot in slots_of(k, v):
                    by_slot.setdefault(slot, []).append(k)
        add = self.backing.schedule.add
        for slot, ks in by_slot.items():
            add(slot, ks)

    def _replay(self, pairs: Iterable[tuple[str, Any]], canon: dict | None = None) -> None:
        backing = self.backing
        schedule = self.schedules_itself
        for ks, vs, complete in self._units(pairs):
            for k, delta in zip(ks, vs):
                backing.add_head(k, self._head(delta or {}))
            if not complete:
                continue   # a group cut short by a crash: as if it had never been written
            for k, delta in zip(ks, vs):
                share = delta.get("set", {})
                if canon is not None:
                    for v in share.values():
                        if type(v) is list:
                            for i, x in enumerate(v):
                                if type(x) is str or type(x) is float:
                                    v[i] = canon.setdefault(x, x)
                backing.apply(self._seq(k), share, rebuilding=True)
                if schedule:
                    self._schedule(share)
                if "side" in delta:
                    self.side = delta["side"]

    def _apply_held(self, held: dict[str, Any]) -> None:
        """The held writes of delta records (new records, compaction's deletions) on top of the
        backing, as uncommitted changes: committed with their acknowledgement (``persisted``)."""
        backing = self.backing
        for k, v in held.items():
            if v is None:
                backing.drop_head(k)
        new = sorted(k for k, v in held.items() if v is not None)
        for ks, vs, complete in self._units((k, held[k]) for k in new):
            for k, delta in zip(ks, vs):
                backing.add_head(k, self._head(delta or {}))
            if not complete:
                continue
            for k, delta in zip(ks, vs):
                share = delta.get("set", {})
                backing.apply(self._seq(k), share)
                if self.schedules_itself:
                    self._schedule(share)
                if "side" in delta:
                    self.side = delta["side"]
        if new and self.schedules_itself:
            self._last = (self._seq(new[-1]), _digest(held[new[-1]]), self.side)
            self._unpositioned = True

    def _position(self, keys: list[str]) -> dict | None:
        """The position of a backing that holds every record of ``keys`` (None if there is none
        to record: no records, or a table without changelog offsets)."""
        if not keys or not hasattr(self.table, "identity"):
            return None
        ident, offset = self.table.identity(), self.table.persisted_offset()
        if ident is None or offset is None:
            return None
        last = keys[-1]
        self._last = (self._seq(last), _digest(self._read(last)), self.side)
        return _position_record(ident, offset, self._last)

    def _rebuild(self, keys: list[str]) -> None:
        """Empty the backing and replay every delta record."""
        backing = self.backing
        self.resumed = -1
        backing.reset()
        self.side = self.side_default
        self._last = None
        # recovered records are decoded JSON: an article's id and time, repeated in each of its
        # ~20 dedupe values, are then as many objects; in memory the list values keep one of each
        # (in place: the table's record holds the same list)
        canon: dict | None = {} if isinstance(backing, MemoryBacking) else None
        persistent = getattr(backing, "persistent", False)
        if persistent:
            backing.begin_bulk()
        read = self._read
        self._replay(((k, read(k)) for k in keys), canon)
        if persistent:
            backing.end_bulk(self._position(keys) if self.schedules_itself else None)

    def _resume(self, keys: list[str]) -> str | None:
        """Replay only the records after a persistent backing's position, if it is valid for the
        table (the class docstring, "Recovery"): None; else why not (nothing done)."""
        backing = self.backing
        if not self.schedules_itself or not hasattr(self.table, "identity"):
            return "not a persistent cache"
        pos = backing.position()
        ident = self.table.identity()
        held = self.table.persisted_offset()
        if not isinstance(pos, dict) or pos.get("v") != 1:
            return "no position"
        if ident is None or held is None:
            return "the table holds no changelog offset"
        if [pos.get("topic"), pos.get("partition")] != list(ident):
            return "a position on another changelog partition"
        if not isinstance(pos.get("offset"), int) or pos["offset"] > held:
            # ahead of what the table holds: the broker lost records it had acknowledged
            return f"position offset {pos.get('offset')} past the table's {held}"
        seq = pos.get("seq")
        if not isinstance(seq, int):
            return "no position"
        key = f"{self.PREFIX}{seq:012d}"
        present = set(keys)
        rec = self._read(key) if key in present else None
        if rec is None:
            return f"the record at the position (seq {seq}) is gone"
        if _digest(rec) != pos.get("digest"):
            return f"the record at the position (seq {seq}) is another one"
        self.side = pos.get("side")
        self._last = (seq, pos["digest"], self.side)
        gone = [k for k, _ in backing.iter_heads() if k not in present]
        after = [k for k in keys if self._seq(k) > seq]
        self.resumed = len(after)
        if not gone and not after:
            return None
        backing.begin_bulk()
        for k in gone:   # records deleted since (a compaction by a later owner)
            backing.drop_head(k)
        backing.heads_from = b"h"
        read = self._read
        self._replay((k, read(k)) for k in after)
        backing.end_bulk(self._position(keys))
        return None

    @property
    def generation(self) -> int:
        """How many times the mapping was (re)built, rebuilding it first when it is stale: a reader
        that compares it with the generation its index was made over, then reads, must see the
        rebuild before it reads (an expiry pass that is a partition's first record after an
        assignment walked a schedule whose disk backing the first read then closed)."""
        self._ensure()
        return self._generation

    def __getitem__(self, key: str) -> Any:
        v = self.get(key, _ABSENT)
        if v is _ABSENT:
            raise KeyError(key)
        return v

    def get(self, key: str, default: Any = None) -> Any:
        # Mapping.get goes through __getitem__ and catches KeyError: most of the deduplicator's
        # reads are misses (a new article's bands), so the plain read is much cheaper
        self._ensure()
        if self.pending:
            v = self.pending.get(key, _ABSENT)
            if v is not _ABSENT:
                return default if v is None else v
        return self.backing.get(key, default)

    def get_many(self, keys: list[str]) -> list[Any]:
        """``get`` of several keys (None where absent): one multi-get on a disk backing."""
        self._ensure()
        many = getattr(self.backing, "get_many", None)
        if many is None:
            return [self.get(k) for k in keys]
        pending = self.pending
        ask = [k for k in keys if k not in pending]
        got = dict(zip(ask, many(ask))) if ask else {}
        return [pending[k] if k in pending else got[k] for k in keys]

    def __setitem__(self, key: str, value: Any) -> None:
        self._ensure()
        if value is None:
            raise ValueError("a DeltaLogStore value cannot be None (it marks a deletion)")
        self.pending[key] = value

    def __delitem__(self, key: str) -> None:
        if self.get(key, _ABSENT) is _ABSENT:
            raise KeyError(key)
        self.pending[key] = None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _ABSENT) is not _ABSENT

    def scan(self) -> Iterator[tuple[str, Any]]:
        """(key, value) of every key, streamed from the backing (the flushed keys, then the
        pending ones); the mapping must not change meanwhile."""
        self._ensure()
        pending = self.pending
        for k, v in self.backing.items():
            if k not in pending:
                yield k, v
        for k, v in list(pending.items()):
            if v is not None:
                yield k, v

    def __iter__(self) -> Iterator[str]:
        self._ensure()
        pending = self.pending
        keys = [k for k in self.backing.keys() if k not in pending]
        keys += [k for k, v in pending.items() if v is not None]
        return iter(keys)

    def __len__(self) -> int:
        self._ensure()
        n = len(self.backing)
        backing = self.backing
        for k, v in self.pending.items():
            was = k in backing
            n += (v is not None) - was
        return n

    def get_side(self) -> Any:
        self._ensure()
        return self.side

    def set_side(self, value: Any) -> None:
        self._ensure()
        self.side = value
        self._side_dirty = True

    def _split(self, pending: dict[str, Any]) -> list[dict[str, Any]]:
        """``pending`` cut into shares of at most ``part_bytes`` encoded (one share if it fits)."""
        parts: list[dict[str, Any]] = [{}]
        size = 0
        for k, v in pending.items():
            n = len(k) + (4 if v is None else len(encode(v))) + 8
            if n > self.max_value_bytes:
                raise ValueError(f"delta value of {n} bytes for key {k[:80]!r}: over "
                                 f"{self.max_value_bytes}")
            if size + n > self.part_bytes and parts[-1]:
                parts.append({})
                size = 0
            parts[-1][k] = v
            size += n
        return parts

    def flush(self, ts: float) -> bool:
        """Persist the changes since the last flush as one delta (one record, or a group of
        bounded parts); False if there were none."""
        self._ensure()
        if not self.pending and not self._side_dirty:
            return False
        shares = self._split(self.pending)
        first = self.seq
        n = len(shares)
        backing = self.backing
        for i, share in enumerate(shares):
            seq = first + i
            rec: dict[str, Any] = {"ts": ts, "set": share}
            if n > 1:
                rec["group"], rec["parts"] = first, n
            if i == n - 1:
                rec["side"] = self.side
            key = f"{self.PREFIX}{seq:012d}"
            self.table[key] = rec
            backing.add_head(key, self._head(rec))
            backing.apply(seq, share)
            if i == n - 1 and self.schedules_itself:
                self._last = (seq, _digest(rec), self.side)
                self._unpositioned = True
        self.seq = first + n
        self.pending = {}
        self._side_dirty = False
        return True

    def compact(self, before_ts: float, now: float | None = None) -> int:
        """Delete the oldest deltas stamped before ``before_ts`` (a prefix of whole deltas, never
        the newest); first carry their still-live keys (and the side value) into a new delta.
        Returns how many delta records were deleted."""
        self._ensure()
        doomed: list[str] = []
        last: list[str] = []   # the newest unit seen: never deleted
        for ks, vs, _ in self._units(self.backing.iter_heads()):
            if last:
                doomed.extend(last)
            if float((vs[0] or {}).get("ts", 0.0)) >= before_ts:
                last = []
                break
            last = ks
        if not doomed:
            return 0
        # the live keys of the doomed records: those whose latest value is in one of them (read
        # from the records themselves, not by a scan of the whole mapping)
        backing, pending = self.backing, self.pending
        for k in doomed:
            seq = self._seq(k)
            rec = self.table.get(k) or {}
            for kk, v in (rec.get("set") or {}).items():
                if v is not None and kk not in pending and backing.seq_of(kk) == seq:
                    pending[kk] = backing.get(kk)
        live = bool(pending)
        # the live keys' new delta is written (and sent) before the old deltas' tombstones
        self._side_dirty = True   # the newest delta keeps the side value anyway; cheap to repeat
        if live:
            self.flush(before_ts if now is None else now)
        else:
            self._side_dirty = False
        for k in doomed:
            del self.table[k]
            backing.drop_head(k)
        return len(doomed)


def _position_record(ident: tuple[str, int], offset: int, last: tuple[int, str, Any]) -> dict:
    """A persistent backing's position: the changelog partition, the offset its delivery reached,
    and (seq, digest, side) of the last delta record applied."""
    seq, digest, side = last
    return {"v": 1, "topic": ident[0], "partition": ident[1], "offset": offset, "seq": seq,
            "digest": digest, "side": side}


def _digest(rec: Any) -> str:
    """A delta record's identity: its value as encoded on the changelog (a decoded record encodes
    to the same bytes), hashed."""
    return hashlib.blake2b(encode(rec), digest_size=16).hexdigest()


class SideMapping(MutableMapping):
    """The side value of a DeltaLogStore (a dict) seen as a mapping, for a stage that keeps its
    accounting in ``mapping[key] = value`` form."""

    def __init__(self, store: DeltaLogStore) -> None:
        self.store = store

    def _d(self) -> dict:
        return self.store.get_side() or {}

    def __getitem__(self, key: str) -> Any:
        return self._d()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.store.set_side({**self._d(), key: value})

    def __delitem__(self, key: str) -> None:
        d = dict(self._d())
        del d[key]
        self.store.set_side(d)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._d()))

    def __len__(self) -> int:
        return len(self._d())
