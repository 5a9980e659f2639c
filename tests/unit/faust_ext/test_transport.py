"""The worker's transport (streams/faust_ext/transport.py says why), without a broker:

* the consumer takes its fetch long-poll from DIPLOWATCH_FETCH_MAX_WAIT_MS, not Faust's hard-coded
  1,500 ms (checked on the aiokafka consumer the app's own consumer thread builds: aiokafka builds
  its fetcher from this value when the consumer starts);
* the fetch loop hands a message to the conductor directly only when the conductor's callback
  cannot block, and then the callback does run to its end without yielding; in every case where
  it could block, the loop takes Faust's own ``wait_first`` path;
* records Faust's ``getmany`` would drop (the flow stopped, a partition not active) are sought
  back to their first offset in the consumer's thread and not returned, so they are read again.
The live-broker tests (tests/integration: restart, SIGTERM mid-backlog, two workers and their
rebalances) run the whole loop.

The contract tests at the end pin each private name of Faust, mode and aiokafka the module uses
(tests/unit/faust_ext/pins.py)."""
from __future__ import annotations

import asyncio
import inspect

import pytest
from faust.types import TP
from faust.types.tuples import Message

from streams.app import create_app
from streams.faust_ext.transport import ConsumerThread, FlowControl
from streams.settings import Settings

from .pins import file_sha, params, source_sha


def _app(tmp_path, **overrides):
    s = Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False, **overrides)
    return create_app(s).app


@pytest.mark.asyncio
async def test_the_consumer_waits_at_most_the_configured_time(tmp_path):
    app = _app(tmp_path, fetch_max_wait_ms=37)
    thread = app.consumer._thread
    assert isinstance(thread, ConsumerThread)
    consumer = thread._create_worker_consumer(app.transport)
    assert consumer._fetch_max_wait_ms == 37


@pytest.mark.asyncio
async def test_the_default_is_short(tmp_path):
    app = _app(tmp_path)
    consumer = app.consumer._thread._create_worker_consumer(app.transport)
    assert consumer._fetch_max_wait_ms == Settings.from_env({}).fetch_max_wait_ms == 100


def test_the_setting_is_read_from_the_environment():
    assert Settings.from_env({"DIPLOWATCH_FETCH_MAX_WAIT_MS": "200"}).fetch_max_wait_ms == 200


# --- the fetch loop's fast path ------------------------------------------------------------------

def _wired(tmp_path):
    """An app whose conductor routes partition 0 of the dedupe topic to its channel, with the flow
    active (as after an assignment): what the fetch loop sees in a running worker."""
    s = Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False)
    p = create_app(s)
    app, topic = p.app, p.topics["dedupe"]
    app.topics.add(topic)
    tp = TP(topic.get_topic_name(), 0)
    app.topics._update_tp_index({tp})
    app.topics._update_callback_map()
    app.flow_control.resume()
    return app, topic, tp


def _runs_to_its_end(coro) -> bool:
    """Step the coroutine once: True if it finished without yielding to the loop."""
    try:
        coro.send(None)
    except StopIteration:
        return True
    coro.close()
    return False


def _message(tp, offset=5):
    return Message(tp.topic, tp.partition, offset, 0.0, 0, None, b"k", b"v", None)


@pytest.mark.asyncio
async def test_when_nothing_can_block_the_message_is_handed_over_without_yielding(tmp_path):
    app, topic, tp = _wired(tmp_path)
    assert app.consumer._delivers_at_once(tp)
    assert _runs_to_its_end(app.consumer.callback(_message(tp)))
    assert topic.queue.qsize() == 1


def _suspend_consumer_flow(app, topic):
    app.consumer.suspend_flow.set()


def _suspend_flow_control(app, topic):
    app.flow_control.suspend()


def _fill_producer_buffer(app, topic):
    app.producer.buffer.max_messages = -1   # "over its limit" with an empty buffer


