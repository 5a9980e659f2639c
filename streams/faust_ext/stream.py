"""Acknowledging a stream's events by hand (streams.pipeline.batching).

Faust's stream iterator acks an event when it moves on to the next one, if the stream's
``enable_acks`` is true at that moment (``Stream._py_aiter`` and the Cython ``StreamIterator``
read it per event:
https://github.com/faust-streaming/faust/blob/v0.15.2/faust/streams.py#L1258). Faust's own
``Stream.take`` turns it off the same way while it buffers. A batch of events handled together
must be acked after it is handled, not as the iterator passes each event: ``manual_acks`` turns
the iterator's acks off, and the caller acks each event with the public ``Stream.ack``.
"""
from __future__ import annotations

from typing import Any


def manual_acks(stream: Any) -> None:
    """From now on the stream's iterator acks nothing; the caller acks with ``stream.ack(event)``."""
    stream.enable_acks = False
