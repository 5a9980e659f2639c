"""A damaged disk cache (dedupe's or extract's RocksDB delta cache, rocksdb://) is set aside and
rebuilt from the delta records, never fatal: the cache is only a cache, the changelog (here: the
table's RocksDB database, as Faust recovers it) is the truth. Each test damages a real cache on
disk the way a crash, a full disk or an operator can — a truncated or garbage table file, a
missing CURRENT or MANIFEST, a garbled position record, a lock held by another process, a block
whose checksum fails on a later read — and checks that the next start (or the read) logs one
WARNING naming the cache and the reason, keeps the damaged directory as ``<name>.damaged``, counts
it, and rebuilds exactly what a clean rebuild (no cache at all) gives: the mapping, the position,
the records' heads, the side value, and an expiry schedule that expires everything.

Also here: a cache of a partition that moved to another worker and came back (resumed or rebuilt
by its position), and the start's sweep of caches not used for longer than the horizon."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streams import metrics
from streams.pipeline.materialised import DAMAGED_SUFFIX, DiskBacking
from tests.unit.pipeline.test_cache_resume import HORIZON, T0, Worker, truth

CACHE = Path("cache") / "fingerprints-0"


def _damaged_count() -> float:
    return metrics.REGISTRY.get_sample_value("diplowatch_delta_cache_damaged_total") or 0.0


def _state(w: Worker) -> dict:
    """What a cache holds that a rebuild must reproduce (the position's offset aside: the same)."""
    b = w.store.backing
    return {"mapping": w.mapping(), "position": b.position(), "side": w.store.get_side(),
            "heads": list(b.iter_heads()), "scheduled": len(b.schedule)}


def _clean_rebuild(data: Path, offset: int, tmp: Path) -> dict:
    """The same table with no cache at all: a copy of ``data`` without its cache directory."""
    copy = tmp / "clean"
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("cache"))
    w = Worker(copy, offset)
    try:
        assert w.store.resumed == -1
        return _state(w)
    finally:
        w.close()


def _fed(data: Path) -> Worker:
    """A worker that handled 120 articles, its cache flushed to table files (as a long-running
    one is: its memtables fill), then stopped."""
    w = Worker(data)
    w.feed(0, 120)
    w.store.backing.db.flush(True)
    w.close()
    return w


def _ssts(path: Path) -> list[Path]:
    files = sorted(path.glob("*.sst"))
    assert files, "the cache has no table file to damage"
    return files


