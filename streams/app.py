"""The Faust app: topics and tables of the pipeline; the stages under streams/pipeline/ register
their agents on it.

    articles ──validate──▶ {app}-dedupe (1 partition) ──dedupe──▶ {app}-extract (N, key article id)
        │                                                              │
        ▼                                                           extract
    articles.dead-letter                          contacts (N, key pair) + {app}-sources (N, key pair)
                                                                       │
                                                                 aggregate+alert ──▶ alerts (key pair)

Why one partition for dedupe: "the first seen copy" needs one order over all articles. With the
dedupe topic having a single partition, exactly one worker at a time owns the fingerprint table and
sees every validated article in one sequence, also when several workers share the rest of the work;
the table's changelog gives the order a memory that survives restarts and fail-over. Dedupe is cheap
(hash lookups, ~0.5 ms MinHash per article), the expensive extraction fans out again over N
partitions keyed by article id. Copies travel as small markers keyed by the id of the first copy, so
they land on the partition that extracted it and can add their outlet to its contacts.

All topics carry raw bytes (``value_serializer="raw"``); streams.pipeline.serde parses them, so a bad
payload becomes a dead letter instead of a codec error in Faust. Tables hold plain JSON values.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faust

from streams.pipeline.serde import dumps
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

    async def send(self, outs) -> None:
        """Send the messages a stage decided on (``serde.Out`` records)."""
        for out in outs:
            await self.topics[out.topic].send(
                key=out.key.encode("utf-8") if out.key is not None else None,
                value=dumps(out.value),
                partition=out.partition,
            )


def create_app(settings: Settings | None = None) -> Pipeline:
    """Build the Faust app for ``settings`` (default: from the environment) with all stages."""
    s = settings or Settings.from_env()
    Path(s.data_dir).mkdir(parents=True, exist_ok=True)   # Faust creates only the last level
    app = faust.App(
        s.app_id,
        broker=[f"kafka://{h.strip()}" for h in s.kafka_bootstrap.split(",") if h.strip()],
        store=s.store,
        # not Faust's default ./<id>-data: a worker run from the project must not litter its root
        datadir=str(Path(s.data_dir) / f"{s.app_id}-data"),
        autodiscover=False,
        topic_partitions=s.partitions,
        topic_replication_factor=s.replication,
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        web_enabled=s.web_enabled,
        web_host=s.web_host,
        web_port=s.web_port,
        # memory store: nothing persisted locally, every start reads the changelogs from the start
        table_standby_replicas=0,
        # Faust's default linger of 0 sends every record (and every table changelog write: ~40 per
        # article with the dedupe fingerprints) as its own produce request; batching them for a few
        # milliseconds is what makes a worker sustain hundreds of articles/s (bench/README.md)
        producer_linger=0.005,
        producer_max_batch_size=256 * 1024,
    )
    p = Pipeline(app=app, settings=s)
    # table writes wait in Faust's producer buffer; past 100 messages every stream pauses and
    # flushes them one by one (with a 0.1 s wait per message): allow a larger backlog of writes
    app.producer.buffer.max_messages = 2000
    specs = topic_specs(s)
    internal = {"dedupe", "extract", "sources"}
    for name, (topic, partitions, retention) in specs.items():
        p.topics[name] = app.topic(
            topic, partitions=partitions, retention=retention, internal=name in internal,
            key_serializer="raw", value_serializer="raw", replicas=s.replication,
        )

    def table(name: str, partitions: int, help_: str):
        # key and value codec: json (Faust's default for tables without a model type)
        t = app.Table(name, default=None, partitions=partitions, help=help_)
        p.tables[name] = t
        return t

    table("accounting", s.partitions, "validate/extract counts and redelivery marks per partition")
    table("fingerprints", s.dedupe_partitions, "dedupe fingerprints: id, url, text hash, LSH bands")
    table("extracted", s.partitions, "article id -> its contacts and sources (for copies)")
    table("windows", s.partitions, "(pair, topic, window) -> distinct contacts")
    table("episodes", s.partitions, "(pair, topic) -> current spike episode")

    from streams.pipeline import aggregate, dedupe, extract, validate, web
    validate.register(p)
    dedupe.register(p)
    extract.register(p)
    aggregate.register(p)
    web.register(p)
    return p
