"""The session broker works: aiokafka produce/consume round trip, consumer groups, topic creation."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


async def test_produce_consume_round_trip(kafka_bootstrap, new_topic):
    topic = new_topic("smoke", partitions=3)
    sent = [(f"k{i % 5}".encode(), f"value {i} \u0645\u0631\u062d\u0628\u0627".encode()) for i in range(50)]

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in sent:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=f"{topic}-g",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    got = []
    try:
        async with asyncio.timeout(30):
            while len(got) < len(sent):
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    got.extend((r.key, r.value) for r in records)
        await consumer.commit()
        committed = {tp: await consumer.committed(tp) for tp in consumer.assignment()}
    finally:
        await consumer.stop()

    assert sorted(got) == sorted(sent)
    # same key -> same partition, in order: per key the values come back in send order
    for key in {k for k, _ in sent}:
        assert [v for k, v in got if k == key] == [v for k, v in sent if k == key]
    assert sum(committed.values()) == len(sent)


async def test_auto_created_topic(kafka_bootstrap, new_topic_name):
    # Faust and the replay tool may write to topics nobody created: the broker creates them.
    topic = new_topic_name("auto")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        meta = await producer.send_and_wait(topic, b"hello")
    finally:
        await producer.stop()
    assert meta.topic == topic and meta.offset == 0
