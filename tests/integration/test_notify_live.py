"""``python -m streams notify`` against the live broker and a real local HTTP receiver (aiohttp on
127.0.0.1, a free port) that fails the first tries: every alert reaches the receiver exactly once
(by id), offsets are committed only after delivery, and a notify process killed with SIGKILL
between deliveries resends nothing it delivered and loses nothing it had not.

The notifier runs as a real subprocess (the command a user runs); the receiver runs in the test's
event loop and answers each request by a per-alert plan of behaviours."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import orjson
from aiohttp import web
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from tests.paths import ROOT
ALERT_SCHEMA = json.loads((ROOT / "schemas" / "alert.schema.json").read_text())
POLL = 0.1


def make_alert(pair: tuple[str, str], topic: str, started: str, seq: int, observed: int) -> dict:
    """An alert record as streams.detection.SpikeDetector writes it (checked against the schema)."""
    episode = f"{'-'.join(pair)}|{topic}|{started}"
    a = {
        "alert_id": f"{episode}#{seq}", "episode_id": episode, "status": "update" if seq else "new",
        "pair": list(pair), "topic": topic, "window_start": "2023-10-09", "window_end": started,
        "observed": observed, "expected": 0.8, "history": {"contacts": 10, "days": 84},
        "p_value": 1e-4, "score": 4.0,
        "threshold": {"alpha": 0.01, "min_count": 3, "min_ratio": 2.0},
        "method": "negbin-tail", "generated_at": "2023-10-15T12:00:00+00:00",
        "evidence": [{"contact_key": f"{'-'.join(pair)}|2023-10-1{i}|phone|{i}",
                      "date": f"2023-10-1{i}", "mode": "phone",
                      "evidence": f"The foreign ministers spoke by phone about Gaza (call {i}).",
                      "article_ids": [f"art-{i}"], "urls": [f"https://news.example/{i}"],
                      "sources": ["news.example"]} for i in range(observed)],
    }
    jsonschema.validate(a, ALERT_SCHEMA)
    return a


class Receiver:
    """A webhook receiver. ``plan[alert_id]`` lists how to answer its successive requests:
    "500", "429", "400" (status), "timeout" (answer 503 after the client gave up), "hang" (hold the
    request until released, then 503), "gate" (503 until ``gate`` is set, then 200); once the plan
    is used up every request is accepted with 200."""

    def __init__(self, plan: dict[str, list[str]] | None = None, slow: float = 2.0) -> None:
        self.plan = {k: list(v) for k, v in (plan or {}).items()}
        self.slow = slow
        self.requests: list[dict[str, Any]] = []       # every request, in arrival order
        self.accepted: list[str] = []                  # alert ids answered 2xx, in order
        self.hanging = asyncio.Event()
        self.release = asyncio.Event()
        self.gate = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        aid = body.get("alert_id") or body["alert"]["alert_id"]
        self.requests.append({"id": aid, "body": body, "headers": dict(request.headers)})
        steps = self.plan.get(aid)
        step = steps[0] if steps else "ok"
        if steps and step != "gate":
            steps.pop(0)
        if step == "ok" or (step == "gate" and self.gate.is_set()):
            if steps and step == "gate":
                steps.pop(0)
            self.accepted.append(aid)
            return web.json_response({"ok": True})
        if step == "gate":
            return web.Response(status=503, text="gate closed")
        if step == "timeout":
            await asyncio.sleep(self.slow)
            return web.Response(status=503, text="too late")
        if step == "hang":
            self.hanging.set()
            await self.release.wait()
            return web.Response(status=503, text="released")
        headers = {"Retry-After": "0"} if step == "429" else {}
        return web.Response(status=int(step), text=f"planned {step}", headers=headers)

    async def start(self) -> "Receiver":
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, handler_cancellation=True)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def stop(self) -> None:
        self.release.set()
        if self.runner is not None:
            await self.runner.cleanup()

    def attempts(self, aid: str) -> int:
        return sum(1 for r in self.requests if r["id"] == aid)


class Notify:
    """One ``python -m streams notify`` subprocess, logs in files."""

    def __init__(self, tmp: Path, bootstrap: str, topic: str, group: str, url: str, *extra: str,
                 name: str = "notify") -> None:
        self.out = tmp / f"{name}.out"
        self.err = tmp / f"{name}.err"
        self.args = [sys.executable, "-m", "streams", "notify", "--webhook", url,
                     "--bootstrap", bootstrap, "--topic", topic, "--group", group,
                     "--state", str(tmp / "ledger.jsonl"), "--start", "earliest",
                     "--backoff", "0.1", "--max-delay", "0.5", "--timeout", "1", *extra]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Notify":
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=out, stderr=err,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        return self

    def logs(self) -> str:
        return (f"--- stdout\n{self.out.read_text()}\n--- stderr\n{self.err.read_text()}")

    async def wait_exit(self, timeout: float = 30.0) -> int:
        for _ in range(int(timeout / POLL)):
            if self.proc.poll() is not None:
                return self.proc.returncode
            await asyncio.sleep(POLL)
        self.proc.kill()
        raise AssertionError(f"notify did not exit within {timeout} s\n{self.logs()}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


async def until(pred, what: str, timeout: float = 45.0, notify: Notify | None = None) -> None:
    for _ in range(int(timeout / POLL)):
        if pred():
            return
        if notify is not None and notify.proc.poll() is not None:
            raise AssertionError(f"notify exited ({notify.proc.returncode}) while waiting for "
                                 f"{what}\n{notify.logs()}")
        await asyncio.sleep(POLL)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{notify.logs()}" if notify else ""))


async def produce(bootstrap: str, topic: str, values: list[bytes], keys: list[bytes]
                  ) -> list[tuple[int, int]]:
    """Send in order; returns the (partition, offset) of each record."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    where = []
    try:
        for k, v in zip(keys, values):
            md = await producer.send_and_wait(topic, v, key=k)
            where.append((md.partition, md.offset))
    finally:
        await producer.stop()
    return where