def _fill_the_queue(app, topic):
    q = topic.queue
    while not q.full():
        q.put_nowait(object())


@pytest.mark.asyncio
@pytest.mark.parametrize("block, callback_blocks", [
    (_suspend_consumer_flow, False),   # a rebalance began: Faust's path (abandons on suspend)
    (_suspend_flow_control, True),
    # (over its limit, the callback first flushes the buffer's messages: I/O; with the test's
    # empty buffer there is nothing to flush, so only the check itself is asserted)
    (_fill_producer_buffer, False),
    (_fill_the_queue, True),
])
async def test_whatever_could_block_takes_fausts_own_path(tmp_path, block, callback_blocks):
    app, topic, tp = _wired(tmp_path)
    block(app, topic)
    assert not app.consumer._delivers_at_once(tp)
    if callback_blocks:   # the check is needed: the callback would not run to its end
        assert not _runs_to_its_end(app.consumer.callback(_message(tp)))


@pytest.mark.asyncio
async def test_a_held_conductor_lock_takes_fausts_own_path(tmp_path):
    app, topic, tp = _wired(tmp_path)
    async with app.topics._tp_to_callback_lock:
        assert not app.consumer._delivers_at_once(tp)
        assert not _runs_to_its_end(app.consumer.callback(_message(tp)))
    assert app.consumer._delivers_at_once(tp)


# --- flow control: a resume of an active flow keeps the queued events ------------------------------

@pytest.mark.asyncio
async def test_resuming_an_active_flow_keeps_the_events_in_the_queues(tmp_path):
    # Faust's recovery resumes the flow again after it has resumed the stream partitions; the
    # events delivered meanwhile are the current assignment's and must not be thrown away
    app, topic, tp = _wired(tmp_path)
    assert isinstance(app.flow_control, FlowControl) and app.flow_control.is_active()
    topic.queue.put_nowait("event")
    app.flow_control.resume()
    assert topic.queue.qsize() == 1


@pytest.mark.asyncio
async def test_resuming_a_suspended_flow_still_clears_the_queues(tmp_path):
    # what a revocation left behind (it suspends and clears; Faust clears again on resume)
    app, topic, tp = _wired(tmp_path)
    app.flow_control.suspend()
    topic.queue.put_nowait("stale")
    app.flow_control.resume()
    assert topic.queue.qsize() == 0 and app.flow_control.is_active()


class _FakeAIOKafkaConsumer:
    def __init__(self, committed):
        self.committed, self.rewound = committed, []

    async def seek_to_committed(self):
        return dict(self.committed)

    async def seek_to_beginning(self, *tps):
        self.rewound += tps


@pytest.mark.asyncio
async def test_the_seek_to_committed_rewinds_stream_partitions_never_committed(tmp_path):
    # aiokafka leaves a partition without a committed offset (None, or 0) where it is: events read
    # before a rebalance and dropped from Faust's queues would never be read again
    from aiokafka import TopicPartition
    app = _app(tmp_path)
    changelog = next(iter(app.tables.changelog_topics))
    committed = {TopicPartition("articles", 0): None, TopicPartition("articles", 1): 0,
                 TopicPartition("articles", 2): 17, TopicPartition(changelog, 0): None}
    fake = _FakeAIOKafkaConsumer(committed)
    thread = app.consumer._thread
    thread._ensure_consumer = lambda: fake
    assert await thread._seek_to_committed() == committed
    assert sorted(fake.rewound) == [TopicPartition("articles", 0), TopicPartition("articles", 1)]


class _Record:
    def __init__(self, offset):
        self.offset = offset


class _SeekingConsumer:
    def __init__(self):
        self.seeks = []

    def seek(self, tp, offset):
        self.seeks.append((tp, offset))


class _FaustSide:
    def __init__(self, flow_active, buffered=()):
        self.flow_active, self._buffered_partitions = flow_active, set(buffered)


