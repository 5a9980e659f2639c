"""Plain aiokafka helpers for the broker's own live tests (helpers, no tests): a topic's leaders and
ISRs, an acks=all produce, a group consume."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def isr(bootstrap: str, topic: str) -> dict[int, tuple[int, list[int]]]:
    """partition -> (leader, isr) from a metadata request."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (desc,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return {p["partition"]: (p["leader"], sorted(p["isr"])) for p in desc["partitions"]}


async def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    # acks=all with min.insync.replicas=2: each write is on at least two nodes when acknowledged
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                request_timeout_ms=20000)
    await producer.start()
    try:
        for i, value in enumerate(values):
            await producer.send(topic, value, key=str(i % 7).encode())
        await producer.flush()
    finally:
        await producer.stop()


async def consume(bootstrap: str, topic: str, group: str, n: int, timeout: float = 30) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    got: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            while len(got) < n:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    got.extend(r.value for r in records)
        await consumer.commit()
    finally:
        await consumer.stop()
    return got
