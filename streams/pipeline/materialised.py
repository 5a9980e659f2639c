"""Where a ``DeltaLogStore`` (streams.pipeline.tables) keeps its materialised mapping: the
key -> value the delta records add up to, the seq of the delta holding each key's latest value,
the head (ts, group, parts) of every delta record, and the expiry schedule of the stage over it
(streams.expiry).

None of it is the truth: the delta records on the changelog (and in the table's store) are. The
backing is a cache of them, emptied and rebuilt from them on every ``DeltaLogStore`` rebuild
(start, partition assignment), so crash safety is that of the delta records alone.

``MemoryBacking``: plain dicts (the worker with the memory:// store, unit tests).

``DiskBacking``: one RocksDB database (rocksdict, raw bytes) per table partition under the worker's
data directory, for the rocksdb:// store: RSS does not grow with the articles within the horizon.
Nothing is fsynced and the WAL is off (the cache is rebuilt after any restart, so a torn one is
never read). Its entries, by their first byte:

* ``k`` + key (UTF-8) -> JSON ``[seq, value]``;
* ``h`` + delta record key -> JSON head ``{"ts", "group", "parts"}`` (what compaction needs of it);
* ``s`` + slot (8 bytes, big-endian) + a counter (8 bytes) -> JSON list of keys: the schedule
  (``DiskSchedule``), one entry per ``add``.

Reads go through a small cache of the values read or written last (``RECENT`` keys, emptied
when full): the deduplicator reads a key again to write it, an expiry pass to delete it. Its
``len`` counts the keys by a scan (tests and benchmarks ask for it, the stages do not).
"""
from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from streams.expiry import MemorySchedule

try:
    import rocksdict
