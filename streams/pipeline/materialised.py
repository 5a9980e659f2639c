"""Where a ``DeltaLogStore`` (streams.pipeline.tables) keeps its materialised mapping: the
key -> value the delta records add up to, the seq of the delta holding each key's latest value,
the head (ts, group, parts) of every delta record, and the expiry schedule of the stage over it
(streams.expiry).

None of it is the truth: the delta records on the changelog (and in the table's store) are. The
backing is a cache of them.

``MemoryBacking``: plain dicts (the worker with the memory:// store, unit tests), emptied and
rebuilt from the delta records on every ``DeltaLogStore`` rebuild (start, partition assignment).

``DiskBacking``: one RocksDB database (rocksdict, raw bytes) per table partition under the worker's
data directory, for the rocksdb:// store: RSS does not grow with the articles within the horizon.
It is kept across restarts together with its **position**: the last delta record it has applied
(its seq and a digest of its value), the changelog offset that record's delivery reached, and the
store's side value there. ``DeltaLogStore`` checks the position against the table on every
rebuild and then replays only the delta records after it, or, if it is not valid, empties the
database (``reset``) and replays them all (streams.pipeline.tables, "Recovery").

What makes the position true (the invariant): the database holds exactly the effect of the delta
records up to its position, and of none after it — plus, at most, schedule entries that an expiry
pass checks and drops (an extra entry is harmless, a missing one would keep a key for good).
* The stage's changes go into an overlay (``unsaved``, ``ops``), read first, and reach the
  database only in ``commit(position)``, called once the broker has acknowledged the delta
  records that carry them (``DeltaLogStore.persisted``): the changes and the position in one
  write batch, through the WAL (not synced: a process killed after the write has it). A SIGKILL
  before loses the overlay and leaves the previous position, at or behind the changelog.
* An expiry pass's removal of the slots it took is deferred the same way (``DiskSchedule``); only
  schedule additions may be written ahead of a commit (extra entries at worst).
* A rebuild or replay (``bulk``) first removes the position (through the WAL), writes without
  the WAL, then flushes the memtables to disk and only then writes its new position: a crash in
  between leaves no position, and the next start rebuilds from every record.
* A machine crash can also lose the tail of the WAL (nothing is fsynced): what remains is a
  prefix of the commits, still never ahead; and if the table's database lost more than the cache,
  the position's offset or record no longer holds and the cache is rebuilt.

Entries, by their first byte:

* ``k`` + key (UTF-8) -> JSON ``[seq, value]``;
* ``h`` + delta record key -> JSON head ``{"ts", "group", "parts"}`` (what compaction needs of it);
* ``s`` + slot (8 bytes, big-endian) + a counter (8 bytes) -> JSON list of keys: the schedule
  (``DiskSchedule``), one entry per ``add``;
* ``p`` -> JSON position (above).

**A damaged database** is set aside and rebuilt, never fatal (it is only a cache). Found at open
(RocksDB checks every table file's size, footer and index there: a truncated or garbage file, a
missing CURRENT or MANIFEST, a lock held by another process) or by the ``MARK`` file a failed
read left: ``open`` sets it aside. Found by a read (an unreadable position record; a data block
whose checksum fails, which RocksDB reads only when asked; an iterator stopped by one): the read
marks the directory and raises ``CacheDamaged`` — the store's rebuild catches it
(``DeltaLogStore._ensure``), the agent loop in the middle of a batch (streams.pipeline.agent.run:
the batch is decided again over the rebuilt cache). ``set_aside`` logs one WARNING line naming
the path and the reason, counts it (``diplowatch_delta_cache_damaged_total``), moves the
directory to ``<name>.damaged`` — kept for a post-mortem, one per cache (a later damage replaces
it, the start's ``sweep`` removes it after a horizon), so the disk it takes is bounded — and
opens an empty database, which has no position: the store rebuilds it from every delta record,
as on a first start.

Reads go through a small cache of the values read or written last (``RECENT`` keys, emptied
when full): the deduplicator reads a key again to write it, an expiry pass to delete it. Its
``len`` counts the keys by a scan (tests and benchmarks ask for it, the stages do not).
"""
from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from streams import metrics
from streams.expiry import MemorySchedule

try:
    import rocksdict
except ImportError:   # pragma: no cover - the wheel is a dependency; memory:// works without it
    rocksdict = None

log = logging.getLogger(__name__)

DAMAGED_SUFFIX = ".damaged"   # where a damaged cache is kept (one per cache, the latest)
MARK = "DAMAGED"   # a file in the directory: a read found damage, set it aside at the next open


