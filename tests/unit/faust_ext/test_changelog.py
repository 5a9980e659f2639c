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
