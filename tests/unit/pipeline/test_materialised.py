"""The two backings of a DeltaLogStore (streams.pipeline.materialised) behave alike: the mapping,
the seq of each key's delta, the records' heads and the expiry schedule; a disk backing starts empty
whatever a previous process left in its directory (it is a cache of the delta records, never the
truth); and the dedupe and extract stages decide and write the same over either."""
from __future__ import annotations

import random

import orjson
import pytest

from streams.duplicates import Deduplicator
from streams.expiry import MemorySchedule
from streams.pipeline.dedupe import DedupeStage
from streams.pipeline.extract import ExtractStage
from streams.pipeline.materialised import DiskBacking, MemoryBacking
from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView, SideMapping
from streams.records import Article, Expire, NewArticle, ValidArticle
from tests.unit.pipeline.fakes import FakeMemoryTable


def test_the_mapping_follows_the_applied_deltas_like_a_dict(backing):
    b = backing()
    model: dict[str, tuple[int, object]] = {}
    rng = random.Random(7)
    keys = [f"k{i}" for i in range(40)] + ["band:3:ü", "id:" + "x" * 300]
    for seq in range(60):
        share = {}
        for k in rng.sample(keys, 8):
            share[k] = None if rng.random() < 0.3 else [k, float(seq), {"n": seq}]
        b.apply(seq, share)
        for k, v in share.items():
            if v is None:
                model.pop(k, None)
            else:
                model[k] = (seq, v)
        probe = rng.sample(keys, 10)
        assert [b.get(k) for k in probe] == [model[k][1] if k in model else None for k in probe]
        assert [b.seq_of(k) for k in probe] == [model[k][0] if k in model else None for k in probe]
        assert [k in b for k in probe] == [k in model for k in probe]
        assert b.get("nothing", 5) == 5
    assert dict(b.items()) == {k: v for k, (_, v) in model.items()}
    assert sorted(b.keys()) == sorted(model) and len(b) == len(model)
    if hasattr(b, "get_many"):
        assert b.get_many(keys) == [model[k][1] if k in model else None for k in keys]


def test_heads_are_listed_in_order_and_dropped_from_the_oldest(backing):
    b = backing()
    for seq in range(30):
        b.add_head(f"d:{seq:012d}", {"ts": float(seq)} if seq % 3 else {"ts": 1.0, "group": seq,
                                                                        "parts": 2})
    for seq in range(12):
        b.drop_head(f"d:{seq:012d}")
    heads = list(b.iter_heads())
    assert [k for k, _ in heads] == [f"d:{seq:012d}" for seq in range(12, 30)]
    assert heads[0][1] == {"ts": 1.0, "group": 12, "parts": 2} and heads[1][1] == {"ts": 13.0}
    b.reset()
    assert list(b.iter_heads()) == [] and len(b) == 0
    b.add_head("d:000000000000", {"ts": 0.0})
    assert [k for k, _ in b.iter_heads()] == ["d:000000000000"]


def _schedules(tmp_path):
    disk = DiskBacking(tmp_path / "sched")
    return [MemorySchedule(), disk.schedule], disk


def test_the_disk_schedule_takes_what_the_memory_one_does(tmp_path):
    schedules, disk = _schedules(tmp_path)
    try:
        seen = []
        for sched in schedules:
            sched.add(5, ["a", "b"])
            sched.add(3, ["c"])
            sched.add(9, ["d"])
            sched.add(5, ["e"])
            got = []
            for slot, keys in sched.take(5):
                got.append((slot, sorted(keys)))
                if slot == 5:
                    sched.add(5, ["b"])   # kept for the next pass: not taken again in this one
            got.append(("next", [(s, sorted(k)) for s, k in sched.take(5)]))
            sched.add(2, ["late"])         # a slot below those taken already
            got.append(("late", [(s, sorted(k)) for s, k in sched.take(100)]))
            sched.add(1, ["x"])
            sched.clear()
            got.append(("cleared", list(sched.take(100))))
            seen.append(got)
        assert seen[0] == seen[1] == [
            (3, ["c"]), (5, ["a", "b", "e"]), ("next", [(5, ["b"])]),
            ("late", [(2, ["late"]), (9, ["d"])]), ("cleared", [])]
    finally:
        disk.close()


