"""Records handed straight to Faust's producer, and the size of its buffer.

``send``: the stages' records are bytes already, so they go to the driver's ``Producer.send``
rather than through ``Topic.send`` (a FutureMessage, codec lookups, sensor calls and a completion
callback per record). That method is Faust's transport-level API, whose six parameters have no
defaults; it is called by keyword here, so a renamed or reordered parameter fails loudly instead
of shifting a value into the wrong place
(https://github.com/faust-streaming/faust/blob/v0.15.2/faust/transport/drivers/aiokafka.py#L1401-L1411).

``set_buffer_limit``: Faust's producer buffer holds the changelog records of table writes made
through ``Table.__setitem__`` (a store other than memory://; streams.pipeline.tables). Past
``ProducerBuffer.max_messages`` (100, a class attribute with no setting) the conductor stops every
stream and flushes the buffer one message at a time with a 0.1 s wait each (``wait_until_ebb``;
https://github.com/faust-streaming/faust/issues/173 shows the same fix).
"""
from __future__ import annotations

from typing import Any, Awaitable


def send(producer: Any, topic: str, key: bytes | None, value: bytes | None,
         partition: int | None, headers: list | None) -> Awaitable[Any]:
    """Hand one record to the producer; awaiting the result gives the future of its
    acknowledgement (aiokafka's send: the record is in the producer's batch once awaited)."""
    return producer.send(topic=topic, key=key, value=value, partition=partition, timestamp=None,
                         headers=headers)


def set_buffer_limit(producer: Any, max_messages: int) -> None:
    """Let the producer buffer hold up to ``max_messages`` before streams are paused to flush it."""
    producer.buffer.max_messages = max_messages