def _batch(**offsets):
    return {TP(name, 0): [_Record(o) for o in range(first, first + 3)]
            for name, first in offsets.items()}


def test_records_returned_while_the_flow_is_stopped_are_unread():
    # a fetch that waited through a rebalance: Faust's set emptied (aiokafka then returns every
    # partition) and the flow stopped; the changelog's records came after recovery's seek to 0
    from streams.faust_ext.transport import unread_undeliverable
    aiokafka_side = _SeekingConsumer()
    records = _batch(changelog=0, articles=40)
    assert unread_undeliverable(aiokafka_side, records, _FaustSide(False), set()) == {}
    assert sorted(aiokafka_side.seeks) == [(TP("articles", 0), 40), (TP("changelog", 0), 0)]


def test_records_of_partitions_no_longer_active_are_unread_and_the_others_kept():
    from streams.faust_ext.transport import unread_undeliverable
    aiokafka_side = _SeekingConsumer()
    records = _batch(changelog=7, articles=40, extract=3)
    active = {TP("changelog", 0)}
    kept = unread_undeliverable(aiokafka_side, records, _FaustSide(True, buffered={TP("extract", 0)}),
                                active)
    # active and buffered partitions are delivered as Faust's getmany delivers them
    assert sorted(kept) == [TP("changelog", 0), TP("extract", 0)]
    assert [r.offset for r in kept[TP("changelog", 0)]] == [7, 8, 9]
    assert aiokafka_side.seeks == [(TP("articles", 0), 40)]


def test_when_everything_is_deliverable_nothing_is_sought():
    from streams.faust_ext.transport import unread_undeliverable
    aiokafka_side = _SeekingConsumer()
    records = _batch(articles=40)
    assert unread_undeliverable(aiokafka_side, dict(records), _FaustSide(True), None) == records
    assert unread_undeliverable(aiokafka_side, {}, _FaustSide(False), set()) == {}
    assert aiokafka_side.seeks == []


# --- contracts: the private names of Faust, mode and aiokafka streams.faust_ext.transport uses ----

def test_contract_faust_consumer_drain_messages():
    # Consumer._drain_messages is a copy of this loop plus the fast path: if Faust's loop changes,
    # compare the two again and update the copy and this hash
    from faust.transport.consumer import Consumer
    assert params(Consumer._drain_messages) == ["self", "fetcher"]
    assert source_sha(Consumer._drain_messages) == (
        "44a2500309e83c630493f6828af50166ec8d96a0b3e4fb2bab735f704ae93417")


@pytest.mark.asyncio
async def test_contract_faust_consumer_names_the_copied_loop_reads(tmp_path):
    # the copy reads these private attributes of Faust's consumer and mode's Service directly
    from faust.transport import consumer as faust_consumer
    app = _app(tmp_path)
    consumer = app.consumer
    assert callable(consumer._stopped.is_set)
    assert callable(consumer._read_offset.__getitem__) and callable(consumer._read_offset.__setitem__)
    assert consumer._commit_every is None or isinstance(consumer._commit_every, int)
    assert isinstance(consumer._n_acked, int)
    assert asyncio.iscoroutinefunction(consumer._add_gap)
    assert params(consumer._add_gap) == ["tp", "offset_from", "offset_to"]
    assert isinstance(faust_consumer.CONSUMER_FETCHING, str)
    assert params(consumer.wait_first) == ["coros", "timeout"]


def test_contract_faust_driver_create_worker_consumer():
    # overridden to set the consumer's _fetch_max_wait_ms after the driver has built it
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
    assert params(AIOKafkaConsumerThread._create_worker_consumer) == ["self", "transport"]
    assert source_sha(AIOKafkaConsumerThread._create_worker_consumer) == (
        "c2701bfc3e6f6cad95c2be36d6a255a86e2c57d18d36cc1082b5fb5c482d99d7")


