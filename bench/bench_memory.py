"""Memory of the dedupe stage's state per distinct article (what a worker holds for every article
until the dedup horizon passes): N distinct articles of real corpus sentences through the
pipeline's DedupeStage over a DeltaLogStore (flushed every 16 articles, as in the worker), with the
table and changelog writer of the memory store stood in by plain objects; Python allocations
traced with tracemalloc.

    .venv/bin/python bench/bench_memory.py --articles 3000

Prints bytes per article and the largest allocation sites.

``--rss``: the process's resident memory (VmRSS) instead, over a long run: N distinct articles
(random word sequences drawn from the corpus's English vocabulary, ~60 words: every one is new,
so each leaves its full set of fingerprint keys) through the same DedupeStage / Deduplicator /
DeltaLogStore / PartitionView path, the changelog records taken (and dropped) after every delta as
the worker's agent takes them. Articles arrive ``--spacing`` seconds apart (their ``in_ts``); an
"expire" control record goes through the stage every ``--expire-every`` articles followed by the
flush and compaction the worker's loop makes (``PartitionStages.run``), with a horizon of
``--horizon-articles`` arrivals, so the state should stop growing once the horizon is reached.
RSS is sampled every ``--sample`` articles and printed as a series (and the slope per live
article before the horizon).

    .venv/bin/python bench/bench_memory.py --rss --articles 1000000 --horizon-articles 400000

``--expire-cost``: the CPU time of one expiry pass over the dedupe state of N articles (the same
DedupeStage / DeltaLogStore path, articles a second apart, a horizon of N seconds): the first pass,
a pass a minute later (almost nothing due) and a pass after a further 1/14 of the horizon (a day's
articles at a 14-day horizon). ``--tree DIR`` imports ``streams`` from another checkout of the
project (an A/B against an earlier commit: ``git worktree add /tmp/base <commit>``).

    .venv/bin/python bench/bench_memory.py --expire-cost --articles 100000 [--tree /tmp/base]"""
from __future__ import annotations

import argparse
import gc
import random
import re
import sys
import tracemalloc
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# the stand-in table from this checkout (it imports nothing of streams), whatever --tree says
from tests.unit.pipeline.fakes import FakeMemoryTable  # noqa: E402

if "--tree" in sys.argv:   # before the imports below: streams from the other checkout
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()))

from streams.duplicates import Deduplicator  # noqa: E402
from streams.pipeline.dedupe import DedupeStage  # noqa: E402
from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView, SideMapping  # noqa: E402
from streams.records import ValidArticle  # noqa: E402


def articles(n: int, seed: int = 1) -> list[dict]:
    pool: list[str] = []
    for line in (ROOT.parent / "shared" / "corpus" / "dev.jsonl").read_bytes().splitlines():
        if line.strip():
            a = orjson.loads(line)
            if a.get("lang") == "en":
                pool += [s for s in re.split(r"(?<=[.!?])\s+", a["text"]) if 40 <= len(s) <= 400]
    rng = random.Random(seed)
    return [{"id": f"art-{i:07d}", "text": " ".join(rng.sample(pool, 8)), "source": f"s{i % 7}.example",
             "url": f"https://s{i % 7}.example/news/{i}", "published_at": "2024-03-01"} for i in range(n)]


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def vocabulary() -> list[str]:
    words: set[str] = set()
    for line in (ROOT.parent / "shared" / "corpus" / "dev.jsonl").read_bytes().splitlines():
        if line.strip():
            a = orjson.loads(line)
            if a.get("lang") == "en":
                words.update(re.findall(r"[A-Za-z]{3,}", a["text"]))
    return sorted(words)


