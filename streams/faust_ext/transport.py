"""The worker's Kafka transport: Faust's aiokafka driver with five changes. Each reaches into a
private part of Faust, mode or aiokafka, pinned by a named test in tests/unit/faust_ext/.

1. The fetch long-poll is a setting (``App(fetch_max_wait_ms=...)``, from
   ``DIPLOWATCH_FETCH_MAX_WAIT_MS``) instead of the 1,500 ms the driver hard-codes when it builds
   the worker's consumer (faust/transport/drivers/aiokafka.py, ``_create_worker_consumer``:
   https://github.com/faust-streaming/faust/blob/v0.15.2/faust/transport/drivers/aiokafka.py#L615).
   aiokafka keeps at most one fetch request in flight per broker, for the assigned partitions
   with nothing buffered, and the broker holds it until one of them has data or the wait ends.
   Partitions the agents drain meanwhile — the internal topics, which refill within milliseconds
   — cannot be fetched again until it returns, so a long wait leaves a worker with a backlog idle.
   Faust has no setting for it; aiokafka reads its private ``_fetch_max_wait_ms`` when the
   consumer starts (it builds its fetcher then), after ``ConsumerThread`` has set it.

2. The fetch loop hands a message to the agents' queues without Faust's per-message
   ``wait_first``. Faust's loop (``Consumer._drain_messages``) awaits the conductor's callback
   through ``Service.wait_first(callback(message), suspend_flow.wait())`` — tasks created, an
   ``asyncio.wait``, tasks cancelled, for every message — so that a callback blocked on a full
   queue is abandoned when a rebalance suspends the flow. The callback can block only when the
   flow is suspended, the producer buffer is over its limit, the conductor's index is being
   rebuilt (its lock held) or a queue of the message's channels is full; when none of these holds
   it runs to its end without yielding, and awaiting it directly does exactly what ``wait_first``
   would. ``Consumer._drain_messages`` below is Faust's loop with that one fast path
   (``Consumer._delivers_at_once`` decides); otherwise it calls ``wait_first`` as before.

3. A resume of flow control that is already active leaves the stream queues alone
   (``FlowControl``). mode's ``FlowControlEvent.resume`` always empties them. Faust's recovery
   resumes the flow once the changelogs are read, then resumes the stream partitions, awaits the
   seek to committed offsets and resumes the flow again
   (``Recovery.on_recovery_completed``:
   https://github.com/faust-streaming/faust/blob/v0.15.2/faust/tables/recovery.py#L649-L660);
   the fetch loop delivers the stream partitions' records while the seek is awaited, and the
   second resume threw them away: read, never processed, never acked, never read again (the
   consumer's position was past them). A revocation still suspends and clears the queues
   (faust.app.base), and a resume from suspended still clears them. docs/upstream.md.

4. The seek to committed offsets after a rebalance also rewinds the stream partitions that have
   no committed offset yet (``ConsumerThread._seek_to_committed``): aiokafka's
   ``seek_to_committed`` seeks only offsets > 0
   (https://github.com/aio-libs/aiokafka/blob/v0.14.0/aiokafka/consumer/consumer.py#L901,
   https://github.com/aio-libs/aiokafka/issues/1003), so such a partition kept its position past
   the events Faust had read and dropped from its queues. docs/upstream.md.

5. Records the fetch loop would drop are read again (``ConsumerThread._fetch_records``). Faust
   hands aiokafka's ``fetched_records`` its live set of active partitions, which a rebalance
   mutates while a fetch is waiting (up to its 1 s timeout, and across the reassignment), and
   aiokafka reads an empty set as "every partition". Faust's ``getmany`` then drops what comes
   back while the flow is stopped, or for a partition no longer active, after aiokafka has moved
   the partition's position past it. For a stream partition the seek to committed offsets that
   follows reads it again; for a changelog partition nothing does: the records came after
   recovery's seek to the changelog's start, so recovery waited for them forever ("No event
   received for active tp ... since recovery start"; a worker taking a killed worker's partitions
   over never became ready). Such records are now un-read on the consumer's side: the partition
   is sought back to the first record returned, in the consumer's thread before anything else
   runs there, so aiokafka fetches them again once Faust asks for the partition.
   docs/upstream.md.

And a clean stop leaves the consumer group also when the worker is a static member:
``ConsumerThread.on_start`` installs streams.faust_ext.leave_group on the started consumer.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, AsyncIterator, cast

import faust
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as driver
from mode import Service
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent

from streams.faust_ext.leave_group import install_leave

log = logging.getLogger(__name__)


class ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport):
        consumer = super()._create_worker_consumer(transport)
        wait_ms = getattr(self.app, "fetch_max_wait_ms", None)
        if wait_ms is not None:
            consumer._fetch_max_wait_ms = int(wait_ms)
        return consumer

    async def on_start(self) -> None:
        await super().on_start()
        install_leave(self._consumer)

    _closing: Any = None

    def close(self) -> None:
        """Faust's close (a rebalance reached the stopping worker) with the coordinator closed
        before the client, on the consumer's own loop, once (leave_group.close_in_order)."""
        from streams.faust_ext.leave_group import close_in_order
        if self._consumer is None or self._closing is not None:
            return
        self._consumer._closed = True   # as Faust's: the consumer's own stop() does nothing more
        self._closing = asyncio.run_coroutine_threadsafe(close_in_order(self._consumer),
                                                         self.thread_loop)

    async def on_thread_stop(self) -> None:
        if self._closing is not None:   # the leave of close() done before the thread's loop ends
            with contextlib.suppress(Exception):   # (bounded: the stop watchdog allows 18 s)
                await asyncio.wait_for(asyncio.wrap_future(self._closing), 10.0)
        await super().on_thread_stop()

    async def seek_to_committed(self):
        return await self.call_thread(self._seek_to_committed)

    async def _fetch_records(self, consumer, active_partitions, timeout=None, max_records=None):
        records = await super()._fetch_records(consumer, active_partitions, timeout=timeout,
                                               max_records=max_records)
        return unread_undeliverable(consumer, records, self.consumer, active_partitions)

    async def _seek_to_committed(self):
        """aiokafka's ``seek_to_committed``, and stream partitions without a committed offset
        (None or 0, which aiokafka leaves where they are) back to their beginning, as the app's
        ``auto_offset_reset="earliest"`` places them. Faust seeks to the committed offsets after
        every rebalance to read again what it had read but not handled (its queues are emptied on
        a revocation). Changelog partitions are left to Faust's recovery, which seeks them."""
        consumer = self._ensure_consumer()
        committed = await consumer.seek_to_committed()
        changelogs = self.app.tables.changelog_topics
        rewind = [tp for tp, offset in committed.items() if not offset and tp.topic not in changelogs]
        if rewind:
            await consumer.seek_to_beginning(*rewind)
        return committed


