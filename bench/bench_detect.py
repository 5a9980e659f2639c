"""Benchmark of the pure dedup and detection cores (no Kafka).

    .venv/bin/python bench/bench_detect.py [--repeat 3]

* fingerprints: MinHash signature of a 4 KB article (dev corpus texts repeated to 4096 chars),
  normalisation and shingling included; datasketch's default SHA-1 hashing shown for comparison;
* dedup: Deduplicator.check_and_remember per article over a dict store (dev corpus, 4 KB texts);
* detection: backtest of ../shared/events/icews-contacts-2016.jsonl (PairCounts + SpikeDetector,
  daily ticks), contacts per second.
Short by design (a few seconds): the machine is shared.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datasketch import MinHash  # noqa: E402

from streams.commands.backtest import _read, backtest  # noqa: E402
from streams.dedup import Deduplicator  # noqa: E402
from streams.dedup.fingerprints import NUM_PERM, signature, words  # noqa: E402
from streams.detection import SpikeParams  # noqa: E402
from streams.records import Article  # noqa: E402

SHARED = ROOT / ".." / "shared"


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    arts = [json.loads(x) for x in open(SHARED / "corpus" / "dev.jsonl", encoding="utf-8")]
    texts = [(a["text"] * (4096 // max(1, len(a["text"])) + 1))[:4096] for a in arts]

    t = best_of(lambda: [signature(x) for x in texts], args.repeat)
    print(f"signature (ours: crc32 word hashes -> datasketch affine32): {t / len(texts) * 1e3:.3f} ms per 4 KB article")

    def sha1_default():
        for x in texts:
            w = words(x)
            m = MinHash(num_perm=NUM_PERM)
            m.update_batch([" ".join(w[i:i + 3]).encode() for i in range(max(1, len(w) - 2))])
    t = best_of(sha1_default, args.repeat)
    print(f"signature (datasketch default SHA-1 per shingle):           {t / len(texts) * 1e3:.3f} ms per 4 KB article")

    def dedup():
        d = Deduplicator({}, horizon_seconds=86400)
        for i, x in enumerate(texts):
            d.check_and_remember(Article(id=str(i), text=x, url=arts[i].get("url")), float(i))
    t = best_of(dedup, args.repeat)
    print(f"Deduplicator.check_and_remember:                             {t / len(texts) * 1e3:.3f} ms per 4 KB article")

    icews = SHARED / "events" / "icews-contacts-2016.jsonl"
    with open(icews, encoding="utf-8") as f:
        rows, _, _ = _read(f, sys.stderr)
    t = best_of(lambda: backtest(rows, SpikeParams(), rows[0][0], io.StringIO()), max(1, args.repeat - 1))
    print(f"backtest (PairCounts + SpikeDetector + daily ticks):         {len(rows) / t:,.0f} contacts/s "
          f"({len(rows)} ICEWS contacts in {t:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
