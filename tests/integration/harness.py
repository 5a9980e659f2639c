"""Helpers (no tests) for the pipeline's live-broker tests: a worker subprocess (``python -m streams worker``)
with its own app id, topic names and web port, plus bounded-wait helpers to feed and read topics.

Every wait polls with a deadline (sleeps of 0.2 s); workers stop with SIGTERM, and SIGKILL only if
they do not exit within the deadline (the test then fails on the dirty stop anyway).
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable

import orjson

from streams.settings import Settings

from tests.paths import FIXTURES, ROOT  # noqa: F401 (re-exported to the tests)

POLL = 0.2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred: Callable[[], Any], timeout: float, what: str, interval: float = POLL) -> Any:
    """Poll ``pred`` until it returns something truthy; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except (OSError, ValueError) as exc:   # e.g. the web server not up yet (URLError is OSError)
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}"
                         + (f" (last error: {last_exc!r})" if last_exc else ""))


def pipeline_settings(bootstrap: str, tag: str, **overrides: Any) -> Settings:
    """Settings with a unique app id and unique topic names (no test sees another's records)."""
    uid = f"{tag}-{uuid.uuid4().hex[:8]}"
    env = {
        "DIPLOWATCH_KAFKA_BOOTSTRAP": bootstrap,
        "DIPLOWATCH_APP_ID": f"dw-{uid}",
        "DIPLOWATCH_TOPIC_ARTICLES": f"articles-{uid}",
        "DIPLOWATCH_TOPIC_DEAD_LETTER": f"dead-letter-{uid}",
        "DIPLOWATCH_TOPIC_CONTACTS": f"contacts-{uid}",
        "DIPLOWATCH_TOPIC_ALERTS": f"alerts-{uid}",
        "DIPLOWATCH_PARTITIONS": "2",
        "DIPLOWATCH_WEB_PORT": str(free_port()),
        # DW_TEST_LOGLEVEL=info keeps Faust's rebalance and recovery steps in the workers' logs
        "DIPLOWATCH_LOGLEVEL": os.environ.get("DW_TEST_LOGLEVEL", "warning"),
    }
    env.update({f"DIPLOWATCH_{k.upper()}": str(v) for k, v in overrides.items()})
    return Settings.from_env(env)


class Worker:
    """One ``python -m streams worker`` subprocess."""

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        self.settings = settings
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    def start(self, timeout: float = 90.0) -> "Worker":
        self.starts += 1
        env = {**os.environ, **self.settings.to_env(), "PYTHONUNBUFFERED": "1"}
        log = open(self.log_dir / f"worker-{self.starts}.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "streams", "worker"], cwd=ROOT, env=env,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for(self._ready, timeout, f"worker ready (log {self.log_dir}/worker-{self.starts}.log)")
        return self

    def _ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"worker exited with {self.proc.returncode}: {self.log_tail()}")
        return bool(self.counts().get("ready"))

    def log_tail(self, n: int = 40) -> str:
        path = self.log_dir / f"worker-{self.starts}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:]) if path.exists() else ""

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=5) as r:
            return r.read()

    def counts(self) -> dict[str, Any]:
        return orjson.loads(self.get("/pipeline/counts/"))

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float:
        """One sample of the worker's /metrics (0 if absent)."""
        want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted((labels or {}).items())) + "}"
                       if labels else "")
        for line in self.get("/metrics").decode().splitlines():
            if line.startswith("#"):
                continue
            key, _, value = line.rpartition(" ")
            if key == want or (labels and key.startswith(name + "{") and _same_labels(key, labels)):
                return float(value)
        return 0.0

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code (SIGKILL after ``timeout``: returns -9)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return -9


def _same_labels(key: str, labels: dict[str, str]) -> bool:
    inside = key[key.index("{") + 1:-1]
    got = dict(part.split("=", 1) for part in inside.split(",") if "=" in part)
    return {k: v.strip('"') for k, v in got.items()} == labels


def send_lines(settings: Settings, lines: list[bytes], tmp: Path) -> dict[str, float]:
    """Send raw lines to the input topic through the replay command's code path."""
    from streams.commands.replay import replay
    path = tmp / f"send-{uuid.uuid4().hex[:6]}.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return asyncio.run(replay(settings, str(path), topic=settings.topic_articles, progress=False))


def read_topic(bootstrap: str, topic: str, *, expect: int | None = None, timeout: float = 30.0,
               settle: float = 1.0, **client: Any) -> list[tuple[bytes | None, bytes]]:
    """All (key, value) records of ``topic`` from the beginning: waits until ``expect`` records
    arrived (or, without ``expect``, until nothing new came for ``settle`` s), bounded by
    ``timeout``. ``client``: aiokafka security arguments (streams.security.client_options).
    Records without a value (the contacts topic's watermark heartbeats, docs/pipeline.md) are
    left out."""
    from aiokafka import AIOKafkaConsumer

    async def run() -> list[tuple[bytes | None, bytes]]:
        # no group: subscribe() then assigns every partition, read from the earliest offset
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest", **client)
        await consumer.start()
        out: list[tuple[bytes | None, bytes]] = []
        try:
            deadline = time.monotonic() + timeout
            quiet_since = time.monotonic()
            while time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=200)
                got = [(r.key, r.value) for recs in batch.values() for r in recs if r.value]
                out.extend(got)
                if got:
                    quiet_since = time.monotonic()
                if expect is not None and len(out) >= expect:
                    # a little longer, to catch records beyond the expected number
                    extra = await consumer.getmany(timeout_ms=int(settle * 1000))
                    out.extend((r.key, r.value) for recs in extra.values() for r in recs if r.value)
                    break
                if expect is None and time.monotonic() - quiet_since > settle:
                    break
        finally:
            await consumer.stop()
        return out

    return asyncio.run(run())


def jsonl(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().splitlines() if line.strip()]
