"""``LeanMonitor``: Faust's Monitor without its per-message, per-event, per-table-access and
per-send bookkeeping.

Faust's ``Monitor`` (faust/sensors/monitor.py) keeps counters and timing deques for its own /stats
page, which the worker does not serve: about fifty sensor calls per article for numbers nobody
reads. Its hooks are the public Sensor interface; what ties this class to Monitor's internals is
what it keeps: committed and end offsets per partition (``tp_committed_offsets``,
``tp_end_offsets``, read for the consumer-lag gauges by streams.web.refresh; the hooks that fill
them are not overridden) and ``stream_inbound_time``, the time of each partition's latest event,
which the aiokafka driver's stuck-stream check reads
(https://github.com/faust-streaming/faust/blob/v0.15.2/faust/transport/drivers/aiokafka.py#L859).
"""
from __future__ import annotations

from time import monotonic

from faust.sensors.monitor import Monitor


class LeanMonitor(Monitor):
    def on_message_in(self, tp, offset, message) -> None:
        pass

    def on_stream_event_in(self, tp, offset, stream, event):
        self.stream_inbound_time[tp] = monotonic()   # the driver's stuck-stream check reads it
        return None

    def on_stream_event_out(self, tp, offset, stream, event, state=None) -> None:
        pass

    def on_message_out(self, tp, offset, message) -> None:
        pass

    def on_table_get(self, table, key) -> None:
        pass

    def on_table_set(self, table, key, value) -> None:
        pass

    def on_table_del(self, table, key) -> None:
        pass

    def on_send_initiated(self, producer, topic, message, keysize, valsize):
        return None

    def on_send_completed(self, producer, state, metadata) -> None:
        pass
