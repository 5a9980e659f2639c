"""Stage 2 (dedupe) over plain dicts with the real Deduplicator: first seen goes on to extraction,
copies become "copy of X" markers keyed by X, redeliveries are neither, expiry bounds the state."""
from __future__ import annotations

from streams.duplicates import Deduplicator
from streams.pipeline.dedupe import DedupeStage
from streams.pipeline.tables import PartitionView
from streams.records import CopyOf, NewArticle, ValidArticle

from tests.corpus import corpus_records

T0 = 1_700_000_000.0


def dev() -> dict[str, dict]:
    """The dev corpus by article id."""
    return {a["id"]: a for a in corpus_records("dev.jsonl")}


def seed() -> dict:
    return corpus_records("seeds.jsonl")[1]


def msg(article: dict, offset: int, ts: float = T0, partition: int = 0) -> ValidArticle:
    return ValidArticle(article=article, origin={"topic": "articles", "partition": partition,
                                                 "offset": offset, "timestamp": ts}, in_ts=ts)


def new_stage(horizon: float = 3600.0):
    fingerprints, acc = {}, {}
    return DedupeStage(Deduplicator(fingerprints, horizon_seconds=horizon), acc), fingerprints, acc


def test_first_seen_goes_on_and_copies_become_markers_of_the_first():
    stage, _, acc = new_stage()
    first = dev()["en-tt-442816"]
    [out] = stage.handle(msg(first, 0))
    assert (out.topic, out.key, type(out.value)) == ("extract", first["id"], NewArticle)
    assert out.value.article == first and out.value.in_ts == T0

    # a near copy (the same agency story edited), the same id again, and an exact repost elsewhere
    [near] = stage.handle(msg(dev()["en-tt-442849"], 1, T0 + 60))
    assert (near.topic, near.key) == ("extract", first["id"])
    assert type(near.value) is CopyOf and near.value.of == first["id"]
    assert near.value.dup_kind == "near" and near.value.article["id"] == "en-tt-442849"
    assert "text" not in near.value.article   # markers are small

    [again] = stage.handle(msg(first, 2, T0 + 61))
    assert again.value.dup_kind == "id" and again.value.of == first["id"]

    repost = {**seed(), "id": "repost-1", "source": "other-outlet.example", "url": None}
    stage.handle(msg(seed(), 3, T0 + 62))
    [rp] = stage.handle(msg(repost, 4, T0 + 63))
    assert rp.value.dup_kind == "text" and rp.value.of == seed()["id"]
    assert rp.value.article["source"] == "other-outlet.example"
    assert acc["dedupe:0"]["new"] == 2
    assert acc["dedupe:0"]["duplicate"] == {"near": 1, "id": 1, "text": 1}


def test_redelivered_messages_are_not_decided_twice():
    stage, _, acc = new_stage()
    a = dev()["en-tt-442816"]
    assert len(stage.handle(msg(a, 10))) == 1
    before = dict(acc["dedupe:0"])
    # the same input message again (validate re-sent it after a crash): not a duplicate
    assert stage.handle(msg(a, 10)) == [] and stage.handle(msg(a, 3)) == []
    assert acc["dedupe:0"] == before
    # marks are per input partition
    assert stage.handle(msg(a, 0, partition=1))[0].value.dup_kind == "id"


def test_fingerprints_expire_after_the_horizon():
    stage, fps, _ = new_stage(horizon=3600.0)
    a = dev()["en-tt-442816"]
    stage.handle(msg(a, 0))
    assert fps
    stage.expire(T0 + 3601)
    assert fps == {}
    # after the horizon the same article counts as new again
    assert stage.handle(msg(a, 1, T0 + 3700))[0].value.kind == "article"


def test_partition_views_keep_partitions_apart():
    table: dict = {}
    v0, v1 = PartitionView(table, 0), PartitionView(table, 1)
    v0["a"] = 1
    v1["a"] = 2
    v1["b"] = 3
    assert table == {"0|a": 1, "1|a": 2, "1|b": 3}
    assert sorted(v1) == ["a", "b"] and len(v0) == 1 and "b" not in v0
    del v1["a"]
    assert table == {"0|a": 1, "1|b": 3}
    v0.use(1)
    assert v0["b"] == 3


