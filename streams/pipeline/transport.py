"""The worker's Kafka transport: Faust's aiokafka driver, with the consumer's fetch long-poll made
a setting (``DIPLOWATCH_FETCH_MAX_WAIT_MS``) instead of Faust's hard-coded 1,500 ms.

Why it matters here: aiokafka keeps at most one fetch request in flight per broker, covering the
assigned partitions that have no records buffered, and the broker holds a request until one of
them has data or ``fetch_max_wait_ms`` passes. Partitions drained by the agents meanwhile — the
pipeline's internal topics, which refill within milliseconds — cannot be fetched again until that
request returns. With 1,500 ms a worker with a backlog sat idle ~15 % of the time (84 % of a core,
265 articles/s); with 50 ms it stays busy (100 %, 313–318/s): bench/README.md. A shorter wait costs
an idle worker a few empty fetch responses a second.

The hook is Faust's ``App._new_transport`` (the transport class for the broker URL) and the
consumer thread's ``_create_worker_consumer``; aiokafka reads ``_fetch_max_wait_ms`` when the
consumer starts (it builds its fetcher then), after this sets it. faust-streaming is pinned to
0.15.x in pyproject.toml; tests/unit/test_pipeline_transport.py checks the hook takes effect.
"""
from __future__ import annotations

import faust
from faust.transport.drivers import aiokafka as driver


class ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport):
        consumer = super()._create_worker_consumer(transport)
        wait_ms = getattr(self.app, "fetch_max_wait_ms", None)
        if wait_ms is not None:
            consumer._fetch_max_wait_ms = int(wait_ms)
        return consumer


class Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(driver.Transport):
    Consumer = Consumer


class App(faust.App):
    """faust.App whose Kafka transport is ``Transport`` above (for kafka:// and aiokafka:// URLs;
    any other scheme keeps Faust's driver)."""

    fetch_max_wait_ms: int | None = None

    def _new_transport(self):
        if self.conf.broker_consumer[0].scheme in ("kafka", "aiokafka"):
            return Transport(self.conf.broker_consumer, self)
        return super()._new_transport()
