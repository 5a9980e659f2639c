"""Table writes through a ChangelogWriter: the store's dict is written at once, and the changelog
record waiting for the agent is the record Faust's own Table.__setitem__ would have sent (same
topic, partition, key and value bytes, a tombstone for a delete), so Faust's recovery reads it as
its own. Recovery itself is exercised against the live broker in
tests/integration/test_pipeline_accounting.py (restart, SIGKILL)."""
from __future__ import annotations

import pytest
from faust.serializers import codecs

from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView
from tests.unit.pipeline.fakes import FakeMemoryTable

VALUES = [
    {"n": 3, "ids": ["a", "b"], "when": 1_700_000_000.25},
    {"set": {"0|band:7:abc": "art-1", "0|url:x": None}, "ts": 1.5, "side": {"in": 2}},
    "2016-03-04",
    {"text": "وزير الخارجية الإيراني — Zarif", "nested": {"k": [1, 2.5, None, True]}},
    7,
]




@pytest.mark.parametrize("value", VALUES)
def test_records_are_encoded_as_faust_json_codec_encodes_them(value):
    w = ChangelogWriter()
    w.add("t", "3|key:é", value, 3)
    [(topic, key, raw, partition)] = w.take()
    assert (topic, partition) == ("t", 3)
    assert key == codecs.dumps("json", "3|key:é")
    assert raw == codecs.dumps("json", value)
    assert codecs.loads("json", raw) == value


def test_a_write_goes_to_the_store_and_waits_as_a_changelog_record_of_the_partition():
    table, w = FakeMemoryTable(), ChangelogWriter()
    view = PartitionView(table, 2, w)
    view["IRN-OMN|all|2016-03-04"] = 4
    view["watermark"] = "2016-03-04"
    del view["watermark"]
    assert table.data.data == {"2|IRN-OMN|all|2016-03-04": 4}
    assert table.faust_writes == []   # not through Faust's own (buffered) path
    assert view.get("IRN-OMN|all|2016-03-04") == 4 and "watermark" not in view
    records = w.take()
    assert [(t, k, v, p) for t, k, v, p in records] == [
        ("app-windows-changelog", b'"2|IRN-OMN|all|2016-03-04"', b"4", 2),
        ("app-windows-changelog", b'"2|watermark"', b'"2016-03-04"', 2),
        ("app-windows-changelog", b'"2|watermark"', None, 2),   # a tombstone
    ]
    assert w.take() == []
    with pytest.raises(KeyError):
        del view["watermark"]
    assert w.take() == []   # nothing sent for a key that was not there


def test_the_view_follows_the_partition_of_the_event():
    table, w = FakeMemoryTable(), ChangelogWriter()
    view = PartitionView(table, 0, w)
    view["k"] = 1
    view.use(3)
    view["k"] = 2
    assert table.data.data == {"0|k": 1, "3|k": 2}
    assert [(k, p) for _, k, _, p in w.take()] == [(b'"0|k"', 0), (b'"3|k"', 3)]


def test_without_a_writer_or_a_memory_store_writes_take_the_mappings_own_path():
    table = FakeMemoryTable()
    PartitionView(table, 1)["k"] = 1          # no writer: Faust's Table.__setitem__
    assert table.faust_writes == [("1|k", 1)]
    plain, w = {}, ChangelogWriter()
    PartitionView(plain, 1, w)["k"] = 1       # a plain mapping (another store): its own path
    assert plain == {"1|k": 1} and w.take() == []


def test_a_delta_store_rebuilt_from_the_written_records_is_the_same(backing):
    table, w = FakeMemoryTable(), ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 0, w), backing=backing())
    store["id:a"] = {"ts": 1.0}
    store["band:1"] = "a"
    store.flush(1.0)
    del store["band:1"]
    store["id:b"] = {"ts": 2.0}
    store.flush(2.0)
    # what a recovering worker's store holds: the changelog records replayed in order
    recovered = FakeMemoryTable()
    for _, key, value, _ in w.take():
        k = codecs.loads("json", key)
        if value is None:
            recovered.data.data.pop(k, None)
        else:
            recovered.data.data[k] = codecs.loads("json", value)
    rebuilt = DeltaLogStore(PartitionView(recovered, 0), backing=backing())
    assert dict(rebuilt.items()) == dict(store.items()) == {"id:a": {"ts": 1.0}, "id:b": {"ts": 2.0}}


def test_sizes_reads_the_lengths_of_the_partitions_values():
    table = FakeMemoryTable()
    table.data.data.update({"2|p|*|d1": {"a": 1, "b": 2}, "2|p|*|d3": {"c": 3}, "1|p|*|d2": {"x": 0}})
    assert PartitionView(table, 2).sizes("p|*|", ["d1", "d2", "d3"]) == [2, 0, 1]
    plain = {"1|p|*|d2": {"x": 0}, "1|p|*|d3": {}}
    assert PartitionView(plain, 1).sizes("p|*|", ["d1", "d2", "d3"]) == [0, 1, 0]
