"""The one agent loop every stage runs in, and the three ways a stage's state plugs into it.

``run`` takes a stream's events a batch at a time (streams.pipeline.batching), has each one decoded
and handled by the stage of its partition, then delivers, in this order, each step only once the
broker has acknowledged the one before (streams.app.Pipeline.send):

1. the batch's output records;
2. the changelog records of the stages' table writes (state: fingerprints, entries, counts, the
   redelivery marks inside delta records);
3. for a stage whose marks are table entries of their own (aggregate), the marks saying the batch's
   events were applied;

and returns to ``ready_batches``, which acks the events only then (Faust may commit their offsets).
So no state record is on the broker while an output of an event it marks handled is not, and no
offset is committed before both: a SIGKILL at any point is safe (docs/pipeline.md, "Order of
writes"; tests/fault/drill.py).

An ``Expire`` control record is handled here, for every stage: the plug calls the stage's
``expire(now)`` between the persistence steps its state needs; stages never see it in ``handle``.
A plug may answer it with records (dedupe: a ``Heartbeat`` carrying its watermark to every extract
partition, ``on_expire``), sent with the batch's outputs.

The plugs (``Plug``):
- ``Stateless``: validate — nothing persisted, nothing to skip.
- ``PartitionStages``: dedupe and extract — one stage per partition over a ``DeltaLogStore``; its
  redelivery marks and counts live in the delta records, so they reach the broker with the state
  in step 2.
- ``ViewStage``: aggregate — one stage over ``PartitionView``s of its tables, its writes queued
  straight to the changelog; per input partition, the offsets already applied are written in step
  3 and checked before decoding.
"""
from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any, Protocol

from streams import metrics
from streams.faust_ext.changelog import disk_store
from streams.pipeline.batching import ready_batches
from streams.pipeline.materialised import CacheDamaged, DiskBacking, sweep
from streams.pipeline.serde import Out, loads
from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView, SideMapping
from streams.records import Expire, internal_record


class Plug(Protocol):
    def start(self) -> None:
        """A batch begins with empty per-batch bookkeeping: a batch abandoned before its delivery
        (its events come again) leaves no marks for the next batch to write."""

    def begin(self, message) -> Any:
        """The stage for the event's partition, ready for it; None: the event was applied before
        (skip it)."""

    def decode(self, message, value: bytes | None) -> Any:
        """The event's record (``streams.records.internal_record``); None: nothing to do."""

    def handle(self, stage, record, message) -> list[Out]:
        """The stage's decision on a record other than ``Expire``."""

    def handled(self, stage, partition: int, record) -> None:
        """After ``handle``: persistence bookkeeping for the event."""

    def expire(self, stage, partition: int, now: float) -> list[Out]:
        """An ``Expire`` record on ``partition``; the records it sends on."""

    def changelog(self) -> list:
        """After the batch: the changelog records to send once its outputs are acknowledged."""

    def marks(self) -> list:
        """After those are acknowledged: the records marking the batch's events applied."""

    def persisted(self, offsets: dict) -> None:
        """The changelog records handed out so far are acknowledged, at ``offsets`` (the highest
        per changelog partition): a disk store saves the writes they carry."""


MAX_RECOVERIES = 3   # damaged caches set aside for one batch at most (then the error is raised)


async def run(p, stream, name: str, plug: Plug, max_batch: int) -> None:
    """The agent's loop (see the module docstring); ``p`` is a streams.app.Pipeline, ``name`` the
    stage's name in the metrics."""
    async for batch in ready_batches(stream, max_batch):
        recoveries = 0
        while True:
            try:
                outs = _handle(plug, batch, name)
                break
            except CacheDamaged as exc:
                # a disk cache found damaged by a read: set aside, every store back to what the
                # broker acknowledged (the batch's changes were never sent), and the batch decided
                # again — as a redelivery after a rebalance would. Another cache may be found
                # damaged then; a rebuilt one failing again is the disk's fault, not the cache's
                recover = getattr(plug, "recover", None)
                recoveries += 1
                if recover is None or recoveries > MAX_RECOVERIES:
                    raise
                recover(exc)
        plug.persisted(await p.deliver_or_stop(outs, plug.changelog()) or {})
        marks = plug.marks()
        if marks:
            plug.persisted(await p.deliver_or_stop([], marks) or {})


def _handle(plug: Plug, batch, name: str) -> list[Out]:
    """The batch's events decided by their stages; the output records."""
    plug.start()
    outs: list[Out] = []
    for event in batch:
        m = event.message
        stage = plug.begin(m)
        if stage is None:
            continue
        record = plug.decode(m, event.value)
        with metrics.observe_stage(name):
            if type(record) is Expire:
                outs += plug.expire(stage, m.partition, record.now) or []
            elif record is not None:
                outs += plug.handle(stage, record, m)
                plug.handled(stage, m.partition, record)
    return outs


