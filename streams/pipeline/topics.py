"""Create the pipeline's topics with their configured partitions and retention before anything runs.

A topic auto-created on first use gets the broker's default partition count, and a Faust table
refuses to run when its source topic's partition count differs from its changelog's. So the
project's brokers (the local one, docker-compose.yml) run with auto-creation off, and the worker,
``replay`` and the demo create every topic up front with its configured layout before anything
subscribes. A topic that already exists with another partition count is an error saying how to get
rid of it; it never suggests changing the pipeline's own layout to match.
"""
from __future__ import annotations

import asyncio
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.settings import Settings

log = logging.getLogger(__name__)


def topic_specs(s: Settings) -> dict[str, tuple[str, int, float]]:
    """stage-level name → (Kafka topic, partitions, retention seconds)."""
    day = 86400.0
    r_in, r_out = s.retention_days * day, s.output_retention_days * day
    return {
        "articles": (s.topic_articles, s.partitions, r_in),
        "dead_letter": (s.topic_dead_letter, s.dead_letter_partitions, r_out),
        "dedupe": (s.topic_dedupe, s.dedupe_partitions, r_in),
        "extract": (s.topic_extract, s.partitions, r_in),
        "contacts": (s.topic_contacts, s.partitions, r_out),
        "sources": (s.topic_sources, s.partitions, r_out),
        "alerts": (s.topic_alerts, s.partitions, r_out),
    }


class TopicMismatch(RuntimeError):
    pass


async def ensure_topics(s: Settings, names: list[str] | None = None, timeout: float = 30.0,
                        check: bool = True) -> None:
    """Create the topics (all, or the stage-level ``names``) that do not exist yet; check the
    partition count of those that do (unless ``check`` is off: a topic of the user's own)."""
    specs = topic_specs(s)
    wanted = {k: v for k, v in specs.items() if names is None or k in names}
    from streams.security import client_options, start_client
    admin = AIOKafkaAdminClient(bootstrap_servers=s.kafka_bootstrap,
                                request_timeout_ms=int(timeout * 1000), **client_options(s))
    await start_client(admin, s)
    try:
        existing = set(await admin.list_topics())
        new = [NewTopic(topic, partitions, s.replication,
                        topic_configs={"retention.ms": str(int(retention * 1000))})
               for topic, partitions, retention in wanted.values() if topic not in existing]
        if new:
            try:
                await admin.create_topics(new, timeout_ms=int(timeout * 1000))
            except TopicAlreadyExistsError:
                pass   # a second worker created it meanwhile
            log.info("created topics %s", ", ".join(t.name for t in new))
        present = [topic for topic, _, _ in wanted.values() if topic in existing] if check else []
        if present:
            described = await admin.describe_topics(present)
            by_name = {d["topic"]: len(d["partitions"]) for d in described}
            for name, (topic, partitions, _) in wanted.items():
                have = by_name.get(topic)
                if have is not None and have != partitions:
                    raise TopicMismatch(
                        f"topic {topic!r} has {have} partition(s) where the pipeline needs "
                        f"{partitions}: it was made by something other than diplowatch (a client "
                        f"on a broker with topic auto-creation on?). Delete it if it holds nothing "
                        f"you need (kafka-topics.sh --delete --topic {topic}), or give the pipeline "
                        f"other topic names (DIPLOWATCH_APP_ID, DIPLOWATCH_TOPIC_*)")
    finally:
        await admin.close()


def ensure_topics_sync(s: Settings, names: list[str] | None = None, timeout: float = 30.0) -> None:
    asyncio.run(ensure_topics(s, names, timeout))