except ImportError:   # pragma: no cover - the wheel is a dependency; memory:// works without it
    rocksdict = None


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

    def __init__(self, path: str | Path, *, cache_mb: int = 16, write_buffer_mb: int = 8) -> None:
        if rocksdict is None:   # pragma: no cover
            raise RuntimeError("rocksdict is not installed")
        self.path = Path(path)
        self.cache_mb = cache_mb
        self.write_buffer_mb = write_buffer_mb
        self.db: Any = None
        self.recent: dict[str, Any] = {}   # key -> [seq, value] or None (absent)
        # the least head key not dropped yet: heads are dropped oldest first, and a scan from the
        # prefix's start would step over the tombstones of all those dropped before
        self.heads_from = b"h"
        self.schedule = DiskSchedule(self)
        self.reset()

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
        wo = rocksdict.WriteOptions()
        wo.disable_wal = True
        self.db.set_write_options(wo)

    def reset(self) -> None:
        """Empty (before a rebuild): the database is destroyed and made anew."""
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._open()
        self.recent = {}
        self.heads_from = b"h"
        self.schedule.low = 0
        self.schedule.buffer, self.schedule.held = [], 0

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    # -- the mapping --
    def _entry(self, key: str) -> Any:
        """[seq, value] of ``key``, or None."""
        recent = self.recent
        hit = recent.get(key, recent)
        if hit is not recent:
            return hit
        b = self.db.get(b"k" + key.encode())
        e = None if b is None else orjson.loads(b)
        if len(recent) >= self.RECENT:
            recent.clear()
        recent[key] = e
        return e

    def get(self, key: str, default: Any = None) -> Any:
        e = self._entry(key)
        return default if e is None else e[1]

    def get_many(self, keys: list[str]) -> list[Any]:
        """Values of ``keys`` (None where absent), one multi-get for those not cached."""
        recent = self.recent
        # the answers are taken from the cache before it may be cleared to make room below
        found = {k: recent[k] for k in keys if k in recent}
        ask = [k for k in keys if k not in found]
        if ask:
            got = self.db.get([b"k" + k.encode() for k in ask])
            if len(recent) + len(ask) > self.RECENT:
                recent.clear()
            for k, b in zip(ask, got):
                found[k] = recent[k] = None if b is None else orjson.loads(b)
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
        if not share:
            return
        batch = rocksdict.WriteBatch(raw_mode=True)
        if rebuilding:   # the read cache is empty and stays so: the rebuild reads nothing back
            for k, v in share.items():
                kb = b"k" + k.encode()
                if v is None:
                    batch.delete(kb)
                else:
                    batch.put(kb, orjson.dumps([seq, v]))
            self.db.write(batch)
            return
        recent = self.recent
        if len(recent) + len(share) > self.RECENT:
            recent.clear()
        for k, v in share.items():
            kb = b"k" + k.encode()
            if v is None:
                batch.delete(kb)
                recent[k] = None
            else:
                batch.put(kb, orjson.dumps([seq, v]))
                recent[k] = [seq, v]
        self.db.write(batch)

    def scan_prefix(self, prefix: bytes, start: bytes | None = None
                    ) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) bytes of the entries under ``prefix``, from ``start`` (a key under it)."""
        it = self.db.iter()
        it.seek(start or prefix)
        while it.valid():
            k = it.key()
            if not k.startswith(prefix):
                break
            yield k, it.value()
            it.next()

    def items(self) -> Iterator[tuple[str, Any]]:
        for kb, vb in self.scan_prefix(b"k"):
            yield kb[1:].decode(), orjson.loads(vb)[1]

    def keys(self) -> list[str]:
        return [kb[1:].decode() for kb, _ in self.scan_prefix(b"k")]

    def __len__(self) -> int:
        return sum(1 for _ in self.scan_prefix(b"k"))

    # -- the heads of the delta records --
    def add_head(self, key: str, head: dict) -> None:
        self.db.put(b"h" + key.encode(), orjson.dumps(head))

    def iter_heads(self) -> Iterator[tuple[str, dict]]:
        for kb, vb in self.scan_prefix(b"h", self.heads_from):
            yield kb[1:].decode(), orjson.loads(vb)

    def drop_head(self, key: str) -> None:
        kb = b"h" + key.encode()
        self.db.delete(kb)
        if kb >= self.heads_from:
            self.heads_from = kb + b"\x00"


class DiskSchedule:
    """streams.expiry's schedule in a ``DiskBacking``'s database (``s`` entries, one per ``add``:
    an article's ~20 keys are one entry); additions are held in a bounded buffer and written in
    batches."""

    def __init__(self, backing: DiskBacking) -> None:
        self.backing = backing
        self.buffer: list[tuple[bytes, bytes]] = []
        self.held = 0    # keys in the buffer
        self.n = 0       # entries added since the start: the counter that orders a slot's entries
        self.low = 0     # no slot below it is scheduled (taken slots leave range tombstones)

    @staticmethod
    def _slot_bytes(slot: int) -> bytes:
        return b"s" + max(slot, 0).to_bytes(8, "big")

    def add(self, slot: int, keys: Iterable[str]) -> None:
        slot = max(slot, 0)
        if slot < self.low:
            self.low = slot
        keys = list(keys)
        if not keys:
            return
        self.n += 1
        self.buffer.append((self._slot_bytes(slot) + self.n.to_bytes(8, "big"), orjson.dumps(keys)))
        self.held += len(keys)
        if self.held >= self.backing.BUFFER:
            self._write()

    def _write(self) -> None:
        if not self.buffer:
            return
        batch = rocksdict.WriteBatch(raw_mode=True)
        for kb, vb in self.buffer:
            batch.put(kb, vb)
        self.backing.db.write(batch)
        self.buffer = []
        self.held = 0

    def take(self, last: int) -> Iterator[tuple[int, list[str]]]:
        self._write()
        db = self.backing.db
        start = self._slot_bytes(self.low)
        while True:
            it = db.iter()
            it.seek(start)
            if not it.valid():
                return
            kb = it.key()
            if not kb.startswith(b"s"):
                return
            slot = int.from_bytes(kb[1:9], "big")
            if slot > max(last, -1):
                return
            prefix = kb[:9]
            keys = []
            while it.valid() and it.key().startswith(prefix):
                keys += orjson.loads(it.value())
                it.next()
            del it
            end = self._slot_bytes(slot + 1)
            db.delete_range(prefix, end)
            start = end
            self.low = slot + 1
            yield slot, keys

    def clear(self) -> None:
        self.buffer = []
        self.held = 0
        self.low = 0
        self.backing.db.delete_range(b"s", b"t")

    def __len__(self) -> int:
        """Scheduled keys (repeats counted)."""
        self._write()
        return sum(len(orjson.loads(v)) for _, v in self.backing.scan_prefix(b"s"))
