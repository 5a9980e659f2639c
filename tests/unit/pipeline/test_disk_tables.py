"""Table writes through a ChangelogWriter over Faust's RocksDB store (rocksdict, in a temp dir):
the changelog records are those of the memory path, the writes are held (and read back) until
their records are acknowledged, and only then land in the partition's database, together with the
offset they reach. Against the live broker: tests/integration/test_pipeline_recovery.py (SIGKILL
with DIPLOWATCH_STORE=rocksdb://)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from faust.serializers import codecs
from faust.types import TP

from streams.app import create_app
from streams.faust_ext.changelog import write_disk
from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView
from streams.settings import Settings
from tests.unit.pipeline.fakes import FakeMemoryTable


@pytest.fixture()
def table(tmp_path):
    s = Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False, store="rocksdb://")
    t = create_app(s).tables["windows"]
    for p in range(4):
        t.data._db_for_partition(p)   # as Faust's assignment opens them
    yield t
    t.data._dbs.clear()


def _on_disk(table, partition: int) -> dict:
    db = table.data._db_for_partition(partition)
    return {codecs.loads("json", k): codecs.loads("json", v) for k, v in db.items()
            if k != table.data.offset_key}


def _persisted(table, partition: int):
    return table.data.persisted_offset(TP(table.changelog_topic.get_topic_name(), partition))


def test_writes_are_held_until_acknowledged_then_saved_with_their_offset(table):
    w = ChangelogWriter()
    view = PartitionView(table, 2, w)
    view["IRN-OMN|all|2016-03-04"] = {"a": 1}
    view["watermark"] = "2016-03-04"
    assert view.get("watermark") == "2016-03-04" and view["IRN-OMN|all|2016-03-04"] == {"a": 1}
    assert "watermark" in view and "nothing" not in view and view.get("nothing", 5) == 5
    assert sorted(view) == ["IRN-OMN|all|2016-03-04", "watermark"]
    assert _on_disk(table, 2) == {} and _persisted(table, 2) is None   # not acknowledged yet
    topic = table.changelog_topic.get_topic_name()
    records = w.take()
    assert [(t, p) for t, _, _, p in records] == [(topic, 2), (topic, 2)]
    assert view.get("watermark") == "2016-03-04"   # taken, not acknowledged: still held
    w.persisted({(topic, 2): 41})
    assert _on_disk(table, 2) == {"2|IRN-OMN|all|2016-03-04": {"a": 1}, "2|watermark": "2016-03-04"}
    assert _persisted(table, 2) == 41
    assert view.get("watermark") == "2016-03-04" and view["IRN-OMN|all|2016-03-04"] == {"a": 1}
    assert _on_disk(table, 1) == {}


def test_the_records_are_those_of_the_memory_path():
    ops = [("set", "k1", {"n": 1}), ("set", "k2", [1, 2.5, "é"]), ("set", "k1", {"n": 2}),
           ("del", "k2", None)]
    out = []
    for mk in ("memory", "disk"):
        w = ChangelogWriter()
        if mk == "memory":
            view = PartitionView(FakeMemoryTable(), 1, w)
        else:
            import tempfile
            s = Settings.from_env({}, data_dir=tempfile.mkdtemp(), web_enabled=False,
                                  store="rocksdb://")
            t = create_app(s).tables["windows"]
            t.data._db_for_partition(1)
            view = PartitionView(t, 1, w)
        for op, k, v in ops:
            if op == "set":
                view[k] = v
            else:
                del view[k]
        out.append([(p, k, v) for _, k, v, p in w.take()])
        assert dict(view.items()) == {"k1": {"n": 2}}
    assert out[0] == out[1]


def test_a_delete_hides_the_saved_value_and_removes_it_once_acknowledged(table):
    topic = table.changelog_topic.get_topic_name()
    w = ChangelogWriter()
    view = PartitionView(table, 0, w)
    view["a"], view["b"] = 1, 2
    w.take()
    w.persisted({(topic, 0): 1})
    del view["a"]
    with pytest.raises(KeyError):
        del view["a"]
    with pytest.raises(KeyError):
        view["a"]
    assert list(view) == ["b"] and len(view) == 1
    assert _on_disk(table, 0) == {"0|a": 1, "0|b": 2}
    [(_, _, value, partition)] = w.take()
    assert value is None and partition == 0   # a tombstone
    w.persisted({(topic, 0): 2})
    assert _on_disk(table, 0) == {"0|b": 2} and _persisted(table, 0) == 2


def test_writes_of_a_batch_never_delivered_are_dropped(table):
    topic = table.changelog_topic.get_topic_name()
    w = ChangelogWriter()
    view = PartitionView(table, 3, w)
    view["x"] = 1
    w.discard()
    assert view.get("x") is None and w.take() == []
    w.persisted({(topic, 3): 9})
    assert _on_disk(table, 3) == {}


def test_a_partition_not_open_is_not_written(table):
    store = table.data
    store._dbs.pop(1)   # revoked meanwhile
    assert write_disk(store, 1, {b'"1|k"': b"1"}, 5) is False
    assert 1 not in store._dbs


def test_a_delta_store_over_a_disk_table_rebuilds_from_what_was_saved(table):
    topic = table.changelog_topic.get_topic_name()
    w = ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 1, w), side={"in": 0})
    store["id:a"] = ["a", 1.0]
    store["url:u"] = ["a", 1.0]
    store.set_side({"in": 1})
    store.flush(10.0)
    del store["url:u"]
    store.flush(11.0)
    w.take()
    w.persisted({(topic, 1): 7})
    again = DeltaLogStore(PartitionView(table, 1, ChangelogWriter()), side={"in": 0})
    assert dict(again.items()) == {"id:a": ["a", 1.0]} and again.get_side() == {"in": 1}
    # what Faust's recovery writes (apply_changelog_batch) is read the same way
    msg = SimpleNamespace(key=codecs.dumps("json", "1|d:000000000002"),
                          value=codecs.dumps("json", {"ts": 12.0, "set": {"id:b": ["b", 2.0]},
                                                      "side": {"in": 2}}),
                          partition=1, tp=TP(topic, 1), offset=8)
    table.data.apply_changelog_batch([SimpleNamespace(message=msg)], None, None)
    again.invalidate()
    assert dict(again.items()) == {"id:a": ["a", 1.0], "id:b": ["b", 2.0]}
    assert again.get_side() == {"in": 2} and _persisted(table, 1) == 8


def test_sizes_read_held_writes_and_the_database_alike(table):
    topic = table.changelog_topic.get_topic_name()
    w = ChangelogWriter()
    view = PartitionView(table, 0, w)
    view["c|d1"], view["c|d2"] = ["x", "y"], ["x"]
    w.take()
    w.persisted({(topic, 0): 1})
    view["c|d3"] = ["x", "y", "z"]
    del view["c|d2"]
    plain = PartitionView({"0|c|d1": ["x", "y"], "0|c|d3": ["x", "y", "z"]}, 0)
    suffixes = ["d1", "d2", "d3", "d4"]
    assert view.sizes("c|", suffixes) == plain.sizes("c|", suffixes) == [2, 0, 3, 0]


class _CountingDict(dict):
    reads = 0

    def __getitem__(self, key):
        type(self).reads += 1
        return super().__getitem__(key)

    def get(self, key, default=None):
        type(self).reads += 1
        return super().get(key, default)


def test_compaction_reads_back_only_the_records_it_deletes_and_keeps_what_a_rebuild_sees(backing):
    table = _CountingDict()
    store = DeltaLogStore(table, side={"in": 0}, part_bytes=200, backing=backing())
    for t in range(6):
        store[f"k{t}"] = ["v" * 30, float(t)]
        if t % 2:
            del store[f"k{t - 1}"]
        store.set_side({"in": t})
        store.flush(float(t))
    store.update({f"big{i}": ["x" * 40] for i in range(8)})   # a group of parts
    store.flush(6.0)
    _CountingDict.reads = 0
    deleted = store.compact(4.0, 7.0)
    assert deleted > 0 and _CountingDict.reads == deleted
    again = DeltaLogStore(table, side={"in": 0}, part_bytes=200, backing=backing())
    assert dict(again.items()) == dict(store.items()) and again.get_side() == store.get_side()
    heads = [k for k, _ in store.backing.iter_heads()]
    assert [k for k, _ in again.backing.iter_heads()] == heads == sorted(table)
    # a second compaction from a store rebuilt over a copy deletes what the first store's does
    other = DeltaLogStore(_CountingDict(table), side={"in": 0}, part_bytes=200, backing=backing())
    assert other.compact(6.5, 8.0) == store.compact(6.5, 8.0) > 0
    assert dict(other.table) == dict(table)


def test_the_counts_routes_scan_reads_a_disk_table_as_a_plain_one(table):
    from streams.pipeline.routes import _all_topics_bucket, _items
    topic = table.changelog_topic.get_topic_name()
    content = {"IRN-OMN|*|2016-W09": {"c1": 1, "c2": 1}, "IRN-OMN|diplomacy|2016-W09": {"c1": 1},
               "marks": {"t": 4}, "USA-CHN|*|2016-W10": {"c3": 1}, "x|*": 3}
    w = ChangelogWriter()
    plain = {}
    for partition in (0, 3):
        view = PartitionView(table, partition, w)
        for k, v in content.items():
            view[k] = v
            plain[f"{partition}|{k}"] = v
    w.take()
    w.persisted({(topic, 0): 4, (topic, 3): 4})
    table.app.assignor.assigned_actives = lambda: {TP(topic, 0), TP(topic, 3)}
    expect = sorted((k, v) for k, v in plain.items() if _all_topics_bucket(k))
    assert len(expect) == 4
    assert sorted(_items(table, _all_topics_bucket, b"|*|")) == expect
    assert sorted(_items(plain, _all_topics_bucket, b"|*|")) == expect
    assert sorted(_items(table)) == sorted(plain.items())


def test_the_counts_routes_totals_read_a_partition_again_only_once_it_was_written(table):
    from streams.pipeline import routes
    topic = table.changelog_topic.get_topic_name()
    w = ChangelogWriter()
    view = PartitionView(table, 0, w)
    view["IRN-OMN|*|2016-W09"], view["IRN-OMN|war|2016-W09"] = {"c1": 1, "c2": 1}, {"c1": 1}
    PartitionView(table, 3, w)["USA-CHN|*|2016-W10"] = {"c3": 1}
    w.take()
    w.persisted({(topic, 0): 1, (topic, 3): 0})
    table.app.assignor.assigned_actives = lambda: {TP(topic, 0), TP(topic, 3)}
    measured = []

    def measure(v):
        measured.append(v)
        return len(v)

    routes._TOTALS.clear()
    total = lambda: routes._total(table, measure, routes._all_topics_bucket, b"|*|")  # noqa: E731
    plain = {"0|IRN-OMN|*|2016-W09": {"c1": 1, "c2": 1}, "3|USA-CHN|*|2016-W10": {"c3": 1}}
    assert total() == routes._total(plain, len, routes._all_topics_bucket, b"|*|") == 3
    assert len(measured) == 2
    assert total() == 3 and len(measured) == 2   # nothing written since: nothing read
    view["IRN-OMN|*|2016-W09"] = {"c1": 1, "c2": 1, "c4": 1}
    w.take()
    w.persisted({(topic, 0): 2})
    assert total() == 4 and len(measured) == 3   # partition 0 read again, 3 not
    table.app.assignor.assigned_actives = lambda: {TP(topic, 3)}
    assert total() == 1