def test_delta_log_store_persists_one_entry_per_flush_and_rebuilds_the_same_mapping(backing):
    from streams.pipeline.tables import DeltaLogStore
    table: dict = {}
    store = DeltaLogStore(PartitionView(table, 0), backing=backing())
    dedup = Deduplicator(store, horizon_seconds=3600.0)
    stage = DedupeStage(dedup, {})
    for i, aid in enumerate(["en-tt-442816", "en-tt-442849", "en-016"]):
        stage.handle(msg(dev()[aid], i, T0 + i))
        assert store.flush(T0 + i)
    assert not store.flush(T0 + 9)          # nothing changed since
    assert len(table) == 3                   # one record per article, not one per fingerprint
    assert len(store) > 30                   # ... for dozens of fingerprint keys

    # a new worker (or the same one after a rebalance) rebuilds the mapping from the records
    again = DeltaLogStore(PartitionView(dict(table), 0), backing=backing())
    assert dict(again.items()) == dict(store.items())
    copy = {**dev()["en-tt-442906"]}
    assert Deduplicator(again, 3600.0).check(__import__("streams.records", fromlist=["Article"])
                                             .Article.from_dict(copy), T0 + 5).kind == "near"
    store.invalidate()
    assert dict(store.items()) == dict(again.items())

    # expiry: the deduplicator drops old keys, compaction drops the deltas that only held them
    stage.expire(T0 + 3601.5)
    store.flush(T0 + 3601.5)
    assert store.compact(T0 + 1.5) == 2      # the prefix stamped before T0 + 1.5
    rebuilt = DeltaLogStore(PartitionView(dict(table), 0), backing=backing())
    assert dict(rebuilt.items()) == dict(store.items())
    assert all(v["ts"] > T0 + 1.5 for k, v in rebuilt.items() if "ts" in v)


def test_a_rebuilt_delta_store_counts_a_generation_and_the_deduplicator_reschedules_over_it(backing):
    # after a rebalance the store holds what its changelog holds: the expiry schedule is rebuilt
    from streams.pipeline.tables import DeltaLogStore
    table: dict = {}
    store = DeltaLogStore(PartitionView(table, 0), backing=backing())
    stage = DedupeStage(Deduplicator(store, horizon_seconds=3600.0), {})
    stage.handle(msg(dev()["en-016"], 0, T0))
    store.flush(T0)
    first = store.generation
    store.invalidate()
    # the partition's changelog now also holds an article this stage object never saw
    other = DeltaLogStore(PartitionView(table, 0), backing=backing())
    DedupeStage(Deduplicator(other, horizon_seconds=3600.0), {}).handle(
        msg(dev()["en-tt-442816"], 1, T0 + 10))
    other.flush(T0 + 10)
    assert len(store) > 0 and store.generation == first + 1
    stage.expire(T0 + 3611)   # both articles' keys are past the horizon
    assert len(store) == 0


def test_delta_log_store_side_value_and_compaction_keep_live_keys(backing):
    from streams.pipeline.tables import DeltaLogStore, SideMapping
    table: dict = {}
    store = DeltaLogStore(PartitionView(table, 0), backing=backing())
    acct = SideMapping(store)
    store["old-but-live"] = {"v": 1}
    acct["dedupe:0"] = {"new": 1}
    store.flush(10.0)
    store["k2"] = 2
    acct["dedupe:0"] = {"new": 2}
    store.flush(20.0)
    store["k3"] = 3
    store.flush(30.0)
    # everything before 25 may go: the first two deltas; "old-but-live" and k2 are carried forward
    assert store.compact(25.0, now=31.0) == 2
    rebuilt = DeltaLogStore(PartitionView(dict(table), 0), backing=backing())
    assert dict(rebuilt.items()) == {"old-but-live": {"v": 1}, "k2": 2, "k3": 3}
    assert dict(SideMapping(rebuilt)) == {"dedupe:0": {"new": 2}}
    # the newest delta is never compacted away, so the side value always survives
    assert store.compact(1e9, now=40.0) >= 1
    again = DeltaLogStore(PartitionView(dict(table), 0), backing=backing())
    assert dict(again.items()) == dict(store.items()) and again.get_side() == store.get_side()
    assert len([k for k in table if k.startswith("0|d:")]) >= 1