def _truncate(path: Path) -> None:
    for f in _ssts(path):
        os.truncate(f, f.stat().st_size // 2)


def _garbage(path: Path) -> None:
    for f in _ssts(path):
        f.write_bytes(os.urandom(f.stat().st_size))


def _no_current(path: Path) -> None:
    (path / "CURRENT").unlink()


def _no_manifest(path: Path) -> None:
    for f in path.glob("MANIFEST-*"):
        f.unlink()


def _garbled_current(path: Path) -> None:
    (path / "CURRENT").write_bytes(b"\x00\x17not a manifest name\n")


def _garbled_position(path: Path) -> None:
    b = DiskBacking(path)
    b.db.put(b"p", b'{"v": 1, "seq": 4')   # cut short
    b.close()


DAMAGE = {"truncated table files": _truncate, "garbage table files": _garbage,
          "no CURRENT": _no_current, "no MANIFEST": _no_manifest,
          "garbled CURRENT": _garbled_current, "garbled position record": _garbled_position}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_cache_is_set_aside_and_rebuilt_as_a_clean_rebuild(how, tmp_path, caplog):
    data = tmp_path / "data"
    w = _fed(data)
    expected = _clean_rebuild(data, w.offset, tmp_path)
    DAMAGE[how](data / CACHE)
    before = _damaged_count()
    with caplog.at_level(logging.INFO):
        again = Worker(data, w.offset)
    try:
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1, [r.getMessage() for r in warnings]
        line = warnings[0].getMessage()
        assert str(data / CACHE) in line and "damaged" in line and "moved to" in line
        assert _damaged_count() == before + 1
        assert (data / "cache" / ("fingerprints-0" + DAMAGED_SUFFIX)).is_dir()
        assert again.store.resumed == -1
        assert _state(again) == expected
        assert again.mapping() == truth(again) and len(again.mapping()) > 0
        # it goes on as if nothing happened: the last articles again are redeliveries, new ones new
        again.feed(110, 15)
        assert again.verdicts == ["redelivery"] * 10 + ["NewArticle"] * 4 + ["CopyOf"]
        # the rebuilt schedule expires everything
        again.expire(T0 + 125 + HORIZON + 120)
        assert again.mapping() == {} == truth(again)
    finally:
        again.close()
    # and the next start resumes the rebuilt cache from its position
    third = Worker(data, again.offset)
    try:
        assert third.store.resumed == 0 and third.mapping() == truth(third) == {}
    finally:
        third.close()


def test_a_cache_locked_by_another_process_is_set_aside_and_rebuilt(tmp_path, caplog):
    data = tmp_path / "data"
    w = _fed(data)
    expected = _clean_rebuild(data, w.offset, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time, rocksdict\n"
         f"db = rocksdict.Rdict({str(data / CACHE)!r}, options=rocksdict.Options(raw_mode=True))\n"
         "print('locked', flush=True)\n"
         "sys.stdin.read()\n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"locked"
        with caplog.at_level(logging.WARNING):
            again = Worker(data, w.offset)
        try:
            [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
            assert str(data / CACHE) in warning and "lock" in warning
            assert again.store.resumed == -1 and _state(again) == expected
        finally:
            again.close()
    finally:
        holder.stdin.close()
        holder.wait(10)


class Acking:
    """What PartitionStages and agent.run touch of streams.app.Pipeline, over a real rocksdb://
    app under ``data``: its tables, its app, and a send that records the outputs and acknowledges
    every changelog record with the next offset of its partition (from ``offsets``)."""

    def __init__(self, data: Path, offsets: dict | None = None) -> None:
        from streams.app import create_app
        from streams.settings import Settings
        s = Settings.from_env({}, data_dir=str(data), web_enabled=False, store="rocksdb://",
                              instance_id="w")
        self.p = create_app(s)
        self.app, self.tables = self.p.app, self.p.tables
        self.tables["fingerprints"].data._db_for_partition(0)   # as Faust's assignment opens it
        self.offsets = dict(offsets or {})
        self.outs: list[tuple] = []

    async def deliver_or_stop(self, outs, changelog=()) -> dict:
        from streams.pipeline.serde import dumps
        self.outs += [(o.topic, o.key, dumps(o.value)) for o in outs]
        high = {}
        for topic, _, _, partition in changelog:
            n = self.offsets.get((topic, partition), 0)
            self.offsets[(topic, partition)] = n + 1
            high[(topic, partition)] = n
        return high


def _dedupe(pipe: Acking):
    from streams.duplicates import Deduplicator
    from streams.pipeline.agent import PartitionStages
    from streams.pipeline.dedupe import DedupeStage
    from streams.pipeline.tables import SideMapping
    return PartitionStages(
        pipe, "fingerprints", "dedupe", lambda store: DedupeStage(
            Deduplicator(store, horizon_seconds=HORIZON), SideMapping(store)), HORIZON,
        records="dedupe", handle=lambda stage, rec, m: stage.handle(rec, m.partition, m.offset))


async def _run(pipe: Acking, stages, first_offset: int, numbers: list[int], tag: str = "") -> None:
    """``numbers``' articles through agent.run on partition 0, from ``first_offset``, 50 a batch."""
    from dataclasses import replace

    from streams.pipeline import agent
    from streams.pipeline.serde import dumps
    from tests.unit.pipeline.fakes import Ev, FakeStream, Msg
    from tests.unit.pipeline.test_cache_resume import article
    events = []
    for j, i in enumerate(numbers):
        ev = Ev(Msg("t", first_offset + j))
        ev.message.partition = 0
        a = article(i, T0 + i, tag)   # read at this offset: a repeat is a copy, not a redelivery
        ev.value = dumps(replace(a, origin={**a.origin, "offset": first_offset + j}))
        events.append(ev)
    stream = FakeStream([events[k:k + 50] for k in range(0, len(events), 50)], highwater=10**9)
    await agent.run(pipe, stream, "dedupe", stages, max_batch=50)
    assert stream.acked == [e.message.offset for e in events]


def _stop(pipe: Acking, stages) -> dict:
    """The process ends: its caches closed, its table's databases closed; what the table holds."""
    from tests.unit.pipeline.test_cache_resume import _close
    stages.revoke(set(stages.stores))
    table = pipe.tables["fingerprints"]
    held = truth_of(table)
    _close(table)
    return held


def truth_of(table) -> dict:
    from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView
    return dict(DeltaLogStore(PartitionView(table, 0, ChangelogWriter())).items())


@pytest.mark.asyncio
async def test_a_block_found_corrupt_by_a_read_in_a_batch_is_rebuilt_and_the_batch_decided_again(
        tmp_path, caplog):
    """RocksDB checks a table file's footer and index at open, a data block only when it reads
    it: a flipped byte there opens fine and fails the read that needs it, in the middle of a
    batch. The agent loop sets the cache aside, drops the batch's changes and decides the batch
    again over the rebuilt cache: the same outputs and state as a worker without a cache."""
    data = tmp_path / "data"
    pipe = Acking(data)
    stages = _dedupe(pipe)
    await _run(pipe, stages, 0, list(range(1000)))
    stages.stores[0].backing.db.flush(True)   # its memtables to table files, as they fill
    _stop(pipe, stages)
    clean = tmp_path / "clean"   # the same table, no cache
    shutil.copytree(data, clean, ignore=shutil.ignore_patterns("delta-cache"))
    cache = next(data.glob("*-data/w/delta-cache/fingerprints-0"))
    biggest = max(_ssts(cache), key=lambda f: f.stat().st_size)
    raw = bytearray(biggest.read_bytes())
    at = len(raw) // 3   # among the data blocks (index, filter and footer are at the end)
    raw[at:at + 16] = bytes(x ^ 0xFF for x in raw[at:at + 16])
    biggest.write_bytes(bytes(raw))

    # every article again (their keys are all read), then 100 new ones
    again = list(range(1000)) + list(range(5000, 5100))
    results = {}
    before = _damaged_count()
    for name, where in (("damaged", data), ("clean", clean)):
        pipe = Acking(where, {("diplowatch-fingerprints-changelog", 0): 10**6})
        stages = _dedupe(pipe)
        with caplog.at_level(logging.INFO):
            caplog.clear()
            await _run(pipe, stages, 1000, again)
            resumed = stages.stores[0].resumed
            warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        results[name] = (pipe.outs, _stop(pipe, stages), warnings, resumed)
    outs, state, warnings, resumed = results["damaged"]
    assert outs == results["clean"][0] and state == results["clean"][1]
    assert len(state) > 20_000 and results["clean"][2] == [] and results["clean"][3] == -1
    [warning] = warnings
    assert "read failed" in warning and str(cache) in warning and "moved to" in warning
    assert resumed == -1   # the batch decided again over a cache rebuilt from every record
    assert _damaged_count() == before + 1
    assert cache.with_name(cache.name + DAMAGED_SUFFIX).is_dir()


def test_an_expiry_pass_over_a_corrupt_block_raises_instead_of_stopping_short(tmp_path):
    """RocksDB's iterator ends at a corrupt block as if the data ended there: the schedule's walk
    (an expiry pass) took the slots before it and silently none after — their keys would never
    expire (before this, 1,055 of 3,000 slots here). Now the pass raises CacheDamaged (the agent
    loop then sets the cache aside and decides the batch again) and the cache is marked."""
    from streams.pipeline.materialised import MARK, CacheDamaged
    b = DiskBacking(tmp_path / "s")
    for slot in range(3000):
        b.schedule.add(slot, [f"key-{slot}-{i}" for i in range(10)])
    b.commit(None)
    b.db.flush(True)
    b.close()
    f = max(_ssts(tmp_path / "s"), key=lambda f: f.stat().st_size)
    raw = bytearray(f.read_bytes())
    at = len(raw) // 3
    raw[at:at + 16] = bytes(x ^ 0xFF for x in raw[at:at + 16])
    f.write_bytes(bytes(raw))
    b = DiskBacking(tmp_path / "s")
    taken = []
    try:
        with pytest.raises(CacheDamaged, match="expiry pass"):
            for slot, _ in b.schedule.take(10**6):
                taken.append(slot)
        assert 0 < len(taken) < 3000 and b.marked and (tmp_path / "s" / MARK).exists()
    finally:
        b.close()


def test_a_mark_left_by_a_failed_read_sets_the_cache_aside_at_the_next_open(tmp_path):
    # a read that failed outside the store's reads (a scan) marks the directory: a worker that
    # stopped on it rebuilds at the next start instead of failing the same read again
    data = tmp_path / "data"
    w = _fed(data)
    (data / CACHE / "DAMAGED").write_text("a scan failed: Corruption: block checksum mismatch\n")
    again = Worker(data, w.offset)
    try:
        assert again.store.resumed == -1 and again.mapping() == truth(again)
        assert not (data / CACHE / "DAMAGED").exists()
        assert (data / "cache" / ("fingerprints-0" + DAMAGED_SUFFIX) / "DAMAGED").exists()
    finally:
        again.close()


def test_only_one_damaged_copy_is_kept_per_cache(tmp_path):
    data = tmp_path / "data"
    w = _fed(data)
    for n in range(3):
        _garbled_current(data / CACHE)
        again = Worker(data, w.offset)
        again.close()
    assert sorted(p.name for p in (data / "cache").iterdir()) == \
        ["fingerprints-0", "fingerprints-0" + DAMAGED_SUFFIX]


# -- a partition that moved to another worker and came back ----------------------------------

def _take_table(src: Path, dst: Path) -> None:
    """``dst``'s table recovered from the changelog ``src``'s table holds (its cache left as it
    is): the table's database copied over."""
    tables = Path("diplowatch-data")
    shutil.rmtree(dst / tables, ignore_errors=True)
    shutil.copytree(src / tables, dst / tables)


@pytest.mark.parametrize("compacted", [False, True])
def test_a_cache_of_a_partition_that_came_back_resumes_or_rebuilds(compacted, tmp_path):
    """Worker A held the partition, it moved to worker B (which wrote more records and, in one
    case, expired and compacted away the record at A's position), then back to A, whose cache is
    still the one it left: A resumes from its position when the record there is still on the
    changelog, and rebuilds when it is not — either way the mapping the records add up to."""
    a, b = tmp_path / "a", tmp_path / "b"
    wa = Worker(a)
    wa.feed(0, 80)
    wa.close()
    pos = DiskBacking(a / CACHE)
    at = pos.position()
    pos.close()

    _take_table(a, b)   # B recovers the table from the changelog, builds its own cache
    wb = Worker(b, wa.offset)
    assert wb.store.resumed == -1
    wb.feed(80, 40)
    if compacted:
        wb.expire(T0 + 80 + HORIZON + 5)   # the records up to A's position: expired, compacted
    wb.close()

    _take_table(b, a)   # back to A, with the cache it left
    back = Worker(a, wb.offset)
    try:
        assert back.mapping() == truth(back)
        if compacted:
            assert back.store.resumed == -1
        else:
            assert back.store.resumed == len(range(80, 120, 4))   # B's records only
        assert back.store.backing.position()["seq"] > at["seq"]
        back.feed(115, 10)   # B's last articles are redeliveries here too
        assert back.verdicts[:5] == ["redelivery"] * 5
    finally:
        back.close()
    wb2 = Worker(b, back.offset)   # B's own cache, left behind, is as valid or invalid
    try:
        assert wb2.mapping() == truth(wb2)
    finally:
        wb2.close()


# -- the sweep of caches not used for longer than the horizon --------------------------------

def test_the_start_sweeps_caches_unused_for_longer_than_the_horizon(tmp_path):
    from streams.app import create_app
    from streams.pipeline.agent import PartitionStages
    from streams.settings import Settings
    p = create_app(Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False,
                                     store="rocksdb://"))
    root = Path(p.app.conf.datadir) / "delta-cache"
    horizon = 3600.0
    old = time.time() - horizon - 600
    for name in ("fingerprints-1", "fingerprints-2", "fingerprints-3" + DAMAGED_SUFFIX,
                 "extracted-1", "fingerprints-4"):
        DiskBacking(root / name).close()
    for name in ("fingerprints-1", "fingerprints-3" + DAMAGED_SUFFIX, "extracted-1"):
        for f in [root / name, *(root / name).iterdir()]:
            os.utime(f, (old, old))
    stages = PartitionStages(p, "fingerprints", "dedupe", lambda s: s, horizon)
    table = p.tables["fingerprints"]
    table.data._db_for_partition(0)
    try:
        stages.stage_for(0)   # the first assignment of this process sweeps
        left = sorted(x.name for x in root.iterdir())
        # its own table's stale caches go; recent ones, the open one and other tables' stay
        assert left == ["extracted-1", "fingerprints-0", "fingerprints-2", "fingerprints-4"]
    finally:
        for st in stages.stores.values():
            st.close()
        table.data._dbs.clear()


class _Flaky:
    """A plug whose stage finds ``damaged`` caches, one per attempt at the batch, before it
    decides; records the recoveries."""

    def __init__(self, damaged: int) -> None:
        self.damaged = damaged
        self.recovered: list[str] = []
        self.starts = 0

    def start(self):
        self.starts += 1

    def begin(self, m):
        return self

    def decode(self, m, value):
        return value

    def handle(self, stage, record, m):
        from streams.pipeline.materialised import CacheDamaged
        from streams.pipeline.serde import Out
        if len(self.recovered) < self.damaged:
            raise CacheDamaged(f"cache {len(self.recovered)}")
        return [Out("next", None, {"n": m.offset})]

    def handled(self, *a):
        pass

    def changelog(self):
        return []

    def marks(self):
        return []

    def persisted(self, offsets):
        pass

    def recover(self, exc):
        self.recovered.append(str(exc))


@pytest.mark.asyncio
@pytest.mark.parametrize("damaged", [1, 3, 4])
async def test_the_loop_recovers_each_damaged_cache_of_a_batch_up_to_a_bound(damaged):
    from streams.pipeline import agent
    from streams.pipeline.materialised import CacheDamaged
    from tests.unit.pipeline.fakes import Ev, FakeStream, Msg

    class Sent:
        outs: list = []

        async def deliver_or_stop(self, outs, changelog=()):
            self.outs = self.outs + [o.value["n"] for o in outs]
            return {}
    events = []
    for i in range(3):
        ev = Ev(Msg("t", i))
        ev.message.partition = 0
        ev.value = b"x"
        events.append(ev)
    plug, p = _Flaky(damaged), Sent()
    stream = FakeStream([events], highwater=10**9)
    if damaged > agent.MAX_RECOVERIES:
        with pytest.raises(CacheDamaged):
            await agent.run(p, stream, "dedupe", plug, max_batch=50)
        assert p.outs == [] and stream.acked == []
        assert len(plug.recovered) == agent.MAX_RECOVERIES
    else:
        await agent.run(p, stream, "dedupe", plug, max_batch=50)
        # the batch decided once more per damaged cache, its outputs sent once
        assert plug.recovered == [f"cache {i}" for i in range(damaged)]
        assert plug.starts == damaged + 1
        assert p.outs == [0, 1, 2] and stream.acked == [0, 1, 2]
