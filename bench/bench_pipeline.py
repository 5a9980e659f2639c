"""Benchmark of the streaming pipeline against a real broker, next to its ceiling.

    .venv/bin/python bench/bench_pipeline.py [--articles 3000] [--rate 200] [--seconds 10] [--profile]

Measures, for one ``python -m streams worker`` process (all stages, tables with changelogs):
- sustained throughput: a backlog of N distinct articles is on ``articles`` before the worker
  starts; articles/s = N / (time from the first article handled to the last one extracted, and
  to the last record of any stage), from the timestamps of the records the stages wrote (the
  polled figure, from /pipeline/counts/ every 0.25 s, is printed beside it);
- latency at a fixed offered rate (``--rate``, below capacity): from an article's timestamp on
  ``articles`` (the producer's CreateTime) to the timestamp of its first contact on ``contacts``;
  p50/p99 over the articles that have contacts;
and the same two figures for a bare aiokafka consume-and-produce loop in one Python process over
the same messages (parse with orjson, produce one record per article: the Kafka I/O ceiling).

Articles: N distinct articles built from real corpus sentences (dev + seeds, one language per
article, 6-10 sentences each), so they pass validation, are not copies of one another and carry
real contact sentences for the extractor. With ``--profile`` the worker runs under cProfile and the
top functions by cumulative time are printed. Stage times come from the worker's /metrics.
Uses $KAFKA_BOOTSTRAP if set, else starts a local broker (streams.devkafka).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
_SPLIT = re.compile(r"(?<=[.!?؟])\s+|\n+")


# --- articles --------------------------------------------------------------------------------

def sentence_pool() -> dict[str, list[str]]:
    pool: dict[str, list[str]] = {}
    for name in ("dev.jsonl", "seeds.jsonl"):
        for line in (CORPUS / name).read_bytes().splitlines():
            a = orjson.loads(line)
            lang = a.get("lang") or "en"
            for s in _SPLIT.split(a["text"]):
                s = s.strip()
                if 40 <= len(s) <= 500:
                    pool.setdefault(lang, []).append(s)
    return pool


def make_articles(n: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    pool = sentence_pool()
    langs = sorted(pool)
    run = uuid.uuid4().hex[:6]
    out = []
    for i in range(n):
        lang = langs[i % len(langs)]
        text = " ".join(rng.sample(pool[lang], rng.randint(6, 10)))
        day = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.append(orjson.dumps({
            "id": f"bench-{run}-{i}", "text": text, "lang": lang, "title": None,
            "source": f"outlet{rng.randint(1, 40)}.example", "url": f"https://news.example/{run}/{i}",
            "published_at": day,
        }))
    return out


# --- Kafka helpers ---------------------------------------------------------------------------

async def produce(bootstrap: str, topic: str, lines: list[bytes], rate: float | None = None) -> None:
    from aiokafka import AIOKafkaProducer
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_request_size=4 << 20)
    await p.start()
    try:
        t0 = time.perf_counter()
        futs = []
        for i, line in enumerate(lines):
            if rate:
                delay = t0 + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            key = orjson.loads(line)["id"].encode()
            futs.append(await p.send(topic, line, key=key))
        await asyncio.gather(*futs)
    finally:
        await p.stop()


async def read_all(bootstrap: str, topic: str, settle: float = 2.0, timeout: float = 120.0):
    from aiokafka import AIOKafkaConsumer
    c = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                         enable_auto_commit=False, max_partition_fetch_bytes=8 << 20)
    await c.start()
    out = []
    try:
        deadline, quiet = time.monotonic() + timeout, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - quiet < settle:
            batch = await c.getmany(timeout_ms=200)
            for recs in batch.values():
                out.extend(r for r in recs if r.value)   # (not the contacts topic's heartbeats)
                if recs:
                    quiet = time.monotonic()
    finally:
        await c.stop()
    return out


async def create_topics(bootstrap: str, names: list[str], partitions: int) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    a = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await a.start()
    try:
        await a.create_topics([NewTopic(n, partitions, 1) for n in names])
    finally:
        await a.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


# --- the pipeline worker ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    def __init__(self, bootstrap: str, partitions: int, profile: Path | None) -> None:
        uid = uuid.uuid4().hex[:8]
        self.port = free_port()
        self.env = {
            "DIPLOWATCH_KAFKA_BOOTSTRAP": bootstrap, "DIPLOWATCH_APP_ID": f"bench-{uid}",
            "DIPLOWATCH_TOPIC_ARTICLES": f"bench-articles-{uid}",
            "DIPLOWATCH_TOPIC_CONTACTS": f"bench-contacts-{uid}",
            "DIPLOWATCH_TOPIC_ALERTS": f"bench-alerts-{uid}",
            "DIPLOWATCH_TOPIC_DEAD_LETTER": f"bench-dl-{uid}",
            "DIPLOWATCH_PARTITIONS": str(partitions), "DIPLOWATCH_WEB_PORT": str(self.port),
            "DIPLOWATCH_LOGLEVEL": "warning", "DIPLOWATCH_EXPIRE_INTERVAL_SECONDS": "3600",
            # Faust's local data of a throwaway app: a temp dir, not the project's var/faust
            "DIPLOWATCH_DATA_DIR": tempfile.mkdtemp(prefix="bench-faust-"),
        }
        self.profile = profile
        self.proc: subprocess.Popen | None = None
        self.cwd = ROOT   # the checkout whose ``streams`` the worker runs (python -m: cwd first)

    def start(self) -> None:
        cmd = [sys.executable]
        if self.profile:
            cmd += ["-m", "cProfile", "-o", str(self.profile)]
        cmd += ["-m", "streams", "worker"]
        self.log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env={**os.environ, **self.env},
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
            return r.read()

    def counts(self) -> dict | None:
        try:
            return orjson.loads(self.get("/pipeline/counts/"))
        except OSError:
            return None

    def stage_seconds(self) -> dict[str, tuple[float, float]]:
        text = self.get("/metrics").decode()
        out: dict[str, list[float]] = {}
        for line in text.splitlines():
            m = re.match(r'diplowatch_stage_latency_seconds_(sum|count)\{stage="(\w+)"\} (\S+)', line)
            if m:
                out.setdefault(m.group(2), [0.0, 0.0])[0 if m.group(1) == "sum" else 1] = float(m.group(3))
        return {k: (v[0], v[1]) for k, v in out.items()}

    def cpu_seconds(self) -> float:
        """user+system CPU time of the worker process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Group:
    """One or more workers of the same app (same env, own web ports); counts and CPU summed."""

    def __init__(self, bootstrap: str, partitions: int, profile: Path | None, n: int) -> None:
        self.workers = [Worker(bootstrap, partitions, profile if i == 0 else None) for i in range(n)]
        for w in self.workers[1:]:
            w.env = {**self.workers[0].env, "DIPLOWATCH_WEB_PORT": str(w.port)}

    def counts(self) -> dict | None:
        cs = [w.counts() for w in self.workers]
        if any(c is None for c in cs):
            return None
        out = {k: sum(c[k] for c in cs) for k in ("in", "processed", "duplicate", "dead_letter", "in_flight")}
        out["ready"] = all(c["ready"] and c.get("assigned") for c in cs)
        return out

    def wait(self, pred, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for w in self.workers:
                if w.proc.poll() is not None:
                    raise SystemExit(f"worker died; log {w.log.name}")
            c = self.counts()
            if c is not None and pred(c):
                return c
            time.sleep(0.25)   # polling /pipeline/counts/ costs the worker a table scan
        raise SystemExit(f"timed out waiting for {what}; logs {[w.log.name for w in self.workers]}")

    def cpu_seconds(self) -> float:
        return sum(w.cpu_seconds() for w in self.workers)

    def stage_seconds(self) -> dict[str, tuple[float, float]]:
        out: dict[str, tuple[float, float]] = {}
        for w in self.workers:
            for k, (t, n) in w.stage_seconds().items():
                t0, n0 = out.get(k, (0.0, 0.0))
                out[k] = (t0 + t, n0 + n)
        return out


def bench_pipeline(bootstrap: str, backlog: list[bytes], paced: list[bytes], rate: float,
                   partitions: int, profile: Path | None, workers: int = 1) -> dict:
    g = Group(bootstrap, partitions, profile, workers)
    from streams.pipeline.topics import ensure_topics_sync
    from streams.settings import Settings
    s = Settings.from_env(g.workers[0].env)
    ensure_topics_sync(s)
    for w in g.workers:
        w.start()
    try:
        # every worker holds its share before the backlog arrives: no rebalance during the run
        g.wait(lambda c: c["ready"], 300, "workers ready")
        asyncio.run(produce(bootstrap, s.topic_articles, backlog))
        n = len(backlog)
        first = g.wait(lambda c: c["in"] > 0, 180, "first article read")
        t0, cpu0 = time.perf_counter(), g.cpu_seconds()
        g.wait(lambda c: c["in"] == n and c["in_flight"] == 0, 600, "backlog processed")
        elapsed, cpu = time.perf_counter() - t0, g.cpu_seconds() - cpu0
        counts = g.counts()
        stages = g.stage_seconds()
        # the aggregate stage may still work off the backlog's contacts: let it drain before the
        # latency run (its count stops moving), so the run measures latency, not a queue
        # (the time its count last moved ends the "all stages" figure, within the 0.25 s polling)
        last, still, t_agg = None, 0, time.perf_counter()
        while still < 4:
            n_agg = g.stage_seconds().get("aggregate", (0, 0))[1]
            if n_agg != last:
                still, t_agg = 0, time.perf_counter()
            else:
                still += 1
            last = n_agg
            time.sleep(0.25)
        elapsed_all, cpu_all = t_agg - t0, g.cpu_seconds() - cpu0
        # the same two spans from the broker's record timestamps (the producer's CreateTime, ms):
        # the polling above sees the first read and the last record up to 0.25 s late each
        stamps = broker_spans(bootstrap, s)
        # latency at a fixed offered rate
        asyncio.run(produce(bootstrap, s.topic_articles, paced, rate=rate))
        g.wait(lambda c: c["in"] == n + len(paced) and c["in_flight"] == 0, 300, "paced run processed")
        arts = asyncio.run(read_all(bootstrap, s.topic_articles, settle=1.0))
        contacts = asyncio.run(read_all(bootstrap, s.topic_contacts, settle=2.0))
    finally:
        for w in g.workers:
            w.stop()
    paced_ids = {orjson.loads(x)["id"] for x in paced}
    sent = {r.key.decode(): r.timestamp for r in arts if r.key and r.key.decode() in paced_ids}
    first_contact: dict[str, int] = {}
    for r in contacts:
        aid = orjson.loads(r.value)["article_id"]
        if aid in sent:
            first_contact[aid] = min(first_contact.get(aid, r.timestamp), r.timestamp)
    lat = [(first_contact[a] - sent[a]) / 1000.0 for a in first_contact]
    done = n - (first["in"] - 1)   # articles read after the clock started
    return {"polled": done / elapsed if elapsed > 0 else 0.0,
            "polled_all": done / elapsed_all if elapsed_all > 0 else 0.0,
            "throughput": n / stamps["extracted"] if stamps["extracted"] > 0 else 0.0,
            "elapsed": stamps["extracted"], "done": done,
            "throughput_all": n / stamps["all"] if stamps["all"] > 0 else 0.0,
            "elapsed_all": stamps["all"], "cpu_all": cpu_all, "cpu_elapsed": elapsed,
            "cpu": cpu, "counts": counts, "stages": stages, "latency": lat, "with_contacts": len(lat)}


def broker_spans(bootstrap: str, s) -> dict[str, float]:
    """Seconds from the first article handled (validate's first record on the dedupe topic) to the
    last article extracted (the extract stage's last changelog record: it follows the article's
    contacts) and to the last record of any stage (aggregate's table writes included), from the
    records' timestamps: the time each record was handed to the producer. Read before the paced
    run, so only the backlog's records are there."""
    def stamps(topic: str) -> list[int]:
        return [r.timestamp for r in asyncio.run(read_all(bootstrap, topic, settle=1.0))]
    start = min(stamps(s.topic_dedupe))
    extracted = max(stamps(f"{s.app_id}-extracted-changelog"))
    last = max([extracted, *stamps(f"{s.app_id}-windows-changelog"),
                *stamps(f"{s.app_id}-episodes-changelog"), *stamps(s.topic_alerts)])
    return {"extracted": (extracted - start) / 1000.0, "all": (last - start) / 1000.0}


# --- the baselines: bare aiokafka loops in one process, no Faust -----------------------------

class TransportOnly:
    """Parse each article and produce one small record keyed by its id: the Kafka I/O ceiling."""
    name = "transport-only"

    def process(self, r) -> list[tuple[str, bytes | None, bytes]]:
        doc = orjson.loads(r.value)
        return [("out", r.key, orjson.dumps({"article_id": doc["id"]}))]


class SameWork:
    """The pipeline's per-article work without Faust, in one process: the same stage cores
    (ValidateStage, DedupeStage over a Deduplicator, ExtractStage with extract_contacts,
    AggregateStage with spike detection) over in-memory dicts instead of changelog-backed tables,
    their messages to each other handed over in process; contacts, alerts and dead letters are
    produced to Kafka like the worker's. What it leaves out is exactly what Faust adds: the hops
    between stages through the broker, the changelogs, the framework's per-event machinery."""
    name = "same-work"

    def __init__(self) -> None:
        from streams.duplicates import Deduplicator
        from streams.extraction import extract_contacts
        from streams.pipeline.aggregate import AggregateStage
        from streams.pipeline.alert import spike_params
        from streams.pipeline.dedupe import DedupeStage
        from streams.pipeline.extract import ExtractStage, warm_up
        from streams.pipeline.validate import ValidateStage
        from streams.settings import Settings
        s = Settings.from_env({})
        self.validate = ValidateStage(max_bytes=s.max_article_bytes, max_text_chars=s.max_text_chars)
        self.dedupe = DedupeStage(Deduplicator({}, horizon_seconds=s.dedup_horizon_seconds), {})
        self.extract = ExtractStage({}, {}, extract_contacts, s.dedup_horizon_seconds)
        self.aggregate = AggregateStage({}, {}, spike_params(s), retain_days=s.retain_days)
        warm_up()   # the knowledge base, loaded before the clock starts (as the worker does)
        from streams.runtime import tune_gc
        tune_gc()   # the worker's garbage-collector settings, so both sides run alike

    def process(self, r) -> list[tuple[str, bytes | None, bytes]]:
        from streams import metrics
        from streams.pipeline.serde import Origin, dumps
        origin = Origin(r.topic, r.partition, r.offset, r.timestamp / 1000.0, r.key)
        sent: list[tuple[str, bytes | None, bytes]] = []
        # the worker's hops, in process: each stage's Outs go to the next stage or to Kafka
        todo = []
        with metrics.observe_stage("validate"):
            todo += self.validate.handle(r.value, origin)
        while todo:
            out = todo.pop(0)
            if out.topic == "dedupe":
                with metrics.observe_stage("dedupe"):
                    todo += self.dedupe.handle(out.value, 0)
            elif out.topic == "extract":
                with metrics.observe_stage("extract"):
                    more = self.extract.handle(out.value, 0)
                todo += more
            elif out.topic in ("contacts", "sources"):
                if out.topic == "contacts":
                    sent.append(("contacts", out.key.encode(), dumps(out.value)))
                with metrics.observe_stage("aggregate"):
                    todo += self.aggregate.handle(out.value)
            else:   # alerts, dead_letter
                sent.append((out.topic, out.key.encode() if out.key else None, dumps(out.value)))
        return sent


def stage_seconds_here() -> dict[str, tuple[float, float]]:
    """(seconds, records) per stage from this process's stage histograms (streams.metrics)."""
    from streams import metrics
    out = {}
    for stage in metrics.STAGES:
        labels = {"stage": stage}
        n = metrics.REGISTRY.get_sample_value("diplowatch_stage_latency_seconds_count", labels) or 0.0
        s = metrics.REGISTRY.get_sample_value("diplowatch_stage_latency_seconds_sum", labels) or 0.0
        if n:
            out[stage] = (s, n)
    return out


async def bare_loop(bootstrap: str, src: str, partitions: int, dst: dict[str, str], worker,
                    n_backlog: int, paced: list[bytes], rate: float, timeout: float = 600) -> dict:
    """Consume ``src`` (its ``partitions``, from the start) in one process and produce what
    ``worker.process`` returns for each record. The backlog of ``n_backlog`` records is timed
    (first record read -> last send acknowledged, and the process's CPU time over it); then
    ``paced`` is offered at ``rate`` from the same event loop and handled the same way."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                         max_partition_fetch_bytes=8 << 20)
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_request_size=4 << 20)
    await c.start()
    await p.start()
    try:
        c.assign([TopicPartition(src, i) for i in range(partitions)])
        await c.seek_to_beginning()
        seen, futs, t0, cpu0, result = 0, [], None, None, {}
        pacer = None
        total = n_backlog + len(paced)
        deadline = time.monotonic() + timeout
        while seen < total and time.monotonic() < deadline:
            batch = await c.getmany(timeout_ms=100)
            for recs in batch.values():
                for r in recs:
                    if t0 is None:
                        t0, cpu0 = time.perf_counter(), time.process_time()
                    for topic, key, value in worker.process(r):
                        futs.append(await p.send(dst[topic], value, key=key))
                    seen += 1
                    if seen == n_backlog:
                        await asyncio.gather(*futs)
                        futs = []
                        result = {"elapsed": time.perf_counter() - t0, "cpu": time.process_time() - cpu0,
                                  # (this process's stage histograms: SameWork's stages only)
                                  "stages": stage_seconds_here() if isinstance(worker, SameWork) else {}}
                        pacer = asyncio.create_task(produce(bootstrap, src, paced, rate=rate))
            if len(futs) > 2000:
                await asyncio.gather(*futs)
                futs = []
        await asyncio.gather(*futs)
        if pacer is not None:
            await pacer
        result["throughput"] = n_backlog / result["elapsed"] if result.get("elapsed") else 0.0
        result["seen"] = seen
        return result
    finally:
        await c.stop()
        await p.stop()


def bench_bare(bootstrap: str, worker, backlog: list[bytes], paced: list[bytes], rate: float,
               partitions: int) -> dict:
    """One bare loop over a fresh copy of the messages; latency from each paced article's
    timestamp on the input topic to the timestamp of its first record on the output topic."""
    uid = uuid.uuid4().hex[:8]
    src = f"bare-in-{uid}"
    dst = {"out": f"bare-out-{uid}", "contacts": f"bare-contacts-{uid}",
           "alerts": f"bare-alerts-{uid}", "dead_letter": f"bare-dl-{uid}"}
    asyncio.run(create_topics(bootstrap, [src, *dst.values()], partitions))
    asyncio.run(produce(bootstrap, src, backlog))
    res = asyncio.run(bare_loop(bootstrap, src, partitions, dst, worker, len(backlog), paced, rate))
    paced_ids = {orjson.loads(x)["id"] for x in paced}
    ins = {r.key.decode(): r.timestamp for r in asyncio.run(read_all(bootstrap, src, settle=1.0))
           if r.key and r.key.decode() in paced_ids}
    out_topic = dst["contacts"] if isinstance(worker, SameWork) else dst["out"]
    first: dict[str, int] = {}
    for r in asyncio.run(read_all(bootstrap, out_topic, settle=1.0)):
        aid = orjson.loads(r.value)["article_id"]
        if aid in ins:
            first[aid] = min(first.get(aid, r.timestamp), r.timestamp)
    res["latency"] = [(first[a] - ins[a]) / 1000.0 for a in first]
    res["with_contacts"] = len(first)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=3000, help="backlog size for the throughput run")
    ap.add_argument("--rate", type=float, default=200.0, help="offered rate of the latency run (articles/s)")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1, help="workers of the one app (default 1)")
    ap.add_argument("--profile", action="store_true", help="run the worker under cProfile")
    ap.add_argument("--skip-ceiling", action="store_true", help="run neither bare-aiokafka baseline")
    ap.add_argument("--skip-pipeline", action="store_true", help="run only the baselines")
    args = ap.parse_args()

    kafka = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "").strip()
    if not bootstrap:
        from streams.devkafka import LocalKafka
        kafka = LocalKafka()
        bootstrap = kafka.start()
    try:
        articles = make_articles(args.articles + int(args.rate * args.seconds))
        backlog, paced = articles[:args.articles], articles[args.articles:]
        prof = Path(tempfile.gettempdir()) / f"bench-pipeline-{os.getpid()}.prof" if args.profile else None
        t = time.strftime("%Y-%m-%d %H:%M")
        load = os.getloadavg()[0]
        pipe = None if args.skip_pipeline else bench_pipeline(
            bootstrap, backlog, paced, args.rate, args.partitions, prof, args.workers)
        base = {}
        if not args.skip_ceiling:
            base["same-work"] = bench_bare(bootstrap, SameWork(), backlog, paced, args.rate, args.partitions)
            base["transport-only"] = bench_bare(bootstrap, TransportOnly(), backlog, paced, args.rate,
                                                args.partitions)
    finally:
        if kafka is not None:
            kafka.stop()

    print(f"# bench_pipeline {t}, load average at start {load:.1f} (now {os.getloadavg()[0]:.1f}), "
          f"{os.cpu_count()} cores, {args.workers} worker(s), "
          f"{args.partitions} partitions, backlog {len(backlog)}, paced {len(paced)} at {args.rate:g}/s")
    if pipe:
        c = pipe["counts"]
        print(f"pipeline: {pipe['throughput']:.0f} articles/s sustained ({pipe['elapsed']:.2f} s from the first "
              f"article handled to the last one extracted; processed {c['processed']}, duplicate "
              f"{c['duplicate']}, dead-lettered {c['dead_letter']}); worker CPU {pipe['cpu']:.2f} s = "
              f"{pipe['cpu'] / pipe['cpu_elapsed'] * 100:.0f}% of one core, "
              f"{pipe['cpu'] / (pipe['done'] or 1) * 1000:.2f} ms CPU per article "
              f"({pipe['done']} articles read after the clock started); polled: {pipe['polled']:.0f}/s")
        print(f"pipeline, all stages (aggregate drained too): {pipe['throughput_all']:.0f} articles/s "
              f"({pipe['elapsed_all']:.2f} s, {pipe['cpu_all'] / (pipe['done'] or 1) * 1000:.2f} ms CPU per "
              f"article); polled: {pipe['polled_all']:.0f}/s")
        lat = pipe["latency"]
        print(f"pipeline latency article -> first contact at {args.rate:g}/s: p50 {pct(lat, .5) * 1000:.0f} ms, "
              f"p99 {pct(lat, .99) * 1000:.0f} ms ({len(lat)} articles with contacts)")
        per = {k: (s / n * 1000 if n else 0.0) for k, (s, n) in pipe["stages"].items()}
        total = sum(s for s, _ in pipe["stages"].values())
        print("stage time per record (ms), throughput run: " + ", ".join(
            f"{k} {v:.2f}" for k, v in per.items() if pipe["stages"][k][1]) +
            f"; stages' share of the throughput run's wall time: "
            f"{total / pipe['cpu_elapsed'] * 100 if pipe['cpu_elapsed'] else 0:.0f}%")
    for name, b in base.items():
        n = len(backlog)
        print(f"{name} bare aiokafka loop: {b['throughput']:.0f} articles/s ({b['elapsed']:.2f} s, "
              f"{b['cpu'] / n * 1000:.2f} ms CPU per article); latency at {args.rate:g}/s p50 "
              f"{pct(b['latency'], .5) * 1000:.0f} ms, p99 {pct(b['latency'], .99) * 1000:.0f} ms "
              f"({b['with_contacts']} articles)")
        if b.get("stages"):
            print(f"  {name} stage time per record (ms): " + ", ".join(
                f"{k} {s / c * 1000:.2f}" for k, (s, c) in b["stages"].items()))
    if pipe:
        for name, b in base.items():
            print(f"ratio pipeline/{name}: {pipe['throughput'] / b['throughput']:.3f} "
                  f"(all stages: {pipe['throughput_all'] / b['throughput']:.3f})")
    if prof:
        import pstats
        print(f"\n# cProfile of the worker ({prof}), top 25 by cumulative time")
        pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
