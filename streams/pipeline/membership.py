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
LeaveGroup for it); streams.faust_ext.leave_group makes a clean stop leave it all the same, so
the other workers take over at once.
"""
from __future__ import annotations

import fcntl
import logging
import os
import re
import socket
from pathlib import Path
from typing import IO

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
