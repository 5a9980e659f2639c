"""The API's routes on the worker's Faust web server (``register(p)``, called by
streams.pipeline.routes), the forward of a pair's request to the worker holding its partition, and the
background reader of the alerts topic. What they answer is streams.api.query's and
streams.api.alerts'.

Routing: a pair's windows live on one partition of the ``windows`` table (query.partition_of),
held by one worker of the group. Faust's assignor publishes which worker (its canonical URL,
DIPLOWATCH_WEB_URL) holds which changelog partition; a worker that does not hold the pair's asks
that one with the same path and query and sends back its answer unchanged — Faust's own router
(``app.router.route_req``) does the same, but finds the partition by hashing the table key, and
this table's keys carry the partition they were written to instead. A forwarded request carries
``X-Diplowatch-Forwarded``; it is never forwarded again (a 503 says the assignment is moving).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from streams.api import query
from streams.api.alerts import AlertIndex

log = logging.getLogger(__name__)

FORWARDED = "X-Diplowatch-Forwarded"
FORWARD_TIMEOUT_SECONDS = 10.0
BASE = "/api/v1"


def _json(web, body: Any, status: int = 200, headers: dict | None = None):
    """JSON in UTF-8 as it is (Arabic and Persian evidence readable, not \\u escapes)."""
    return web.bytes(orjson.dumps(body), content_type="application/json", status=status,
                     headers=headers)


def _error(web, status: int, message: str, retry: bool = False):
    headers = {"Retry-After": "2"} if retry else None
    return _json(web, {"error": message, "status": status}, status=status, headers=headers)


def _query_items(request) -> list[tuple[str, str]]:
    return list(request.query.items())


class Api:
    """The API of one worker: its document, its alert index, and the reads of its tables."""

    def __init__(self, p) -> None:
        from streams.knowledge.loader import load_topics
        self.p = p
        self.app = p.app
        self.settings = p.settings
        self.topics = sorted({w.topic for w in load_topics()})
        self.doc = query.document(self.topics)
        self.doc_bytes = orjson.dumps(self.doc)
        self.ops = {path: query.Operation(self.doc, path)
                    for path in ("/api/v1/counts", "/api/v1/contacts", "/api/v1/alerts")}
        self.alerts = AlertIndex()

    # -- where a pair lives -------------------------------------------------------------------
    @property
    def me(self) -> str:
        return str(self.app.conf.canonical_url)

    def _changelog(self) -> str:
        return self.p.tables["windows"].changelog_topic.get_topic_name()

    def holds(self, partition: int) -> bool:
        """This worker holds ``partition`` of the windows table, recovered, and is not rebalancing."""
        from faust.types import TP

        from streams.pipeline.routes import is_ready
        if not is_ready(self.app):
            return False
        return TP(self._changelog(), partition) in self.app.assignor.assigned_actives()

    def owner(self, partition: int) -> str | None:
        try:
            metadata = self.app.assignor.table_metadata(self._changelog())
        except Exception:   # noqa: BLE001 - no assignment yet
            return None
        return query.owner_of(metadata, self._changelog(), partition)

    async def pair_request(self, web, request, path: str, answer) -> Any:
        """Parse, then answer from this worker's table or forward to the partition's holder."""
        try:
            params = self.ops[path].parse(_query_items(request))
            pair = query.pair_of(params["pair"])
            query.day_range(params["from"], params["to"],
                            query.MAX_COUNT_DAYS if path.endswith("counts") else query.MAX_CONTACT_DAYS)
        except query.BadRequest as exc:
            return _error(web, 400, str(exc))
        partition = query.partition_of(pair, self.settings.partitions)
        if self.holds(partition):
            body = answer(self._windows(), partition, pair, params)
            body["served_by"] = self.me
            return _json(web, body)
        owner = self.owner(partition)
        if request.headers.get(FORWARDED) or owner is None or owner == self.me:
            return _error(web, 503, f"partition {partition} of the tables (pair {pair}) has no "
                                    f"worker ready to answer now (rebalance or recovery under way)",
                          retry=True)
        return await self.forward(web, request, owner)

    def _windows(self) -> dict:
        """The windows table's memory-store dict (read on the event loop, between agent events)."""
        table = self.p.tables["windows"]
        raw = getattr(getattr(table, "data", None), "data", None)
        return raw if isinstance(raw, dict) else table

    async def forward(self, web, request, owner: str) -> Any:
        url = owner.rstrip("/") + request.path_qs
        try:
            async with self.app.http_client.get(
                    url, headers={FORWARDED: self.me, "Accept": "application/json"},
                    timeout=_timeout(FORWARD_TIMEOUT_SECONDS)) as resp:
                body = await resp.read()
                ctype = (resp.content_type or "application/json").split(";")[0]
                headers = {"Retry-After": resp.headers["Retry-After"]} if "Retry-After" in resp.headers else None
                return web.bytes(body, content_type=ctype, status=resp.status, headers=headers)
        except Exception as exc:   # noqa: BLE001 - refused, timed out, cut off: any failure to reach it
            log.warning("forward to %s failed: %r", url, exc)
            return _error(web, 502, f"the worker holding this pair ({owner}) did not answer: "
                                    f"{type(exc).__name__}", retry=True)

    # -- answers ------------------------------------------------------------------------------
    def counts(self, windows, partition: int, pair: str, params: dict) -> dict:
        return query.counts(windows, partition, pair, params["topic"], params["from"], params["to"],
                            params["granularity"], self.settings.retain_days)

    def contacts(self, windows, partition: int, pair: str, params: dict) -> dict:
        return query.contacts(windows, partition, pair, params["topic"], params["from"], params["to"],
                              params["limit"], self.settings.retain_days)

    def alert_answer(self, web, request) -> Any:
        try:
            params = self.ops["/api/v1/alerts"].parse(_query_items(request))
            pair = query.pair_of(params["pair"]) if params["pair"] else None
            query.day_range(params["from"], params["to"])
        except query.BadRequest as exc:
            return _error(web, 400, str(exc))
        found, truncated = self.alerts.query(pair=pair, topic=params["topic"], start=params["from"],
                                             end=params["to"], evidence=params["evidence"],
                                             limit=params["limit"])
        return _json(web, {
            "from": params["from"], "to": params["to"], "pair": pair, "topic": params["topic"],
            "truncated": truncated, "episodes": found,
            "source": self.alerts.source(self.settings.topic_alerts, self.settings.output_retention_days),
        })

    # -- the alerts topic, read whole -----------------------------------------------------------
    async def read_alerts(self) -> None:
        """Read every partition of the alerts topic from its beginning into the index, and go on
        following it. No consumer group: every worker reads all of it. Restarted after an error."""
        while True:
            try:
                await self._read_alerts_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:   # noqa: BLE001 - the API keeps serving counts meanwhile
                log.warning("reading %s for the API failed (%r); again in 5 s",
                            self.settings.topic_alerts, exc)
                await asyncio.sleep(5.0)

    async def _read_alerts_once(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        from streams.security import client_options, start_client
        s = self.settings
        consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    **client_options(s))
        await start_client(consumer, s)
        try:
            # the worker made the topic with this many partitions before it started (topics.py)
            tps = [TopicPartition(s.topic_alerts, n) for n in range(s.partitions)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            self.alerts = AlertIndex(self.alerts.max_episodes)   # a restart reads everything again
            ends = await consumer.end_offsets(tps)
            while True:
                batch = await consumer.getmany(timeout_ms=1000, max_records=2000)
                for records in batch.values():
                    for r in records:
                        try:
                            self.alerts.add(orjson.loads(r.value))
                        except orjson.JSONDecodeError:
                            continue
                if not self.alerts.caught_up:
                    positions = {tp: await consumer.position(tp) for tp in tps}
                    if all(positions[tp] >= ends[tp] for tp in tps):
                        self.alerts.caught_up = True
        finally:
            await consumer.stop()


def _timeout(seconds: float):
    import aiohttp
    return aiohttp.ClientTimeout(total=seconds)


def register(p) -> Api:
    app = p.app
    api = Api(p)

    def guarded(handler):
        """A handler whose unexpected failure is logged and answered as a JSON 500 (never the
        server's HTML page): the schemathesis test finds any."""
        async def run(web, request):
            try:
                return await handler(web, request)
            except Exception:   # noqa: BLE001
                log.exception("API request %s failed", request.path_qs)
                return _json(web, {"error": "internal error (see the worker's log)", "status": 500},
                             status=500)
        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        return run

    @app.page(f"{BASE}/openapi.json")
    @guarded
    async def api_openapi(web, request):
        return web.bytes(api.doc_bytes, content_type="application/json")

    @app.page(f"{BASE}/topics")
    @guarded
    async def api_topics(web, request):
        return _json(web, {"topics": [query.ALL_TOPICS, *api.topics]})

    @app.page(f"{BASE}/counts")
    @guarded
    async def api_counts(web, request):
        return await api.pair_request(web, request, f"{BASE}/counts", api.counts)

    @app.page(f"{BASE}/contacts")
    @guarded
    async def api_contacts(web, request):
        return await api.pair_request(web, request, f"{BASE}/contacts", api.contacts)

    @app.page(f"{BASE}/alerts")
    @guarded
    async def api_alerts(web, request):
        return api.alert_answer(web, request)

    @app.task
    async def api_alert_reader():
        await api.read_alerts()

    return api
