"""streams.faust_ext.changelog: the memory store's dict and Faust's changelog encoding. That a
worker recovers the records written this way runs against the live broker
(tests/integration/test_pipeline_accounting.py: restart, SIGKILL)."""
from __future__ import annotations

import inspect
import re
from types import SimpleNamespace

import pytest
from faust.serializers import codecs

from streams.app import create_app
from streams.faust_ext.changelog import encode, memory_store_dict
from streams.settings import Settings

from .pins import params, source_sha

VALUES = [
    {"n": 3, "ids": ["a", "b"], "when": 1_700_000_000.25},
    {"set": {"0|band:7:abc": "art-1", "0|url:x": None}, "ts": 1.5, "side": {"in": 2}},
    "3|key:é",
    {"text": "وزير الخارجية الإيراني — Zarif", "nested": {"k": [1, 2.5, None, True]}},
    {1: "int key"},
    7,
]


@pytest.mark.parametrize("value", VALUES)
def test_encode_is_fausts_json_codec(value):
    assert encode(value) == codecs.dumps("json", value)


def _table(tmp_path, store="memory://"):
    s = Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False, store=store)
    return create_app(s).tables["windows"]


def test_the_memory_store_dict_is_the_one_recovery_fills(tmp_path):
    table = _table(tmp_path)
    raw = memory_store_dict(table)
    assert isinstance(raw, dict) and raw is memory_store_dict(table)
    # Faust's recovery applies changelog records to the store: they land in the same dict
    msg = SimpleNamespace(value=encode({"n": 1}), partition=2)
    event = SimpleNamespace(key=encode("2|k"), value=encode({"n": 1}), message=msg)
    table.data.apply_changelog_batch([event], lambda k: codecs.loads("json", k),
                                     lambda v: codecs.loads("json", v))
    assert raw == {"2|k": {"n": 1}}


def test_no_dict_for_another_store_or_a_plain_mapping(tmp_path):
    assert memory_store_dict({"a": 1}) is None
    assert memory_store_dict(_table(tmp_path, "rocksdb://")) is None


# --- contracts ---------------------------------------------------------------------------------------

def test_contract_faust_memory_store_data():
    # Store.data: the one dict the store keeps for its lifetime (reset by clear(), never replaced)
    from faust.stores import memory
    assert "self.data: MutableMapping = {}" in inspect.getsource(memory.Store.__post_init__)
    assert "self.data.clear()" in inspect.getsource(memory.Store._clear)
    assert len(re.findall(r"self\.data\s*(?::[^=\n]*)?=[^=]", inspect.getsource(memory.Store))) == 1
    assert params(memory.Store.apply_changelog_batch) == ["self", "batch", "to_key", "to_value"]
    assert source_sha(memory.Store.apply_changelog_batch) == (
        "71863e3cd727aac2001c4f19a393c637275eab36056c9a2d395ed1c7528e7647")


def test_contract_faust_json_codec():
    # the tables' default codec: faust.utils.json.dumps with orjson installed
    from faust.utils import json as faust_json
    assert faust_json.orjson is not None
    assert source_sha(faust_json.dumps) == (
        "e06b01cf022717d907b055234fd2e11932d43640ae52e6ee287ee567f537ea2c")


# --- the RocksDB store (rocksdict) -------------------------------------------------------------------

@pytest.mark.parametrize("value", VALUES)
def test_decode_is_fausts_json_codec(value):
    from streams.faust_ext.changelog import decode
    assert decode(encode(value)) == codecs.loads("json", encode(value))


def test_disk_store_is_found_for_rocksdb_only(tmp_path):
    from streams.faust_ext.changelog import disk_store
    t = _table(tmp_path, "rocksdb://")
    assert disk_store(t) is t.data
    assert disk_store(_table(tmp_path / "m")) is None and disk_store({"a": 1}) is None


def test_write_disk_then_read_disk_and_the_persisted_offset(tmp_path):
    from faust.types import TP
    from streams.faust_ext.changelog import disk_items, disk_keys, read_disk, write_disk
    t = _table(tmp_path, "rocksdb://")
    store = t.data
    store._db_for_partition(2)
    assert write_disk(store, 2, {b'"2|a"': b"1", b'"2|b"': b"2"}, 17)
    assert write_disk(store, 2, {b'"2|b"': None}, None)
    assert read_disk(store, 2, b'"2|a"') == b"1" and read_disk(store, 2, b'"2|b"') is None
    assert list(disk_keys(store, 2)) == [b'"2|a"']
    assert store.persisted_offset(TP(t.changelog_topic.get_topic_name(), 2)) == 17
    store.app.assignor.assigned_actives = lambda: {TP(t.changelog_topic.get_topic_name(), 2)}
    assert list(disk_items(store)) == [(b'"2|a"', b"1")]
    store._dbs.clear()


def test_contract_faust_rocksdb_store():
    # _db_for_partition: the partition's database, opened on first use and cached in _dbs;
    # revoke_partitions drops it from _dbs; apply_changelog_batch (recovery) puts the records'
    # key and value bytes as they came and the offset under offset_key, which persisted_offset
    # reads as an int; _iteritems: (key, value) bytes of the active partitions, offset left out;
    # _dbs_for_actives: those partitions' databases (the values of _dbs), _visible_items: one's
    from faust.stores import rocksdb
    S = rocksdb.Store
    assert S.offset_key == b"__faust\0offset__"
    assert "self._dbs[partition]" in inspect.getsource(S._db_for_partition)
    assert "self._dbs.pop(tp.partition, None)" in inspect.getsource(S.revoke_partitions)
    assert "batches[msg.partition].put(msg.key, msg.value)" in inspect.getsource(
        S.apply_changelog_batch)
    assert "rocksdict.WriteBatch(raw_mode=True)" in inspect.getsource(S.apply_changelog_batch)
    pins = {
        S._db_for_partition: "cb7e67d5f9efc4bced7b7ab09a55fe717c352daad5b693594e3f7ca52a98787f",
        S.apply_changelog_batch: "ea3344d369fc4ab5e3cdace30565691136035a463acb7b2551fdc0b8af71643b",
        S.persisted_offset: "6f2e502fb86043a1cf0adca5c2fffb197579db01b31dbba3b0415aaacc35a2ed",
        S.set_persisted_offset: "b4c811926678346ebb8c40486dbc46d0fbac2bbeaa592384bd955112556acf45",
        S._iteritems: "833c2185cbdd1bee8e2b5ea2a7d96a5f162057710dd460b6987e814636d4435d",
        S._visible_items: "545dc16a2b25e4a4c6ce4483ba808b7121b733ac32ecbdcbba78348248f816c2",
        S._dbs_for_actives: "28ffca271cde5b062244446850fabb3a1fae579e4340b9a35102b7df98b1c1e6",
        S.revoke_partitions: "3f85447a24fc34ffd1ecb5039f502ac6049d92fbd61d91371049bab01203e390",
    }
    for fn, sha in pins.items():
        assert source_sha(fn) == sha, fn.__qualname__


def test_contract_rocksdict_write_batch():
    # a raw-mode WriteBatch written to a raw-mode Rdict: puts and deletes applied together
    import rocksdict
    assert {"put", "delete"} <= set(dir(rocksdict.WriteBatch))
    assert {"write", "get", "keys", "items"} <= set(dir(rocksdict.Rdict))
