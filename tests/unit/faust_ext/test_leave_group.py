"""streams.faust_ext.leave_group: the static LeaveGroup a clean stop sends, and the aiokafka
internals it relies on (pinned: an aiokafka upgrade that changes one fails the test named after
it). The live-broker side: tests/integration/test_pipeline_recovery.py."""
from __future__ import annotations

import asyncio
import inspect
import io
import struct

import pytest

from streams.faust_ext import leave_group as leave

from .pins import params, source_sha


def test_static_leave_group_request_is_leavegroup_v3_on_the_wire():
    req = leave._leave_request("grp", "member-1", "host-0")
    built = req.prepare({13: (0, 5)})   # a broker speaking LeaveGroup v0..v5
    assert (built.API_KEY, built.API_VERSION) == (13, 3)

    def s(x: str) -> bytes:
        return struct.pack(">h", len(x)) + x.encode()
    # group_id, then an array of one (member_id, group_instance_id)
    assert built.encode() == s("grp") + struct.pack(">i", 1) + s("member-1") + s("host-0")
    with pytest.raises(Exception):
        req.prepare({13: (0, 1)})   # a broker without static leave: aiokafka refuses, no bad bytes


def test_static_leave_response_decodes():
    req = leave._leave_request("grp", "m", "i").prepare({13: (0, 5)})
    body = (struct.pack(">ih", 0, 0) + struct.pack(">i", 1) + struct.pack(">h", 1) + b"m"
            + struct.pack(">h", 1) + b"i" + struct.pack(">h", 0))
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
    c = _Coordinator(generation, member, "host-0")
    asyncio.run(leave.leave_group(c))
    assert [(b.group, list(b.members)) for b in c.sent] == [("grp", [(sent_member, "host-0")])]
    assert c.reset


def test_install_leave_replaces_the_coordinators_leave_only_for_static_members():
    class Consumer:
        def __init__(self, instance):
            self._coordinator = _Coordinator(1, "m", instance)
    static, dynamic = Consumer("host-0"), Consumer(None)
    original = getattr(dynamic._coordinator, "_maybe_leave_group", None)
    leave.install_leave(static)
    leave.install_leave(dynamic)
    asyncio.run(static._coordinator._maybe_leave_group())
    assert static._coordinator.sent and getattr(dynamic._coordinator, "_maybe_leave_group", None) is original


# --- contracts: the aiokafka internals leave_group relies on ---------------------------------------

def test_contract_aiokafka_maybe_leave_group_skips_static_members():
    # the behaviour replaced by install_leave (no LeaveGroup for a static member), called on stop
    from aiokafka.consumer.group_coordinator import GroupCoordinator
    assert params(GroupCoordinator._maybe_leave_group) == ["self"]
    assert source_sha(GroupCoordinator._maybe_leave_group) == (
        "016cd88a16e6c4b5b08ecab793e0fde0204fe2cfd836af5f682c48630d3fba2e")


def test_contract_aiokafka_send_req():
    from aiokafka.consumer.group_coordinator import GroupCoordinator
    assert params(GroupCoordinator._send_req) == ["self", "request"]
    assert source_sha(GroupCoordinator._send_req) == (
        "fa4b12e914ce9fcff5eab58bf1416058e8e972fe4d6a74c30ecbb67e91e54df7")


@pytest.mark.asyncio
async def test_contract_aiokafka_consumer_coordinator_attributes():
    # a consumer with a group gets a GroupCoordinator in start(); leave_group reads these of it
    from aiokafka.consumer.consumer import AIOKafkaConsumer
    from aiokafka.consumer.group_coordinator import GroupCoordinator
    consumer = AIOKafkaConsumer(group_id="g", group_instance_id="host-0")
    assert consumer._coordinator is None   # set by start()
    assert "self._coordinator = GroupCoordinator(" in inspect.getsource(AIOKafkaConsumer.start)
    init = inspect.getsource(GroupCoordinator.__init__)
    for assignment in ("self._group_instance_id = group_instance_id", "self.group_id = group_id",
                       "self.member_id = ", "self.generation = "):
        assert assignment in init
    assert params(GroupCoordinator.reset_generation) == ["self"]


def test_contract_aiokafka_protocol_request_classes():
    # the LeaveGroup v3 request is built on these (Request.build/prepare negotiate the version)
    from aiokafka.protocol.api import Request
    assert params(Request.build) == ["self", "request_struct_class"]
    assert params(Request.prepare) == ["self", "versions"]


@pytest.mark.asyncio
async def test_contract_close_in_order_names():
    # close_in_order closes consumer._coordinator, then consumer._client; ConsumerThread.close sets
    # consumer._closed as Faust's own close does, so the consumer's stop() does nothing more
    from aiokafka.consumer.consumer import AIOKafkaConsumer
    from aiokafka.consumer.group_coordinator import GroupCoordinator, NoGroupCoordinator
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
    consumer = AIOKafkaConsumer(group_id="g")
    assert consumer._client is not None and consumer._closed is False
    assert "if self._closed" in inspect.getsource(AIOKafkaConsumer.stop)
    assert params(GroupCoordinator.close) == ["self"] and params(NoGroupCoordinator.close) == ["self"]
    close = inspect.getsource(AIOKafkaConsumerThread.close)
    assert "_closed = True" in close
    assert params(AIOKafkaConsumerThread.on_thread_stop) == ["self"]
    assert hasattr(AIOKafkaConsumerThread, "thread_loop") or "thread_loop" in inspect.getsource(
        AIOKafkaConsumerThread.__mro__[1])
