"""A real diplowatch worker (``python -m streams worker``) on the session's Kafka, fed real articles
(``../shared/corpus/dev.jsonl`` plus three bad lines) with ``python -m streams replay``, scraped
every second by a real Prometheus (``/usr/bin/prometheus``) that also loads the project's alerting
rules. Shared by tests/integration/test_prometheus.py and test_status_page_live.py: the stack is
started once per session (``live_stack`` fixture) and stopped when the last user is done.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.corpus import corpus_lines
from tests.integration.harness import free_port
from tests.paths import ROOT

RULES = ROOT / "deploy" / "prometheus" / "rules" / "diplowatch.rules.yml"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
JOB = "diplowatch-worker"
# lines the validate stage must reject, one per reason code
BAD_LINES = [b"this is not json {", b"[1, 2, 3]", b'{"id": "no-text-field"}']
BAD_REASONS = {"invalid_json": 1, "not_object": 1, "schema": 1}


def http_get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def _stop(proc: subprocess.Popen | None, grace: float = 15.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@dataclass
class LiveStack:
    workdir: Path
    kafka_bootstrap: str
    web_port: int = field(default_factory=free_port)
    prom_port: int = field(default_factory=free_port)
    app_id: str = field(default_factory=lambda: f"obs-{uuid.uuid4().hex[:8]}")
    worker: subprocess.Popen | None = None
    prometheus: subprocess.Popen | None = None
    sent: int = 0
    t_start: float = 0.0        # Prometheus saw the idle worker (counters at 0)
    t_replayed: float = 0.0
    t_done: float = 0.0         # Prometheus saw every input accounted for
    t_ready: float = 0.0        # … and the timer-refreshed gauges too
    timings: dict = field(default_factory=dict)

    # -- configuration ------------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "DIPLOWATCH_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "DIPLOWATCH_APP_ID": self.app_id,
            # own topics: other tests share the session broker
            "DIPLOWATCH_TOPIC_ARTICLES": f"{self.app_id}-articles",
            "DIPLOWATCH_TOPIC_DEAD_LETTER": f"{self.app_id}-dead-letter",
            "DIPLOWATCH_TOPIC_CONTACTS": f"{self.app_id}-contacts",
            "DIPLOWATCH_TOPIC_ALERTS": f"{self.app_id}-alerts",
            "DIPLOWATCH_PARTITIONS": "2",
            # the dev corpus spans 1987-2025 in no order: count every contact of it
            "DIPLOWATCH_RETAIN_DAYS": "20000",
            "DIPLOWATCH_WEB_HOST": "127.0.0.1",
            "DIPLOWATCH_WEB_PORT": str(self.web_port),
            "DIPLOWATCH_LOGLEVEL": "warning",
        })
        return env

    @property
    def worker_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def prom_url(self) -> str:
        return f"http://127.0.0.1:{self.prom_port}"

    # -- processes ----------------------------------------------------------------------------
    def start_worker(self) -> None:
        log = open(self.workdir / "worker.log", "wb")
        self.worker = subprocess.Popen([sys.executable, "-m", "streams", "worker"], cwd=self.workdir,
                                       env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_prometheus(self) -> None:
        cfg = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "900ms"},
            "rule_files": [str(RULES)],
            "scrape_configs": [{"job_name": JOB, "static_configs": [
                {"targets": [f"127.0.0.1:{self.web_port}"]}]}],
        }
        path = self.workdir / "prometheus.yml"
        path.write_text(json.dumps(cfg))   # JSON is YAML
        log = open(self.workdir / "prometheus.log", "wb")
        self.prometheus = subprocess.Popen(
            [PROMETHEUS, f"--config.file={path}", f"--storage.tsdb.path={self.workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.prom_port}", "--log.level=warn"],
            stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        _stop(self.worker)
        _stop(self.prometheus)

    def logs(self) -> str:
        out = []
        for name in ("worker.log", "prometheus.log"):
            p = self.workdir / name
            if p.exists():
                out.append(f"--- {name} (tail)\n" + p.read_text(errors="replace")[-3000:])
        return "\n".join(out)

    def _check_alive(self) -> None:
        for name, proc in (("worker", self.worker), ("prometheus", self.prometheus)):
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}\n{self.logs()}")

    def wait(self, what: str, cond, timeout: float, interval: float = 0.5):
        deadline = time.monotonic() + timeout
        last_exc = None
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                value = cond()
                if value:
                    return value
            except Exception as exc:   # not up yet
                last_exc = exc
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_exc!r})\n"
                             f"{self.logs()}")

    # -- Prometheus HTTP API ------------------------------------------------------------------
    def query(self, expr: str, at: float | None = None) -> list[dict]:
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        body = json.loads(http_get(f"{self.prom_url}/api/v1/query?{urllib.parse.urlencode(params)}"))
        assert body["status"] == "success", body
        return body["data"]["result"]

    def value(self, expr: str, at: float | None = None) -> float | None:
        res = self.query(expr, at)
        return float(res[0]["value"][1]) if res else None

    def query_range(self, expr: str, start: float, end: float, step: float = 1.0) -> list[dict]:
        params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": str(step)}
        body = json.loads(http_get(f"{self.prom_url}/api/v1/query_range?{urllib.parse.urlencode(params)}"))
        assert body["status"] == "success", body
        return body["data"]["result"]

    def rules(self) -> list[dict]:
        body = json.loads(http_get(f"{self.prom_url}/api/v1/rules"))
        assert body["status"] == "success", body
        return [r for g in body["data"]["groups"] for r in g["rules"]]

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> None:
        if not Path(PROMETHEUS).exists():
            raise AssertionError("prometheus not installed: run scripts/install-system-deps.sh")
        t0 = time.monotonic()
        self.start_prometheus()
        self.start_worker()
        # Prometheus has scraped the worker while it is idle: the "before" sample of every counter
        self.wait("Prometheus scraping the worker",
                  lambda: self.value(f'up{{job="{JOB}"}}') == 1
                  and self.value("diplowatch_articles_in_total") == 0, timeout=60)
        self.timings["worker_up_s"] = time.monotonic() - t0
        self.t_start = time.time()
        lines = corpus_lines("dev.jsonl") + BAD_LINES
        data = self.workdir / "input.jsonl"
        data.write_bytes(b"\n".join(lines) + b"\n")
        self.sent = len(lines)
        r = subprocess.run([sys.executable, "-m", "streams", "replay", str(data), "--quiet"], cwd=self.workdir,
                           env=self.env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        self.t_replayed = time.time()
        t1 = time.monotonic()
        # every input accounted for: in = processed + duplicates + dead letters
        accounted = ("sum(diplowatch_articles_processed_total) + sum(diplowatch_duplicates_total)"
                     " + sum(diplowatch_dead_letters_total)")
        self.wait("all articles accounted for in Prometheus",
                  lambda: self.value("sum(diplowatch_articles_in_total)") == self.sent
                  and self.value(accounted) == self.sent, timeout=75)
        self.t_done = time.time()
        self.timings["processing_s"] = time.monotonic() - t1
        # the gauges refreshed on the worker's 5 s timer
        self.wait("pair and lag gauges", lambda: self.query("diplowatch_pair_contacts_week")
                  and self.query("diplowatch_consumer_lag_messages"), timeout=20)
        self.t_ready = time.time()
        self.timings["total_s"] = time.monotonic() - t0


_STACK: LiveStack | None = None
_FAILED: str | None = None   # a failed start is not retried by the next test module
_USERS = 0


@pytest.fixture(scope="session")
def live_stack(kafka_bootstrap, tmp_path_factory):
    """The running stack after the corpus went through it (started once per session)."""
    global _STACK, _USERS, _FAILED
    if _FAILED:
        pytest.fail(f"live stack failed to start earlier in this session: {_FAILED}")
    if _STACK is None:
        stack = LiveStack(tmp_path_factory.mktemp("live-stack"), kafka_bootstrap)
        try:
            stack.run()
        except BaseException as exc:
            stack.stop()
            _FAILED = str(exc).splitlines()[0] if str(exc) else repr(exc)
            raise
        _STACK = stack
        print(f"\nlive stack timings: {stack.timings}", file=sys.stderr)
    _USERS += 1
    try:
        yield _STACK
    finally:
        _USERS -= 1
        if _USERS == 0 and _STACK is not None:
            _STACK.stop()
            _STACK = None
