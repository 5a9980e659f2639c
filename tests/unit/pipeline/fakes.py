"""Stand-ins for the few parts of Faust the pipeline's agents touch, shared by the unit tests of
tests/unit/pipeline/ and by the benchmarks that run the agent loop without Kafka: a stream whose
events arrive turn by turn (FakeStream) and a table with the memory store (FakeMemoryTable)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class Msg:
    tp: str
    offset: int


@dataclass
class Ev:
    message: Msg


class Queue:
    def __init__(self) -> None:
        self.items: list[Ev] = []

    def empty(self) -> bool:
        return not self.items


@dataclass
class Consumer:
    highwaters: dict = field(default_factory=dict)

    def highwater(self, tp):
        return self.highwaters.get(tp)


class FakeStream:
    """Events arrive in ``arrivals``: a list of lists, one per turn of the loop (what Faust's
    conductor would have delivered to this agent's queue by then)."""

    def __init__(self, arrivals: list[list[Ev]], highwater: int | None) -> None:
        self.arrivals = arrivals
        self.enable_acks = True
        self.acked: list[int] = []
        self.channel = type("Channel", (), {})()
        self.channel.queue = Queue()
        self.app = type("App", (), {})()
        self.app.consumer = Consumer({"t": highwater})
        self.turn = 0

    def deliver(self) -> None:
        if self.turn < len(self.arrivals):
            self.channel.queue.items.extend(self.arrivals[self.turn])
        self.turn += 1

    async def events(self):
        self.deliver()
        while self.channel.queue.items or self.turn < len(self.arrivals):
            if not self.channel.queue.items:
                await asyncio.sleep(0)
                self.deliver()
                continue
            yield self.channel.queue.items.pop(0)

    async def ack(self, event) -> bool:
        self.acked.append(event.message.offset)
        return True


class _Store:
    def __init__(self) -> None:
        self.data: dict = {}


class _Topic:
    def get_topic_name(self) -> str:
        return "app-windows-changelog"


class FakeMemoryTable:
    """What PartitionView touches of a Faust table with the memory store: ``.data.data`` (the
    store's dict) and ``.changelog_topic``. Item access is Faust's own path (reads the store; a
    write is recorded in ``faust_writes``: Faust would buffer a changelog record for it)."""

    def __init__(self) -> None:
        self.data = _Store()
        self.changelog_topic = _Topic()
        self.faust_writes: list = []

    def __getitem__(self, key):
        return self.data.data[key]

    def __setitem__(self, key, value) -> None:
        self.faust_writes.append((key, value))
        self.data.data[key] = value

    def __iter__(self):
        return iter(list(self.data.data))
