"""The worker's consumer takes its fetch long-poll from DIPLOWATCH_FETCH_MAX_WAIT_MS, not Faust's
hard-coded 1,500 ms (streams/pipeline/transport.py says why). Checked on the aiokafka consumer the
app's own consumer thread builds, without a broker: aiokafka builds its fetcher from this value
when the consumer starts."""
from __future__ import annotations

import pytest

from streams.app import create_app
from streams.pipeline.transport import ConsumerThread
from streams.settings import Settings


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
