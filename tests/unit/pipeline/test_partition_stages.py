"""streams.pipeline.agent.run with PartitionStages over a stand-in stream and a memory-store table: a
batch's table writes reach the changelog as one delta record per partition per FLUSH_EVERY events,
each sent after the output records of the events it covers, and the records rebuild the same
state. The live pipeline (restart, SIGTERM and SIGKILL mid-backlog, two workers) is exercised in
tests/integration."""
from __future__ import annotations

import orjson
import pytest
from faust.serializers import codecs

from streams.pipeline import agent
from streams.pipeline.agent import PartitionStages
from streams.pipeline.serde import Out
from streams.pipeline.tables import DeltaLogStore, PartitionView
from tests.unit.pipeline.fakes import Ev, FakeStream, Msg
from tests.unit.pipeline.fakes import FakeMemoryTable


class Signal:
    def connect(self, fn) -> None:
        pass


class FakePipeline:
    """What PartitionStages touches of streams.app.Pipeline: its tables, the app's rebalance
    signals and ``send`` (recorded in order)."""

    def __init__(self) -> None:
        self.tables = {"t": FakeMemoryTable()}
        self.app = type("App", (), {"on_partitions_assigned": Signal(), "on_rebalance_complete": Signal(),
                                    "on_partitions_revoked": Signal()})()
        self.sent: list[tuple[str, object]] = []

    async def deliver_or_stop(self, outs, changelog=()) -> None:
        # streams.app.Pipeline.send: the outputs (acknowledged) before the changelog records
        self.sent += [("out", o.value["n"]) for o in outs]
        self.sent += [("changelog", c) for c in changelog]


class Stage:
    """Remembers each article's number under its own key and sends it on."""

    def __init__(self, store) -> None:
        self.store = store
        self.expired: list[float] = []

    def handle(self, rec) -> list[Out]:
        n = rec.article["n"]
        self.store[f"k{n}"] = n
        return [Out("next", None, {"n": n})]

    def expire(self, now: float) -> None:
        self.expired.append(now)


class Event(Ev):
    def __init__(self, partition: int, offset: int, value: dict) -> None:
        super().__init__(Msg("t", offset))
        self.message.partition = partition
        if "n" in value:   # a dedupe-topic article record carrying the number
            value = {"kind": "article", "article": {"n": value["n"]}, "origin": {},
                     "in_ts": value["in_ts"]}
        self.value = orjson.dumps(value)


def rebuilt(records, partition: int) -> dict:
    table = FakeMemoryTable()
    for _, key, value, _ in records:
        k = codecs.loads("json", key)
        if value is None:
            table.data.data.pop(k, None)
        else:
            table.data.data[k] = codecs.loads("json", value)
    return dict(DeltaLogStore(PartitionView(table, partition)).items())


@pytest.mark.asyncio
async def test_a_batch_writes_one_delta_per_partition_per_flush_every_events_after_their_outputs():
    p = FakePipeline()
    stages = PartitionStages(p, "t", "topic", Stage, horizon=3600.0, records="dedupe")
    every = PartitionStages.FLUSH_EVERY
    events = [Event(0, i, {"n": i, "in_ts": 100.0 + i}) for i in range(2 * every + 5)]
    events += [Event(1, i, {"n": 1000 + i, "in_ts": 200.0}) for i in range(3)]
    stream = FakeStream([events], highwater=10_000)   # a backlog: all of it comes as one batch
    await agent.run(p, stream, "extract", stages, max_batch=200)

    deltas = [c for kind, c in p.sent if kind == "changelog"]
    assert [(c[3], len(orjson.loads(c[2])["set"])) for c in deltas] == [
        (0, every), (0, every), (0, 5), (1, 3)]
    # each delta follows the outputs of every event it covers
    seen = set()
    for kind, x in p.sent:
        if kind == "out":
            seen.add(x)
        else:
            assert {v for v in orjson.loads(x[2])["set"].values()} <= seen
    assert len(seen) == len(events) and stream.acked == [e.message.offset for e in events]
    records = [c for _, c in p.sent if _ == "changelog"]
    for partition in (0, 1):
        assert rebuilt(records, partition) == dict(stages.stores[partition].items())


@pytest.mark.asyncio
async def test_an_expire_record_flushes_the_events_before_it_with_their_own_time_then_compacts():
    p = FakePipeline()
    stages = PartitionStages(p, "t", "topic", Stage, horizon=50.0, records="dedupe")
    run = lambda events: agent.run(p, FakeStream([events], highwater=10_000), "extract",  # noqa: E731
                                   stages, max_batch=200)
    await run([Event(0, 0, {"n": 0, "in_ts": 100.0}), Event(0, 1, {"n": 1, "in_ts": 100.0})])
    await run([Event(0, 2, {"n": 2, "in_ts": 120.0}), Event(0, 3, {"kind": "expire", "now": 200.0}),
               Event(0, 4, {"n": 4, "in_ts": 200.0})])
    deltas = [(codecs.loads("json", c[1]), c[2] and orjson.loads(c[2])) for kind, c in p.sent
              if kind == "changelog"]
    assert deltas == [
        ("0|d:000000000000", {"ts": 100.0, "set": {"k0": 0, "k1": 1}, "side": None}),
        # the expire: first the event before it, stamped with its own time (not the expire's)
        ("0|d:000000000001", {"ts": 120.0, "set": {"k2": 2}, "side": None}),
        # then the compaction: the live keys of the delta older than the horizon carried into a
        # new delta first, then the old one deleted (a crash in between loses no live key)
        ("0|d:000000000002", {"ts": 200.0, "set": {"k0": 0, "k1": 1}, "side": None}),
        ("0|d:000000000000", None),
        ("0|d:000000000003", {"ts": 200.0, "set": {"k4": 4}, "side": None}),
    ]
    assert rebuilt([c for kind, c in p.sent if kind == "changelog"], 0) == {
        "k0": 0, "k1": 1, "k2": 2, "k4": 4}
    assert stages.stage_for(0)[0].expired == [200.0]   # the stage saw the expire, once