def rss_run(args) -> None:
    import time
    rng = random.Random(1)
    vocab = vocabulary()
    table, writer = FakeMemoryTable(), ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 0, writer))
    horizon = args.horizon_articles * args.spacing
    stage = DedupeStage(Deduplicator(store, horizon_seconds=horizon), SideMapping(store))
    t0 = 1.7e9
    gc.collect()
    base = rss_kb()
    print(f"vocabulary {len(vocab)} words; horizon {args.horizon_articles} arrivals "
          f"({horizon:.0f} s); expire every {args.expire_every}; RSS at start {base / 1024:.1f} MB",
          flush=True)
    print("articles\tlive_keys\trss_mb\tbytes_per_article_so_far\tseconds", flush=True)
    start = time.monotonic()
    dup = 0
    at_horizon = None
    for i in range(args.articles):
        now = t0 + i * args.spacing
        a = {"id": f"art-{i:07d}", "text": " ".join(rng.choices(vocab, k=60)),
             "source": f"s{i % 7}.example", "url": f"https://s{i % 7}.example/news/{i}",
             "published_at": "2024-03-01"}
        outs = stage.handle({"kind": "article", "article": a, "in_ts": now,
                             "origin": {"topic": "articles", "partition": 0, "offset": i,
                                        "timestamp": now}}, 0, i)
        dup += outs[0].value["kind"] == "copy"
        if i % 16 == 15:
            store.flush(now)
            writer.take()
        if i % args.expire_every == args.expire_every - 1:
            store.flush(now)
            stage.handle({"kind": "expire", "now": now})
            store.flush(now)
            store.compact(now - horizon, now)
            writer.take()
        n = i + 1
        if n % args.sample == 0:
            r = rss_kb()
            live = min(n, args.horizon_articles)
            print(f"{n}\t{len(store)}\t{r / 1024:.1f}\t{(r - base) * 1024 / live:,.0f}\t"
                  f"{time.monotonic() - start:.0f}", flush=True)
            if n == args.horizon_articles:
                at_horizon = r
    r = rss_kb()
    print(f"{args.articles} articles, {dup} taken for copies; RSS {base / 1024:.1f} -> {r / 1024:.1f} MB"
          + (f"; at the horizon ({args.horizon_articles}) {at_horizon / 1024:.1f} MB = "
             f"{(at_horizon - base) * 1024 / args.horizon_articles:,.0f} bytes per live article"
             if at_horizon else ""), flush=True)


def expire_cost(args) -> None:
    import time
    import streams
    rng = random.Random(1)
    vocab = vocabulary()
    table, writer = FakeMemoryTable(), ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 0, writer))
    n = args.articles
    stage = DedupeStage(Deduplicator(store, horizon_seconds=float(n)), SideMapping(store))
    t0 = 1.7e9
    for i in range(n):
        a = {"id": f"art-{i:07d}", "text": " ".join(rng.choices(vocab, k=60)),
             "source": f"s{i % 7}.example", "url": f"https://s{i % 7}.example/news/{i}",
             "published_at": "2024-03-01"}
        stage.handle(ValidArticle(article=a, in_ts=t0 + i, origin={
            "topic": "articles", "partition": 0, "offset": i, "timestamp": t0 + i}), 0, i)
        if i % 16 == 15:
            store.flush(t0 + i)
            writer.take()
    store.flush(t0 + n)
    writer.take()
    print(f"streams from {Path(streams.__file__).parent}; {n} articles, {len(store):,} keys")
    end = t0 + n
    for label, now in (("first pass", end), ("a minute later", end + 60),
                       ("after 1/14 of the horizon more", end + 60 + n / 14)):
        keys = len(store)
        t = time.process_time()
        stage.expire(now)
        cpu = time.process_time() - t
        print(f"{label}: {keys - len(store):,} keys deleted, {cpu:.3f} s CPU")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--rss", action="store_true", help="RSS over a long run with expiry (see above)")
    ap.add_argument("--horizon-articles", type=int, default=400_000)
    ap.add_argument("--spacing", type=float, default=0.288, help="seconds between arrivals "
                    "(0.288: 300,000 articles a day)")
    ap.add_argument("--expire-every", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=50_000)
    ap.add_argument("--expire-cost", action="store_true", help="CPU time of expiry passes (see above)")
    ap.add_argument("--tree", default=None, help="--expire-cost: import streams from this checkout")
    args = ap.parse_args()
    if args.expire_cost:
        expire_cost(args)
        return
    if args.rss:
        rss_run(args)
        return
    arts = articles(args.articles)
    table, writer = FakeMemoryTable(), ChangelogWriter()
    store = DeltaLogStore(PartitionView(table, 0, writer))
    stage = DedupeStage(Deduplicator(store, horizon_seconds=14 * 86400), SideMapping(store))
    gc.collect()
    tracemalloc.start()
    b0 = tracemalloc.get_traced_memory()[0]
    t0 = 1.7e9
    for i, a in enumerate(arts):
        stage.handle(ValidArticle(article=a, in_ts=t0 + i, origin={
            "topic": "articles", "partition": 0, "offset": i, "timestamp": t0 + i}), 0, i)
        if i % 16 == 15:
            store.flush(t0 + i)
            writer.take()
    store.flush(t0 + len(arts))
    writer.take()
    gc.collect()
    b1 = tracemalloc.get_traced_memory()[0]
    n = len(arts)
    print(f"{n} articles: {(b1 - b0) / n:,.0f} bytes of dedupe state per article "
          f"({len(store) / n:.1f} keys per article)")
    for st in tracemalloc.take_snapshot().statistics("lineno")[:6]:
        print(f"  {st}")


if __name__ == "__main__":
    main()