def test_dedupe_accounting_travels_with_the_fingerprints(backing):
    from streams.pipeline.tables import DeltaLogStore, SideMapping
    table: dict = {}
    store = DeltaLogStore(PartitionView(table, 0), backing=backing())
    stage = DedupeStage(Deduplicator(store, horizon_seconds=3600.0), SideMapping(store))
    stage.handle(msg(dev()["en-tt-442816"], 0))
    store.flush(T0)
    [delta] = table.values()
    assert delta["side"]["dedupe:0"]["marks"] == {"articles:0": 1} and delta["set"]


def test_each_input_partition_is_stamped_with_its_own_newest_day_which_never_goes_back():
    from streams.pipeline.dedupe import advance_stamps
    t = 1_800_000_000.0   # 2027-01-15
    inputs = ["articles:0", "articles:1"]
    acc: dict = {}
    acc, wm = advance_stamps(acc, "articles:0", "2024-03-05T10:00:00Z", t, inputs, 0)
    assert wm == "2024-03-05"
    # a partition that starts late with older articles keeps its own days: not the other's stamp
    acc, wm = advance_stamps(acc, "articles:1", "2023-01-01", t, inputs, 0)
    assert wm == "2023-01-01"
    acc, wm = advance_stamps(acc, "articles:1", "2022-12-01", t, inputs, 0)   # older: no way back
    assert wm == "2023-01-01"
    acc, wm = advance_stamps(acc, "articles:0", "2099-01-01", t, inputs, 0)   # a typo: ignored
    assert wm == "2024-03-05" and acc["days"]["articles:0"] == "2024-03-05"
    acc, wm = advance_stamps(acc, "articles:0", "2024-05", t, inputs, 0)      # a month only: no day
    assert wm == "2024-03-05"
    acc, wm = advance_stamps(acc, "articles:1", "2024-07-01", t, inputs, 0)
    assert wm == "2024-07-01"
    assert acc["stamps"] == {"articles:0": "2024-03-05", "articles:1": "2024-07-01"}
    assert acc["wm"] == "2024-03-05" and acc["idle"] == []   # the least stamp, shown
    # it travels with every record dedupe sends on, and lives in the stage's persisted value
    stage = DedupeStage(Deduplicator({}, horizon_seconds=3600.0), {})
    [out] = stage.handle(msg(dev()["en-016"], 0, t), 0, 7)
    assert out.value.seq == [0, 7]
    assert out.value.wm == stage.accounting["dedupe:0"]["wm"] == dev()["en-016"]["published_at"][:10]


def test_a_partition_without_a_dated_article_for_the_idle_time_of_input_time_follows_the_others():
    """Idle after ``idle_seconds`` of the other partitions' Kafka timestamps (not the clock) and
    more than two dated articles per input partition from the others: its stamp follows the least
    of the busy partitions' and never goes back, so when it delivers again its records are
    stamped no lower than the bound it rejoins at."""
    from streams.pipeline.dedupe import advance_stamps
    t = 1_800_000_000.0
    inputs = [f"articles:{i}" for i in range(3)]
    acc: dict = {}
    acc, _ = advance_stamps(acc, "articles:0", "2024-03-01", t, inputs, 60)
    acc, _ = advance_stamps(acc, "articles:1", "2024-03-02", t + 10, inputs, 60)
    assert acc["idle"] == [] and "articles:2" not in acc["stamps"]   # partition 2 is waited for
    acc, _ = advance_stamps(acc, "articles:1", "2024-03-05", t + 60, inputs, 60)
    assert acc["idle"] == []                                           # 60 s: not yet
    for i in range(3):
        acc, _ = advance_stamps(acc, "articles:0", "2024-03-04", t + 61 + i, inputs, 60)
        acc, _ = advance_stamps(acc, "articles:1", "2024-03-05", t + 61 + i, inputs, 60)
        if i < 1:
            assert acc["idle"] == []    # input time went on, but not yet the input with it
    assert acc["idle"] == ["articles:2"] and acc["stamps"]["articles:2"] == "2024-03-04"
    # a delivering partition is never idle, whatever its own timestamps
    assert "articles:0" not in acc["idle"]
    # partition 2 rejoins with an older article: stamped where it was left, not lower
    acc, wm = advance_stamps(acc, "articles:2", "2024-02-01", t + 130, inputs, 60)
    assert wm == "2024-03-04" and acc["idle"] == []
    acc, wm = advance_stamps(acc, "articles:2", "2024-03-09", t + 131, inputs, 60)
    assert wm == "2024-03-09"
    # 0 turns it off: nothing is ever idle
    acc0: dict = {}
    for i in range(50):
        acc0, _ = advance_stamps(acc0, "articles:0", "2024-03-01", t + 3600 * i, inputs, 0)
    assert acc0["idle"] == [] and list(acc0["stamps"]) == ["articles:0"]


