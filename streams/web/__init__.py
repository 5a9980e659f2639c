"""The worker's status page: ``GET /status`` (HTML) and ``GET /status.json``.

``register(app, pipeline=p)`` adds the routes to a Faust app's web server (streams.pipeline.routes
calls it); the page reads the ``windows`` and ``episodes`` tables of ``p`` and this process's
metrics. The alert stage may call ``remember_alert(alert)`` for every alert record it sends, so the
page also lists alerts whose episode has ended; without it the page shows the running episodes
found in the tables. The HTML itself is the pure ``render_status(data)`` (streams/web/render.py).
``GET /status/pair?pair=AAA-BBB`` is the analyst's page of one pair (streams/web/pairpage.py).
"""
from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Mapping
from functools import partial
from types import SimpleNamespace
from typing import Any

from streams.web import collect as _collect
from streams.web import pairpage
from streams.web.collect import AlertLog, RateTracker
from streams.web.render import render_status

ALERT_LOG = AlertLog()


def remember_alert(alert: Mapping[str, Any]) -> None:
    """Keep an emitted alert record for the status page (cheap; bounded to the last 20)."""
    ALERT_LOG.add(alert)


def _table(pipeline: Any, name: str) -> Mapping[str, Any]:
    tables = getattr(pipeline, "tables", None) or {}
    return tables.get(name) or {}


def status_data(pipeline: Any = None, *, rates: RateTracker | None = None,
                worker: str | None = None, event_time: dict[str, Any] | None = None) -> dict[str, Any]:
    settings = getattr(pipeline, "settings", None)
    return _collect.collect(_table(pipeline, "windows"), _table(pipeline, "episodes"),
                            window_days=getattr(settings, "window_days", 7), rates=rates,
                            alert_log=ALERT_LOG, worker=worker, event_time=event_time)


def _event_time(pipeline: Any) -> dict[str, Any] | None:
    """The input partitions' stamps and the idle ones (streams.pipeline.routes.event_time), from
    the dedupe partitions this worker holds; None without a pipeline."""
    if pipeline is None or not hasattr(pipeline, "readers"):
        return None
    from streams.pipeline.routes import event_time
    return event_time(pipeline)


async def _status_data_off_loop(pipeline: Any, rates: RateTracker, worker: str) -> dict[str, Any]:
    """Copy the tables on the event loop (a C-level dict copy), scan the copies in a thread so the
    agents keep running while a large windows table is read."""
    copies = SimpleNamespace(
        tables={name: dict(_collect.table_items(_table(pipeline, name))) for name in ("windows", "episodes")},
        settings=getattr(pipeline, "settings", None))
    event = _event_time(pipeline)   # (a few small values: read on the loop)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, partial(status_data, copies, rates=rates, worker=worker,
                                                    event_time=event))


def pair_owner(app: Any, pipeline: Any, pair: str) -> dict[str, Any] | None:
    """Which partition holds ``pair``'s counts, whether this worker holds it and, when not, the
    URL of the worker that does (Faust's router: the windows table's partitions by worker URL);
    None before the worker has an assignment."""
    settings = getattr(pipeline, "settings", None)
    n = int(getattr(settings, "partitions", 0) or 0)
    if not n:
        return None
    part = pairpage.pair_partition(pair, n)
    try:
        held = sorted({tp.partition for tp in app.consumer.assignment()
                       if tp.topic == settings.topic_contacts})
    except Exception:   # noqa: BLE001 - not started or rebalancing
        return None
    out: dict[str, Any] = {"partition": part, "partitions": n, "held": held, "here": part in held,
                           "url": None}
    if not out["here"]:
        try:
            for url, topics in app.router.table_metadata("windows").items():
                if any(part in parts for parts in topics.values()):
                    out["url"] = str(url)
        except Exception:   # noqa: BLE001 - no assignor metadata yet
            pass
    return out


def pair_data(pipeline: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    settings = getattr(pipeline, "settings", None)
    return pairpage.pair_page_data(_table(pipeline, "windows"), _table(pipeline, "episodes"), params,
                                   retain_days=getattr(settings, "retain_days", 371))


async def _pair_data_off_loop(pipeline: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """As ``_status_data_off_loop``: copies taken on the loop, read in a thread."""
    copies = SimpleNamespace(
        tables={name: dict(_collect.table_items(_table(pipeline, name))) for name in ("windows", "episodes")},
        settings=getattr(pipeline, "settings", None))
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, partial(pair_data, copies, params))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    health = dict(out.get("health") or {})
    health["lag"] = [{"topic": t, "partition": p, "lag": n} for (t, p), n in (health.get("lag") or {}).items()]
    out["health"] = health
    return out


def register(app: Any, pipeline: Any = None, *, path: str = "/status") -> None:
    """Add ``path`` (HTML), ``path + ".json"`` and the pair page (pairpage.PATH) to the Faust
    ``app``'s web server."""
    rates = RateTracker()
    settings = getattr(pipeline, "settings", None)
    port = getattr(settings, "web_port", None)
    worker = f"{socket.gethostname()}:{port}" if port else f"{socket.gethostname()} pid {os.getpid()}"

    if pipeline is not None:   # lag, table sizes and top pairs for /metrics, on a timer
        from streams.web import refresh
        refresh.register(app, pipeline)

    @app.page(path)
    async def status_page(web, request):
        return web.html(render_status(await _status_data_off_loop(pipeline, rates, worker)))

    @app.page(path + ".json")
    async def status_json(web, request):
        return web.json(_jsonable(await _status_data_off_loop(pipeline, rates, worker)))

    @app.page(pairpage.PATH)
    async def pair_page(web, request):
        try:
            params = pairpage.parse_params(request.query)
        except pairpage.BadRequest as exc:
            data = await _pair_data_off_loop(pipeline, {"pair": None})
            return web.html(pairpage.render_pair(data, error=str(exc)), status=400)
        data = await _pair_data_off_loop(pipeline, params)
        if params.get("pair"):
            data["owner"] = pair_owner(app, pipeline, params["pair"])
        return web.html(pairpage.render_pair(data))


__all__ = ["register", "render_status", "remember_alert", "status_data"]
