"""A clean stop of a static group member (KIP-345) leaves the consumer group, as a dynamic
member's does.

aiokafka sends no LeaveGroup for a member with a ``group_instance_id``
(``GroupCoordinator._maybe_leave_group``:
https://github.com/aio-libs/aiokafka/blob/v0.14.0/aiokafka/consumer/group_coordinator.py#L374-L387),
as the Java client does not: a static member is expected to come back under the same id. A worker
stopped for good would then leave its partitions unserved until its session times out.
``install_leave`` replaces that method on a started consumer's coordinator by ``leave_group``,
which sends the static form of LeaveGroup (version 3+, which names the instance id); the other
workers take over at once. aiokafka has no LeaveGroup v3 class, so the request is built here on
its protocol classes, and sent with the coordinator's private ``_send_req``.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)


def _leave_request(group_id: str, member_id: str, instance: str):
    """LeaveGroup v3 removing (member_id, instance), as an aiokafka ``Request`` (negotiated against
    the broker's versions when sent: a broker without v3 makes aiokafka refuse it)."""
    from aiokafka.protocol.api import Request, RequestStruct, Response
    from aiokafka.protocol.types import Array, Int16, Int32, Schema, String

    class LeaveGroupResponse_v3(Response):
        API_KEY = 13
        API_VERSION = 3
        SCHEMA = Schema(("throttle_time_ms", Int32), ("error_code", Int16),
                        ("members", Array(("member_id", String("utf-8")),
                                          ("group_instance_id", String("utf-8")),
                                          ("error_code", Int16))))

    class LeaveGroupRequest_v3(RequestStruct):
        API_KEY = 13
        API_VERSION = 3
        RESPONSE_TYPE = LeaveGroupResponse_v3
        SCHEMA = Schema(("group", String("utf-8")),
                        ("members", Array(("member_id", String("utf-8")),
                                          ("group_instance_id", String("utf-8")))))

    class StaticLeaveGroupRequest(Request[LeaveGroupRequest_v3]):
        API_KEY = 13

        def build(self, request_struct_class):
            return request_struct_class(group_id, [(member_id, instance)])

    return StaticLeaveGroupRequest()


async def leave_group(coordinator: Any) -> None:
    """aiokafka's ``GroupCoordinator._maybe_leave_group`` for a static member: leave with LeaveGroup
    v3 (a minimal effort, as aiokafka's own: no retry), then forget the generation. Also when the
    member is between generations (stopped in the middle of a rebalance): a LeaveGroup naming the
    instance id with an unknown member id removes the static member as well (what
    ``kafka-consumer-groups --remove-members`` sends), where aiokafka's own would send nothing."""
    import aiokafka.errors as Errors

    instance = coordinator._group_instance_id
    if instance is not None:
        member = coordinator.member_id if coordinator.generation > 0 else ""
        try:
            resp = await coordinator._send_req(
                _leave_request(coordinator.group_id, member, instance))
            errors = [resp.error_code] + [m[2] for m in resp.members]
            if any(errors):
                log.warning("static LeaveGroup for %s answered with errors %s", instance, errors)
            else:
                log.info("left the group as static member %s", instance)
        except (Errors.KafkaError, NotImplementedError) as exc:
            log.warning("static LeaveGroup for %s failed: %r", instance, exc)
    coordinator.reset_generation()


def install_leave(consumer: Any) -> None:
    """Make a started aiokafka consumer leave its group on stop also when it is a static member."""
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is None or getattr(coordinator, "_group_instance_id", None) is None:
        return
    with contextlib.suppress(AttributeError):
        coordinator._maybe_leave_group = lambda: leave_group(coordinator)


async def close_in_order(consumer: Any) -> None:
    """Close a started aiokafka consumer's coordinator (which finishes a rebalance in progress and
    then leaves the group: ``leave_group`` for a static member) and only then its client.

    Faust's ``AIOKafkaConsumerThread.close``, which the app calls when a rebalance reaches a worker
    that is stopping (``App._on_rebalance_when_stopped``), closes the two concurrently: the client's
    connections go while the coordinator is still sending the JoinGroup of that rebalance, and the
    LeaveGroup after it fails too. A static member then stays in the group, which waits for its
    session to time out before the other workers get its partitions; a dynamic member is removed
    when its JoinGroup is missing from the rebalance, so only static membership suffers.
    Upstream: faust v0.15.2 faust/transport/drivers/aiokafka.py, ``AIOKafkaConsumerThread.close``."""
    try:
        await consumer._coordinator.close()
    finally:
        await consumer._client.close()