def test_one_article_stamped_far_ahead_makes_no_partition_idle():
    """A producer's clock a day ahead on one article: the others, still delivering, stay busy and
    keep their own stamps (a review's case: they were raised to the skewed partition's)."""
    from streams.pipeline.dedupe import advance_stamps
    inputs = ["articles:0", "articles:1", "articles:2"]
    days = ["2026-06-01", "2026-06-03", "2026-06-02"]
    t = 1_781_000_000.0
    acc: dict = {}
    for i in range(30):
        acc, _ = advance_stamps(acc, f"articles:{i % 3}", days[i % 3], t + 10 * i, inputs, 300)
    acc, _ = advance_stamps(acc, "articles:1", "2026-06-03", t + 300 + 86400, inputs, 300)
    for i in range(30, 60):
        acc, _ = advance_stamps(acc, f"articles:{i % 3}", days[i % 3], t + 10 * i, inputs, 300)
        assert acc["idle"] == []
    assert acc["stamps"] == dict(zip(inputs, days))


def test_accounting_with_the_old_scalar_watermark_is_read_with_it_as_the_floor():
    """A value written before the per-partition stamps: every stamp is at least its watermark, so
    no record after the upgrade is stamped below a day already evaluated."""
    from streams.pipeline.dedupe import advance_stamps, upgraded
    t = 1_800_000_000.0
    old = {"marks": {"articles:0": 5}, "in": 5, "new": 5, "duplicate": {}, "dead_letter": {},
           "days": {"articles:0": "2024-03-09", "articles:1": "2024-03-01"}, "wm": "2024-03-05"}
    assert upgraded(old)["stamps"] == {"articles:0": "2024-03-09", "articles:1": "2024-03-05"}
    inputs = [f"articles:{i}" for i in range(3)]
    acc, wm = advance_stamps(old, "articles:2", "2024-01-01", t, inputs, 0)   # a new partition
    assert wm == "2024-03-05"
    acc, wm = advance_stamps(acc, "articles:1", "2024-03-02", t, inputs, 0)
    assert wm == "2024-03-05"
    acc, wm = advance_stamps(acc, "articles:1", "2024-03-07", t, inputs, 0)
    assert wm == "2024-03-07"
    # and its heartbeat carries the vector
    stage = DedupeStage(Deduplicator({}, horizon_seconds=3600.0), {"dedupe:0": old}, inputs=3)
    [hb] = [o.value for o in stage.heartbeats(0, t, 1)]
    assert hb.stamps == {"0": "2024-03-09", "1": "2024-03-05"} and hb.wm == "2024-03-05"


def test_an_expire_sends_the_partitions_watermark_down_every_extract_partition_behind_its_records():
    from streams.records import Heartbeat
    stage, _, _ = new_stage()
    assert [o.value for o in stage.heartbeats(0, T0, 3)] == [
        Heartbeat(now=T0, wm=None, dedupe=0, stamps={}, idle=[])] * 3
    a = {**seed(), "published_at": "2024-03-04T08:00:00Z"}
    [out] = stage.handle(msg(a, 0, ts=T0 + 86400 * 200), 0, 5)
    assert out.value.wm == "2024-03-04"
    hbs = stage.heartbeats(0, T0 + 60, 2)
    assert [(o.topic, o.key, o.partition) for o in hbs] == [("extract", None, 0), ("extract", None, 1)]
    assert [o.value for o in hbs] == [Heartbeat(now=T0 + 60, wm="2024-03-04", dedupe=0,
                                                stamps={"0": "2024-03-04"}, idle=[])] * 2
