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


def test_a_block_found_corrupt_by_a_read_is_rebuilt_in_place(tmp_path, caplog):
    """RocksDB checks a table file's footer and index at open, a data block only when it reads
    it: a flipped byte there opens fine and fails the read that needs it. The store sets the cache
    aside and rebuilds it there and then, keeping the changes not flushed yet, and the read
    answers from the rebuilt cache."""
    data = tmp_path / "data"
    w = Worker(data)
    w.feed(0, 2000)   # ~40,000 keys: table files of many data blocks
    w.store.backing.db.flush(True)
    w.close()
    keep = truth(data)
    assert len(keep) > 20_000
    biggest = max(_ssts(data / CACHE), key=lambda f: f.stat().st_size)
    raw = bytearray(biggest.read_bytes())
    at = len(raw) // 3   # among the data blocks (index, filter and footer are at the end)
    raw[at:at + 16] = bytes(x ^ 0xFF for x in raw[at:at + 16])
    biggest.write_bytes(bytes(raw))

    before = _damaged_count()
    with caplog.at_level(logging.WARNING):
        again = Worker(data, w.offset)
        assert again.store.resumed == 0   # the position and heads read fine
        again.store["unflushed"] = [1, T0]   # a change since the last flush: kept
        again.store.set_side({**again.store.get_side(), "probe": 1})
        got = {k: again.store.get(k) for k in keep}
    try:
        assert got == keep
        [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert "a read failed" in warning and str(data / CACHE) in warning
        assert _damaged_count() == before + 1
        assert (data / "cache" / ("fingerprints-0" + DAMAGED_SUFFIX)).is_dir()
        assert again.store.resumed == -1   # rebuilt from every record
        assert again.store.get("unflushed") == [1, T0]
        assert again.store.get_side()["probe"] == 1
        again.store.flush(T0 + 3000)
        again.deliver()
        assert again.mapping() == truth(again) == {**keep, "unflushed": [1, T0]}
    finally:
        again.close()


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
