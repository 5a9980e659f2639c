"""streams.pipeline.batching.ready_batches over a stand-in for a Faust stream: what is delivered
while the loop turns is handed over together, only behind a backlog, never more than the cap, and
every event is acked only after its batch has been handled. The live pipeline runs it in
tests/integration (accounting, restart, SIGTERM mid-backlog, two workers)."""
from __future__ import annotations

import asyncio

import pytest

from streams.pipeline.batching import TURNS, ready_batches
from tests.unit.pipeline.fakes import Ev, FakeStream, Msg


def evs(*offsets: int) -> list[Ev]:
    return [Ev(Msg("t", o)) for o in offsets]


async def collect(stream, max_batch):
    """Run ready_batches over ``stream``; each turn of the loop delivers the next arrival (the
    stream's own iterator turns once per loop turn while its queue is empty, as Faust's would
    while its conductor delivers)."""
    batches, acked_when_handed = [], []
    async for batch in ready_batches(stream, max_batch):
        batches.append([e.message.offset for e in batch])
        acked_when_handed.append(list(stream.acked))
    return batches, acked_when_handed


@pytest.mark.asyncio
async def test_events_delivered_while_the_loop_turns_come_as_one_batch_acked_after_it():
    stream = FakeStream([evs(0), evs(1), evs(2, 3), [], evs(4)], highwater=100)
    batches, acked = await collect(stream, max_batch=200)
    assert [o for b in batches for o in b] == [0, 1, 2, 3, 4]   # all, in order, once
    assert batches[0] == [0, 1, 2, 3, 4]
    assert acked[0] == []                  # nothing acked before its batch was handled
    assert stream.acked == [0, 1, 2, 3, 4]
    assert stream.enable_acks is False     # Faust's own acks off: the batch acks instead


@pytest.mark.asyncio
async def test_without_a_backlog_an_event_is_handed_over_at_once():
    # the high watermark says nothing is behind offset 0: no turning of the loop for more
    stream = FakeStream([evs(0), evs(1)], highwater=1)
    batches, _ = await collect(stream, max_batch=200)
    assert batches[0] == [0]


@pytest.mark.asyncio
async def test_a_batch_is_never_larger_than_the_cap():
    stream = FakeStream([evs(*range(10))], highwater=100)
    batches, acked = await collect(stream, max_batch=4)
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert acked == [[], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7]]


@pytest.mark.asyncio
async def test_turns_are_bounded_when_nothing_more_comes():
    # a backlog per the high watermark, but nothing more delivered for longer than TURNS turns
    stream = FakeStream([evs(0)] + [[]] * (TURNS + 2) + [evs(1)], highwater=100)
    batches, _ = await collect(stream, max_batch=200)
    assert batches == [[0], [1]]


@pytest.mark.asyncio
async def test_a_batch_of_one_keeps_fausts_own_acks():
    stream = FakeStream([evs(0, 1)], highwater=100)
    batches, _ = await collect(stream, max_batch=1)
    assert batches == [[0], [1]]
    assert stream.enable_acks is True and stream.acked == []


class BlockingStream(FakeStream):
    """Delivers its events, then blocks inside its iterator for good — as Faust's does on a stop
    or a rebalance (flow control clears and suspends the queues, then waits for every event taken
    to be acked)."""

    async def events(self):
        for ev in self.arrivals[0]:
            yield ev
        await asyncio.Event().wait()
        yield None   # pragma: no cover


@pytest.mark.asyncio
async def test_events_taken_are_handed_over_and_acked_while_the_stream_blocks():
    stream = BlockingStream([evs(0, 1, 2)], highwater=100)
    gen = ready_batches(stream, 200)
    first = await asyncio.wait_for(gen.__anext__(), 1)
    assert [e.message.offset for e in first] == [0, 1, 2]
    assert stream.acked == []
    with pytest.raises(asyncio.TimeoutError):
        # the agent asks for the next batch: the held one is acked, then it waits holding nothing
        await asyncio.wait_for(gen.__anext__(), 0.2)
    assert stream.acked == [0, 1, 2]
    await gen.aclose()


class FailingStream(FakeStream):
    async def events(self):
        yield evs(0)[0]
        raise RuntimeError("stream failed")


@pytest.mark.asyncio
async def test_a_failing_stream_fails_the_agent_after_its_events_are_handled():
    stream = FailingStream([], highwater=100)
    got = []
    with pytest.raises(RuntimeError, match="stream failed"):
        async for batch in ready_batches(stream, 200):
            got.append([e.message.offset for e in batch])
    assert got == [[0]] and stream.acked == [0]
