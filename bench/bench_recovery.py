"""Recovery time after SIGKILL against the size of the worker's tables.

    .venv/bin/python bench/bench_recovery.py [--sizes 1000 5000 20000] [--store memory://]

For each size N: a fresh app (own topics, own data dir), one ``python -m streams worker``, N distinct
articles (bench_pipeline.make_articles: real corpus sentences) through it until every one is
accounted for; then the worker is killed with SIGKILL and started again with the same settings (so
the same static-membership instance id and the same local data dir), and the time from the kill to
``ready`` (assigned, table recovery done: /pipeline/counts/) is measured, with the counts checked
equal to those before the kill. Printed beside it: the records in the table changelogs, which a
``memory://`` store reads back in full on every start (Faust's recovery replays a changelog
partition from the offset its store has persisted: none for a memory store, the last one written
for a disk store, which then reads only the tail).
Uses $KAFKA_BOOTSTRAP if set, else starts a local broker (streams.devkafka).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_pipeline import Group, make_articles, produce  # noqa: E402


async def changelog_records(bootstrap: str, app_id: str) -> int:
    from aiokafka import AIOKafkaConsumer
    from aiokafka.structs import TopicPartition
    c = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await c.start()
    try:
        topics = [t for t in await c.topics() if t.startswith(app_id) and t.endswith("-changelog")]
        await c._client.force_metadata_update()
        tps = [TopicPartition(t, p) for t in topics
               for p in (c._client.cluster.partitions_for_topic(t) or ())]
        ends = await c.end_offsets(tps)
        begins = await c.beginning_offsets(tps)
        return sum(ends[tp] - begins[tp] for tp in tps)
    finally:
        await c.stop()


def one(bootstrap: str, n: int, partitions: int) -> dict:
    group = Group(bootstrap, partitions, None, 1)
    w = group.workers[0]
    w.start()
    group.wait(lambda c: c["ready"], 120, "worker ready")
    arts = make_articles(n, seed=n)
    t0 = time.monotonic()
    asyncio.run(produce(bootstrap, w.env["DIPLOWATCH_TOPIC_ARTICLES"], arts))
    before = group.wait(lambda c: c["in"] == n and c["in_flight"] == 0, 60 + n / 20, "articles accounted")
    took_in = time.monotonic() - t0
    records = asyncio.run(changelog_records(bootstrap, w.env["DIPLOWATCH_APP_ID"]))
    time.sleep(2.0)   # let a disk store's periodic offset flush run, as it would in a long run
    w.proc.send_signal(signal.SIGKILL)
    w.proc.wait()
    t_kill = time.monotonic()
    w.start()
    after = group.wait(lambda c: c["ready"] and c["in"] == n, 300, "ready after SIGKILL")
    ready = time.monotonic() - t_kill
    keys = ("in", "processed", "duplicate", "dead_letter", "in_flight")
    same = all(before[k] == after[k] for k in keys)
    w.stop()
    shutil.rmtree(w.env["DIPLOWATCH_DATA_DIR"], ignore_errors=True)
    return {"articles": n, "changelog_records": records, "ready_after_kill_s": round(ready, 1),
            "counts_equal": same, "ingest_s": round(took_in, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--store", default=None, help="DIPLOWATCH_STORE for the worker (default: its setting)")
    args = ap.parse_args()
    if args.store:
        os.environ["DIPLOWATCH_STORE"] = args.store
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP")
    kafka = None
    if not bootstrap:
        from streams.devkafka import LocalKafka
        kafka = LocalKafka()
        bootstrap = kafka.start()
    try:
        print(f"store {os.environ.get('DIPLOWATCH_STORE', 'memory:// (default)')}")
        print("| articles | changelog records | ready after SIGKILL | counts equal | ingest |")
        print("|---|---|---|---|---|")
        for n in args.sizes:
            r = one(bootstrap, n, args.partitions)
            print(f"| {r['articles']} | {r['changelog_records']} | {r['ready_after_kill_s']} s | "
                  f"{r['counts_equal']} | {r['ingest_s']} s |", flush=True)
    finally:
        if kafka is not None:
            kafka.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