class Stateless:
    """A stage without state: each event handled on its own (``handle(stage, raw, message)``, the
    raw bytes as they came)."""

    def __init__(self, stage, handle: Callable[[Any, Any, Any], list[Out]]) -> None:
        self.stage = stage
        self.handle = handle

    def start(self) -> None:
        pass

    def begin(self, message) -> Any:
        return self.stage

    def decode(self, message, value):
        return value

    def handled(self, stage, partition, record) -> None:
        pass

    def expire(self, stage, partition, now) -> list[Out]:
        return []

    def changelog(self) -> list:
        return []

    def marks(self) -> list:
        return []

    def persisted(self, offsets) -> None:
        pass


class PartitionStages:
    """One stage object per partition of ``topic`` whose state lives in a ``DeltaLogStore`` over
    ``table`` (dedupe and extract), with the accounting reader for /pipeline/counts/ and the
    rebalance hooks that drop cached state. ``make_stage(store)`` builds a partition's stage,
    ``handle(stage, record, message)`` has it decide on a record of ``records`` (a stage-level
    topic name of ``streams.records.TOPIC_RECORDS``).

    A partition's delta record covers up to ``FLUSH_EVERY`` consecutive events of a batch: one
    changelog record per ~16 articles instead of one per article, each holding the decisions,
    fingerprints or entries, counts and redelivery marks of the events it covers together. An
    ``Expire`` is persisted on its own: the events before it are flushed with their own time, its
    deletions as a delta of their own, then the deltas older than the horizon compacted away."""

    FLUSH_EVERY = 16   # events per delta record at most: 16 articles' fingerprints fit in one part

    def __init__(self, p, table: str, topic: str, make_stage, horizon: float, *,
                 records: str | None = None,
                 handle: Callable[[Any, Any, Any], list[Out]] | None = None,
                 on_expire: Callable[[Any, int, float], list[Out]] | None = None) -> None:
        self._p, self._table, self._topic, self._make = p, table, topic, make_stage
        self.records = records
        if handle is not None:
            self.handle = handle
        self.on_expire = on_expire
        self.horizon = horizon
        self.writer = ChangelogWriter()
        self._swept = False   # the disk caches of partitions gone for a horizon removed (at start)
        self.stores: dict[int, DeltaLogStore] = {}
        self._stages: dict[int, Any] = {}
        # partition -> (its store, time of its latest event, events since its last delta)
        self._dirty: dict[int, tuple[DeltaLogStore, float, int]] = {}
        # on assignment, and again once the tables are restored (a read during recovery, e.g. by
        # /pipeline/counts/, must not leave a half-restored mapping cached)
        p.app.on_partitions_assigned.connect(self._invalidate)
        p.app.on_rebalance_complete.connect(self._invalidate)
        # a revoked partition's store is closed and forgotten (a disk backing's database closed
        # with it): a worker's open caches follow its assignment, not every partition it held
        p.app.on_partitions_revoked.connect(self._revoked)

    def stage_for(self, partition: int) -> tuple[Any, DeltaLogStore]:
        if partition not in self._stages:
            table = self._p.tables[self._table]
            store = DeltaLogStore(PartitionView(table, partition, self.writer),
                                  backing=self._backing(table, partition))
            self.stores[partition] = store
            self._stages[partition] = self._make(store)
        return self._stages[partition], self.stores[partition]

    def _backing(self, table, partition: int):
        """Where a partition's materialised mapping lives (streams.pipeline.materialised): on a
        disk-store worker a RocksDB database under its data directory, rebuilt from the delta
        records like the mapping itself; else None (dicts)."""
        if disk_store(table) is None:
            return None
        root = Path(self._p.app.conf.datadir) / "delta-cache"
        if not self._swept:   # once a process, at its first assignment
            self._swept = True
            sweep(root, self._table, self.horizon, self._assigned() | set(self.stores) | {partition})
        return DiskBacking(root / f"{self._table}-{partition}")

    def _assigned(self) -> set[int]:
        """This stage's partitions assigned to the worker now (none known before the consumer)."""
        try:
            return {tp.partition for tp in self._p.app.consumer.assignment()
                    if tp.topic == self._topic}
        except Exception:   # noqa: BLE001 - no consumer yet (unit tests, a request at start)
            return set()

    def accounting(self) -> dict[str, dict]:
        """The accounting of this stage's partitions held by this worker (for /pipeline/counts/)."""
        out: dict[str, dict] = {}
        app = self._p.app
        if app.rebalancing or app.in_recovery:
            return out   # not restored yet: nothing to report (and nothing half-restored cached)
        try:
            assignment = app.consumer.assignment()
        except Exception:   # noqa: BLE001 - the consumer is not started yet (a request at start)
            return out
        for tp in assignment:
            if tp.topic == self._topic:
                out.update(SideMapping(self.stage_for(tp.partition)[1]))
        return out

    # --- Plug ------------------------------------------------------------------------------------

    def start(self) -> None:
        self._dirty = {}
        if self.writer.pending or self.writer.unsaved:
            # a batch abandoned before its delivery: its changes never reach a disk backing
            for store in self.stores.values():
                store.discard_unsaved()
        self.writer.discard()

    def begin(self, message) -> Any:
        return self.stage_for(message.partition)[0]

    def decode(self, message, value: bytes):
        return internal_record(self.records, loads(value))

    def handle(self, stage, record, message) -> list[Out]:
        return stage.handle(record)

    def handled(self, stage, partition: int, record) -> None:
        now = float(record.in_ts or time.time())
        dirty = self._dirty.get(partition)
        n = dirty[2] + 1 if dirty else 1
        if n >= self.FLUSH_EVERY:
            self._dirty.pop(partition, None)
            self.stores[partition].flush(now)
        else:
            self._dirty[partition] = (self.stores[partition], now, n)

    def expire(self, stage, partition: int, now: float) -> list[Out]:
        store = self.stores[partition]
        if partition in self._dirty:
            store.flush(self._dirty.pop(partition)[1])   # the events before it, as stamped
        stage.expire(now)
        store.flush(now)
        store.compact(now - self.horizon, now)
        return self.on_expire(stage, partition, now) if self.on_expire is not None else []

    def changelog(self) -> list:
        for store, now, _ in self._dirty.values():
            store.flush(now)
        self._dirty = {}
        return self.writer.take()

    def marks(self) -> list:
        return []   # inside the delta records

    def persisted(self, offsets) -> None:
        self.writer.persisted(offsets)   # the table's database first, then the caches over it
        for store in self.stores.values():
            store.persisted(offsets)

    def recover(self, exc: CacheDamaged) -> None:
        """A read found a partition's disk cache damaged (``exc``) in the middle of a batch: set
        it aside (an empty database in its place, rebuilt from the delta records at its next
        access) and drop every change of the batch — the stores' unflushed and unacknowledged
        ones, the writer's records — so that the batch can be decided again from what the broker
        holds (``run``)."""
        for store in self.stores.values():
            backing = store.backing
            marked = getattr(backing, "marked", None)
            if marked is not None:
                backing.set_aside(marked)
            store.discard_unsaved()
            store.invalidate()
        self._dirty = {}
        self.writer.discard()

    async def _invalidate(self, sender, *args, **kwargs) -> None:
        for store in self.stores.values():
            store.invalidate()   # the table may hold other (recovered) deltas now

    async def _revoked(self, sender, revoked=(), *args, **kwargs) -> None:
        self.revoke({tp.partition for tp in revoked if tp.topic == self._topic})

    def revoke(self, partitions) -> None:
        """Close and forget the stores (and stages) of ``partitions``; a later assignment makes
        them again (a disk backing reopened, resumed from its position)."""
        for partition in partitions:
            store = self.stores.pop(partition, None)
            self._stages.pop(partition, None)
            self._dirty.pop(partition, None)
            if store is not None:
                store.close()