class CacheDamaged(Exception):
    """A disk cache's database gave an error on a read, or holds an unreadable position record:
    it is set aside and rebuilt from the delta records (``DiskBacking.set_aside``)."""


class MemoryBacking:
    def __init__(self) -> None:
        self.schedule = MemorySchedule()
        self.reset()

    def reset(self) -> None:
        """Empty (before a rebuild). The schedule too."""
        self.data: dict[str, Any] = {}
        self.where: dict[str, int] = {}
        self.heads: dict[str, dict] = {}   # in seq order (written in that order)
        self.schedule.clear()

    # -- the mapping --
    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def seq_of(self, key: str) -> int | None:
        return self.where.get(key)

    def apply(self, seq: int, share: dict[str, Any], rebuilding: bool = False) -> None:
        """The keys of delta ``seq`` (None: deleted); ``rebuilding``: replayed by a rebuild."""
        data, where = self.data, self.where
        for k, v in share.items():
            if v is None:
                data.pop(k, None)
                where.pop(k, None)
            else:
                data[k] = v
                where[k] = seq

    def items(self) -> Iterator[tuple[str, Any]]:
        """(key, value) of every key; the mapping must not change meanwhile."""
        return iter(self.data.items())

    def keys(self) -> list[str]:
        return list(self.data)

    def __len__(self) -> int:
        return len(self.data)

    # -- the heads of the delta records --
    def add_head(self, key: str, head: dict) -> None:
        self.heads[key] = head

    def iter_heads(self) -> Iterator[tuple[str, dict]]:
        """(record key, head) in sequence order; heads must not be dropped meanwhile."""
        return iter(self.heads.items())

    def drop_head(self, key: str) -> None:
        self.heads.pop(key, None)

    def close(self) -> None:
        pass


