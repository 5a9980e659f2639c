"""DeltaLogStore's bounded records: a delta larger than ``part_bytes`` (a mass expiry deleting
thousands of fingerprint keys, a batch of articles with long ids) is written as a group of parts,
each under the bound; recovery applies a group only when every part of it is there, so a crash in
the middle of writing one leaves the mapping, and the redelivery marks, as they were before it;
compaction removes or keeps a group whole."""
from __future__ import annotations

import orjson
import pytest

from streams.duplicates import Deduplicator
from streams.pipeline.dedupe import DedupeStage
from streams.pipeline.serde import MAX_RECORD_BYTES
from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView, SideMapping
from streams.records import ValidArticle
from tests.unit.pipeline.fakes import FakeMemoryTable

T0 = 1_700_000_000.0


def article(i: int, t: float) -> ValidArticle:
    words = " ".join(f"w{i}x{j}" for j in range(60))   # no two articles are near copies
    return ValidArticle(article={"id": f"art-{i:06d}-" + "i" * 200, "text": words,
                                 "source": "s.example", "url": f"https://s.example/{i}"},
                        origin={"topic": "articles", "partition": 0, "offset": i, "timestamp": t},
                        in_ts=t)


def records(writer: ChangelogWriter) -> list[tuple[str, bytes, bytes | None, int]]:
    return writer.take()


def rebuild(recs, backing=None) -> DeltaLogStore:
    table = FakeMemoryTable()
    for _, key, value, _ in recs:
        k = orjson.loads(key)
        if value is None:
            table.data.data.pop(k, None)
        else:
            table.data.data[k] = orjson.loads(value)
    return DeltaLogStore(PartitionView(table, 0), backing=backing)


@pytest.fixture
def world(backing):
    table, writer = FakeMemoryTable(), ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 0, writer), part_bytes=64 * 1024, backing=backing())
    stage = DedupeStage(Deduplicator(store, horizon_seconds=100.0), SideMapping(store))
    # a store rebuilt from records, over a backing of the kind the test runs with
    return store, stage, writer, lambda recs: rebuild(recs, backing())


def test_a_mass_expiry_is_written_as_many_bounded_records_that_rebuild_the_same_state(world):
    store, stage, writer, again = world
    sent = []
    for i in range(600):
        stage.handle(article(i, T0 + i * 0.01), 0, i)
        if i % 16 == 15:
            store.flush(T0 + i * 0.01)
    store.flush(T0 + 6)
    sent += records(writer)
    assert len(store) == 600 * 20   # id, url, text, sig and 16 bands per article
    # everything expires at once: 12,000 deletions
    stage.expire(T0 + 500.0)
    store.flush(T0 + 500.0)
    expiry = records(writer)
    sent += expiry
    assert len(store) == 0
    assert len(expiry) > 5
    assert max(len(k) + len(v or b"") for _, k, v, _ in sent) < 64 * 1024 + 1024 < MAX_RECORD_BYTES
    parts = [orjson.loads(v) for _, _, v, _ in expiry]
    assert {p["parts"] for p in parts} == {len(parts)} and "side" in parts[-1]
    assert all("side" not in p for p in parts[:-1])
    assert dict(again(sent).items()) == {}
    assert again(sent).get_side() == store.get_side()


def test_a_group_cut_short_by_a_crash_is_not_applied(world):
    store, stage, writer, again = world
    for i in range(40):
        stage.handle(article(i, T0), 0, i)
    store.flush(T0)
    before = records(writer)
    state_before = dict(store.items())
    marks_before = store.get_side()
    for i in range(40, 400):
        stage.handle(article(i, T0 + 1), 0, i)
    store.flush(T0 + 1)   # one delta for 360 articles: a group of parts
    group = records(writer)
    assert len(group) > 2
    for cut in (1, len(group) - 1):
        cut_store = again(before + group[:cut])
        assert dict(cut_store.items()) == state_before and cut_store.get_side() == marks_before
    whole = again(before + group)
    assert dict(whole.items()) == dict(store.items()) and whole.get_side() == store.get_side()
    # the parts that did arrive are never taken for another group later: new deltas get new numbers
    partial = again(before + group[:2])
    stage2 = DedupeStage(Deduplicator(partial, horizon_seconds=100.0), SideMapping(partial))
    stage2.handle(article(999, T0 + 2), 0, 40)
    partial.flush(T0 + 2)
    assert partial.seq > max(int(orjson.loads(k).split(":")[-1]) for _, k, _, _ in group[:2])


def test_compaction_removes_a_group_whole_and_carries_its_live_keys_first(world):
    store, stage, writer, again = world
    for i in range(300):
        stage.handle(article(i, T0), 0, i)
    store.flush(T0)
    store["late"] = {"ts": T0 + 50}
    store.flush(T0 + 50)
    sent = records(writer)
    n_old = sum(1 for _, _, v, _ in sent if v and orjson.loads(v)["ts"] == T0)
    assert n_old > 1
    assert store.compact(T0 + 10, now=T0 + 60) == n_old
    comp = records(writer)
    # the carried keys first (a new group), then a tombstone per old part
    assert [v is None for _, _, v, _ in comp] == sorted(v is None for _, _, v, _ in comp)
    assert sum(1 for _, _, v, _ in comp if v is None) == n_old
    # a crash after the carried keys but before (some of) the tombstones loses nothing
    carried = [r for r in comp if r[2] is not None]
    assert dict(again(sent + carried).items()) == dict(store.items())
    assert dict(again(sent + comp).items()) == dict(store.items())


def test_a_single_value_over_the_bound_is_refused(backing):
    store = DeltaLogStore(PartitionView(FakeMemoryTable(), 0, ChangelogWriter()), max_value_bytes=1000,
                          backing=backing())
    store["k"] = "x" * 2000
    with pytest.raises(ValueError):
        store.flush(T0)
