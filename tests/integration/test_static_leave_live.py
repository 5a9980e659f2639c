"""A static member that a rebalance reaches while it stops still leaves the group.

Faust calls its consumer thread's ``close()`` when a rebalance callback finds the app stopping
(``App._on_rebalance_when_stopped``). Faust's own closed aiokafka's client and group coordinator
concurrently: the rebalance's JoinGroup and then the static LeaveGroup went out on closed
connections, the member stayed in the group, and the other workers waited for its session to time
out (measured with plain consumers and a 25 s session: 26.2 s; with the worker's 45 s session the
two-worker recovery test's take-over exceeded its 30 s bar). ``ConsumerThread.close`` closes the
coordinator first (it finishes the rebalance, then leaves) and the client after it.

Real consumers on the live broker: two static members share a topic; a third joins, which starts a
rebalance; the second member's rebalance listener calls ``ConsumerThread.close`` as Faust does when
it is stopping. The first and third must hold every partition well within the session timeout."""
from __future__ import annotations

import asyncio
import time
import uuid
from types import SimpleNamespace

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener

from streams.devkafka import create_topic
from streams.faust_ext.leave_group import install_leave
from streams.faust_ext.transport import ConsumerThread

SESSION_MS = 25_000
PARTITIONS = 4


class StoppingListener(ConsumerRebalanceListener):
    """What Faust's app does on a rebalance while it stops: close the consumer (thread)."""

    def __init__(self, thread) -> None:
        self.thread = thread
        self.stopping = False

    async def on_partitions_revoked(self, revoked) -> None:
        if self.stopping:
            ConsumerThread.close(self.thread)

    async def on_partitions_assigned(self, assigned) -> None:
        if self.stopping:
            ConsumerThread.close(self.thread)


def test_a_static_member_stopped_inside_a_rebalance_leaves_the_group(kafka_bootstrap):
    async def run() -> float:
        topic, group = f"leave-{uuid.uuid4().hex[:8]}", f"leave-{uuid.uuid4().hex[:8]}"
        create_topic(kafka_bootstrap, topic, PARTITIONS)

        def member(instance: str) -> AIOKafkaConsumer:
            return AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group,
                                    group_instance_id=instance, session_timeout_ms=SESSION_MS,
                                    heartbeat_interval_ms=1000, auto_offset_reset="earliest")
        a, b, c = member("a"), member("b"), member("c")
        loop = asyncio.get_running_loop()   # (Faust's own close used app.loop)
        thread = SimpleNamespace(_consumer=b, _closing=None, thread_loop=loop,
                                 app=SimpleNamespace(loop=loop))
        listener = StoppingListener(thread)
        for x, lis in ((a, None), (b, listener)):
            await x.start()
            install_leave(x)
            x.subscribe([topic], listener=lis) if lis else x.subscribe([topic])
        deadline = time.monotonic() + 60
        while not (a.assignment() and b.assignment()):
            assert time.monotonic() < deadline, "a and b never shared the partitions"
            await asyncio.gather(a.getmany(timeout_ms=100), b.getmany(timeout_ms=100))
        listener.stopping = True
        await c.start()
        install_leave(c)
        c.subscribe([topic])   # a new member: the rebalance reaches b while it stops
        t0 = time.monotonic()

        async def poll(x: AIOKafkaConsumer) -> None:
            while time.monotonic() - t0 < 60 and not (
                    a.assignment() and c.assignment()
                    and len(a.assignment()) + len(c.assignment()) == PARTITIONS):
                await x.getmany(timeout_ms=200)

        async def poll_b() -> None:
            while not b._closed:
                await b.getmany(timeout_ms=200)
            if thread._closing is not None:
                await asyncio.wrap_future(thread._closing)

        try:
            await asyncio.wait_for(asyncio.gather(poll(a), poll(c), poll_b()), 90)
            took = time.monotonic() - t0
            assert len(a.assignment()) + len(c.assignment()) == PARTITIONS
            return took
        finally:
            await a.stop()
            await c.stop()

    took = asyncio.run(run())
    # a member left behind would hold the group for the session timeout (25 s)
    assert took < SESSION_MS / 1000 / 2, f"the others held every partition only after {took:.1f} s"
    print(f"\nthe others hold every partition {took:.1f} s after the rebalance began")
