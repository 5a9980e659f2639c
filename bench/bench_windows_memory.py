"""What keeping a year of counts costs: the ``windows`` table (streams.detection.PairCounts, the
shape the worker keeps in its memory store) filled with a year of real contacts (ICEWS 2016, the
shared events file), measured with tracemalloc after keeping the last N days, for the retention
settings compared (``DIPLOWATCH_RETAIN_DAYS``). Each contact is also counted once more per
``--copies`` with other outlets and URLs (a feed reports a contact in several articles; the
table keeps up to 20 of each), so the figure covers busier feeds than ICEWS's one report.

    .venv/bin/python bench/bench_windows_memory.py [--retain 182 371] [--copies 0 3]

Prints, per retention and copies: keys, distinct contacts, bytes, bytes per contact."""
from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.detection import PairCounts, contact_key  # noqa: E402

EVENTS = ROOT.parent / "shared" / "events" / "icews-contacts-2016.jsonl"


def load() -> list[dict]:
    return [orjson.loads(line) for line in EVENTS.read_bytes().splitlines() if line.strip()]


def measure(contacts: list[dict], retain: int, copies: int) -> dict:
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    store: dict = {}
    counts = PairCounts(store)
    for i, c in enumerate(contacts):
        res = counts.add(c, seen_at="2017-01-01T00:00:00Z")
        for k in range(copies):
            if res.contact_key:
                counts.add_source(res.contact_key, source=f"outlet{k}.example",
                                  url=f"https://outlet{k}.example/news/{i}-{k}", article_id=f"a{i}-{k}")
    last = max(k.rsplit("|", 1)[1] for k in store if k.count("|") == 2)
    counts.expire((date.fromisoformat(last) - timedelta(days=retain)).isoformat())
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    distinct = sum(len(v) for k, v in store.items() if k.split("|")[1] == "*")
    out = {"retain": retain, "copies": copies, "keys": len(store), "contacts": distinct, "bytes": used,
           "per_contact": used / max(1, distinct)}
    del store, counts
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--retain", type=int, nargs="+", default=[182, 371])
    ap.add_argument("--copies", type=int, nargs="+", default=[0, 3])
    args = ap.parse_args()
    contacts = [c for c in load() if contact_key(c, None)]
    print(f"{len(contacts)} ICEWS 2016 contacts from {EVENTS.name}")
    print(f"{'retain days':>11} {'copies':>6} {'keys':>7} {'distinct':>8} {'MB':>7} {'bytes/contact':>13}")
    for copies in args.copies:
        for retain in args.retain:
            r = measure(contacts, retain, copies)
            print(f"{r['retain']:>11} {r['copies']:>6} {r['keys']:>7} {r['contacts']:>8} "
                  f"{r['bytes'] / 1e6:>7.2f} {r['per_contact']:>13,.0f}")


if __name__ == "__main__":
    main()
