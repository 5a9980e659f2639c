"""Start-up failures a user meets, against the live broker: each ends in one clear line and a
non-zero exit, never in silence.

- the demo's own worker dies: the demo says so with the worker's last error line and exits 1;
- a follower (``alerts``) subscribing before the pipeline exists does not create the topic (topic
  auto-creation is off on the project's broker), so it cannot create it with the wrong shape;
- a topic that exists with another partition count stops the worker with how to fix it;
- Ctrl-C in ``replay`` ends with its summary and how to resume, not a CancelledError.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from streams.devkafka import create_topic, free_ports, run_coro_sync

from tests.paths import ROOT as PROJECT
BURST = PROJECT / "tests" / "fixtures" / "burst_stream.jsonl"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOWATCH_") and k != "KAFKA_BOOTSTRAP"}
    env.update(extra)
    return env


class Lines:
    """Collects a stream's lines in a thread, so a test can wait for one without blocking."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._t = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._t.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            time.sleep(0.2)
        raise AssertionError(f"no line with {text!r} in {timeout} s:\n" + "\n".join(self.lines[-30:]))

    def text(self) -> str:
        self._t.join(timeout=10)
        return "\n".join(self.lines)


def _listening(port: int) -> set[str]:
    """IPv4 addresses with a socket listening on ``port`` (/proc/net/tcp, state 0A)."""
    out = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        addr, p = local.split(":")
        if state == "0A" and int(p, 16) == port:
            out.add(".".join(str(int(addr[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return out


def _children(pid: int) -> list[tuple[int, bytes]]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmd = (d / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                out.append((int(d.name), cmd))
    return out


def test_demo_exits_non_zero_with_the_last_error_when_its_worker_dies(kafka_bootstrap):
    port = free_ports(1)[0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "demo", "--rate", "5/s", "--web-port", str(port),
         "--articles", str(BURST)],
        cwd=PROJECT, env=_env(KAFKA_BOOTSTRAP=kafka_bootstrap), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    err = Lines(proc.stderr)
    try:
        err.wait_for("worker ready", 180)
        # it listens on DIPLOWATCH_WEB_HOST's default, loopback, not on every interface
        assert _listening(port) == {"127.0.0.1"}
        [worker] = [pid for pid, cmd in _children(proc.pid) if b"worker" in cmd]
        os.kill(worker, signal.SIGKILL)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = err.text()
    assert code == 1, text
    assert "Traceback" not in text
    assert "demo: the worker exited with code -9" in text
    assert "demo: the worker's last error:" in text
    assert "contacts and alerts follow" not in text.split("worker exited")[-1]


async def _topics(bootstrap: str) -> set[str]:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_a_follower_first_does_not_create_the_topic(kafka_bootstrap, new_topic_name):
    topic = new_topic_name("alerts")
    proc = subprocess.run(
        [sys.executable, "-m", "streams", "alerts", "--topic", topic, "--idle-timeout", "3"],
        cwd=PROJECT, env=_env(KAFKA_BOOTSTRAP=kafka_bootstrap), capture_output=True, text=True,
        timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert topic not in run_coro_sync(lambda: _topics(kafka_bootstrap), timeout=30)


def test_a_topic_with_another_partition_count_stops_the_worker_with_the_fix(kafka_bootstrap, new_topic_name):
    app_id = new_topic_name("app")
    contacts = f"{app_id}-contacts"
    create_topic(kafka_bootstrap, contacts, partitions=1)   # as a follower on an auto-creating broker would
    proc = subprocess.run(
        [sys.executable, "-m", "streams", "worker", "--web-port", str(free_ports(1)[0])],
        cwd=PROJECT, env=_env(KAFKA_BOOTSTRAP=kafka_bootstrap, DIPLOWATCH_APP_ID=app_id,
                              DIPLOWATCH_TOPIC_CONTACTS=contacts, DIPLOWATCH_PARTITIONS="4"),
        capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"topic '{contacts}' has 1 partition(s) where the pipeline needs 4" in lines[0]
    assert "kafka-topics.sh --delete" in lines[0]
    assert "DIPLOWATCH_PARTITIONS=1" not in lines[0]   # never: that would change the layout


@pytest.mark.slow
def test_ctrl_c_in_replay_ends_with_its_summary_and_how_to_resume(kafka_bootstrap, new_topic):
    topic = new_topic("replay")
    total = sum(1 for line in BURST.read_text().splitlines() if line.strip())
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "replay", str(BURST), "--topic", topic, "--rate", "8/s",
         "--quiet"],
        cwd=PROJECT, env=_env(KAFKA_BOOTSTRAP=kafka_bootstrap), stderr=subprocess.PIPE, text=True)
    time.sleep(4)   # start-up, then a few seconds of sending (64 lines take 8 s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "CancelledError" not in err
    summary = next(ln for ln in err.splitlines() if ln.startswith("replay: interrupted: sent "))
    sent = int(summary.split("sent ")[1].split()[0])
    assert 0 < sent < total and f"of {total} messages" in summary
    assert f"--skip {sent}" in err.splitlines()[-1]