def test_the_disk_schedule_writes_its_buffer_in_batches(tmp_path):
    disk = DiskBacking(tmp_path / "sched")
    try:
        disk.schedule.add(1, (f"k{i}" for i in range(disk.BUFFER + 10)))
        assert disk.schedule.ops == []   # written once the buffer was full
        disk.schedule.add(1, ["last"])
        [(slot, keys)] = list(disk.schedule.take(1))
        assert slot == 1 and len(keys) == disk.BUFFER + 11 and "last" in keys
    finally:
        disk.close()


def test_a_disk_backing_starts_empty_whatever_its_directory_held(tmp_path):
    first = DiskBacking(tmp_path / "c")
    first.apply(0, {"stale": [1]})
    first.schedule.add(3, ["stale"])
    first.schedule.take(0)
    first.close()   # (a SIGKILL leaves the files as they are)
    second = DiskBacking(tmp_path / "c")
    try:
        assert second.get("stale") is None and len(second) == 0
        assert list(second.schedule.take(100)) == []
    finally:
        second.close()


def test_a_disk_backed_store_rebuilds_from_the_records_after_a_restart(tmp_path):
    table, w = FakeMemoryTable(), ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 0, w), backing=DiskBacking(tmp_path / "c"))
    store["a"], store["b"] = [1], [2]
    store.flush(1.0)
    del store["a"]
    store.flush(2.0)
    store.close()
    # the records are the truth: one lost from the store is lost from the rebuilt mapping too,
    # whatever the previous backing held
    del table.data.data["0|d:000000000001"]
    again = DeltaLogStore(PartitionView(table, 0), backing=DiskBacking(tmp_path / "c"))
    try:
        assert dict(again.items()) == {"a": [1], "b": [2]}
    finally:
        again.close()


def _article(i: int, t: float) -> ValidArticle:
    rng = random.Random(i // 3)   # every third article starts a story its next two copy in part
    words = [f"w{rng.randrange(500)}" for _ in range(60)]
    if i % 3:
        words[i % 60] = "changed"
    return ValidArticle(article={"id": f"a{i}", "text": " ".join(words), "source": f"s{i % 4}",
                                 "url": f"https://s{i % 4}.example/{i if i % 5 else i - 1}"},
                        origin={"topic": "articles", "partition": 0, "offset": i, "timestamp": t},
                        in_ts=t)


def _run(backing, tmp_path) -> tuple[list, list, dict, dict]:
    """Dedupe and extract over one backing: 300 articles a minute apart with a 100-minute
    horizon, an expiry pass every 20, then a rebuild from the records."""
    horizon = 6000.0
    table, xtable, w = FakeMemoryTable(), FakeMemoryTable(), ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 0, w), backing=backing())
    xstore = DeltaLogStore(PartitionView(xtable, 0, w), backing=backing())
    stage = DedupeStage(Deduplicator(store, horizon_seconds=horizon), SideMapping(store))
    xstage = ExtractStage(xstore, SideMapping(xstore), lambda doc: [], horizon)
    verdicts, records = [], []
    for i in range(300):
        t = 1.7e9 + i * 60.0
        [out] = stage.handle(_article(i, t), 0, i)
        verdicts.append((out.key, type(out.value).__name__))
        if type(out.value) is NewArticle:
            xstage.handle(out.value, 0, t, i)
        if i % 4 == 3:
            store.flush(t)
            xstore.flush(t)
        if i % 20 == 19:
            for st, sg in ((store, stage), (xstore, xstage)):
                st.flush(t)
                sg.expire(Expire(now=t).now)
                st.flush(t)
                st.compact(t - horizon, t)
        records += [(topic, orjson.loads(k), v and orjson.loads(v)) for topic, k, v, _ in w.take()]
    rebuilt = DeltaLogStore(PartitionView(table, 0), backing=backing())
    return verdicts, records, dict(rebuilt.items()), dict(xstore.items())