class ViewStage:
    """One stage over ``PartitionView``s of its tables (``views``, switched to each event's
    partition), its table writes queued in ``writer``. ``marks_key``: the entry of ``views[0]``
    holding, per input topic (``topic_of(message)``), the next offset not yet applied; an event
    below it was applied, its state on the broker, before a crash or rebalance, and is skipped —
    so it is not evaluated a second time against state that already holds the events after it.
    The marks of a batch are written after its outputs and state are acknowledged."""

    def __init__(self, stage, views: list[PartitionView], writer: ChangelogWriter, *,
                 records: str, marks_key: str, topic_of: Callable[[Any], str],
                 handle: Callable[[Any, Any, Any], list[Out]]) -> None:
        self.stage = stage
        self.views = views
        self.writer = writer
        self.records = records
        self.marks_key = marks_key
        self.topic_of = topic_of
        self.handle = handle
        self._done: dict[int, dict[str, int]] = {}   # partition -> input topic -> next offset

    def start(self) -> None:
        self._done = {}
        self.writer.discard()

    def begin(self, message) -> Any:
        partition = message.partition
        for view in self.views:
            view.use(partition)
        topic = self.topic_of(message)
        marks = self._done.get(partition) or self.views[0].get(self.marks_key) or {}
        if message.offset < marks.get(topic, 0):
            return None
        self._done[partition] = {**marks, topic: message.offset + 1}
        return self.stage

    def decode(self, message, value: bytes):
        if not value:
            return {}   # a record without a value (the contacts topic's heartbeat: its headers)
        return internal_record(self.records, loads(value))

    def handled(self, stage, partition, record) -> None:
        pass

    def expire(self, stage, partition, now) -> list[Out]:
        return stage.expire(now) or []

    def changelog(self) -> list:
        return self.writer.take()

    def marks(self) -> list:
        if not self._done:
            return []
        marks_view: MutableMapping = self.views[0]
        for partition, marks in self._done.items():
            marks_view.use(partition)
            marks_view[self.marks_key] = marks
        self._done = {}
        return self.writer.take()

    def persisted(self, offsets) -> None:
        self.writer.persisted(offsets)
