"""The worker's web routes: ``/metrics`` (Prometheus), ``/pipeline/counts/`` (the accounting of every
input message from the tables: in = processed + duplicate + dead-lettered once nothing is in flight),
the API under ``/api/v1/`` (streams/api) and the observability helper's status page."""
from __future__ import annotations

import logging
from typing import Any

from streams import metrics
from streams.faust_ext.changelog import (decode, disk_items, disk_partition_items, disk_partitions,
                                         disk_store)

log = logging.getLogger(__name__)


def _merge(into: dict[str, int], more: dict[str, int] | None) -> None:
    for k, v in (more or {}).items():
        into[k] = into.get(k, 0) + int(v)


def is_ready(app) -> bool:
    """Assigned, recovered and not rebalancing: the tables hold everything the changelogs had."""
    try:
        recovery = app.tables.recovery
        return bool(recovery.completed.is_set() and not recovery.in_recovery
                    and not app.rebalancing and app.consumer.assignment())
    except Exception:   # noqa: BLE001 - not started yet
        return False


def _assigned(app) -> list[str]:
    """The source-topic partitions this worker holds (changelogs left out), as "topic:partition"."""
    try:
        changelogs = {t.changelog_topic.get_topic_name() for t in app.tables.values()}
        return sorted(f"{tp.topic}:{tp.partition}" for tp in app.consumer.assignment()
                      if tp.topic not in changelogs)
    except Exception:   # noqa: BLE001 - not started yet
        return []


def _all_topics_bucket(key: Any) -> bool:
    return isinstance(key, str) and key.count("|") == 3 and key.split("|")[2] == "*"


def _items(table, want=None, needle: bytes = b"") -> list:
    """(key, value) of a table's keys that ``want`` accepts (all if None), read at once. A RocksDB
    store's are read from its databases with only the wanted values decoded: Faust's ``items()``
    decodes every value through its codec registry, which made this route (polled by the
    benchmarks and monitoring) most of a disk-store worker's CPU. ``needle``: bytes every wanted
    key's encoding contains (a JSON string keeps them as they are), so that the other keys are
    not even decoded."""
    store = disk_store(table)
    if store is None:
        return [(k, v) for k, v in list(table.items()) if want is None or want(k)]
    out = []
    for kb, vb in disk_items(store):
        if needle not in kb:
            continue
        k = decode(kb)
        if want is None or want(k):
            out.append((k, decode(vb)))
    return out


# (store, partition, needle) -> (id of the partition's database, its RocksDB sequence number when
# it was read, the partition's total): a partition not written since the last poll is not read
# again. Emptied on every rebalance (a database reopened after one is another object).
_TOTALS: dict[tuple[int, int, bytes], tuple[int, int, int]] = {}


def _total(table, measure, want=None, needle: bytes = b"") -> int:
    """The sum of ``measure(value)`` over the keys ``want`` accepts (``_items``). With a RocksDB
    store, per partition database, and only for the databases written since the last call (their
    sequence number moved): an idle worker's polls read nothing."""
    store = disk_store(table)
    if store is None:
        return sum(measure(v) for _, v in _items(table, want, needle))
    total = 0
    for partition, db in disk_partitions(store):
        seqno = db.latest_sequence_number()
        key = (id(store), partition, needle)
        hit = _TOTALS.get(key)
        if hit is not None and hit[0] == id(db) and hit[1] == seqno:
            total += hit[2]
            continue
        n = 0
        for kb, vb in disk_partition_items(store, db):
            if needle not in kb:
                continue
            k = decode(kb)
            if want is None or want(k):
                n += measure(decode(vb))
        _TOTALS[key] = (id(db), seqno, n)
        total += n
    return total


def _distinct(v: Any) -> int:
    return len(v) if isinstance(v, dict) else 0


def _episodes(v: Any) -> int:
    return int(v.get("episodes", 0)) if isinstance(v, dict) else 0


