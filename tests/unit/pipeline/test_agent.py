"""streams.pipeline.agent.run, the one agent loop, with the plugs of validate (Stateless) and
aggregate (ViewStage) over a stand-in stream and memory-store tables: what each delivery step
carries and in which order, the events acked only after the last one, records applied before
skipped, and an Expire handed to the stage's ``expire`` (never to ``handle``). PartitionStages
(dedupe, extract): tests/unit/pipeline/test_partition_stages.py."""
from __future__ import annotations

from dataclasses import dataclass

import orjson
import pytest

from streams.pipeline import agent
from streams.pipeline.serde import Out
from streams.pipeline.tables import ChangelogWriter, PartitionView
from tests.unit.pipeline.fakes import FakeStream
from tests.unit.pipeline.fakes import FakeMemoryTable


@dataclass
class Msg:
    topic: str
    partition: int
    offset: int
    tp: str = "t"          # FakeStream's high watermarks are per tp
    headers: tuple = ()


@dataclass
class Event:
    message: Msg
    value: bytes


class Pipeline:
    """streams.app.Pipeline's ``deliver_or_stop``, recorded one call at a time, with how many
    events of ``stream`` were acked when it was called."""

    def __init__(self, stream=None) -> None:
        self.stream = stream
        self.calls: list[tuple[list, list]] = []
        self.acked_at: list[int] = []

    async def deliver_or_stop(self, outs, changelog=()) -> None:
        self.calls.append((list(outs), list(changelog)))
        self.acked_at.append(len(self.stream.acked) if self.stream else 0)


class Counter:
    """A stage over a PartitionView: counts the records of each topic it handles."""

    def __init__(self, view) -> None:
        self.view = view
        self.seen: list = []
        self.expired: list[float] = []

    def handle(self, record, topic: str) -> list[Out]:
        self.seen.append(record)
        self.view[topic] = (self.view.get(topic) or 0) + 1
        return [Out("alerts", None, {"n": record["n"]})]

    def expire(self, now: float) -> None:
        self.expired.append(now)


def view_stage():
    writer = ChangelogWriter()
    view = PartitionView(FakeMemoryTable(), writer=writer)
    stage = Counter(view)
    plug = agent.ViewStage(stage, [view], writer, records="sources", marks_key="~marks",
                           topic_of=lambda m: m.topic,
                           handle=lambda stage, rec, m: stage.handle(rec, m.topic))
    return stage, plug, view


def ev(topic: str, partition: int, offset: int, value: dict) -> Event:
    return Event(Msg(topic, partition, offset), orjson.dumps(value))


@pytest.mark.asyncio
async def test_outputs_then_state_then_marks_and_the_events_acked_after_all_three():
    stage, plug, view = view_stage()
    events = [ev("contacts", 0, 5, {"n": 1}), ev("sources", 0, 2, {"n": 2}),
              ev("contacts", 1, 9, {"n": 3})]
    stream = FakeStream([events], highwater=10_000)
    p = Pipeline(stream)
    await agent.run(p, stream, "aggregate", plug, max_batch=200)

    [(outs, state), (none, marks)] = p.calls
    assert [o.value["n"] for o in outs] == [1, 2, 3] and none == []
    assert [(orjson.loads(k), orjson.loads(v), part) for _, k, v, part in state] == [
        ("0|contacts", 1, 0), ("0|sources", 1, 0), ("1|contacts", 1, 1)]
    assert [(orjson.loads(k), orjson.loads(v), part) for _, k, v, part in marks] == [
        ("0|~marks", {"contacts": 6, "sources": 3}, 0), ("1|~marks", {"contacts": 10}, 1)]
    assert p.acked_at == [0, 0] and stream.acked == [5, 2, 9]


@pytest.mark.asyncio
async def test_records_applied_before_are_skipped_and_an_expire_goes_to_the_stage():
    stage, plug, view = view_stage()
    p = Pipeline()
    await agent.run(p, FakeStream([[ev("contacts", 0, 5, {"n": 1})]], highwater=10_000),
                    "aggregate", plug, max_batch=200)
    # redelivered after a crash (its marks reached the broker), then a new one and the timer's
    again = [ev("contacts", 0, 5, {"n": 1}), ev("contacts", 0, 6, {"n": 2}),
             ev("sources", 0, 0, {"kind": "expire", "now": 99.0})]
    await agent.run(p, FakeStream([again], highwater=10_000), "aggregate", plug, max_batch=200)
    assert [r["n"] for r in stage.seen] == [1, 2]
    assert stage.expired == [99.0]
    assert view.use(0).get("~marks") == {"contacts": 7, "sources": 1}


@pytest.mark.asyncio
async def test_a_stateless_stage_gets_the_raw_bytes_and_sends_no_state():
    got = []

    def handle(stage, raw, m):
        got.append((raw, m.offset))
        return [Out("dedupe", None, {"raw": raw.decode()})]

    events = [Event(Msg("articles", 0, i), b"not json %d" % i) for i in range(3)]
    stream = FakeStream([events], highwater=10_000)
    p = Pipeline(stream)
    await agent.run(p, stream, "validate", agent.Stateless(object(), handle), max_batch=200)
    assert got == [(b"not json 0", 0), (b"not json 1", 1), (b"not json 2", 2)]
    assert [(len(outs), state) for outs, state in p.calls] == [(3, [])]
    assert p.acked_at == [0] and stream.acked == [0, 1, 2]


@pytest.mark.asyncio
async def test_a_batch_abandoned_before_its_delivery_leaves_no_marks_for_the_next():
    stage, plug, view = view_stage()

    class Stop(Exception):
        pass

    class Failing(Pipeline):
        async def deliver_or_stop(self, outs, changelog=()) -> None:
            raise Stop   # e.g. the agent cancelled while it waits for the broker

    with pytest.raises(Stop):
        await agent.run(Failing(), FakeStream([[ev("contacts", 0, 5, {"n": 1})]], highwater=10_000),
                        "aggregate", plug, max_batch=200)
    p = Pipeline()
    await agent.run(p, FakeStream([[ev("sources", 1, 0, {"n": 2})]], highwater=10_000),
                    "aggregate", plug, max_batch=200)
    [_, (_, marks)] = p.calls
    assert [(orjson.loads(k), orjson.loads(v)) for _, k, v, _ in marks] == [
        ("1|~marks", {"sources": 1})]   # nothing for partition 0: its event comes again
