"""`python -m streams kafka --brokers 3` as a fault drill: one node SIGKILLed from outside (as a crash
would), the command goes on serving with the other two (RF 3, min ISR 2: acks=all writes and a
consumer group keep working), `start N` on its stdin brings the node back on its ports and data,
SIGTERM stops the rest cleanly."""
from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from streams.devkafka import acreate_topic, broker_ids

from tests.paths import ROOT

from .kafka_io import consume as _consume, isr as _isr, produce as _produce


class Cli:
    def __init__(self, workdir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streams", "kafka", "--brokers", "3", "--workdir", str(workdir)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def expect(self, fragment: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, f"kafka command exited {self.proc.returncode}: {self.seen[-20:]}"
                continue
            self.seen.append(line)
            if fragment in line:
                return line
        raise AssertionError(f"no {fragment!r} on stderr after {timeout:.0f} s: {self.seen[-20:]}")

    def send(self, command: str) -> None:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_cluster_command_keeps_serving_when_a_node_dies_and_restarts_it(tmp_path, new_topic_name):
    cli = Cli(tmp_path / "cluster")
    try:
        boot = cli.proc.stdout.readline().strip()   # first line once all three are ready
        assert boot.count(",") == 2, (boot, cli.seen)
        topic, group = new_topic_name("drill"), new_topic_name("drill-g")

        async def before():
            await acreate_topic(boot, topic, partitions=3, replication_factor=3)
            await _produce(boot, topic, [f"before {i}".encode() for i in range(20)])
            return await _consume(boot, topic, group, 20)
        assert len(asyncio.run(before())) == 20

        # SIGKILL node 2's JVM from outside the command, as a crash or `kill -9` in a drill would
        pid = int((tmp_path / "cluster" / "node-2" / "kafka.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        cli.expect("node 2 exited")
        time.sleep(1.0)
        assert cli.proc.poll() is None, "the command stopped with the node"
        survivors = ",".join(b for i, b in enumerate(boot.split(",")) if i != 1)

        deadline = time.monotonic() + 30   # the controllers fence the dead node (~4 s session)
        while broker_ids(survivors) != {1, 3}:
            assert time.monotonic() < deadline, "node 2 never left the metadata"
            time.sleep(0.5)

        async def degraded():
            await _produce(survivors, topic, [f"degraded {i}".encode() for i in range(20)])   # acks=all
            got = await _consume(survivors, topic, group, 20)
            isr = await _isr(survivors, topic)
            return got, isr
        got, isr = asyncio.run(degraded())
        assert sorted(got) == sorted(f"degraded {i}".encode() for i in range(20))
        assert all(2 not in members and leader != 2 for leader, members in isr.values())

        cli.send("start 2")
        cli.expect("node 2 running again", timeout=120)
        assert broker_ids(boot) == {1, 2, 3}

        async def healed():
            async with asyncio.timeout(60):   # the restarted node catches up and rejoins every ISR
                while not all(sorted(m) == [1, 2, 3] for _, m in (await _isr(boot, topic)).values()):
                    await asyncio.sleep(0.5)
            node2 = boot.split(",")[1]
            await _produce(node2, topic, [f"after {i}".encode() for i in range(10)])
            return await _consume(node2, topic, group, 10)
        assert sorted(asyncio.run(healed())) == sorted(f"after {i}".encode() for i in range(10))

        cli.proc.send_signal(signal.SIGTERM)
        assert cli.proc.wait(timeout=60) == 0
    finally:
        if cli.proc.poll() is None:
            os.killpg(cli.proc.pid, signal.SIGKILL)
            cli.proc.wait()

