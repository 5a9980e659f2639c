"""The session broker works: aiokafka produce/consume round trip, consumer groups, topic creation."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from .kafka_io import consume as _consume, isr as _isr, produce as _produce


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


async def test_topics_are_not_auto_created(kafka_bootstrap, new_topic_name):
    # The broker never creates a topic a client names: the project creates every topic with its
    # configured partitions (streams.pipeline.topics), so a first client cannot give it another shape.
    from aiokafka.errors import KafkaTimeoutError, UnknownTopicOrPartitionError

    topic = new_topic_name("auto")
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, request_timeout_ms=3000)
    await producer.start()
    try:
        with pytest.raises((UnknownTopicOrPartitionError, KafkaTimeoutError)):
            await producer.send_and_wait(topic, b"hello")
    finally:
        await producer.stop()


# ---------------------------------------------------------------------------------------------
# 3-node cluster: its own LocalKafka (a different topology from the session broker).

@pytest.mark.slow
@pytest.mark.timeout(240)  # generous: three broker starts, a kill and a restart, on shared CI boxes
async def test_three_node_cluster_survives_a_dead_broker(new_topic_name):
    from streams.devkafka import LocalKafka, acreate_topic

    with LocalKafka(brokers=3) as kafka:
        boot = kafka.bootstrap
        topic, group = new_topic_name("cluster"), new_topic_name("cluster-g")
        await acreate_topic(boot, topic, partitions=3, replication_factor=3)
        assert all(isr == [1, 2, 3] for _, isr in (await _isr(boot, topic)).values())

        batch1 = [f"before {i}".encode() for i in range(30)]
        await _produce(boot, topic, batch1)
        assert sorted(await _consume(boot, topic, group, 30)) == sorted(batch1)

        # kill the leader of partition 0: a leader election must happen, not just an ISR shrink
        victim = (await _isr(boot, topic))[0][0] - 1
        kafka.kill_broker(victim)
        assert not kafka.is_running(victim)
        batch2 = [f"degraded {i}".encode() for i in range(30)]
        await _produce(boot, topic, batch2)
        # the group resumes from its committed offsets on the two surviving nodes
        assert sorted(await _consume(boot, topic, group, 30)) == sorted(batch2)
        after_kill = await _isr(boot, topic)
        assert all(leader != victim + 1 and victim + 1 not in isr for leader, isr in after_kill.values())

        kafka.start_broker(victim)
        async with asyncio.timeout(40):  # the restarted node catches up and rejoins every ISR
            while not all(isr == [1, 2, 3] for _, isr in (await _isr(boot, topic)).values()):
                await asyncio.sleep(0.5)
        # the restarted node alone serves as bootstrap again
        only_restarted = boot.split(",")[victim]
        batch3 = [f"after {i}".encode() for i in range(10)]
        await _produce(only_restarted, topic, batch3)
        assert sorted(await _consume(only_restarted, topic, group, 10)) == sorted(batch3)
        pids = [kafka._nodes[i].proc.pid for i in range(3)]
    # a clean stop leaves no JVM behind
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)


def test_failed_start_names_the_broker_log_and_leaves_no_jvm():
    from streams.devkafka import KafkaStartError, LocalKafka

    with socket.socket() as taken:  # bound, not listening: the broker cannot bind it either
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        kafka = LocalKafka(broker_ports=[port], start_timeout=60)
        try:
            with pytest.raises(KafkaStartError) as err:
                kafka.start()
            message = str(err.value)
            assert str(kafka.broker_log(0)) in message
            assert "Address already in use" in message  # the log's last lines are quoted
            assert not kafka.is_running(0)
            assert kafka.broker_log(0).exists()  # kept for reading after a failed start
        finally:
            kafka.stop()
            if kafka.workdir:
                shutil.rmtree(kafka.workdir, ignore_errors=True)


@pytest.mark.slow
def test_cli_prints_bootstrap_and_stops_cleanly_on_sigterm():
    from tests.paths import ROOT as root
    proc = subprocess.Popen([sys.executable, "-m", "streams", "kafka"], cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline().strip()  # blocks until ready; pytest-timeout bounds it
        host, _, port = line.partition(":")
        assert host == "127.0.0.1" and port.isdigit(), (line, proc.stderr.read() if proc.poll() is not None else "")
        with socket.create_connection((host, int(port)), timeout=5):
            pass
        jvms = _children_jvms(proc.pid)
        assert jvms, "no JVM child found"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
        assert "kafka: stopped" in proc.stderr.read()
        deadline = time.monotonic() + 5
        while any(Path(f"/proc/{pid}").exists() for pid in jvms) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(Path(f"/proc/{pid}").exists() for pid in jvms)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _children_jvms(ppid: int) -> list[int]:
    """pids of java processes whose parent is ppid (from /proc, no psutil needed)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            comm = stat.read_text().split("(", 1)[1].rsplit(")", 1)[0]
        except (OSError, IndexError):
            continue
        if int(fields[1]) == ppid and comm == "java":
            out.append(int(stat.parent.name))
    return out
