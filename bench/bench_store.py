"""The worker's table store compared: ``memory://`` against the disk-backed ``rocksdb://`` (Faust's
RocksDB store through the ``rocksdict`` wheel), on bench_pipeline's runs.

    .venv/bin/python bench/bench_store.py [--articles 3000] [--rate 50] [--seconds 10] [--stores memory:// rocksdb://]

For each store, ``bench_pipeline.bench_pipeline`` (one worker, a backlog of N distinct articles,
then a paced run) with ``DIPLOWATCH_STORE`` set, and the worker's resident memory read from
/proc/<pid>/status just before it is stopped: VmRSS (now) and VmHWM (its peak). Stores run one
after the other on the same broker; the load average is printed, since the 2-core development box
is shared.
Uses $KAFKA_BOOTSTRAP if set, else starts a local broker (streams.devkafka).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_pipeline  # noqa: E402

_memory: list[dict[str, int]] = []
_stop = bench_pipeline.Worker.stop


def _stop_and_read_rss(self) -> None:
    if self.proc and self.proc.poll() is None:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        _memory.append({k: int(line.split()[1]) for line in status.splitlines()
                        for k in ("VmRSS", "VmHWM") if line.startswith(k + ":")})
    _stop(self)


bench_pipeline.Worker.stop = _stop_and_read_rss


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--stores", nargs="+", default=["memory://", "rocksdb://"])
    args = ap.parse_args()
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "").strip()
    kafka = None
    if not bootstrap:
        from streams.devkafka import LocalKafka
        kafka = LocalKafka()
        bootstrap = kafka.start()
    rows = []
    try:
        for store in args.stores:
            os.environ["DIPLOWATCH_STORE"] = store
            arts = bench_pipeline.make_articles(args.articles + int(args.rate * args.seconds))
            load = os.getloadavg()[0]
            r = bench_pipeline.bench_pipeline(bootstrap, arts[:args.articles], arts[args.articles:],
                                              args.rate, args.partitions, None)
            mem = _memory[-1] if _memory else {}
            lat = r["latency"]
            rows.append((store, r, mem, load))
            print(f"{store}: {r['throughput']:.0f} articles/s to the last extracted, "
                  f"{r['throughput_all']:.0f}/s all stages, "
                  f"{r['cpu'] / (r['done'] or 1) * 1000:.1f} ms CPU/article, p50/p99 latency "
                  f"{bench_pipeline.pct(lat, .5) * 1000:.0f}/{bench_pipeline.pct(lat, .99) * 1000:.0f} ms, "
                  f"RSS {mem.get('VmRSS', 0) / 1024:.0f} MB (peak {mem.get('VmHWM', 0) / 1024:.0f} MB), "
                  f"load {load:.1f}", flush=True)
    finally:
        if kafka is not None:
            kafka.stop()
    print(f"\n# bench_store {time.strftime('%Y-%m-%d %H:%M')}, backlog {args.articles}, "
          f"paced {int(args.rate * args.seconds)} at {args.rate:g}/s, {args.partitions} partitions")
    print("| store | articles/s (extracted) | all stages | ms CPU/article | RSS at end | peak RSS | load |")
    print("|---|---|---|---|---|---|---|")
    for store, r, mem, load in rows:
        print(f"| {store} | {r['throughput']:.0f} | {r['throughput_all']:.0f} | "
              f"{r['cpu'] / (r['done'] or 1) * 1000:.1f} | {mem.get('VmRSS', 0) / 1024:.0f} MB | "
              f"{mem.get('VmHWM', 0) / 1024:.0f} MB | {load:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