def test_dedupe_and_extract_decide_and_write_the_same_over_either_backing(tmp_path):
    made = []

    def memory():
        return MemoryBacking()

    def disk():
        made.append(DiskBacking(tmp_path / f"d{len(made)}"))
        return made[-1]

    try:
        a, b = _run(memory, tmp_path), _run(disk, tmp_path)
    finally:
        for x in made:
            x.close()
    assert a[0] == b[0]
    assert {kind for _, kind in a[0]} == {"NewArticle", "CopyOf"}
    assert a[1] == b[1] and any(v is None for _, _, v in a[1])   # compactions' tombstones too
    assert a[2] == b[2] and a[3] == b[3] and a[2] and a[3]


def test_the_worker_gives_a_disk_store_table_a_disk_backing(tmp_path):
    from streams.app import create_app
    from streams.pipeline.agent import PartitionStages
    from streams.settings import Settings
    for store, kind in (("rocksdb://", DiskBacking), ("memory://", MemoryBacking)):
        p = create_app(Settings.from_env({}, data_dir=str(tmp_path / store[:4]), web_enabled=False,
                                         store=store))
        stages = PartitionStages(p, "fingerprints", "dedupe", lambda s: s, 3600.0)
        backing = stages.stage_for(0)[1].backing
        try:
            assert type(backing) is kind
            if kind is DiskBacking:
                assert backing.path.is_relative_to(tmp_path / "rock")
        finally:
            backing.close()


@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_an_empty_schedule_is_still_the_stores(kind, tmp_path):
    b = MemoryBacking() if kind == "memory" else DiskBacking(tmp_path / "e")
    store = DeltaLogStore({}, backing=b)
    try:
        assert Deduplicator(store)._due is b.schedule
        assert ExtractStage(store, {}, lambda d: [], 60.0).schedule is b.schedule
    finally:
        b.close()


def test_a_multi_get_answers_from_the_cache_it_clears_for_room(tmp_path):
    # the cache is cleared to make room for the keys read from disk: the cached ones asked in the
    # same call are still answered (a live band bucket read as absent loses its ids when the
    # deduplicator writes the bucket back)
    b = DiskBacking(tmp_path / "c")
    b.RECENT = 8
    b.apply(1, {"band:a": ["x", 1.0]})
    b.apply(2, {f"k{i}": [i] for i in range(6)})
    assert b.get_many(["band:a", "n1", "n2"]) == [["x", 1.0], None, None]
    assert b.get_many(["band:a", "k0", "n3"]) == [["x", 1.0], [0], None]


@pytest.mark.parametrize("stage", ["extract", "dedupe"])
def test_an_expiry_pass_as_the_first_record_after_an_assignment(stage, tmp_path):
    # after invalidate() (a partition assignment) the store is rebuilt by its first read; an
    # expiry pass reads the store's generation first, so its schedule is rebuilt over the new
    # build instead of walking a disk schedule the rebuild closes
    store = DeltaLogStore(FakeMemoryTable(), backing=DiskBacking(tmp_path / "x"))
    if stage == "extract":
        st = ExtractStage(store, SideMapping(store), lambda doc: [], 100.0)
        for i in range(5):
            store[f"a{i}"] = {"ts": 60.0 * i, "sources": [], "contacts": []}
            st.schedule.add(i, (f"a{i}",))
        expire = st.expire
    else:
        dd = Deduplicator(store, horizon_seconds=100.0)
        for i in range(5):
            dd.check_and_remember(Article(f"a{i}", f"text number {i} about a meeting"), now=60.0 * i)
        expire = dd.expire
    store.flush(1000.0)
    expire(1000.0)
    store.invalidate()
    expire(2000.0)
    assert len(store) == 0
