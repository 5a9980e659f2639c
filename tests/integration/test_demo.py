"""The README's main command, run as a user runs it: ``python -m streams demo``.

1. Against the session broker: it replays the real sample and prints contacts and an alert.
2. Killed with SIGKILL: its worker does not outlive it.
3. On its own (no KAFKA_BOOTSTRAP): it starts its own Kafka, and Ctrl-C (SIGINT) stops the worker
   and the broker, leaving no JVM behind.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streams.devkafka import free_ports
from tests.corpus import corpus_path

from tests.paths import ROOT as PROJECT


def _children(parent: int, marker: bytes) -> set[int]:
    """pids of running processes whose parent is ``parent`` and whose command line (its arguments
    joined by NUL bytes) contains ``marker`` (other test sessions on the machine run processes of
    their own)."""
    pids = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes()
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if marker in cmd and ppid == parent:
                pids.add(int(d.name))
    return pids


def _kafka_jvms(parent: int) -> set[int]:
    """pids of the Kafka broker JVMs (main class kafka.Kafka) that are children of ``parent``."""
    return _children(parent, b"\0kafka.Kafka\0")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DIPLOWATCH_") and k != "KAFKA_BOOTSTRAP"}
    env.update(extra)
    return env


def test_demo_prints_contacts_and_alert(kafka_bootstrap):
    corpus_path("seeds.jsonl")   # the demo replays it: fail here, naming the path, if it is absent
    port = free_ports(1)[0]
    proc = subprocess.run(
        [sys.executable, "-m", "streams", "demo", "--exit-when-idle", "20", "--rate", "1000/s",
         "--web-port", str(port)],
        cwd=PROJECT, env=_env(KAFKA_BOOTSTRAP=kafka_bootstrap), capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    contacts = [line for line in out.splitlines() if line.startswith("contact ")]
    # the five seed articles alone report ten required contacts; the dev corpus many more
    assert len(contacts) >= 60, out[-2000:]
    assert any("MAR-USA" in line and "phone" in line and "2023-10-11" in line for line in contacts)
    assert any("IRN-OMN" in line and "gaza" in line for line in contacts)
    # the project's burst fixture makes one pair spike: its alert is printed with evidence
    assert any(line.startswith("[new] JOR-USA") for line in out.splitlines()), out[-2000:]
    assert "worker counted" in proc.stderr and "0 dead letters" in proc.stderr


def test_a_killed_demo_leaves_no_worker_behind(kafka_bootstrap):
    """SIGKILL the demo (no handler runs): the kernel stops its worker, which exits on its own."""
    port = free_ports(1)[0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "demo", "--rate", "50/s", "--web-port", str(port)],
        cwd=PROJECT, env=_env(KAFKA_BOOTSTRAP=kafka_bootstrap), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    try:
        for line in proc.stderr:
            if "demo: worker ready" in line:
                break
        workers = _children(proc.pid, b"streams\0worker")
        assert len(workers) == 1, "the demo's worker was not found"
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
            time.sleep(0.2)
        assert not any(Path(f"/proc/{p}").exists() for p in workers), "the worker outlived the demo"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_demo_starts_own_broker_and_stops_cleanly_on_ctrl_c():
    port = free_ports(1)[0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "demo", "--rate", "100/s", "--web-port", str(port)],
        cwd=PROJECT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # communicate() below decodes what readline() left in the pipe on its own, which can start
        # inside a multi-byte character of an Arabic contact line
        encoding="utf-8", errors="replace",
        # a suite started in the background of a non-interactive shell inherits SIGINT ignored, and
        # so would the demo: give it the disposition a terminal's Ctrl-C meets
        preexec_fn=_sigint_default)
    try:
        deadline = time.monotonic() + 240
        first = None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("contact "):
                first = line
                break
            if not line and proc.poll() is not None:
                break
        assert first, f"no contact printed; stderr: {proc.stderr.read()[-3000:]}"
        ours = _kafka_jvms(proc.pid)
        assert ours, "the demo did not start a Kafka broker of its own"
        proc.send_signal(signal.SIGINT)
        # drain both pipes while it stops: a demo blocked writing to a full pipe cannot exit
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err[-3000:]
        time.sleep(0.5)
        alive = {pid for pid in ours if Path(f"/proc/{pid}").exists()
                 and b"kafka.Kafka" in Path(f"/proc/{pid}/cmdline").read_bytes()}
        assert not alive, "a Kafka JVM of the demo survived Ctrl-C"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