def counts(p) -> dict[str, Any]:
    """The accounting of the partitions this worker holds now (a memory store can keep stale keys of
    partitions it gave away in a rebalance; they are left out, so summing over workers is exact)."""
    n_in = processed = 0
    dead: dict[str, int] = {}
    dup: dict[str, int] = {}
    marks: list[str | None] = []
    # dedupe counts every input message (in, duplicates, validate's dead letters), extract the
    # processed articles and its own dead letters; both read their delta records through the stage,
    # which lists only the partitions this worker holds
    for name in ("dedupe_accounting", "extract_accounting"):
        reader = p.readers.get(name)
        for v in (reader() if reader else {}).values():
            if isinstance(v, dict):
                if name == "dedupe_accounting":
                    marks.append(v.get("wm"))
                n_in += int(v.get("in", 0))
                processed += int(v.get("processed", 0))
                _merge(dup, v.get("duplicate"))
                _merge(dead, v.get("dead_letter"))
    n_dup, n_dead = sum(dup.values()), sum(dead.values())
    out = {
        "in": n_in, "processed": processed, "duplicate": n_dup, "dead_letter": n_dead,
        "duplicates": dup, "dead_letters": dead,
        "in_flight": n_in - processed - n_dup - n_dead,
        # messages this process validated since it started, redeliveries included (not a count
        # that adds up: which worker reads the input, while dedupe counts "in" for all of them)
        "validated_here": p.readers["validated_here"]() if "validated_here" in p.readers else 0,
        "ready": is_ready(p.app),
        "assigned": _assigned(p.app),
    }
    # distinct contacts counted (all-topics buckets) and spike episodes started
    distinct = _total(p.tables["windows"], _distinct, _all_topics_bucket, b"|*|")
    episodes = _total(p.tables["episodes"], _episodes)
    out.update(contacts_distinct=distinct, episodes=episodes)
    # the event-time watermark of the dedupe partitions held (their least stamp; None before a
    # dated article), and the aggregate's bound over the contacts partitions held (the least; None until
    # every path delivered a stamp to each): alerts are decided up to bound - 1 - SETTLE_DAYS
    out["watermark"] = None if not marks or None in marks else min(marks)
    out.update(event_time(p))
    out["bound"] = _bound(p, out["assigned"])
    return out


def event_time(p) -> dict[str, Any]:
    """Per input partition its stamp (the least over the dedupe partitions held here; absent
    before its first dated article), and the input partitions a dedupe partition held here counts
    as idle (DIPLOWATCH_IDLE_PARTITION_SECONDS of input time without a dated article: left out of
    the bound, docs/pipeline.md "Event-time watermark")."""
    stamps: dict[str, str] = {}
    idle: set[int] = set()
    reader = p.readers.get("dedupe_accounting") if hasattr(p, "readers") else None
    for v in (reader() if reader else {}).values():
        if not isinstance(v, dict):
            continue
        for m, day in (v.get("stamps") or {}).items():
            ip = m.rsplit(":", 1)[-1]
            stamps[ip] = min(stamps.get(ip, day), day)
        idle.update(int(m.rsplit(":", 1)[-1]) for m in v.get("idle") or ())
    return {"input_stamps": dict(sorted(stamps.items(), key=lambda kv: int(kv[0]))),
            "idle_partitions": sorted(idle)}


def _bound(p, assigned: list[str]) -> str | None:
    from streams.pipeline.aggregate import PATHS, path_bound, path_count
    s = p.settings
    held = {int(a.rsplit(":", 1)[1]) for a in assigned if a.rsplit(":", 1)[0] == s.topic_contacts}
    need = path_count(s) * 2   # both topics' paths (streams.pipeline.aggregate)
    bounds = {}
    for key, v in _items(p.tables["windows"], lambda k: isinstance(k, str) and k.endswith("|" + PATHS),
                         PATHS.encode()):
        part = key.split("|", 1)[0]
        if part.isdigit() and int(part) in held and isinstance(v, dict):
            bounds[int(part)] = path_bound(v, need)
    if not held or set(bounds) != held or None in bounds.values():
        return None
    return min(bounds.values())


def register(p) -> None:
    app = p.app

    async def _forget_totals(sender, *args, **kwargs) -> None:
        _TOTALS.clear()

    app.on_partitions_assigned.connect(_forget_totals)
    app.on_partitions_revoked.connect(_forget_totals)

    @app.page("/metrics")
    async def prometheus(web, request):
        body, content_type = metrics.render_metrics(request.headers.get("Accept"))
        # aiohttp wants the charset apart from the content type
        ctype = content_type.split(";")[0].strip()
        return web.bytes(body, content_type=ctype)

    @app.page("/pipeline/counts/")
    async def pipeline_counts(web, request):
        return web.json(counts(p))

    # the analysts' API under /api/v1/ (counts, contacts, alerts, its OpenAPI document)
    from streams import api
    api.register(p)

    try:   # the status page of streams/web (observability helper), when present
        from streams import web as status_web
        reg = getattr(status_web, "register", None) or getattr(status_web, "register_app", None)
    except Exception as exc:   # noqa: BLE001 - the pipeline runs without the status page
        log.warning("status page unavailable: %s", exc)
        reg = None
    if reg is not None:
        reg(app, pipeline=p)
