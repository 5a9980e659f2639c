"""Faust end to end on the live broker: an agent with a Table processes messages, and a fresh
worker with the same app id recovers the table from its changelog topic.

The worker runs as a subprocess (tests/integration/faust_smoke_app.py): a Faust worker owns its
event loop, signal handlers and shutdown, which do not mix with pytest's loop. Every wait is
bounded; on failure the worker's log is in the assertion message.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from tests.paths import ROOT as PROJECT_ROOT
PARTITIONS = 2


class Worker:
    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self._out = open(log, "wb")
        self.proc = subprocess.Popen(
            # --without-web: the `faust worker` command sets web_enabled from this flag (default on),
            # overriding the app's web_enabled=False, and would bind 0.0.0.0:6066.
            [sys.executable, "-m", "tests.integration.faust_smoke_app", "worker", "--without-web", "--loglevel", "info"],
            cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._out.close()
        return self.proc.returncode

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def wait_for_event(path: Path, kind: str, pid: int, worker: Worker, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in events(path):
            if e["event"] == kind and e["pid"] == pid:
                return e
        assert worker.proc.poll() is None, f"worker exited ({worker.proc.returncode}):\n{worker.tail()}"
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {kind!r} event from worker in {timeout}s:\n{worker.tail()}")


async def produce(bootstrap: str, topic: str, keys: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key in keys:
            # Faust's str key/value serializer is "raw": plain UTF-8 bytes
            await producer.send(topic, key=key.encode(), value=f"word {key}".encode())
        await producer.flush()
    finally:
        await producer.stop()


async def read_counts(consumer: AIOKafkaConsumer, n: int, worker: Worker, timeout: float) -> list[tuple[str, int]]:
    got: list[tuple[str, int]] = []
    deadline = time.monotonic() + timeout
    while len(got) < n:
        assert time.monotonic() < deadline, f"got {got}, expected {n} records; worker log:\n{worker.tail()}"
        assert worker.proc.poll() is None, f"worker exited ({worker.proc.returncode}):\n{worker.tail()}"
        for records in (await consumer.getmany(timeout_ms=500)).values():
            got.extend((r.key.decode(), json.loads(r.value)["count"]) for r in records)
    return got


def last_per_key(pairs: list[tuple[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, count in pairs:
        out[key] = count
    return out


@pytest.mark.timeout(180)
async def test_faust_table_survives_worker_restart(kafka_bootstrap, new_topic, new_topic_name, tmp_path):
    app_id = new_topic_name("faust-smoke")
    topic_in = new_topic("words", partitions=PARTITIONS)
    topic_out = new_topic("counts", partitions=1)
    event_file = tmp_path / "events.jsonl"
    env = {"SMOKE_BROKER": kafka_bootstrap, "SMOKE_APP_ID": app_id, "SMOKE_IN": topic_in,
           "SMOKE_OUT": topic_out, "SMOKE_PARTITIONS": str(PARTITIONS), "SMOKE_EVENTS": str(event_file),
           "SMOKE_DATADIR": str(tmp_path / "faust-data")}

    consumer = AIOKafkaConsumer(topic_out, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    first = second = None
    try:
        # 1. first worker: empty table, counts a=3 b=2 c=1
        first = Worker(env, tmp_path / "worker-1.log")
        recovered = await wait_for_event(event_file, "recovered", first.proc.pid, first, timeout=60)
        assert recovered["table"] == {}
        await produce(kafka_bootstrap, topic_in, ["a", "b", "a", "c", "b", "a"])
        got = await read_counts(consumer, 6, first, timeout=30)
        assert last_per_key(got) == {"a": 3, "b": 2, "c": 1}
        assert sorted(c for k, c in got if k == "a") == [1, 2, 3]
        assert first.stop() == 0, first.tail()

        # 2. a fresh worker, same app id: the table comes back from the changelog
        second = Worker(env, tmp_path / "worker-2.log")
        recovered = await wait_for_event(event_file, "recovered", second.proc.pid, second, timeout=60)
        assert recovered["table"] == {"a": 3, "b": 2, "c": 1}
        # and it continues from there: no reprocessing of old input (a would be 7), no lost state (a would be 1)
        await produce(kafka_bootstrap, topic_in, ["a", "d"])
        got = await read_counts(consumer, 2, second, timeout=30)
        assert sorted(got) == [("a", 4), ("d", 1)]
        assert second.stop() == 0, second.tail()
    finally:
        for w in (first, second):
            if w is not None and w.proc.poll() is None:
                w.stop(timeout=5)
        await consumer.stop()
