"""streams.faust_ext.monitor.LeanMonitor: Faust's Monitor without its per-message bookkeeping, keeping
what the worker and Faust read."""
from __future__ import annotations

import inspect

import pytest
from faust.sensors.monitor import Monitor
from faust.types import TP

from streams.faust_ext.monitor import LeanMonitor

from .pins import params, source_sha

HOOKS = ["on_message_in", "on_stream_event_in", "on_stream_event_out", "on_message_out",
         "on_table_get", "on_table_set", "on_table_del", "on_send_initiated", "on_send_completed"]


@pytest.mark.asyncio
async def test_events_still_stamp_their_partition():
    m = LeanMonitor()
    tp = TP("t", 0)
    assert m.on_stream_event_in(tp, 5, None, None) is None
    assert tp in m.stream_inbound_time


@pytest.mark.asyncio
async def test_commit_and_end_offsets_are_kept():
    m = LeanMonitor()
    m.on_tp_commit({TP("t", 1): 42})
    m.track_tp_end_offset(TP("t", 1), 50)
    assert m.tp_committed_offsets[TP("t", 1)] == 42 and m.tp_end_offsets[TP("t", 1)] == 50


# --- contracts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("hook", HOOKS)
def test_contract_faust_monitor_hooks(hook):
    # each override has the parameters of the hook it replaces
    assert params(getattr(LeanMonitor, hook)) == params(getattr(Monitor, hook))


def test_contract_faust_stuck_stream_check_reads_stream_inbound_time():
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread
    assert "monitor.stream_inbound_time.get(tp)" in inspect.getsource(
        AIOKafkaConsumerThread.verify_event_path)
    assert source_sha(Monitor.on_stream_event_in) == (
        "df6d2e5f6397ce441d1fdeb83cb7cb5893a33e507e5e0c8caad38e6a916d838d")