class DiskBacking:
    BUFFER = 4096   # schedule entries held in memory before they are written in one batch
    RECENT = 16384   # values held in the read cache at most
    persistent = True   # kept across restarts with its position (DeltaLogStore resumes from it)

    def __init__(self, path: str | Path, *, cache_mb: int = 16, write_buffer_mb: int = 8) -> None:
        if rocksdict is None:   # pragma: no cover
            raise RuntimeError("rocksdict is not installed")
        self.path = Path(path)
        self.cache_mb = cache_mb
        self.write_buffer_mb = write_buffer_mb
        self.db: Any = None
        self.damage: str | None = None   # why it was last set aside (None: never, by this object)
        self.marked: str | None = None   # a read found it damaged (why): to be set aside
        self.bulk = False   # a rebuild or replay: writes go to the database directly, without WAL
        self.schedule = DiskSchedule(self)
        self._clear_overlay()
        self.open()

    def _clear_overlay(self) -> None:
        self.recent: dict[str, Any] = {}   # key -> [seq, value] or None (absent)
        # the changes not committed yet: key -> [seq, value] or None (deleted); heads added (in
        # seq order) and dropped
        self.unsaved: dict[str, Any] = {}
        self.heads_new: dict[str, dict] = {}
        self.heads_gone: set[str] = set()
        # the least head key not dropped yet: heads are dropped oldest first, and a scan from the
        # prefix's start would step over the tombstones of all those dropped before
        self.heads_from = b"h"
        self.schedule.ops, self.schedule.held, self.schedule.ranged = [], 0, False
        self.schedule.low = 0

    def open(self) -> None:
        """Open the database as the last process left it (made if missing); no-op if open. One
        that cannot be opened, or that a read marked damaged, is set aside and made anew."""
        if self.db is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mark = self.path / MARK
        if mark.exists():
            self.set_aside(mark.read_text(errors="replace").strip() or "marked damaged")
            return
        try:
            self._open()
        except Exception as exc:   # noqa: BLE001 - rocksdict raises plain Exception("Corruption: …")
            self.set_aside(f"cannot be opened: {_one_line(exc)}")

    def _open(self) -> None:
        opts = rocksdict.Options(raw_mode=True)
        opts.create_if_missing(True)
        opts.set_write_buffer_size(self.write_buffer_mb << 20)
        opts.set_max_write_buffer_number(2)
        opts.set_max_open_files(64)
        # values are small JSON and read at random: decompressing a block per read costs more
        # than the disk it saves
        opts.set_compression_type(rocksdict.DBCompressionType.none())
        table = rocksdict.BlockBasedOptions()
        table.set_block_cache(rocksdict.Cache(self.cache_mb << 20))
        table.set_bloom_filter(10, True)
        opts.set_block_based_table_factory(table)
        self.db = rocksdict.Rdict(str(self.path), options=opts)
        self._wal = rocksdict.WriteOptions()          # commits: through the WAL, not synced
        self._nowal = rocksdict.WriteOptions()        # bulk: flushed before its position is
        self._nowal.disable_wal = True
        # this opening's number, in every schedule entry's key: the database outlives the process
        # and the backing (a restart, a re-assignment), and an entry of an earlier opening in the
        # same slot must not be overwritten (its keys would never expire). Written before any
        # entry, through the WAL: an entry can only survive with it.
        g = self.db.get(b"g")
        self.generation = (int.from_bytes(g, "big") if g else 0) + 1
        self.db.put(b"g", self.generation.to_bytes(8, "big"), self._wal)
        self._clear_overlay()

    def write(self, batch: Any) -> None:
        """Write ``batch`` now (without WAL in a bulk replay, else through it)."""
        self.db.write(batch, self._nowal if self.bulk else self._wal)

    def reset(self) -> None:
        """Empty (before a full rebuild): the database is destroyed and made anew."""
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)
        self.open()

    def set_aside(self, reason: str) -> None:
        """The database is damaged (``reason``): log it, count it, move the directory to
        ``<name>.damaged`` (replacing an older one; deleted if it cannot be moved) and open an
        empty database in its place — no position, so the store rebuilds it from every delta
        record. Errors of the new database are not caught: they are not the cache's damage."""
        if self.db is not None:
            try:
                self.db.close()
            except Exception:   # noqa: BLE001 - it is being thrown away
                pass
            self.db = None
        self._clear_overlay()
        aside = self.path.with_name(self.path.name + DAMAGED_SUFFIX)
        shutil.rmtree(aside, ignore_errors=True)
        try:
            self.path.rename(aside)
            kept = f"moved to {aside.name}"
        except OSError:
            shutil.rmtree(self.path, ignore_errors=True)
            kept = "deleted (could not be moved)"
        log.warning("delta cache %s is damaged (%s): %s; rebuilt from the changelog",
                    self.path, reason, kept)
        metrics.delta_cache_damaged()
        self.damage, self.marked = reason, None
        self._open()

    def _damaged(self, exc: Exception, what: str) -> CacheDamaged:
        """A read failed: mark the directory (the next open sets it aside, should the store not
        do it first) and return the error to raise."""
        reason = f"{what}: {_one_line(exc)}"
        self.marked = reason
        try:
            (self.path / MARK).write_text(reason + "\n")
        except OSError:
            pass
        return CacheDamaged(reason)

    def check(self, it: Any, what: str = "a scan failed") -> None:
        """Raise ``CacheDamaged`` if iterator ``it`` stopped on an error (RocksDB's iterators end
        early at a corrupt block; only their status tells)."""
        try:
            it.status()
        except Exception as exc:   # noqa: BLE001 - a RocksDB error
            raise self._damaged(exc, what) from exc

    def close(self) -> None:
        """Close the database (what is not committed is dropped: the delta records carrying it are
        on the changelog, after the position); ``open`` or a rebuild reopens it."""
        if self.db is not None:
            self.db.close()
            self.db = None
        self._clear_overlay()

    @property
    def closed(self) -> bool:
        return self.db is None

    # -- the position and the overlay --
    def position(self) -> dict | None:
        try:
            b = self.db.get(b"p")
            return None if b is None else orjson.loads(b)
        except Exception as exc:   # noqa: BLE001 - a RocksDB error or a garbled record
            raise self._damaged(exc, "unreadable position record") from exc

    def begin_bulk(self) -> None:
        """A rebuild or replay starts: its writes go to the database directly, without WAL; the
        position is removed until ``end_bulk`` (a crash meanwhile leaves none)."""
        self.discard()
        self.bulk = True
        self.db.delete(b"p", self._wal)

    def end_bulk(self, position: dict | None) -> None:
        """The replay is complete: flush the memtables (what it wrote is then on disk), then write
        ``position`` (None: none, e.g. no delta records)."""
        self.schedule.flush_ops()
        self.bulk = False
        self.db.flush(True)
        if position is not None:
            self.db.put(b"p", orjson.dumps(position), self._wal)

    def commit(self, position: dict | None, *, mapping: bool | None = None) -> None:
        """The overlay's changes, the schedule's deferred operations and ``position`` in one write
        batch: called once the delta records that carry them are acknowledged. ``position`` None:
        the schedule's operations only (an expiry pass that changed nothing) — or, with
        ``mapping``, the changes too for a cache that keeps no position (never resumed)."""
        if self.db is None:
            return   # revoked meanwhile: the records are on the changelog
        sched = self.schedule
        mapping = position is not None if mapping is None else mapping
        if not mapping and not sched.ops:
            return
        batch = rocksdict.WriteBatch(raw_mode=True)
        for op in sched.ops:
            if op[0] == "range":
                batch.delete_range(op[1], op[2])
            else:
                batch.put(op[1], op[2])
        sched.ops, sched.held, sched.ranged = [], 0, False
        if not mapping:   # the mapping's changes wait for a position
            self.db.write(batch, self._wal)
            return
        for k, e in self.unsaved.items():
            if e is None:
                batch.delete(b"k" + k.encode())
            else:
                batch.put(b"k" + k.encode(), orjson.dumps(e))
        for k in self.heads_gone:
            batch.delete(b"h" + k.encode())
        for k, head in self.heads_new.items():
            batch.put(b"h" + k.encode(), orjson.dumps(head))
        if position is not None:
            batch.put(b"p", orjson.dumps(position))
        self.db.write(batch, self._wal)
        self.unsaved, self.heads_new, self.heads_gone = {}, {}, set()

    def discard(self) -> None:
        """Drop the overlay (changes whose records were never acknowledged)."""
        if self.unsaved or self.heads_new or self.heads_gone or self.schedule.ops:
            self._clear_overlay()

    # -- the mapping --
    def _entry(self, key: str) -> Any:
        """[seq, value] of ``key``, or None."""
        unsaved = self.unsaved
        if unsaved:
            hit = unsaved.get(key, unsaved)
            if hit is not unsaved:
                return hit
        recent = self.recent
        hit = recent.get(key, recent)
        if hit is not recent:
            return hit
        try:
            b = self.db.get(b"k" + key.encode())
            e = None if b is None else orjson.loads(b)
        except Exception as exc:   # noqa: BLE001 - a RocksDB error or a garbled entry
            raise self._damaged(exc, "a read failed") from exc
        if len(recent) >= self.RECENT:
            recent.clear()
        recent[key] = e
        return e

    def get(self, key: str, default: Any = None) -> Any:
        e = self._entry(key)
        return default if e is None else e[1]

    def get_many(self, keys: list[str]) -> list[Any]:
        """Values of ``keys`` (None where absent), one multi-get for those not cached."""
        recent, unsaved = self.recent, self.unsaved
        # the answers are taken from the cache before it may be cleared to make room below
        found = {k: unsaved[k] for k in keys if k in unsaved} if unsaved else {}
        found.update((k, recent[k]) for k in keys if k in recent and k not in found)
        ask = [k for k in keys if k not in found]
        if ask:
            try:
                got = self.db.get([b"k" + k.encode() for k in ask])
                loaded = [None if b is None else orjson.loads(b) for b in got]
            except Exception as exc:   # noqa: BLE001 - a RocksDB error or a garbled entry
                raise self._damaged(exc, "a read failed") from exc
            if len(recent) + len(ask) > self.RECENT:
                recent.clear()
            for k, e in zip(ask, loaded):
                found[k] = recent[k] = e
        out = []
        for k in keys:
            e = found[k]
            out.append(None if e is None else e[1])
        return out

    def __contains__(self, key: str) -> bool:
        return self._entry(key) is not None

    def seq_of(self, key: str) -> int | None:
        e = self._entry(key)
        return None if e is None else e[0]

    def apply(self, seq: int, share: dict[str, Any], rebuilding: bool = False) -> None:
        """The keys of delta ``seq`` (None: deleted): into the overlay, or, in a bulk replay
        (``rebuilding``), straight to the database."""
        if not share:
            return
        if rebuilding or self.bulk:   # the read cache is empty and stays so: nothing is read back
            batch = rocksdict.WriteBatch(raw_mode=True)
            for k, v in share.items():
                kb = b"k" + k.encode()
                if v is None:
                    batch.delete(kb)
                else:
                    batch.put(kb, orjson.dumps([seq, v]))
            self.write(batch)
            return
        unsaved = self.unsaved
        for k, v in share.items():
            unsaved[k] = None if v is None else [seq, v]
        recent = self.recent
        for k in share:
            recent.pop(k, None)

    def scan_prefix(self, prefix: bytes, start: bytes | None = None
                    ) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) bytes of the entries under ``prefix`` in the database (the overlay left
        out), from ``start`` (a key under it)."""
        try:
            it = self.db.iter()
            it.seek(start or prefix)
            while it.valid():
                k = it.key()
                if not k.startswith(prefix):
                    break
                v = it.value()
                yield k, v
                it.next()
        except Exception as exc:   # noqa: BLE001 - a RocksDB error
            raise self._damaged(exc, "a scan failed") from exc
        self.check(it)   # an iterator stops early at a corrupt block: its status holds the error

    def items(self) -> Iterator[tuple[str, Any]]:
        unsaved = self.unsaved
        for kb, vb in self.scan_prefix(b"k"):
            k = kb[1:].decode()
            if k not in unsaved:
                yield k, orjson.loads(vb)[1]
        for k, e in list(unsaved.items()):
            if e is not None:
                yield k, e[1]

    def keys(self) -> list[str]:
        unsaved = self.unsaved
        out = [k for kb, _ in self.scan_prefix(b"k") if (k := kb[1:].decode()) not in unsaved]
        return out + [k for k, e in unsaved.items() if e is not None]

    def __len__(self) -> int:
        return len(self.keys())

    # -- the heads of the delta records --
    def add_head(self, key: str, head: dict) -> None:
        if self.bulk:
            self.db.put(b"h" + key.encode(), orjson.dumps(head), self._nowal)
        else:
            self.heads_gone.discard(key)
            self.heads_new[key] = head

    def iter_heads(self) -> Iterator[tuple[str, dict]]:
        """(record key, head) in sequence order (the overlay's heads are the newest)."""
        gone, new = self.heads_gone, self.heads_new
        for kb, vb in self.scan_prefix(b"h", self.heads_from):
            k = kb[1:].decode()
            if k not in gone and k not in new:
                yield k, orjson.loads(vb)
        for k, head in list(new.items()):
            yield k, head

    def drop_head(self, key: str) -> None:
        kb = b"h" + key.encode()
        if self.bulk:
            self.db.delete(kb, self._nowal)
        elif self.heads_new.pop(key, None) is None:
            self.heads_gone.add(key)
        if kb >= self.heads_from:
            self.heads_from = kb + b"\x00"


def sweep(root: Path, table: str, older_than: float, keep: Iterable[int] = ()) -> list[str]:
    """Remove the caches of ``table`` under ``root`` (``<table>-<partition>``, and the copies set
    aside as damaged) of the partitions not in ``keep`` that nothing has written for more than
    ``older_than`` seconds (the dedup horizon): those of partitions that moved to other workers.
    Removing a cache is always safe (the next assignment rebuilds it); one unused for a horizon
    holds only keys its partition's owner has expired since, and its position most likely names
    a record the owner compacted away, so it would be rebuilt anyway. Returns the names removed."""
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than
    pattern = re.compile(rf"{re.escape(table)}-(\d+)({re.escape(DAMAGED_SUFFIX)})?")
    keep = set(keep)
    removed = []
    for d in sorted(root.iterdir()):
        m = pattern.fullmatch(d.name)
        if m is None or not d.is_dir() or (int(m.group(1)) in keep and not m.group(2)):
            continue
        try:
            newest = max(f.stat().st_mtime for f in [d, *d.iterdir()])
        except OSError:
            continue
        if newest < cutoff:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.name)
    if removed:
        log.info("delta caches not used for %.0f s removed: %s", older_than, ", ".join(removed))
    return removed


