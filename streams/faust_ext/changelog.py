"""Table writes that bypass Faust's ``Table.__setitem__`` (streams.pipeline.tables.ChangelogWriter):
the memory store's dict, and Faust's changelog record format.

``memory_store_dict``: a Faust table's memory store keeps every key in one plain dict,
``table.data.data`` (faust/stores/memory.py: ``Store.data``, which recovery fills with
``apply_changelog_batch``). Reading and writing it directly spares a table read's sensors and the
KeyError raised and caught for a missing key, and a write's FutureMessage and producer-buffer hop.

``encode``: a changelog record written this way must be the record Faust's own path would send,
so that recovery reads it as its own: key and value encoded by the tables' default "json" codec,
which is ``faust.utils.json.dumps`` with orjson installed
(https://github.com/faust-streaming/faust/blob/v0.15.2/faust/utils/json.py#L167-L180); a delete
is a tombstone (value None).
"""
from __future__ import annotations

from functools import partial
from typing import Any

import orjson

# encode(obj) -> bytes: ``obj`` as Faust's "json" codec encodes a table key or value (a partial
# rather than a function: it runs for every key a stage writes)
encode = partial(orjson.dumps, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z)


def memory_store_dict(table: Any) -> dict | None:
    """The dict behind a Faust table with the memory store (None for any other store or mapping).
    It is the same dict for the store's lifetime."""
    raw = getattr(getattr(table, "data", None), "data", None)
    return raw if isinstance(raw, dict) else None
