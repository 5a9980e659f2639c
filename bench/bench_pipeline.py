"""Benchmark of the streaming pipeline against a real broker, next to its ceiling.

    .venv/bin/python bench/bench_pipeline.py [--articles 3000] [--rate 200] [--seconds 10] [--profile]

Measures, for one ``python -m streams worker`` process (all stages, tables with changelogs):
- sustained throughput: a backlog of N distinct articles is on ``articles`` before the worker
  starts; articles/s = N / (time from the first article read to the last one accounted for);
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
                out.extend(recs)
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

    def start(self) -> None:
        cmd = [sys.executable]
        if self.profile:
            cmd += ["-m", "cProfile", "-o", str(self.profile)]
        cmd += ["-m", "streams", "worker"]
        self.log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **self.env},
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
        last, still = None, 0
        while still < 4:
            n_agg = g.stage_seconds().get("aggregate", (0, 0))[1]
            still = still + 1 if n_agg == last else 0
            last = n_agg
            time.sleep(0.25)
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
    return {"throughput": (n - (first["in"] - 1)) / elapsed if elapsed > 0 else 0.0, "elapsed": elapsed,
            "cpu": cpu, "counts": counts, "stages": stages, "latency": lat, "with_contacts": len(lat)}


# --- the ceiling: bare aiokafka consume -> produce -------------------------------------------

async def bare_loop(bootstrap: str, src: str, dst: str, n: int, timeout: float = 600) -> float:
    """Consume ``n`` records from ``src``, parse each, produce one record to ``dst``; returns the
    time from the first record read to the last send acknowledged."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    c = AIOKafkaConsumer(src, bootstrap_servers=bootstrap, group_id=f"bare-{uuid.uuid4().hex[:6]}",
                         auto_offset_reset="earliest", enable_auto_commit=True)
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await c.start()
    await p.start()
    seen, t0, futs = 0, None, []
    try:
        deadline = time.monotonic() + timeout
        while seen < n and time.monotonic() < deadline:
            batch = await c.getmany(timeout_ms=200)
            for recs in batch.values():
                for r in recs:
                    if t0 is None:
                        t0 = time.perf_counter()
                    doc = orjson.loads(r.value)
                    futs.append(await p.send(dst, orjson.dumps({"article_id": doc["id"]}), key=r.key))
                    seen += 1
            if len(futs) > 2000:
                await asyncio.gather(*futs)
                futs = []
        await asyncio.gather(*futs)
        return time.perf_counter() - (t0 or time.perf_counter())
    finally:
        await c.stop()
        await p.stop()


def bench_ceiling(bootstrap: str, backlog: list[bytes], paced: list[bytes], rate: float, partitions: int) -> dict:
    uid = uuid.uuid4().hex[:8]
    src, dst = f"bare-in-{uid}", f"bare-out-{uid}"
    asyncio.run(create_topics(bootstrap, [src, dst], partitions))
    asyncio.run(produce(bootstrap, src, backlog))
    elapsed = asyncio.run(bare_loop(bootstrap, src, dst, len(backlog)))

    async def paced_run() -> None:
        loop = asyncio.create_task(bare_loop(bootstrap, src, dst, len(backlog) + len(paced)))
        await asyncio.sleep(2.0)   # the consumer joined and caught up with the backlog (new group)
        await produce(bootstrap, src, paced, rate=rate)
        await loop

    asyncio.run(paced_run())
    ins = {r.key.decode(): r.timestamp for r in asyncio.run(read_all(bootstrap, src, settle=1.0))}
    outs: dict[str, int] = {}
    paced_ids = {orjson.loads(x)["id"] for x in paced}
    for r in asyncio.run(read_all(bootstrap, dst, settle=1.0)):
        k = r.key.decode()
        if k in paced_ids:
            outs[k] = max(outs.get(k, 0), r.timestamp)   # the second run's copy
    lat = [(outs[k] - ins[k]) / 1000.0 for k in outs if k in ins]
    return {"throughput": len(backlog) / elapsed if elapsed > 0 else 0.0, "elapsed": elapsed, "latency": lat}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=3000, help="backlog size for the throughput run")
    ap.add_argument("--rate", type=float, default=200.0, help="offered rate of the latency run (articles/s)")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--workers", type=int, default=1, help="workers of the one app (default 1)")
    ap.add_argument("--profile", action="store_true", help="run the worker under cProfile")
    ap.add_argument("--skip-ceiling", action="store_true")
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
        pipe = bench_pipeline(bootstrap, backlog, paced, args.rate, args.partitions, prof, args.workers)
        ceil = None if args.skip_ceiling else bench_ceiling(bootstrap, backlog, paced, args.rate, args.partitions)
    finally:
        if kafka is not None:
            kafka.stop()

    print(f"# bench_pipeline {t}, load average at start {load:.1f}, {os.cpu_count()} cores, "
          f"{args.workers} worker(s), "
          f"{args.partitions} partitions, backlog {len(backlog)}, paced {len(paced)} at {args.rate:g}/s")
    c = pipe["counts"]
    print(f"pipeline: {pipe['throughput']:.0f} articles/s sustained ({pipe['elapsed']:.1f} s; processed "
          f"{c['processed']}, duplicate {c['duplicate']}, dead-lettered {c['dead_letter']}); worker CPU "
          f"{pipe['cpu']:.1f} s = {pipe['cpu'] / pipe['elapsed'] * 100:.0f}% of one core, "
          f"{pipe['cpu'] / (c['in'] or 1) * 1000:.1f} ms CPU per article")
    lat = pipe["latency"]
    print(f"pipeline latency article -> first contact at {args.rate:g}/s: p50 {pct(lat, .5) * 1000:.0f} ms, "
          f"p99 {pct(lat, .99) * 1000:.0f} ms ({len(lat)} articles with contacts)")
    per = {k: (s / n * 1000 if n else 0.0) for k, (s, n) in pipe["stages"].items()}
    total = sum(s for s, _ in pipe["stages"].values())
    print("stage time per record (ms), throughput run: " + ", ".join(
        f"{k} {v:.2f}" for k, v in per.items() if pipe["stages"][k][1]) +
        f"; stages' share of the throughput run's wall time: {total / pipe['elapsed'] * 100 if pipe['elapsed'] else 0:.0f}%")
    if ceil:
        print(f"ceiling (bare aiokafka consume->produce): {ceil['throughput']:.0f} articles/s; latency at "
              f"{args.rate:g}/s p50 {pct(ceil['latency'], .5) * 1000:.0f} ms, p99 {pct(ceil['latency'], .99) * 1000:.0f} ms")
        print(f"ratio pipeline/ceiling: {pipe['throughput'] / ceil['throughput']:.2f}")
    if prof:
        import pstats
        print(f"\n# cProfile of the worker ({prof}), top 25 by cumulative time")
        pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