def _one_line(exc: BaseException) -> str:
    """An exception as one short line (RocksDB's messages run over lines)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


_NONE = 1 << 62   # above every slot


class DiskSchedule:
    """streams.expiry's schedule in a ``DiskBacking``'s database (``s`` entries, one per ``add``:
    an article's ~20 keys are one entry).

    Additions are held in ``ops`` and written in batches (``BUFFER`` keys), ahead of a commit if
    need be: an entry for a key whose change is then lost is checked and dropped by its pass.
    The removal of the slots a ``take`` yields is an operation in ``ops`` too, written only with
    the commit of the expiry pass's deletions (``DiskBacking.commit``): a crash before it leaves
    the slots for the pass that runs again. Once such a removal is held, nothing more is written
    ahead of the commit (the removal must come before the additions that follow it)."""

    def __init__(self, backing: DiskBacking) -> None:
        self.backing = backing
        # ("put", key bytes, value bytes, slot) or ("range", from, to): not written yet, in order
        self.ops: list[tuple] = []
        self.held = 0      # keys in the ops
        self.ranged = False   # a slot removal among the ops
        self.n = 0         # entries added since the backing opened: they order a slot's entries
        self.low = 0       # no slot below it is scheduled (taken slots leave range tombstones)
        self._added_min = _NONE   # the least slot added since the current take began

    @staticmethod
    def _slot_bytes(slot: int) -> bytes:
        return b"s" + max(slot, 0).to_bytes(8, "big")

    def add(self, slot: int, keys: Iterable[str]) -> None:
        slot = max(slot, 0)
        keys = list(keys)
        if not keys:
            return
        if slot < self.low:
            self.low = slot
        if slot < self._added_min:
            self._added_min = slot
        self.n += 1
        # slot, the backing's opening, the entry's number in it: unique across restarts
        self.ops.append(("put", self._slot_bytes(slot) + self.backing.generation.to_bytes(8, "big")
                         + self.n.to_bytes(8, "big"), orjson.dumps(keys), slot))
        self.held += len(keys)
        if self.held >= self.backing.BUFFER:
            self.flush_ops()

    def flush_ops(self) -> None:
        """Write the held additions now, unless a slot removal is held (then they wait for the
        commit, behind it)."""
        if not self.ops or self.ranged:
            return
        batch = rocksdict.WriteBatch(raw_mode=True)
        for _, kb, vb, _ in self.ops:
            batch.put(kb, vb)
        self.backing.write(batch)
        self.ops = []
        self.held = 0

    def _live_puts(self) -> list[tuple[int, bytes]]:
        """(slot, value) of the held additions that no later held removal covers."""
        out, ranges = [], []
        for op in reversed(self.ops):
            if op[0] == "range":
                ranges.append((op[1], op[2]))
            elif not any(a <= op[1] < b for a, b in ranges):
                out.append((op[3], op[2]))
        out.reverse()
        return out

    def take(self, last: int) -> Iterator[tuple[int, list[str]]]:
        self.flush_ops()
        db = self.backing.db
        # additions held behind a removal of an earlier take: read with the database's entries
        held = self._live_puts()
        # this take's removals go before the additions made while it runs (a key added back to
        # a slot it took, or to one it is still to take, waits for the next take)
        mark, inserted = len(self.ops), 0
        self._added_min = _NONE
        start = self.low
        # slots an earlier take removed (held until the commit): their entries are not read again
        removed = [(op[1], op[2]) for op in self.ops if op[0] == "range"]
        while True:
            it = db.iter()
            it.seek(self._slot_bytes(start))
            slot = _NONE
            while it.valid() and it.key().startswith(b"s"):
                kb = it.key()
                if not any(a <= kb < b for a, b in removed):
                    slot = int.from_bytes(kb[1:9], "big")
                    break
                it.seek(self._slot_bytes(int.from_bytes(kb[1:9], "big") + 1))
            self.backing.check(it, "an expiry pass's read failed")
            slot = min([slot] + [s for s, _ in held if s >= start])
            if slot == _NONE or slot > max(last, -1):
                return
            prefix = self._slot_bytes(slot)
            keys = []
            if not any(a <= prefix < b for a, b in removed):
                it.seek(prefix)
                while it.valid() and it.key().startswith(prefix):
                    keys += orjson.loads(it.value())
                    it.next()
                self.backing.check(it, "an expiry pass's read failed")
            del it
            for s, vb in held:
                if s == slot:
                    keys += orjson.loads(vb)
            held = [(s, vb) for s, vb in held if s != slot]
            self.ops.insert(mark + inserted, ("range", prefix, self._slot_bytes(slot + 1)))
            inserted += 1
            self.ranged = True
            start = slot + 1
            self.low = min(start, self._added_min)
            yield slot, keys
            # an entry added meanwhile to an earlier slot (or this one) waits for the next take:
            # the next take starts from it, not past the slots this one goes on to
            self.low = min(self.low, self._added_min)

    def clear(self) -> None:
        self.ops = []
        self.held = 0
        self.ranged = False
        self.low = 0
        self.backing.db.delete_range(b"s", b"t")

    def __len__(self) -> int:
        """Scheduled keys (repeats counted; the held removals applied)."""
        self.flush_ops()
        ranges = [(op[1], op[2]) for op in self.ops if op[0] == "range"]
        n = sum(len(orjson.loads(v)) for k, v in self.backing.scan_prefix(b"s")
                if not any(a <= k < b for a, b in ranges))
        return n + sum(len(orjson.loads(vb)) for _, vb in self._live_puts())
