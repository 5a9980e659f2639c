"""Gauges read from the worker's state on a timer rather than on the hot path: consumer lag per
partition, entries per table, this week's top pairs and the running spike episodes.
``register(app, pipeline)`` (called from streams.web.register) adds one Faust timer;
``refresh(...)`` itself is plain and testable.

Consumer lag = end offset (the highwater the consumer last fetched) − committed offset (what Faust
last committed), for the partitions this worker holds and has committed on; changelog partitions
that are only read for table recovery have no committed offset and are left out.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from streams import metrics
from streams.web.collect import WindowScan, _split, busiest_pairs, scan_items, table_items

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 5.0
PAIRS_EVERY = 3          # top pairs every 15 s: a pass over a large windows table takes a while


def consumer_lag(assigned: Any, end_offsets: Mapping[Any, int], committed: Mapping[Any, int | None],
                 highwater: Any = None) -> dict[tuple[str, int], int]:
    """``{(topic, partition): lag}`` from Faust's view of its partitions (TP tuples)."""
    out: dict[tuple[str, int], int] = {}
    for tp in assigned:
        done = committed.get(tp)
        if done is None:
            continue
        end = None
        if highwater is not None:
            try:
                end = highwater(tp)
            except Exception:   # not fetched yet on this partition
                end = None
        if end is None:
            end = end_offsets.get(tp)
        if end is None:
            continue
        out[(tp.topic, tp.partition)] = max(0, int(end) - int(done))
    return out


def publish_top_pairs(windows: Mapping[str, Any] | WindowScan) -> None:
    top, _ = busiest_pairs(windows, n=metrics.TOP_PAIRS, weeks=1)
    metrics.set_pair_counts({p["pair"]: p["count"] for p in top if p["count"] > 0})


def running_spikes(items: Iterable[tuple[Any, Any]]) -> list[tuple[str, str, int, float]]:
    """``[(pair, topic, observed, score)]`` of the episodes table's running episodes (keys
    ``[<p>|]AAA-BBB|<topic>``, value ``{"active": {...} or None, ...}``, streams.detection)."""
    out = []
    for key, state in items:
        if not isinstance(key, str) or not isinstance(state, Mapping):
            continue
        active = state.get("active")
        if not isinstance(active, Mapping):
            continue
        parts = _split(key)
        if len(parts) != 2:
            continue
        out.append((parts[0], parts[1], active.get("observed") or 0, active.get("score") or 0.0))
    return out


def publish_spikes(episodes: Any) -> None:
    metrics.set_active_spikes(running_spikes(table_items(episodes)))


def refresh(tables: Mapping[str, Any], *, lag: Mapping[tuple[str, int], int] | None = None,
            pairs: bool = True) -> None:
    for name, table in tables.items():
        try:
            metrics.set_table_entries(name, len(table))
        except TypeError:
            pass
    windows = tables.get("windows")
    if pairs and windows is not None:
        publish_top_pairs(windows)
    episodes = tables.get("episodes")
    if episodes is not None:
        # one small dict per pair and topic evaluated: cheap enough for every tick
        publish_spikes(episodes)
    if lag is not None:
        metrics.set_consumer_lag(lag)


def register(app: Any, pipeline: Any, interval: float = INTERVAL_SECONDS) -> None:
    tables = getattr(pipeline, "tables", None) or {}
    ticks = [0]

    @app.timer(interval=interval, name="diplowatch.refresh_gauges")
    async def refresh_gauges() -> None:
        ticks[0] += 1
        lag = None
        try:
            consumer = app.consumer
            monitor = app.monitor
            lag = consumer_lag(consumer.assignment(), monitor.tp_end_offsets,
                               monitor.tp_committed_offsets, consumer.highwater)
        except Exception as exc:   # noqa: BLE001 - gauges must never stop the worker
            log.debug("consumer lag unavailable: %r", exc)
        try:
            refresh(tables, lag=lag, pairs=False)
            # the top pairs need a pass over the windows table: every PAIRS_EVERY-th tick, on a
            # copy taken here and scanned in a thread so the agents are not held up
            windows = tables.get("windows")
            if windows is not None and (ticks[0] - 1) % PAIRS_EVERY == 0:
                items = table_items(windows)
                loop = asyncio.get_running_loop()
                scan = await loop.run_in_executor(None, scan_items, items)
                publish_top_pairs(scan)
        except Exception:   # noqa: BLE001
            log.exception("refreshing gauges failed")
