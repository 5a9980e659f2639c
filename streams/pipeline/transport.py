"""The worker's Kafka transport: Faust's aiokafka driver with three changes, each checked by
tests/unit/test_pipeline_transport.py (the first two measured in bench/README.md).

1. The consumer's fetch long-poll is a setting (``DIPLOWATCH_FETCH_MAX_WAIT_MS``) instead of
   Faust's hard-coded 1,500 ms. aiokafka keeps at most one fetch request in flight per broker,
   covering the assigned partitions that have no records buffered, and the broker holds a request
   until one of them has data or ``fetch_max_wait_ms`` passes. Partitions drained by the agents
   meanwhile — the pipeline's internal topics, which refill within milliseconds — cannot be
   fetched again until that request returns. With 1,500 ms a worker with a backlog sat idle ~15 %
   of the time (84 % of a core, 265 articles/s); with 50 ms it stays busy (100 %, 313–318/s). A
   shorter wait costs an idle worker a few empty fetch responses a second. The hook is Faust's
   ``App._new_transport`` and the consumer thread's ``_create_worker_consumer``; aiokafka reads
   ``_fetch_max_wait_ms`` when the consumer starts (it builds its fetcher then), after this sets it.

2. Handing a fetched message to the agents' queues without four tasks per message. Faust's fetch
   loop (``Consumer._drain_messages``) runs the conductor's callback for every message through
   ``Service.wait_first(callback(message), suspend_flow.wait())``: four tasks created (the two
   coroutines, the service's stopped and crashed events), ``asyncio.wait``, three of them
   cancelled — so that a callback blocked on a full queue is abandoned when a rebalance suspends
   the flow. In a throwaway two-hop Faust app that was ~95 of the ~178 us of CPU per event (one
   send each: 178 -> 80 us without it). But the callback blocks only when the flow is suspended,
   the producer buffer is over its limit, the conductor's index is being rebuilt (its lock is
   held) or a queue of the message's partition is full; when none of these holds, it runs to its
   end without yielding, and awaiting it directly does exactly what ``wait_first`` would have done. ``_drain_messages`` below is Faust 0.15.3's loop with that one
   fast path; otherwise it calls ``wait_first`` as before. A unit test pins the upstream source
   this was adapted from (faust-streaming is pinned to 0.15.x in pyproject.toml).

3. A resume of flow control that is already active does not clear the agents' queues. Faust's
   ``FlowControlEvent.resume()`` always empties every stream queue (events delivered while the flow
   was suspended belong to a previous assignment). But Faust's recovery calls ``resume()`` several
   times after the flow is active again — the last one after it has resumed the stream partitions
   and awaited the seek to committed offsets, while the fetch loop is already delivering their
   records. Those events were emptied out of the queues after being read: not processed, not
   acked, and not read again, because the consumer's position was already past them (and a
   partition without a committed offset is not sought at all). A restart in the middle of a
   backlog lost up to 96 of 300 articles that way (tests/integration/test_pipeline_accounting.py,
   in about one run in two once the fetch loop was fast). A revocation still suspends and clears
   the queues (faust.app.base), and a resume from suspended still clears them. For the same
   reason, the seek to committed offsets after a rebalance also rewinds the stream partitions that
   have no committed offset yet, which aiokafka's ``seek_to_committed`` leaves where they are
   (``ConsumerThread._seek_to_committed``).

4. A clean stop leaves the consumer group also when the worker is a static member (aiokafka sends
   no LeaveGroup for one): ``ConsumerThread.on_start`` installs streams.pipeline.membership's
   static LeaveGroup on the consumer once it is started (tests/integration/test_pipeline_recovery.py).
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, cast

import faust
from faust.transport import consumer as faust_consumer
from faust.transport.drivers import aiokafka as driver
from mode import Service
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent


class ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport):
        consumer = super()._create_worker_consumer(transport)
        wait_ms = getattr(self.app, "fetch_max_wait_ms", None)
        if wait_ms is not None:
            consumer._fetch_max_wait_ms = int(wait_ms)
        return consumer

    async def on_start(self) -> None:
        await super().on_start()
        # a static member leaves the group on a clean stop too (streams.pipeline.membership)
        from streams.pipeline.membership import install_leave
        install_leave(self._consumer)

    _closing: Any = None

    def close(self) -> None:
        """Faust's close (a rebalance reached the stopping worker) with the coordinator closed
        before the client, on the consumer's own loop, once (membership.close_in_order)."""
        from streams.pipeline.membership import close_in_order
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

    async def _seek_to_committed(self):
        """aiokafka's ``seek_to_committed``, and stream partitions without a committed offset
        (None or 0, which aiokafka leaves where they are) back to their beginning, as the app's
        ``auto_offset_reset="earliest"`` would place them. Faust seeks to committed offsets after
        every rebalance to read again what it had read but not handled (its queues are emptied on
        a revocation); a partition not committed yet kept its position past those events, and
        they were lost. Changelog partitions are left to Faust's recovery, which seeks them."""
        consumer = self._ensure_consumer()
        committed = await consumer.seek_to_committed()
        changelogs = self.app.tables.changelog_topics
        rewind = [tp for tp, offset in committed.items() if not offset and tp.topic not in changelogs]
        if rewind:
            await consumer.seek_to_beginning(*rewind)
        return committed


class Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def _delivers_at_once(self, tp: Any) -> bool:
        """True when the conductor's callback for a message of ``tp`` cannot block: flow active,
        producer buffer within its limit, conductor index not being rebuilt, no full queue among
        the partition's channels (faust.transport.conductor: ``on_message`` and the topic
        handler awaits only on these)."""
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
        # Faust 0.15.3's Consumer._drain_messages; the only change is marked FAST PATH
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
    """Faust's flow control, except that resuming an active flow leaves the queues alone."""

    def resume(self) -> None:
        if self.is_active():
            return   # nothing was suspended: the queued events are the current assignment's
        super().resume()


class Transport(driver.Transport):
    Consumer = Consumer


class App(faust.App):
    """faust.App whose Kafka transport is ``Transport`` above (for kafka:// and aiokafka:// URLs;
    any other scheme keeps Faust's driver)."""

    fetch_max_wait_ms: int | None = None

    @cached_property
    def flow_control(self) -> FlowControl:
        return FlowControl(loop=self.loop)

    def _new_transport(self):
        if self.conf.broker_consumer[0].scheme in ("kafka", "aiokafka"):
            return Transport(self.conf.broker_consumer, self)
        return super()._new_transport()
