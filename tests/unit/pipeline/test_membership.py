"""streams.pipeline.membership: stable, unique worker instance ids and the static LeaveGroup."""
from __future__ import annotations

import signal
import socket
import struct
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


def test_static_leave_group_request_is_leavegroup_v3_on_the_wire():
    req = membership._leave_request("grp", "member-1", "host-0")
    built = req.prepare({13: (0, 5)})   # a broker speaking LeaveGroup v0..v5
    assert (built.API_KEY, built.API_VERSION) == (13, 3)

    def s(x: str) -> bytes:
        return struct.pack(">h", len(x)) + x.encode()
    # group_id, then an array of one (member_id, group_instance_id)
    assert built.encode() == s("grp") + struct.pack(">i", 1) + s("member-1") + s("host-0")
    with pytest.raises(Exception):
        req.prepare({13: (0, 1)})   # a broker without static leave: aiokafka refuses, no bad bytes


def test_static_leave_response_decodes():
    req = membership._leave_request("grp", "m", "i").prepare({13: (0, 5)})
    body = (struct.pack(">ih", 0, 0) + struct.pack(">i", 1) + struct.pack(">h", 1) + b"m"
            + struct.pack(">h", 1) + b"i" + struct.pack(">h", 0))
    import io
    resp = req.RESPONSE_TYPE.decode(io.BytesIO(body))
    assert resp.error_code == 0 and list(resp.members) == [("m", "i", 0)]


class _Coordinator:
    """The few attributes of aiokafka's GroupCoordinator that leave_group reads."""

    def __init__(self, generation: int, member_id: str, instance: str | None) -> None:
        self.group_id, self.generation, self.member_id = "grp", generation, member_id
        self._group_instance_id = instance
        self.sent: list = []
        self.reset = False

    async def _send_req(self, request):
        built = request.prepare({13: (0, 5)})
        self.sent.append(built)
        members = [(m, i, 0) for m, i in built.members]
        return built.RESPONSE_TYPE(0, 0, members)

    def reset_generation(self) -> None:
        self.reset = True


@pytest.mark.parametrize("generation, member, sent_member", [(3, "m-1", "m-1"), (-1, "m-1", "")])
def test_leave_group_names_the_instance_also_between_generations(generation, member, sent_member):
    import asyncio
    c = _Coordinator(generation, member, "host-0")
    asyncio.run(membership.leave_group(c))
    assert [(b.group, list(b.members)) for b in c.sent] == [("grp", [(sent_member, "host-0")])]
    assert c.reset


def test_install_leave_replaces_the_coordinators_leave_only_for_static_members():
    class Consumer:
        def __init__(self, instance):
            self._coordinator = _Coordinator(1, "m", instance)
    static, dynamic = Consumer("host-0"), Consumer(None)
    original = getattr(dynamic._coordinator, "_maybe_leave_group", None)
    membership.install_leave(static)
    membership.install_leave(dynamic)
    import asyncio
    asyncio.run(static._coordinator._maybe_leave_group())
    assert static._coordinator.sent and getattr(dynamic._coordinator, "_maybe_leave_group", None) is original
