"""streams.pipeline.membership: stable, unique worker instance ids (the static LeaveGroup:
tests/unit/faust_ext/test_leave_group.py)."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import pytest

from streams.pipeline import membership


def test_explicit_and_dynamic_settings(tmp_path):
    assert membership.instance_id("worker-a", tmp_path, "app") == "worker-a"
    for off in ("none", "NONE", "dynamic", "off"):
        assert membership.instance_id(off, tmp_path, "app") is None
    assert not list(tmp_path.iterdir())   # no slot taken for either


def test_derived_ids_take_the_lowest_free_slot(tmp_path):
    host = membership._clean(socket.gethostname())
    first = membership.instance_id("", tmp_path, "app one")
    second = membership.instance_id("", tmp_path, "app one")
    other_app = membership.instance_id("", tmp_path, "app two")
    assert (first, second, other_app) == (f"{host}-0", f"{host}-1", f"{host}-0")


def test_a_killed_process_frees_its_slot(tmp_path):
    """A process holding slot 0 keeps it from others; SIGKILLed, its slot is free for its restart."""
    code = ("import sys, time; from pathlib import Path; from streams.pipeline import membership; "
            f"print(membership.claim_slot(Path({str(tmp_path)!r}), 'app'), flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "0"
        assert membership.claim_slot(tmp_path, "app") == 1     # 0 is held
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                assert membership.claim_slot(tmp_path, "app") == 0
                break
            except AssertionError:
                time.sleep(0.1)
        else:
            pytest.fail("slot 0 not free after its holder was killed")
    finally:
        holder.kill()
        holder.wait(10)
