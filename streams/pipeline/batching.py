"""Events that are already fetched for an agent, handed to it together.

Why: Faust delivers fetched messages to the agents' queues one per turn of the event loop, and its
stream iterator yields to the loop before every event. So each agent took one event per turn,
the four stages ran interleaved event by event, and the producer, the acks and the loop itself did
their per-turn work once per event. Letting the loop turn a few times while the conductor delivers
what is already fetched — never waiting on the network or a timer — gives an agent runs of events
under load, and each per-turn cost is paid once per run (bench/README.md has the figures).

Only behind a backlog: an agent turns the loop for more (up to ``TURNS`` times while its queue
stays empty) only when the partition's high watermark says more messages are already in the log
behind the event it holds. A lone article at a low rate is handled at once, as before.

Acknowledgements: Faust acks an event when its loop moves past it, which for a batch would be
before it is handled. ``ready_batches`` turns the stream's own acks off and acks each event of a
batch after the agent has handled it and handed its records to the producer (the agent's code
after ``yield``), so Faust still commits only offsets whose results are in the producer (it
flushes the producer before committing).

Never blocked while holding events: a small task pumps the stream's events into a bounded queue
of our own, and batches are taken from that queue without blocking once the first event is in
hand. Faust's iterator can block indefinitely (on a stop or a rebalance its flow control clears
and suspends the queues, then waits for every event taken to be acked); had the agent been
waiting inside it with a batch in hand, that wait would never end. The bound (``max_batch``)
keeps Faust's own backpressure: when the agent falls behind, the pump waits and Faust's queue
fills and pauses fetching, as before.

Table writes of a batch must go to each event's own partition: the stages' ``PartitionView`` and
``ChangelogWriter`` name the partition explicitly, while Faust's own table path takes it from the
*current* event; so with a store other than ``memory://`` the batch size is 1 (streams.app).
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from streams.faust_ext.stream import manual_acks

TURNS = 16


def _behind(consumer, event) -> bool:
    """More messages are in the log of the event's partition after it (as of the last fetch)."""
    try:
        hw = consumer.highwater(event.message.tp)
    except Exception:   # noqa: BLE001 - no consumer state (yet): act as if there were none
        return False
    return hw is not None and hw > event.message.offset + 1


async def ready_batches(stream, max_batch: int) -> AsyncIterator[list[Any]]:
    """Batches of the stream's events: an event plus those delivered behind it while the loop
    turns a few times, at most ``max_batch``. Each batch is acked when the consumer of this
    generator asks for the next one."""
    if max_batch <= 1:
        async for event in stream.events():   # Faust's own acks, one event at a time
            yield [event]
        return
    manual_acks(stream)
    consumer = stream.app.consumer
    queue: asyncio.Queue = asyncio.Queue(maxsize=max_batch)
    end = object()

    async def pump() -> None:
        try:
            async for event in stream.events():
                await queue.put(event)
        finally:
            # the stream ended (stopping) or failed: let the batches end too
            try:
                queue.put_nowait(end)
            except asyncio.QueueFull:
                pass

    task = asyncio.ensure_future(pump())
    try:
        while True:
            if task.done() and queue.empty():
                break
            first = await queue.get()   # nothing in hand while this waits
            if first is end:
                break
            batch = [first]
            ended = False
            while len(batch) < max_batch:
                if queue.empty():
                    if not _behind(consumer, batch[-1]):
                        break
                    for _ in range(TURNS):
                        await asyncio.sleep(0)
                        if not queue.empty():
                            break
                    if queue.empty():
                        break
                nxt = queue.get_nowait()
                if nxt is end:
                    ended = True
                    break
                batch.append(nxt)
            yield batch
            for ev in batch:
                await stream.ack(ev)
            if ended:
                break
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()
    finally:
        task.cancel()