async def committed(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int | None]:
    """The group's committed offsets, read by a consumer in the same group that never joins it."""
    c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await c.start()
    try:
        return {p: await c.committed(TopicPartition(topic, p)) for p in range(partitions)}
    finally:
        await c.stop()


async def set_committed(bootstrap: str, group: str, topic: str, offsets: dict[int, int]) -> None:
    """Move the group's offsets back (as after a crash between a POST and its commit)."""
    c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await c.start()
    try:
        c.assign([TopicPartition(topic, p) for p in offsets])
        await c.commit({TopicPartition(topic, p): o for p, o in offsets.items()})
    finally:
        await c.stop()


def alert_bytes(a: dict) -> bytes:
    return orjson.dumps(a)


async def test_retries_then_delivers_each_alert_once_and_commits_only_after_delivery(
        kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic("notify-alerts", partitions=2)
    group = f"{topic}-notify"
    a0 = make_alert(("JOR", "USA"), "gaza", "2023-10-15", 0, 4)
    a1 = make_alert(("JOR", "USA"), "gaza", "2023-10-15", 1, 6)
    b0 = make_alert(("EGY", "QAT"), "*", "2023-10-16", 0, 3)
    b1 = make_alert(("EGY", "QAT"), "*", "2023-10-16", 1, 5)
    alerts = [a0, b0, a1, b1]
    # the pipeline is at-least-once: the same alert record can be on the topic twice; and a record
    # that is not an alert at all is skipped, not delivered, and does not block the partition
    values = [alert_bytes(a) for a in alerts] + [alert_bytes(a0), b"not json"]
    keys = [b"JOR-USA", b"EGY-QAT", b"JOR-USA", b"EGY-QAT", b"JOR-USA", b"EGY-QAT"]
    where = await produce(kafka_bootstrap, topic, values, keys)
    part_a = where[0][0]

    rx = await Receiver({a0["alert_id"]: ["500", "timeout", "gate"],
                         b0["alert_id"]: ["429", "500"]}).start()
    n = Notify(tmp_path, kafka_bootstrap, topic, group, rx.url).start()
    try:
        # a0 fails (500, a timeout, then 503s behind the gate): its partition must not be committed
        await until(lambda: rx.attempts(a0["alert_id"]) >= 4, "a0 retried behind the gate", notify=n)
        offs = await committed(kafka_bootstrap, group, topic, 2)
        assert offs[part_a] is None, offs        # a0 is its partition's first record: nothing past it
        assert a0["alert_id"] not in rx.accepted
        rx.gate.set()
        ids = [a["alert_id"] for a in alerts]
        await until(lambda: set(rx.accepted) == set(ids), "every alert accepted", notify=n)
        end = Counter(p for p, _ in where)
        want = {p: end.get(p) for p in range(2)}
        for _ in range(100):       # the last commit follows the last delivery by a moment
            offs = await committed(kafka_bootstrap, group, topic, 2)
            if offs == want:
                break
            await asyncio.sleep(POLL)
        assert offs == want, (offs, end)   # everything committed, the skipped records included
        n.proc.send_signal(signal.SIGINT)
        assert await n.wait_exit() == 0, n.logs()
    finally:
        n.kill()
        await rx.stop()

    # the receiver's view: each alert id accepted exactly once, the duplicate record not sent
    assert Counter(rx.accepted) == Counter(ids), rx.accepted
    assert rx.attempts(a0["alert_id"]) >= 4 and rx.attempts(b0["alert_id"]) == 3
    assert rx.attempts(a1["alert_id"]) == 1 and rx.attempts(b1["alert_id"]) == 1
    # per partition, in order: a0 before a1, b0 before b1
    assert rx.accepted.index(a0["alert_id"]) < rx.accepted.index(a1["alert_id"])
    assert rx.accepted.index(b0["alert_id"]) < rx.accepted.index(b1["alert_id"])
    from referencing import Registry, Resource
    webhook = jsonschema.Draft202012Validator(
        json.loads((ROOT / "schemas" / "webhook.schema.json").read_text()),
        registry=Registry().with_resource(ALERT_SCHEMA["$id"], Resource.from_contents(ALERT_SCHEMA)))
    for r in rx.requests:
        body, headers = r["body"], r["headers"]
        webhook.validate(body)
        sent = next(a for a in alerts if a["alert_id"] == r["id"])
        assert body["alert"] == sent and body["status"] == sent["status"]
        assert headers["Idempotency-Key"] == r["id"] and headers["Content-Type"] == "application/json"
        # a0's second attempt timed out: it may have arrived, so the later ones are marked
        after_timeout = r["id"] == a0["alert_id"] and body["delivery"]["attempt"] > 2
        assert body["delivery"]["possible_duplicate"] is after_timeout, (r["id"], body["delivery"])
        assert ("X-Diplowatch-Possible-Duplicate" in headers) is after_timeout
        assert body["text"].startswith(("diplowatch new spike: ", "diplowatch spike update #1: "))
    a0_bodies = [r["body"] for r in rx.requests if r["id"] == a0["alert_id"]]
    assert [b["delivery"]["attempt"] for b in a0_bodies] == list(range(1, len(a0_bodies) + 1))
    assert "JOR-USA, topic gaza, 2023-10-09 to 2023-10-15: 4 distinct contacts vs 0.80 expected" \
        in a0_bodies[0]["text"]

    err = n.err.read_text()
    assert f"attempt 1 for {a0['alert_id']} failed: HTTP 500" in err
    assert f"attempt 2 for {a0['alert_id']} failed: no answer within 1 s" in err
    assert f"attempt 1 for {b0['alert_id']} failed: HTTP 429" in err
    assert "unreadable alert record" in err
    assert "delivered 4 (2 new, 2 updates), 1 already delivered before (not resent)" in err
    assert "Traceback" not in err
    out = n.out.read_text().splitlines()
    assert len(out) == 4 and all(line.startswith("delivered ") for line in out), out


async def test_sigkill_between_deliveries_resends_nothing_delivered_and_loses_nothing(
        kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic("notify-kill", partitions=1)
    group = f"{topic}-notify"
    alerts = [make_alert(("IRN", "SAU"), "*", "2023-11-01", seq, 3 + seq) for seq in range(6)]
    ids = [a["alert_id"] for a in alerts]
    await produce(kafka_bootstrap, topic, [alert_bytes(a) for a in alerts], [b"IRN-SAU"] * 6)

    rx = await Receiver({ids[3]: ["hang"]}).start()
    first = Notify(tmp_path, kafka_bootstrap, topic, group, rx.url, name="first").start()
    try:
        # the 4th alert's POST is held: the first three were delivered, recorded and committed
        await until(rx.hanging.is_set, "the 4th POST in flight", notify=first)
        assert rx.accepted == ids[:3]
        assert await committed(kafka_bootstrap, group, topic, 1) == {0: 3}
        first.proc.send_signal(signal.SIGKILL)
        assert await first.wait_exit() == -signal.SIGKILL
        rx.release.set()                        # the held request is answered 503: not delivered

        second = Notify(tmp_path, kafka_bootstrap, topic, group, rx.url, "--idle-timeout", "3",
                        name="second").start()
        assert await second.wait_exit(60) == 0, second.logs()
    finally:
        first.kill()
        await rx.stop()

    # exactly once in the receiver's view; the three delivered before the kill were not POSTed again
    assert Counter(rx.accepted) == Counter(ids), rx.accepted
    posts = Counter(r["id"] for r in rx.requests)
    assert all(posts[i] == 1 for i in ids[:3]) and posts[ids[3]] == 2, posts
    # the 4th may have reached the receiver before the kill: resent with the same key, marked
    resent = [r for r in rx.requests if r["id"] == ids[3]][-1]
    assert resent["headers"]["Idempotency-Key"] == ids[3]
    assert resent["headers"]["X-Diplowatch-Possible-Duplicate"] == "true"
    assert resent["body"]["delivery"]["possible_duplicate"] is True
    assert all(not r["body"]["delivery"]["possible_duplicate"] for r in rx.requests if r["id"] != ids[3])
    assert await committed(kafka_bootstrap, group, topic, 1) == {0: 6}
    assert "delivered 3 (0 new, 3 updates), 0 already delivered before (not resent), " \
           "1 resent as possible duplicates" in second.err.read_text()

    # a crash after a POST but before its commit leaves the offsets behind the ledger: move them
    # back to the start and run again: nothing is POSTed, everything is committed again
    await set_committed(kafka_bootstrap, group, topic, {0: 0})
    rx2 = await Receiver().start()
    third = Notify(tmp_path, kafka_bootstrap, topic, group, rx2.url, "--idle-timeout", "3",
                   name="third").start()
    try:
        assert await third.wait_exit(60) == 0, third.logs()
    finally:
        third.kill()
        await rx2.stop()
    assert rx2.requests == []
    assert "delivered 0 (0 new, 0 updates), 6 already delivered before (not resent)" \
        in third.err.read_text()
    assert await committed(kafka_bootstrap, group, topic, 1) == {0: 6}


async def test_rejected_alert_stops_without_commit_or_is_skipped_on_request(
        kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic("notify-reject", partitions=1)
    group = f"{topic}-notify"
    bad = make_alert(("ISR", "TUR"), "gaza", "2023-10-20", 0, 3)
    good = make_alert(("ISR", "TUR"), "gaza", "2023-10-20", 1, 4)
    await produce(kafka_bootstrap, topic, [alert_bytes(bad), alert_bytes(good)], [b"ISR-TUR"] * 2)
    rx = await Receiver({bad["alert_id"]: ["400", "400"]}).start()
    try:
        # default --on-failure stop: one attempt (a 400 is not retried), exit 1, one line, no commit
        stop = Notify(tmp_path, kafka_bootstrap, topic, group, rx.url, name="stop").start()
        assert await stop.wait_exit() == 1, stop.logs()
        err = stop.err.read_text()
        last = err.strip().splitlines()[-1]
        assert last.startswith(f"notify: alert {bad['alert_id']} rejected on attempt 1: HTTP 400"), err
        assert "Traceback" not in err
        assert rx.attempts(bad["alert_id"]) == 1 and rx.accepted == []
        assert await committed(kafka_bootstrap, group, topic, 1) == {0: None}

        # --on-failure skip: rejected again, recorded as failed, the next alert delivered
        skip = Notify(tmp_path, kafka_bootstrap, topic, group, rx.url, "--on-failure", "skip",
                      "--idle-timeout", "3", name="skip").start()
        assert await skip.wait_exit(60) == 0, skip.logs()
    finally:
        await rx.stop()
    assert rx.attempts(bad["alert_id"]) == 2 and rx.accepted == [good["alert_id"]]
    # the first run got a definite "no" (400): the second try is not marked as a possible duplicate
    assert [r["body"]["delivery"]["possible_duplicate"] for r in rx.requests] == [False] * 3
    assert await committed(kafka_bootstrap, group, topic, 1) == {0: 2}
    ledger = [orjson.loads(x) for x in (tmp_path / "ledger.jsonl").read_bytes().splitlines()]
    final = {r["id"]: r["state"] for r in ledger}
    assert final == {bad["alert_id"]: "failed", good["alert_id"]: "delivered"}


def test_cli_errors_are_one_line(kafka_bootstrap, tmp_path):
    def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "streams", "notify", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, **(env or {})})

    for args, code, msg in (
        (["--webhook", "localhost:8080/hook"], 2, "bad --webhook URL"),
        (["--webhook", "http://127.0.0.1:99999/x"], 2, "bad --webhook URL"),
        (["--webhook", "http://127.0.0.1:9/x", "--header", "NoColon"], 2, "bad --header"),
        (["--webhook", "http://127.0.0.1:9/x", "--backoff", "0"], 2, "bad retry options"),
        (["--webhook", "http://127.0.0.1:9/x", "--bootstrap", "127.0.0.1:1"], 1, "no Kafka at 127.0.0.1:1"),
    ):
        r = run(*args, "--state", str(tmp_path / "l.jsonl"))
        assert r.returncode == code, (args, r.stderr)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("notify: ") and msg in lines[0], (args, r.stderr)

    # two notifiers on one ledger: the second refuses at once
    ledger = tmp_path / "shared.jsonl"
    holder = subprocess.Popen([sys.executable, "-m", "streams", "notify", "--webhook",
                               "http://127.0.0.1:9/x", "--bootstrap", kafka_bootstrap, "--topic",
                               "notify-nothing", "--state", str(ledger)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        import time
        deadline = time.monotonic() + 30
        while not (ledger.parent / "shared.jsonl.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        r = run("--webhook", "http://127.0.0.1:9/x", "--bootstrap", kafka_bootstrap,
                "--state", str(ledger))
        assert r.returncode == 1 and "another notify process uses" in r.stderr, r.stderr
    finally:
        holder.send_signal(signal.SIGINT)
        holder.wait(30)
    assert holder.returncode == 0
    assert "delivered 0 (0 new, 0 updates)" in holder.stderr.read()


async def test_ctrl_c_during_retries_stops_at_once_and_the_next_start_delivers(
        kafka_bootstrap, new_topic, tmp_path):
    topic = new_topic("notify-sigint", partitions=1)
    group = f"{topic}-notify"
    a = make_alert(("IRQ", "USA"), "*", "2023-12-01", 0, 3)
    await produce(kafka_bootstrap, topic, [alert_bytes(a)], [b"IRQ-USA"])
    rx = await Receiver({a["alert_id"]: ["gate"]}).start()
    try:
        # long waits between attempts: Ctrl-C must not sit them out
        n = Notify(tmp_path, kafka_bootstrap, topic, group, rx.url, "--max-delay", "60",
                   "--backoff", "30", name="sigint").start()
        await until(lambda: rx.attempts(a["alert_id"]) >= 1, "a first failed attempt", notify=n)
        await asyncio.sleep(0.5)
        n.proc.send_signal(signal.SIGINT)
        assert await n.wait_exit(timeout=10) == 0, n.logs()
        err = n.err.read_text()
        assert "delivered 0 (0 new, 0 updates)" in err and "nothing committed" in err, err
        assert await committed(kafka_bootstrap, group, topic, 1) == {0: None}

        rx.gate.set()
        again = Notify(tmp_path, kafka_bootstrap, topic, group, rx.url, "--idle-timeout", "3",
                       name="again").start()
        assert await again.wait_exit(60) == 0, again.logs()
    finally:
        await rx.stop()
    assert rx.accepted == [a["alert_id"]] and rx.attempts(a["alert_id"]) == 2
    # the attempt before Ctrl-C got a definite 503: the next one is not a possible duplicate
    assert [r["body"]["delivery"]["possible_duplicate"] for r in rx.requests] == [False, False]
    assert await committed(kafka_bootstrap, group, topic, 1) == {0: 1}
