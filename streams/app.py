"""The Faust app: topics and tables of the pipeline; the stages under streams/pipeline/ register
their agents on it.

    articles ──validate──▶ {app}-dedupe (1 partition) ──dedupe──▶ {app}-extract (N, key article id)
                                      │                                │
                                      ▼                             extract
                             articles.dead-letter          contacts (N, key pair) + {app}-sources (N, key pair)
                                                                       │
                                                                 aggregate+alert ──▶ alerts (key pair)

Validate keeps no state: a message it rejects goes on to dedupe as a small "rejected" marker with
its dead-letter record, so that dedupe counts every input message (in, duplicates, dead letters)
and skips redeliveries by the marks in the delta records it writes anyway (streams.pipeline.dedupe).

Why one partition for dedupe: "the first seen copy" needs one order over all articles. With the
dedupe topic having a single partition, exactly one worker at a time owns the fingerprint table and
sees every validated article in one sequence, also when several workers share the rest of the work;
the table's changelog gives the order a memory that survives restarts and fail-over. Dedupe is cheap
(fingerprints and a few dozen hash lookups per article), the expensive extraction fans out again
over N partitions keyed by article id. Copies travel as small markers keyed by the id of the first copy, so
they land on the partition that extracted it and can add their outlet to its contacts.

All topics carry raw bytes (``value_serializer="raw"``); streams.pipeline.serde parses them, so a bad
payload becomes a dead letter instead of a codec error in Faust. Tables hold plain JSON values.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faust

from streams.faust_ext import producer as faust_producer
from streams.faust_ext.monitor import LeanMonitor
from streams.faust_ext.transport import App
from streams.pipeline.serde import MAX_RECORD_BYTES, dumps, oversized_output_dead_letter
from streams.pipeline.topics import topic_specs
from streams.settings import Settings

log = logging.getLogger(__name__)

@dataclass
class Pipeline:
    """The app plus handles on its topics and tables (what the stage modules need)."""
    app: faust.App
    settings: Settings
    topics: dict[str, Any] = field(default_factory=dict)   # stage-level name → faust Topic
    tables: dict[str, Any] = field(default_factory=dict)   # name → faust Table
    readers: dict[str, Any] = field(default_factory=dict)  # name → callable reading stage state
    agent_batch: int = 1   # most events an agent handles as one batch (streams.pipeline.batching)
    _topic_names: dict[str, str] | None = None
    failed: BaseException | None = None   # a delivery failed: the worker is stopping (fail_worker)

    async def send(self, outs, changelog=()) -> dict[tuple[str, int], int]:
        """Deliver the messages a stage decided on (``serde.Out`` records), then the changelog
        records of its table writes (``tables.ChangelogWriter.take()``: topic, key and value
        bytes, partition) — and return only when the broker has acknowledged all of them.

        The order is what makes a crash safe (docs/pipeline.md, "State and delivery"): the
        changelog records, which record the messages as handled (redelivery marks, counts,
        fingerprints), are handed to the producer only after every output record is acknowledged,
        and the caller acks its events (so Faust may commit their offsets) only after this returns.
        A crash at any point leaves either no trace of the decision (the input is redelivered and
        decided again) or its outputs on the broker and possibly its state (the input is redelivered
        and the repeated outputs are recognised downstream). Nothing can be recorded as handled
        while its output is lost, whatever the producer's batching across partitions.

        Straight to Faust's producer (streams.faust_ext.producer) rather than through
        ``Topic.send`` or a table's ``__setitem__``: the values are bytes already, and Faust's path
        adds per record a FutureMessage, codec lookups, sensor calls, a completion callback and
        (for table writes) a hop through its producer buffer's queue and background task.

        Every record is bounded (``serde.MAX_RECORD_BYTES``, under the producer's and the broker's
        limits): the stages bound what they write (validation bounds the article's fields, delta
        records are cut into parts); an output that is still too large is replaced by a dead
        letter saying so, never handed to the producer, whose refusal would leave the event
        unacknowledged. A send the producer fails (after its own retries, e.g. the broker gone for
        longer than ``producer_request_timeout``) raises ``DeliveryError``: the agent does not ack,
        and the worker stops (``fail_worker``) so that a restart redelivers from what was
        persisted.

        Returns the highest acknowledged offset of the changelog records per (topic, partition):
        a disk store saves their writes with it (tables.ChangelogWriter.persisted)."""
        if outs:
            await self._deliver([self._out_record(o) for o in outs])
        if changelog:
            return await self._deliver(list(changelog))
        return {}

    async def deliver_or_stop(self, outs, changelog=()) -> dict[tuple[str, int], int]:
        """``send`` for an agent: on a DeliveryError the worker stops (``fail_worker``) and this
        never returns, so the agent acks nothing more (the events in hand are redelivered)."""
        try:
            return await self.send(outs, changelog)
        except DeliveryError as exc:
            fail_worker(self, exc)
            await asyncio.Event().wait()   # until the stop cancels the agent

    def _out_record(self, out) -> tuple[str, bytes | None, bytes, int | None, list | None]:
        names = self.topic_names
        # bytes as they are (the contacts topic's heartbeat: an empty value)
        value = out.value if isinstance(out.value, bytes) else dumps(out.value)
        key = out.key.encode("utf-8") if out.key is not None else None
        if len(value) + len(key or b"") > MAX_RECORD_BYTES:
            value = dumps(oversized_output_dead_letter(out.topic, names.get(out.topic, out.topic),
                                                       key, value))
            log.error("an output of %d bytes for %s replaced by a dead letter", len(value),
                      out.topic)
            return names["dead_letter"], key, value, None, None
        return (names[out.topic], key, value, out.partition,
                list(out.headers) if out.headers else None)

    async def _deliver(self, records) -> dict[tuple[str, int], int]:
        producer = self.app.producer
        send = faust_producer.send
        futs = []
        for topic, key, value, partition, *headers in records:
            futs.append(await send(producer, topic, key, value, partition,
                                   headers[0] if headers else None))
        if not futs:
            return {}
        _, pending = await asyncio.wait(futs, timeout=DELIVERY_TIMEOUT_SECONDS)
        if pending:
            raise DeliveryError(f"{len(pending)} of {len(futs)} records not acknowledged within "
                                f"{DELIVERY_TIMEOUT_SECONDS:.0f} s")
        for fut, rec in zip(futs, records):
            exc = fut.exception()
            if exc is not None:
                log.error("send to %s failed: %r", rec[0], exc)
                raise DeliveryError(f"send to {rec[0]} failed: {exc!r}") from exc
        offsets: dict[tuple[str, int], int] = {}
        for fut in futs:
            md = fut.result()
            tp = (md.topic, md.partition)
            if md.offset > offsets.get(tp, -1):
                offsets[tp] = md.offset
        return offsets

    @property
    def topic_names(self) -> dict[str, str]:
        if self._topic_names is None:
            self._topic_names = {k: t.get_topic_name() for k, t in self.topics.items()}
        return self._topic_names


# the longest an agent waits for the broker to acknowledge a batch's records before it gives up
# and stops the worker (fail_worker): far above a leader election in a 3-broker cluster (seconds),
# and a bound on a producer that stops acknowledging (without it nothing is committed any more and
# the worker stays alive and stuck)
DELIVERY_TIMEOUT_SECONDS = 120.0


class DeliveryError(RuntimeError):
    """The producer failed a record after its own retries: what was decided is not on the broker."""


def fail_worker(p: "Pipeline", exc: BaseException) -> None:
    """Stop this worker after a failed delivery. The agent that saw it has not acked its events
    and handles no more: its in-memory state is ahead of what reached the broker, so it must not
    go on. The stop is Faust's ordinary one (SIGTERM to this process: offsets of acknowledged
    events committed, the group left), and ``python -m streams worker`` exits with status 3; the
    next start rebuilds the tables from the changelogs and redelivers the unacknowledged events."""
    if p.failed is None:
        p.failed = exc
        log.critical("stopping the worker: %r (a restart continues from what reached the broker)",
                     exc)
        os.kill(os.getpid(), signal.SIGTERM)


def store_options(s: Settings) -> dict[str, Any] | None:
    """Options of each table's store (a fresh dict per table: Faust's store takes keys out of it).
    Faust's RocksDB defaults give every table partition's database its own 2 GB block cache and
    three 64 MB write buffers; DIPLOWATCH_STORE_CACHE_MB and two 4 MB buffers bound it instead."""
    if not s.store.startswith("rocksdb"):
        return None
    return {"driver": "rocksdict", "block_cache_size": s.store_cache_mb << 20,
            "write_buffer_size": 4 << 20, "max_write_buffer_number": 2}


def web_url(s: Settings) -> str:
    """The URL other workers reach this one's web server at (Faust's canonical URL, which its
    assignor hands to every member with the partitions each holds: streams/api forwards a pair's
    request there). A wildcard listen address names no host, so the address of this machine's
    host name stands in for it (a container's address on its network)."""
    if s.web_url:
        return s.web_url.rstrip("/")
    host = s.web_host
    if host in ("0.0.0.0", "::", ""):
        import socket
        try:
            host = socket.gethostbyname(socket.gethostname())
        except OSError:
            host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"   # an IPv6 literal in a URL
    return f"http://{host}:{s.web_port}"


def create_app(settings: Settings | None = None) -> Pipeline:
    """Build the Faust app for ``settings`` (default: from the environment) with all stages."""
    s = settings or Settings.from_env()
    Path(s.data_dir).mkdir(parents=True, exist_ok=True)   # Faust creates only the last level
    from streams.pipeline.membership import instance_id
    from streams.security import faust_credentials
    member = instance_id(s.instance_id, s.data_dir, s.app_id)
    datadir = Path(s.data_dir) / f"{s.app_id}-data" / (member or "")
    datadir.mkdir(parents=True, exist_ok=True)
    app = App(
        s.app_id,
        # the consumer's fetch long-poll (streams.faust_ext.transport)
        fetch_max_wait_ms=s.fetch_max_wait_ms,
        broker=[f"kafka://{h.strip()}" for h in s.kafka_bootstrap.split(",") if h.strip()],
        store=s.store,
        # not Faust's default ./<id>-data: a worker run from the project must not litter its root.
        # One directory per static instance id: two workers on one host never share a disk
        # store's files (RocksDB locks them), and a restarted worker finds its own again
        datadir=str(datadir),
        autodiscover=False,
        topic_partitions=s.partitions,
        topic_replication_factor=s.replication,
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        web_enabled=s.web_enabled,
        # web_bind is the address the server listens on; web_host only names it in URLs
        web_bind=s.web_host,
        web_host=s.web_host,
        web_port=s.web_port,
        canonical_url=web_url(s),
        # Faust's table and router views serve table contents to anyone who reaches the port
        web_router_enabled=s.web_table_views,
        web_tables_enabled=s.web_table_views,
        # SASL / TLS from the DIPLOWATCH_KAFKA_* settings (streams.security)
        broker_credentials=faust_credentials(s),
        # static group membership: a restarted worker takes its old place at once
        # (streams.pipeline.membership)
        consumer_group_instance_id=member,
        broker_session_timeout=s.session_timeout_seconds,
        # memory store: nothing persisted locally, every start reads the changelogs from the start
        table_standby_replicas=0,
        # Faust's default linger of 0 sends every record (and every table changelog write, dozens
        # per article with the dedupe fingerprints) as its own produce request; batching them for a
        # few milliseconds is what lets a worker keep up (bench_pipeline.py measures it)
        producer_linger=0.005,
        producer_max_batch_size=256 * 1024,
        Monitor=LeanMonitor,
    )
    # batches of events are safe when table writes name their partition (the memory and RocksDB
    # stores' direct paths, streams.pipeline.tables); Faust's own path takes the current event's
    direct = s.store.startswith(("memory", "rocksdb"))
    p = Pipeline(app=app, settings=s, agent_batch=max(1, s.agent_batch) if direct else 1)
    # with a store other than memory:// or rocksdb:// table writes wait in Faust's producer buffer
    # (those two stores' go through ChangelogWriter); past 100 messages every stream pauses and flushes them
    # one by one (with a 0.1 s wait per message): allow a larger backlog of writes
    faust_producer.set_buffer_limit(app.producer, 2000)
    specs = topic_specs(s)
    internal = {"dedupe", "extract", "sources"}
    for name, (topic, partitions, retention) in specs.items():
        p.topics[name] = app.topic(
            topic, partitions=partitions, retention=retention, internal=name in internal,
            key_serializer="raw", value_serializer="raw", replicas=s.replication,
        )

    def table(name: str, partitions: int, help_: str):
        # key and value codec: json (Faust's default for tables without a model type)
        t = app.Table(name, default=None, partitions=partitions, help=help_,
                      options=store_options(s))
        p.tables[name] = t
        return t

    table("fingerprints", s.dedupe_partitions, "dedupe fingerprints: id, url, text hash, LSH bands")
    table("extracted", s.partitions, "article id -> its contacts and sources (for copies)")
    table("windows", s.partitions, "(pair, topic, window) -> distinct contacts")
    table("episodes", s.partitions, "(pair, topic) -> current spike episode")

    from streams.pipeline import aggregate, dedupe, extract, routes, validate
    validate.register(p)
    dedupe.register(p)
    extract.register(p)
    aggregate.register(p)
    routes.register(p)
    return p