@pytest.mark.asyncio
async def test_contract_aiokafka_consumer_reads_fetch_max_wait_ms_at_start():
    # AIOKafkaConsumer._fetch_max_wait_ms is read when the consumer starts (its fetcher is built
    # there), so setting it on the consumer before start() takes effect
    from aiokafka import AIOKafkaConsumer
    assert AIOKafkaConsumer(fetch_max_wait_ms=321)._fetch_max_wait_ms == 321
    assert "fetch_max_wait_ms=self._fetch_max_wait_ms" in inspect.getsource(AIOKafkaConsumer.start)
    assert source_sha(AIOKafkaConsumer.start) == (
        "2f1ba70443327538800d348e61042cdedd5a5e6306f40ebe1a06dddba7494c45")


def test_contract_faust_driver_on_start_sets_consumer():
    # ConsumerThread.on_start installs the static leave on self._consumer after Faust's on_start
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
    assert source_sha(AIOKafkaConsumerThread.on_start) == (
        "38b4e8bd1e10723aed02bb1e8c74ccb02a0b04dec35b9001c51f45fa7f2b611c")


def test_contract_faust_driver_seek_to_committed():
    # replaced by ConsumerThread.seek_to_committed, which calls _seek_to_committed in the thread
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
    assert params(AIOKafkaConsumerThread._ensure_consumer) == ["self"]
    assert params(AIOKafkaConsumerThread.call_thread) == ["self", "fun", "args", "kwargs"]
    assert source_sha(AIOKafkaConsumerThread.seek_to_committed) == (
        "775ab0adc4b052abee204d5347a556412b1f77ed4de971adde69a55a1cb6f908")


def test_contract_aiokafka_seek_to_committed_skips_offsets_not_above_zero():
    # the behaviour ConsumerThread._seek_to_committed works around (docs/upstream.md,
    # aio-libs/aiokafka#1003): if this changes, the rewind may no longer be needed
    from aiokafka.consumer.consumer import AIOKafkaConsumer
    assert source_sha(AIOKafkaConsumer.seek_to_committed) == (
        "f6cd85c8b70a4ccf7e862de24f6c5d985038eed3e140990f000aa4b52eda8d72")


def test_contract_faust_driver_consumer_thread_factory():
    from faust.transport.drivers.aiokafka import Consumer, Transport
    assert source_sha(Consumer._new_consumer_thread) == (
        "0870ec53dea75083995e3565c0f0a25a1c63ecceaeb238e92e2585e3623af5a9")
    assert Transport.Consumer is Consumer


@pytest.mark.asyncio
async def test_contract_faust_conductor_private_state(tmp_path):
    # Consumer._delivers_at_once reads the conductor's index lock and its index of channels
    app, topic, tp = _wired(tmp_path)
    assert isinstance(app.topics._tp_to_callback_lock, asyncio.Lock)
    assert topic in app.topics._tp_index[tp]
    assert app.topics._tp_index.get(TP("no-such-topic", 0), ()) == ()


def test_contract_faust_conductor_callback_blocks_only_where_checked():
    # the callback awaits only flow control, the producer buffer's ebb, the index lock and a full
    # queue: the Python handler, the Cython one (used when compiled) and the dispatching wrapper
    from faust.transport.conductor import Conductor, ConductorCompiler
    assert source_sha(Conductor._compile_message_handler) == (
        "9fbc0538097aa4eca6113b99df8d17605ae72a6b5030482f041a183f4cc34df1")
    assert source_sha(ConductorCompiler.build) == (
        "837cf521368c1ee4b22c235a2b137f665eca03d0e3e01b5ddedb65232ee73bf2")
    assert file_sha("faust.transport._cython", "conductor.pyx") == (
        "dde1f974267881cf8c5f7e4fd2b114a2c6d754633a2aa9a2a2fc92f93e143dba")


