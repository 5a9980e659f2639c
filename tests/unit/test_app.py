"""streams.app.Pipeline.send against a stand-in producer whose futures the test resolves: the
changelog records of a batch reach the producer only after the broker has acknowledged every output
record, ``send`` returns only when the changelog records are acknowledged too, a failed send raises
DeliveryError (nothing after it is sent), and an output over the record limit becomes a dead letter
instead of a record the producer would refuse. The same order under real SIGKILLs is checked by
tests/fault/."""
from __future__ import annotations

import asyncio

import orjson
import pytest
from aiokafka.structs import RecordMetadata, TopicPartition

from streams.app import DeliveryError, Pipeline
from streams.pipeline.serde import MAX_RECORD_BYTES, Out


class Topic:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_topic_name(self) -> str:
        return self.name


class Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes | None, bytes | None, int | None]] = []
        self.futures: list[asyncio.Future] = []

    async def send(self, topic, key, value, partition, timestamp, headers):
        self.sent.append((topic, key, value, partition))
        fut = asyncio.get_running_loop().create_future()
        fut.record = (topic, partition or 0, len(self.sent) - 1)   # its offset: the send's index
        self.futures.append(fut)
        return fut

    def ack(self, n: int | None = None, exc: BaseException | None = None) -> None:
        for fut in [f for f in self.futures if not f.done()][:n]:
            if exc is not None:
                fut.set_exception(exc)
            else:   # what aiokafka's send future gives
                topic, partition, offset = fut.record
                fut.set_result(RecordMetadata(topic, partition, TopicPartition(topic, partition),
                                              offset, -1, 0, 0))


def pipeline() -> tuple[Pipeline, Producer]:
    producer = Producer()
    app = type("App", (), {"producer": producer})()
    p = Pipeline(app=app, settings=None, topics={
        "extract": Topic("x-extract"), "dead_letter": Topic("x-dead"), "contacts": Topic("x-contacts")})
    return p, producer


async def turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


OUTS = [Out("extract", f"a{i}", {"n": i}) for i in range(3)]
CHANGELOG = [("x-fingerprints-changelog", b'"0|d:000000000001"', b'{"set":{}}', 0)]


@pytest.mark.asyncio
async def test_changelog_records_wait_for_every_output_to_be_acknowledged():
    p, producer = pipeline()
    task = asyncio.ensure_future(p.send(OUTS, CHANGELOG))
    await turns()
    assert [t for t, *_ in producer.sent] == ["x-extract"] * 3   # no changelog record yet
    producer.ack(2)
    await turns()
    assert len(producer.sent) == 3                               # one output still unacknowledged
    producer.ack(1)
    await turns()
    assert producer.sent[-1][0] == "x-fingerprints-changelog"
    assert not task.done()                                       # ... and waits for its ack too
    producer.ack()
    await turns()
    assert task.done() and task.exception() is None


@pytest.mark.asyncio
async def test_a_failed_output_raises_and_sends_no_changelog_record():
    p, producer = pipeline()
    task = asyncio.ensure_future(p.send(OUTS, CHANGELOG))
    await turns()
    producer.ack(1)
    producer.ack(1, exc=RuntimeError("broker gone"))
    producer.ack(1)
    await turns()
    assert task.done() and isinstance(task.exception(), DeliveryError)
    assert all(t == "x-extract" for t, *_ in producer.sent)


@pytest.mark.asyncio
async def test_an_output_over_the_record_limit_is_replaced_by_a_dead_letter():
    p, producer = pipeline()
    big = Out("contacts", "IRN-OMN", {"evidence": "x" * MAX_RECORD_BYTES})
    task = asyncio.ensure_future(p.send([big, OUTS[0]]))
    await turns()
    producer.ack()
    await turns()
    assert task.done() and task.exception() is None
    (t1, k1, v1, _), (t2, _, _, _) = producer.sent
    assert (t1, k1, t2) == ("x-dead", b"IRN-OMN", "x-extract")
    dl = orjson.loads(v1)
    assert dl["reason"] == "too_large" and dl["stage"] == "extract" and dl["payload"]["truncated"]
    assert len(v1) < MAX_RECORD_BYTES // 4


def test_an_alert_with_huge_evidence_is_cut_to_the_bound_keeping_its_numbers():
    from streams.pipeline.alert import ALERT_BYTES, bounded_alert
    from streams.pipeline.serde import dumps
    ev = [{"contact_key": f"IRN-OMN|2024-03-0{i % 9 + 1}|call{i}", "date": "2024-03-01", "mode": "call",
           "evidence": "e" * 400, "article_ids": [f"a{j}" * 50 for j in range(20)],
           "urls": [f"https://x.example/{j}/" + "u" * 2000 for j in range(20)],
           "sources": [f"s{j}" for j in range(20)]} for i in range(50)]
    alert = {"alert_id": "IRN-OMN|*|2024-03-09#0", "observed": 50, "expected": 1.5, "evidence": ev}
    assert len(dumps(alert)) > 4 * ALERT_BYTES
    cut = bounded_alert(alert)
    assert len(dumps(cut)) <= ALERT_BYTES and cut["evidence"]
    assert {k: v for k, v in cut.items() if k != "evidence"} == {k: v for k, v in alert.items() if k != "evidence"}
    assert cut["evidence"][-1]["contact_key"] == ev[-1]["contact_key"]
    small = {**alert, "evidence": ev[:1]}
    assert bounded_alert(small) is small
