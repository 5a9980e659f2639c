"""Static group membership (KIP-345) for the worker: a worker killed without warning (SIGKILL, OOM,
a lost host) and started again takes its old place in the consumer group at once.

Why: with dynamic membership the restarted worker joins under a new member id, and the group
coordinator waits for every member it knows — the dead one included — to rejoin before it hands out
partitions; the dead member only goes once its session times out (Faust's default: 60 s; the
measured recovery times are in bench/README.md). A static member carries a ``group.instance.id``: when a consumer with the same
instance id joins, the coordinator replaces the old member by the new one and gives it the old
one's partitions, with no rebalance and no wait (aiokafka and Faust pass ``group_instance_id``
through; Faust's ``consumer_group_instance_id`` setting).

The instance id must be stable across restarts and unique within the group. ``instance_id()``
takes ``DIPLOWATCH_INSTANCE_ID`` when set; otherwise the host name and the lowest worker slot free
on this host: slot n is held by an exclusive ``flock`` on ``<data dir>/<app id>-slot-<n>.lock``
for the life of the process. The kernel releases the lock when the process dies however it dies,
so a restarted worker finds its old slot free again, while two workers running side by side on
one host hold two slots (two ids).

A static member does not leave the group when it stops (aiokafka, like the Java client, sends no
LeaveGroup for it), so a clean stop would leave its partitions unserved until its session times
out, which matters for a worker stopped for good while another goes on. ``leave_group`` sends the
static form of LeaveGroup (version 3+, which names the instance id), as a clean stop of a dynamic
member does: the other workers take over at once. It is installed on the consumer as soon as
Faust has started it (streams.pipeline.transport.ConsumerThread.on_start).
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import socket
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

DYNAMIC = ("none", "off", "dynamic")
_held: list[IO] = []   # the slot lock stays open (held) for the life of the process


def _clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "worker"


def claim_slot(directory: Path, app_id: str, limit: int = 256) -> int:
    """The lowest n whose ``<app id>-slot-<n>.lock`` no live process of this host holds; held by
    this process from now on (until it exits)."""
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(limit):
        f = open(directory / f"{_clean(app_id)}-slot-{n}.lock", "a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            continue
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        _held.append(f)
        return n
    raise RuntimeError(f"no free worker slot among {limit} in {directory}")


def instance_id(setting: str, data_dir: str | Path, app_id: str) -> str | None:
    """The worker's ``group.instance.id`` (None: dynamic membership)."""
    if setting.strip().lower() in DYNAMIC:
        return None
    if setting.strip():
        return setting.strip()
    try:
        slot = claim_slot(Path(data_dir), app_id)
    except OSError as exc:   # an unwritable data dir: run, but as a dynamic member
        log.warning("no worker slot under %s (%s): dynamic group membership", data_dir, exc)
        return None
    return f"{_clean(socket.gethostname())}-{slot}"


# --- the static LeaveGroup (aiokafka's protocol classes; version 3 is the first that names
# members by instance id: KIP-345)

def _leave_request(group_id: str, member_id: str, instance: str):
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
    """aiokafka's GroupCoordinator._maybe_leave_group for a static member: leave with LeaveGroup v3
    (a minimal effort, as aiokafka's own: no retry), then forget the generation. Also when the
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


async def close_in_order(consumer: Any) -> None:
    """Close a started aiokafka consumer's coordinator (which finishes a rebalance in progress and
    then leaves the group: ``leave_group`` for a static member) and only then its client.

    Faust's ``AIOKafkaConsumerThread.close``, which the app calls when a rebalance reaches a worker
    that is stopping (``App._on_rebalance_when_stopped``), closes the two concurrently: the client's
    connections go while the coordinator is still sending the JoinGroup of that rebalance, and the
    LeaveGroup after it fails too. A static member then stays in the group, which waits for its
    session to time out (45 s) before the other workers get its partitions; a dynamic member is
    removed when its JoinGroup is missing from the rebalance, so only static membership suffers."""
    try:
        await consumer._coordinator.close()
    finally:
        await consumer._client.close()


def install_leave(consumer: Any) -> None:
    """Make a started aiokafka consumer leave its group on stop also when it is a static member."""
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is None or getattr(coordinator, "_group_instance_id", None) is None:
        return
    with contextlib.suppress(AttributeError):
        coordinator._maybe_leave_group = lambda: leave_group(coordinator)