def test_contract_faust_producer_buffer_ebb():
    # the callback waits for the producer buffer when size > max_messages (what the check mirrors)
    from faust.transport.producer import ProducerBuffer
    assert source_sha(ProducerBuffer.wait_until_ebb) == (
        "758dd5744044071bbc79609fa8e5bfc339818f186bc19b723de2c4c877412e00")


def test_contract_mode_flow_control_event():
    # FlowControl.resume overrides this resume, which always clears the queues; acquire is what
    # the callback awaits (returns at once when not suspended)
    from mode.utils.queues import FlowControlEvent
    assert source_sha(FlowControlEvent.resume) == (
        "4dcdc1253fd0dcb40de18a3702503c01d21e9da7e5e55b122fb92615f27648d9")
    assert source_sha(FlowControlEvent.acquire) == (
        "ed0208e866e64d0b8c677054eb1e6988aea3e9cb248f81b040b30e749fb11cd6")
    assert params(FlowControlEvent.is_active) == ["self"]


def test_contract_faust_fetch_records_and_getmany_drop_rules():
    # ConsumerThread._fetch_records wraps the driver's _fetch_records (which awaits aiokafka's
    # fetched_records and nothing after it) and mirrors getmany's rules for dropping records (flow
    # stopped; partition neither active nor buffered); if either changes, compare them again
    from faust.transport.consumer import Consumer
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
    assert params(AIOKafkaConsumerThread._fetch_records) == [
        "self", "consumer", "active_partitions", "timeout", "max_records"]
    assert source_sha(AIOKafkaConsumerThread._fetch_records) == (
        "39a2c6c79fc1455a199629912b533458a720c64983bc957420a42feef6593baa")
    assert source_sha(Consumer.getmany) == (
        "4b168d84882a70d6e3e2f9804430a63b92f8fd117d3187cbb4aeb54305bda34e")


@pytest.mark.asyncio
async def test_contract_faust_consumer_flow_and_buffered_partitions(tmp_path):
    consumer = _app(tmp_path).consumer
    assert isinstance(consumer.flow_active, bool)
    assert isinstance(consumer._buffered_partitions, set)


def test_contract_aiokafka_fetched_records_reads_an_empty_set_as_every_partition():
    # the behaviour that makes a fetch waiting through a revocation return every partition
    # (docs/upstream.md, 5); seek_to drops the partition's buffered records, so a seek back
    # fetches them again
    from aiokafka import AIOKafkaConsumer
    from aiokafka.consumer.fetcher import Fetcher
    assert "if partitions and tp not in partitions:" in inspect.getsource(Fetcher.fetched_records)
    assert source_sha(Fetcher.fetched_records) == (
        "be4348896b9b66afe048de954e2be91c546f4e96c94cb120d5764ec77ce8f19e")
    assert source_sha(Fetcher.seek_to) == (
        "f0ba6aba6c22ef83e0d58690ef771d04777032ec48cbfa68325c67bf0ef508f4")
    assert params(AIOKafkaConsumer.seek) == ["self", "partition", "offset"]


def test_contract_faust_recovery_resumes_after_the_seek():
    # the order that makes a resume clear delivered events (docs/upstream.md): resume_partitions,
    # await perform_seek, flow_control.resume; if it changes, FlowControl may no longer be needed
    from faust.tables.recovery import Recovery
    assert source_sha(Recovery.on_recovery_completed) == (
        "6ef567acf072e46da3fccbccc6d662371f634f622c3d510972d5df81f70ae3ac")


def test_contract_faust_app_new_transport_and_flow_control(tmp_path):
    import faust
    from mode.utils.objects import cached_property
    assert source_sha(faust.App._new_transport) == (
        "42db531312dd776fc3937154a32f19eeb9ad7d4ebc2722a92d081a2d271baea1")
    assert isinstance(faust.App.__dict__["flow_control"], cached_property)
    app = _app(tmp_path)
    assert isinstance(app.flow_control, FlowControl)
    assert isinstance(app.consumer._thread, ConsumerThread)
