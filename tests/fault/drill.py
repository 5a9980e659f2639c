"""The SIGKILL drill: a mixed stream through one worker that is killed with SIGKILL at random
points, checked against a clean run of the same input.

The input (``mixed_stream``, seeded): distinct articles made of real corpus sentences, the seed
articles and the burst fixture (a JOR-USA spike, tests/fixtures/README.md), exact copies (the same
id again, the same text under another id), near copies (edited agency stories of the dev corpus),
and bad inputs of every kind, among them a 100,000-character id. It goes to the input topic in one
fixed order, each line to a fixed input partition (``input_partitions``: an article by its id, a
copy with the article it copies), so the clean run and the drill see the same sequence on each.
The pipeline runs with one partition per topic by default (``--partitions``; the short drill of
``make test`` runs two): with two, dedupe reads two input partitions and a pair's contacts reach the
aggregate stage from two extract partitions, interleaved differently from run to run and after
every kill. The alerts must not depend on that: each record is stamped with its own input
partition's newest day, and a day is evaluated once the stamps have passed it on every path
(docs/pipeline.md, "Event-time watermark"; before the evaluation waited for the watermark, a 20-kill
run with two partitions had identical accounting and contacts, and the JOR-USA episode fired at
2023-10-17 instead of 2023-10-20).

The drill (``run_drill``): the worker is started; before each kill the next chunk of the input is
sent, and the worker is killed with SIGKILL after a random delay — a quarter of the kills within
0.3 s of the restarted worker reporting ready (``/pipeline/counts/``), half while it works through
the chunk (0.3-1.5 s), the rest later (up to ``max_delay``); then it is started again. After the last kill the rest of the input is sent
and the worker runs until every input is accounted for and nothing is in flight.

What must hold (``compare``): every input accounted for (in = sent, in flight 0, processed +
duplicate + dead-lettered = in), and the accounting (processed, duplicates by kind, dead letters by
reason), the distinct contacts on ``contacts``, the distinct contacts and episodes counted by the
aggregate stage, and the new alerts (episode id, pair, topic, window, observed) identical to the
clean run's. Repeated records on the output topics (at-least-once: a record delivered before a
kill and sent again after it) are counted and reported, not failed: the accounting and the tables
never count them twice.

Recovery after SIGKILL waits for the killed member's session to expire: the drill runs its worker
with Faust's ``BROKER_SESSION_TIMEOUT=6`` (the broker's minimum) unless the environment sets it.

Command line (the long run): ``.venv/bin/python -m tests.fault.drill --kills 100`` (a local Kafka
is started unless ``KAFKA_BOOTSTRAP`` is set); it prints a JSON summary.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from streams.detection import contact_key
from tests.corpus import corpus_lines
from tests.integration.harness import FIXTURES, Worker, jsonl, pipeline_settings, read_topic, wait_for


def _distinct(n: int, rng: random.Random, tag: str) -> list[bytes]:
    import re
    pool: dict[str, list[str]] = {}
    for line in corpus_lines("dev.jsonl"):
        a = orjson.loads(line)
        for s in re.split(r"(?<=[.!?؟])\s+|\n+", a["text"]):
            if 40 <= len(s.strip()) <= 500:
                pool.setdefault(a.get("lang") or "en", []).append(s.strip())
    langs = sorted(pool)
    return [orjson.dumps({"id": f"{tag}-d{i}", "text": " ".join(rng.sample(pool[langs[i % len(langs)]],
                                                                          rng.randint(6, 10))),
                          "source": f"s{i % 7}.example", "published_at": "2024-03-01"})
            for i in range(n)]


def mixed_stream(seed: int = 7, distinct: int = 150, long_id: bool = True) -> list[bytes]:
    """The drill's input, in its order (deterministic for a seed). The burst fixture (2023) comes
    first: after the 2024 and 2025 articles its contacts would be late (docs/pipeline.md,
    "Event-time watermark"). ``long_id=False`` leaves out the 100,000-character id (which wedged
    the pipeline before issue 14: to run the drill against an older version)."""
    rng = random.Random(seed)
    tag = f"mx{seed}"
    dev = {orjson.loads(x)["id"]: x for x in corpus_lines("dev.jsonl")}
    good = jsonl(FIXTURES / "burst_stream.jsonl") + _distinct(distinct, rng, tag) + corpus_lines("seeds.jsonl")
    good += [dev["en-tt-442816"], dev["en-tt-442849"], dev["en-tt-442906"], dev["en-016"]]
    copies = []
    for line in rng.sample(good, 12):             # the same id again
        copies.append(line)
    for i, line in enumerate(rng.sample(good, 8)):   # the same text under another id and outlet
        doc = orjson.loads(line)
        copies.append(orjson.dumps({**doc, "id": f"{tag}-repost-{i}", "source": "repost.example",
                                    "url": None}))
    bad = [
        b"this is not json {", b'["an", "array"]', b'{"id": "no-text"}',
        b'{"id": "latin1", "text": "caf\xe9"}', b'{"id": "empty", "text": "   "}',
        b'{"id": "when", "text": "some text", "published_at": "yesterday"}',
        orjson.dumps({"id": f"{tag}-huge", "text": "y" * 600_000}),
    ]
    if long_id:
        bad.append(orjson.dumps({"id": "x" * 100_000, "text": "An article whose id is 100,000 characters long."}))
    # good ones in order, copies after their originals, bad inputs scattered
    out = list(good)
    for c in copies:
        out.insert(rng.randint(len(out) // 2, len(out)), c)
    for b in bad:
        out.insert(rng.randint(0, len(out)), b)
    # last, one article of mid-2025 without a contact for each of up to 8 input partitions
    # (``input_partitions`` places them round-robin): every partition's stamp passes the days
    # before, so their alerts are decided (a partition whose newest day is 2024-03-01 would hold
    # them until more input came: docs/pipeline.md, "Event-time watermark")
    out += [orjson.dumps({"id": f"{tag}-close-{j}", "text": text, "source": "close.example",
                          "published_at": "2025-06-02"}) for j, text in enumerate(CLOSING)]
    return out


CLOSING = (
    "Heavy rain is expected along the northern coast on Tuesday, forecasters said.",
    "The city's new tram line opened to passengers after four years of construction.",
    "A local football club signed a young goalkeeper on a three-year contract.",
    "Wheat prices fell for a third week as harvest estimates were revised upward.",
    "The national museum reopened its manuscript hall after a long restoration.",
    "Schools in the capital will start the autumn term a week later than planned.",
    "An exhibition of contemporary ceramics drew large crowds over the weekend.",
    "Engineers finished repairs on the old stone bridge ahead of schedule.",
)


def input_partitions(lines: list[bytes], partitions: int) -> list[int]:
    """The input partition of each line: an article's by its id (crc32), a copy's that of the
    article it copies (found by the project's own Deduplicator over the lines in order), a line
    that is no article by its position. So each input partition has a fixed sequence and an article
    comes before its copies on the same one, whatever the runs interleave at dedupe: which of two
    copies dedupe sees first would otherwise depend on it (docs/pipeline.md, "For what input it
    holds")."""
    import zlib
    from streams.duplicates import Deduplicator
    from streams.records import Article
    dedup = Deduplicator({}, horizon_seconds=1e9)
    of: dict[str, int] = {}
    out = []
    closing = 0
    for i, line in enumerate(lines):
        try:
            doc = orjson.loads(line)
            article = Article.from_dict(doc)
            aid = str(doc["id"])
        except Exception:   # noqa: BLE001 - not an article: validate dead-letters it
            out.append(i % partitions)
            continue
        if "-close-" in aid:   # the closing articles: one per partition
            out.append(closing % partitions)
            closing += 1
            continue
        verdict = dedup.check_and_remember(article, 1.8e9)
        first = verdict.original_id if verdict.is_duplicate else aid
        p = of.setdefault(first, zlib.crc32(first.encode()) % partitions)
        out.append(p)
    return out


async def _produce(bootstrap: str, topic: str, lines: list[bytes], parts: list[int]) -> None:
    """Send ``lines`` to ``topic`` in order, line i to partition ``parts[i]`` (keyed by nothing:
    the order is the point), waiting for every acknowledgement."""
    from aiokafka import AIOKafkaProducer
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=8 << 20,
                                linger_ms=5)
    await producer.start()
    try:
        futs = [await producer.send(topic, line, partition=p) for line, p in zip(lines, parts)]
        await asyncio.gather(*futs)
    finally:
        await producer.stop()


def produce(bootstrap: str, topic: str, lines: list[bytes], parts: list[int] | None = None) -> None:
    asyncio.run(_produce(bootstrap, topic, lines, parts or [0] * len(lines)))


@dataclass
class Outcome:
    counts: dict[str, Any]
    contacts: list[str]               # distinct contact keys on the contacts topic, sorted
    contact_records: int              # records on the topic (repeats included)
    new_alerts: list[list[Any]]       # [episode_id, pair, topic, window_start, window_end, observed]
    alert_records: int
    kills: int = 0
    seconds: float = 0.0
    recoveries: list[float] = field(default_factory=list)   # start → ready after each kill, s
    log_errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        rec = sorted(self.recoveries)
        return {"kills": self.kills, "seconds": round(self.seconds, 1),
                "counts": {k: self.counts[k] for k in ("in", "processed", "duplicate", "dead_letter",
                                                        "in_flight", "contacts_distinct", "episodes")},
                "contacts": len(self.contacts), "contact_records": self.contact_records,
                "new_alerts": len(self.new_alerts), "alert_records": self.alert_records,
                "new_alert_episodes": [a[0] for a in self.new_alerts],
                "recovery_s": {"median": rec[len(rec) // 2], "max": rec[-1]} if rec else None,
                "log_errors": self.log_errors[:10]}


class KillableWorker(Worker):
    def __init__(self, settings, log_dir: Path, extra_env: dict[str, str]) -> None:
        super().__init__(settings, log_dir)
        self.extra_env = extra_env

    def start(self, timeout: float = 120.0) -> "KillableWorker":
        saved = {k: os.environ.get(k) for k in self.extra_env}
        os.environ.update(self.extra_env)
        try:
            return super().start(timeout)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def sigkill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("worker-*.log")))


def _settled(worker: Worker, n_in: int):
    last: dict[str, Any] = {}

    def check():
        c = worker.counts()
        key = (c["in"], c["in_flight"], c["contacts_distinct"], c["episodes"], c.get("bound"))
        stable = last.get("key") == key and time.monotonic() - last["since"] >= 3.0
        if last.get("key") != key:
            last.update(key=key, since=time.monotonic())
        # the alerts are decided as the aggregate's bound follows the watermark (heartbeats every
        # 2 s): settled once it has reached the input's last watermark on every path
        caught_up = c.get("watermark") is not None and c.get("bound") == c["watermark"]
        return c if c["in"] == n_in and c["in_flight"] == 0 and caught_up and stable else None
    return check


def _outcome(bootstrap: str, s, worker: Worker, n_in: int, timeout: float) -> Outcome:
    c = wait_for(_settled(worker, n_in), timeout, f"all {n_in} inputs accounted for", interval=0.5)
    contacts = read_topic(bootstrap, s.topic_contacts, settle=2.0, timeout=60)
    keys = sorted({k for _, v in contacts if (k := contact_key(orjson.loads(v))) is not None})
    alerts = [orjson.loads(v) for _, v in read_topic(bootstrap, s.topic_alerts, settle=1.0, timeout=30)]
    new = sorted({(a["episode_id"], "-".join(a["pair"]), a["topic"], a["window_start"], a["window_end"],
                   a["observed"]) for a in alerts if a["status"] == "new"})
    return Outcome(c, keys, len(contacts), [list(x) for x in new], len(alerts))


def _settings(bootstrap: str, tag: str, partitions: int = 1, store: str = "memory://"):
    # an expiry pass every 2 s: fingerprints, entries, windows and episodes expire while the drill
    # runs, at moments that differ from the clean run's (the windows' bound is the event-time
    # watermark, which does not depend on them)
    # retention 400 days: the 2023 burst expires once the 2025 seeds pass, the 2024 articles stay
    return pipeline_settings(bootstrap, tag, partitions=partitions, expire_interval_seconds=2,
                             retain_days=400, store=store)


ENV = {"BROKER_SESSION_TIMEOUT": os.environ.get("BROKER_SESSION_TIMEOUT", "6"),
       "BROKER_HEARTBEAT_INTERVAL": os.environ.get("BROKER_HEARTBEAT_INTERVAL", "1")}


def clean_run(bootstrap: str, lines: list[bytes], workdir: Path, partitions: int = 1,
              store: str = "memory://") -> Outcome:
    s = _settings(bootstrap, "clean", partitions, store)
    w = KillableWorker(s, workdir, ENV).start()
    t0 = time.monotonic()
    try:
        produce(bootstrap, s.topic_articles, lines, input_partitions(lines, partitions))
        out = _outcome(bootstrap, s, w, len(lines), 300)
    finally:
        w.stop()
    out.seconds = time.monotonic() - t0
    return out


def run_drill(bootstrap: str, lines: list[bytes], workdir: Path, kills: int, seed: int = 1,
              max_delay: float = 4.0, progress=None, partitions: int = 1,
              store: str = "memory://") -> Outcome:
    rng = random.Random(seed)
    s = _settings(bootstrap, "drill", partitions, store)
    w = KillableWorker(s, workdir, ENV)
    parts = input_partitions(lines, partitions)
    bounds = [(i * len(lines) // kills, (i + 1) * len(lines) // kills) for i in range(kills)]
    chunks = [(lines[a:b], parts[a:b]) for a, b in bounds]
    t0 = time.monotonic()
    recoveries = []
    w.start()
    try:
        for k in range(kills):
            if chunks[k][0]:
                produce(bootstrap, s.topic_articles, *chunks[k])
            r = rng.random()
            delay = (rng.uniform(0.0, 0.3) if r < 0.25 else rng.uniform(0.3, 1.5) if r < 0.75
                     else rng.uniform(1.5, max_delay))
            time.sleep(delay)
            w.sigkill()
            t = time.monotonic()
            w.start()
            recoveries.append(time.monotonic() - t)
            if progress:
                progress(k + 1, w.counts())
        out = _outcome(bootstrap, s, w, len(lines), 300)
    finally:
        w.stop()
    out.kills, out.seconds, out.recoveries = kills, time.monotonic() - t0, recoveries
    logs = w.logs().splitlines()
    out.log_errors = ["\n".join(logs[i:i + 30]) for i, ln in enumerate(logs)
                      if "MessageSizeTooLarge" in ln or "send failed" in ln or "Traceback" in ln]
    return out


def compare(clean: Outcome, drill: Outcome, n_in: int) -> list[str]:
    """Differences that fail the drill (empty: it passed)."""
    problems = []
    c = drill.counts
    if not (c["in"] == n_in and c["in_flight"] == 0
            and c["processed"] + c["duplicate"] + c["dead_letter"] == c["in"]):
        problems.append(f"not every input accounted for: {c}")
    for k in ("in", "processed", "duplicate", "dead_letter", "duplicates", "dead_letters",
              "contacts_distinct", "episodes"):
        if clean.counts[k] != c[k]:
            problems.append(f"{k}: clean {clean.counts[k]} vs drill {c[k]}")
    if clean.contacts != drill.contacts:
        problems.append(f"contacts differ: only clean {sorted(set(clean.contacts) - set(drill.contacts))[:5]}, "
                        f"only drill {sorted(set(drill.contacts) - set(clean.contacts))[:5]}")
    if clean.new_alerts != drill.new_alerts:
        problems.append(f"new alerts differ: clean {clean.new_alerts} vs drill {drill.new_alerts}")
    if drill.log_errors:
        problems.append(f"errors in the worker's log: {drill.log_errors[:3]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1, help="kill timing seed")
    ap.add_argument("--distinct", type=int, default=150, help="distinct generated articles in the input")
    ap.add_argument("--max-delay", type=float, default=4.0, help="longest wait before a kill, s")
    ap.add_argument("--without-long-id", action="store_true",
                    help="leave the 100,000-character id out of the input (for versions it wedges)")
    ap.add_argument("--partitions", type=int, default=1,
                    help="DIPLOWATCH_PARTITIONS (with more than 1 a pair's contacts arrive interleaved "
                         "differently in every run)")
    ap.add_argument("--store", default="memory://",
                    help="DIPLOWATCH_STORE of both runs (rocksdb://: the disk store, kept across kills)")
    args = ap.parse_args(argv)
    from streams.devkafka import LocalKafka
    kafka = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "").strip()
    if not bootstrap:
        kafka = LocalKafka()
        bootstrap = kafka.start()
    try:
        lines = mixed_stream(distinct=args.distinct, long_id=not args.without_long_id)
        work = Path(tempfile.mkdtemp(prefix="drill-"))
        (work / "clean").mkdir()
        (work / "drill").mkdir()
        clean = clean_run(bootstrap, lines, work / "clean", args.partitions, args.store)
        print(f"clean run: {json.dumps(clean.summary())}", file=sys.stderr)
        drill = run_drill(bootstrap, lines, work / "drill", args.kills, args.seed, args.max_delay,
                          progress=lambda k, c: print(f"kill {k}: in {c['in']} in flight {c['in_flight']}",
                                                      file=sys.stderr), partitions=args.partitions,
                          store=args.store)
        problems = compare(clean, drill, len(lines))
        print(json.dumps({"input": len(lines), "clean": clean.summary(), "drill": drill.summary(),
                          "problems": problems, "logs": str(work)}, indent=1))
        return 1 if problems else 0
    finally:
        if kafka is not None:
            kafka.stop()


if __name__ == "__main__":
    sys.exit(main())