def unread_undeliverable(consumer: Any, records: dict, faust_consumer: Any,
                         active_partitions: Any) -> dict:
    """``records`` without the partitions Faust's ``getmany`` would drop (the flow stopped, or a
    partition neither active nor buffered: faust/transport/consumer.py, ``Consumer.getmany``),
    each of those sought back to its first record on ``consumer`` (aiokafka's), so that it is
    fetched again rather than lost. Runs in the consumer's thread, with no await, right after
    aiokafka returned the records: no seek of the thread can come in between."""
    if not records:
        return records
    flowing = faust_consumer.flow_active
    buffered = faust_consumer._buffered_partitions
    unread = [tp for tp in records
              if not flowing or (active_partitions is not None
                                 and tp not in active_partitions and tp not in buffered)]
    for tp in unread:
        consumer.seek(tp, records.pop(tp)[0].offset)
    if unread:
        log.info("%d partitions' fetched records left to be fetched again (flow %s): %s",
                 len(unread), "on" if flowing else "stopped", sorted(str(tp) for tp in unread))
    return records


class Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def _delivers_at_once(self, tp: Any) -> bool:
        """True when the conductor's callback for a message of ``tp`` cannot block: flow active,
        producer buffer within its limit, conductor index not being rebuilt, no full queue among
        the partition's channels (faust.transport.conductor: ``on_message`` and the topic
        handler await only on these)."""
        app = self.app
        if self.suspend_flow.is_set() or not app.flow_control.is_active():
            return False
        buffer = app.producer.buffer
        if buffer.size > buffer.max_messages:
            return False
        conductor = app.topics
        if conductor._tp_to_callback_lock.locked():
            return False
        for chan in conductor._tp_index.get(tp, ()):
            if chan.queue.full():
                return False
        return True

    async def _drain_messages(self, fetcher) -> None:  # pragma: no cover (live-broker tests)
        # Faust's Consumer._drain_messages (the version pinned by
        # tests/unit/faust_ext/test_transport.py); the only change is marked FAST PATH
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = cast(Service, self)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set

        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        flag_consumer_fetching = faust_consumer.CONSUMER_FETCHING
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        delivers_at_once = self._delivers_at_once

        yield_every = 100
        num_since_yield = 0
        sleep = asyncio.sleep

        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(flag_consumer_fetching)
                ait = cast(AsyncIterator, getmany(timeout=1.0))

                # Sleeping because sometimes getmany is called in a loop
                # never releasing to the event loop
                await self.sleep(0)
                if not self.should_stop:
                    async for tp, message in ait:
                        num_since_yield += 1
                        if num_since_yield > yield_every:
                            await sleep(0)
                            num_since_yield = 0

                        offset = message.offset
                        r_offset = get_read_offset(tp)
                        if r_offset is None or offset >= r_offset:
                            gap = offset - (r_offset or 0)
                            # We have a gap in income messages
                            if gap > 1 and r_offset:
                                acks_enabled = acks_enabled_for(message.topic)
                                if acks_enabled:
                                    await self._add_gap(tp, r_offset + 1, offset)
                            if commit_every is not None:
                                if self._n_acked >= commit_every:
                                    self._n_acked = 0
                                    await self.commit()
                            if delivers_at_once(tp):
                                # FAST PATH: runs to its end without yielding (see above)
                                await callback(message)
                            else:
                                await self.wait_first(
                                    callback(message), self.suspend_flow.wait()
                                )
                            set_read_offset(tp, offset)
                        else:
                            self.log.dev(
                                "DROPPED MESSAGE ROFF %r: k=%r v=%r",
                                offset,
                                message.key,
                                message.value,
                            )
                    unset_flag(flag_consumer_fetching)

        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                # we're already stopping so ignore
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                # we're already stopping so ignore
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(flag_consumer_fetching)


class FlowControl(FlowControlEvent):
    """mode's flow control, except that resuming an active flow leaves the queues alone."""

    def resume(self) -> None:
        if self.is_active():
            return   # nothing was suspended: the queued events are the current assignment's
        super().resume()


class Transport(driver.Transport):
    Consumer = Consumer


class App(faust.App):
    """faust.App whose Kafka transport is ``Transport`` above (for kafka:// and aiokafka:// URLs;
    any other scheme keeps Faust's driver) and whose flow control is ``FlowControl``.
    ``fetch_max_wait_ms``: the consumer's fetch long-poll (None: the driver's own)."""

    def __init__(self, *args: Any, fetch_max_wait_ms: int | None = None, **kwargs: Any) -> None:
        self.fetch_max_wait_ms = fetch_max_wait_ms
        super().__init__(*args, **kwargs)

    @cached_property
    def flow_control(self) -> FlowControl:
        return FlowControl(loop=self.loop)

    def _new_transport(self):
        if self.conf.broker_consumer[0].scheme in ("kafka", "aiokafka"):
            return Transport(self.conf.broker_consumer, self)
        return super()._new_transport()
