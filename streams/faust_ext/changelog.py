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

``disk_store`` / ``read_disk`` / ``write_disk`` / ``disk_items``: the same bypass for Faust's RocksDB
store through rocksdict (faust/stores/rocksdb.py). That store keeps one RocksDB database per table
partition (``Store._db_for_partition``, which opens it on first use and caches it in
``Store._dbs``; a revoked partition's database is dropped from ``_dbs``), its keys and values
the changelog record's bytes (``apply_changelog_batch`` puts ``message.key``/``message.value``
as they came), and in each database, under ``Store.offset_key``, the last changelog offset the
database holds (``persisted_offset``: recovery reads the changelog from after it). Faust's own
write path puts a key when the stage writes it, before its changelog record is even sent, and the
offset once the record is acknowledged; ``write_disk`` writes a partition's acknowledged records
and their offset in one ``WriteBatch`` (atomic: a SIGKILL leaves both or neither).
"""
from __future__ import annotations

from functools import partial
from typing import Any

import orjson

try:
    import rocksdict
except ImportError:   # pragma: no cover - the wheel is a dependency; memory:// works without it
    rocksdict = None

# encode(obj) -> bytes: ``obj`` as Faust's "json" codec encodes a table key or value (a partial
# rather than a function: it runs for every key a stage writes)
encode = partial(orjson.dumps, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z)

# decode(bytes) -> obj: a key or value as the "json" codec decodes it (orjson.loads; tests pin it)
decode = orjson.loads


def memory_store_dict(table: Any) -> dict | None:
    """The dict behind a Faust table with the memory store (None for any other store or mapping).
    It is the same dict for the store's lifetime."""
    raw = getattr(getattr(table, "data", None), "data", None)
    return raw if isinstance(raw, dict) else None


def disk_store(table: Any) -> Any | None:
    """Faust's RocksDB store behind a table when it runs on rocksdict (None for any other store or
    mapping)."""
    data = getattr(table, "data", None)
    if rocksdict is None or type(data).__module__ != "faust.stores.rocksdb":
        return None
    return data if getattr(data, "use_rocksdict", False) else None


def read_disk(store: Any, partition: int, key: bytes) -> bytes | None:
    """The value bytes of ``key`` in the database of ``partition`` (None if absent); opens the
    database if it is not open yet, as Faust's own read does."""
    return store._db_for_partition(partition).get(key)


def read_disk_many(store: Any, partition: int, keys: list[bytes]) -> list[bytes | None]:
    """``read_disk`` of several keys in one call (rocksdict's get of a list: a multi-get)."""
    if not keys:
        return []
    return store._db_for_partition(partition).get(keys)


def write_disk(store: Any, partition: int, writes: dict[bytes, bytes | None],
               offset: int | None) -> bool:
    """Put (value bytes) or delete (None) ``writes`` in the database of ``partition`` and, if
    given, record ``offset`` as the last changelog offset it holds, all in one write batch.
    Nothing is written for a partition whose database is not open (revoked meanwhile): its records
    are on the changelog, and its persisted offset stays below them, so the next owner reads
    them there. False then."""
    db = store._dbs.get(partition)
    if db is None:
        return False
    batch = rocksdict.WriteBatch(raw_mode=True)
    for k, v in writes.items():
        if v is None:
            batch.delete(k)
        else:
            batch.put(k, v)
    if offset is not None:
        batch.put(store.offset_key, str(offset).encode())
    db.write(batch)
    return True


def disk_persisted_offset(store: Any, topic: str, partition: int) -> int | None:
    """The last changelog offset the database of ``partition`` holds (Faust's
    ``Store.persisted_offset``: what its recovery reads on from), or None."""
    from faust.types import TP
    return store.persisted_offset(TP(topic, partition))


def disk_keys(store: Any, partition: int):
    """The key bytes in the database of ``partition`` (the offset entry left out)."""
    skip = store.offset_key
    for k in store._db_for_partition(partition).keys():
        if k != skip:
            yield k


def disk_items(store: Any):
    """(key bytes, value bytes) of the partitions this worker holds as active (Faust's own
    ``items()`` over the store, without decoding every value)."""
    return store._iteritems()


def disk_partitions(store: Any) -> list[tuple[int, Any]]:
    """(partition, database) of the partitions ``disk_items`` reads (the active ones, as Faust's
    ``_dbs_for_actives`` selects them)."""
    active = {id(db) for db in store._dbs_for_actives()}
    return [(p, db) for p, db in list(store._dbs.items()) if id(db) in active]


def disk_partition_items(store: Any, db: Any):
    """(key bytes, value bytes) of one partition's database (from ``disk_partitions``), the
    offset entry left out."""
    return store._visible_items(db)
