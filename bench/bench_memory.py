"""Memory of the dedupe stage's state per distinct article (what a worker holds for every article
until the dedup horizon passes): N distinct articles of real corpus sentences through the
pipeline's DedupeStage over a DeltaLogStore (flushed every 16 articles, as in the worker), with the
table and changelog writer of the memory store stood in by plain objects; Python allocations
traced with tracemalloc.

    .venv/bin/python bench/bench_memory.py --articles 3000

Prints bytes per article and the largest allocation sites."""
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

from streams.dedup import Deduplicator  # noqa: E402
from streams.pipeline.dedupe import DedupeStage  # noqa: E402
from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView, SideMapping  # noqa: E402
from streams.records import ValidArticle  # noqa: E402
from tests.unit.pipeline.test_changelog import FakeMemoryTable  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=3000)
    args = ap.parse_args()
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
