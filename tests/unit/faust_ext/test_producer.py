"""streams.faust_ext.producer: records handed straight to Faust's producer, and its buffer's limit.
Sending itself runs against the live broker in every pipeline test (tests/integration)."""
from __future__ import annotations

import inspect

from streams.app import create_app
from streams.faust_ext import producer
from streams.settings import Settings

from .pins import params, source_sha


class _Recorder:
    def __init__(self) -> None:
        self.calls: list = []

    def send(self, **kwargs):
        self.calls.append(kwargs)
        return "awaitable"


def test_send_passes_every_field_by_name():
    r = _Recorder()
    assert producer.send(r, "t", b"k", b"v", 3, [("h", b"1")]) == "awaitable"
    assert r.calls == [dict(topic="t", key=b"k", value=b"v", partition=3, timestamp=None,
                            headers=[("h", b"1")])]


def test_the_buffer_limit_is_set_on_the_apps_producer(tmp_path):
    app = create_app(Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False)).app
    assert app.producer.buffer.max_messages == 2000
    producer.set_buffer_limit(app.producer, 7)
    assert app.producer.buffer.max_messages == 7


# --- contracts ---------------------------------------------------------------------------------------

def test_contract_faust_driver_producer_send():
    # send() calls it by keyword: the names must bind, with no other required parameter
    from faust.transport.drivers.aiokafka import Producer
    assert params(Producer.send) == ["self", "topic", "key", "value", "partition", "timestamp",
                                     "headers", "transactional_id"]
    inspect.signature(Producer.send).bind(None, topic="t", key=None, value=b"v", partition=None,
                                          timestamp=None, headers=None)


def test_contract_faust_producer_buffer_max_messages():
    # a class attribute with no setting, compared with the buffer's size by wait_until_ebb
    from faust.transport.producer import ProducerBuffer
    assert ProducerBuffer.max_messages == 100
    assert "if self.size > self.max_messages:" in inspect.getsource(ProducerBuffer.wait_until_ebb)
    assert source_sha(ProducerBuffer.wait_until_ebb) == (
        "758dd5744044071bbc79609fa8e5bfc339818f186bc19b723de2c4c877412e00")
