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

``--large N [N ...] --base DIR``: ready time after SIGKILL with a large state, this checkout
against another one (DIR: e.g. ``git worktree add --detach /work/ckpt-base <commit>``), on
rocksdb://. For each N: one worker of this checkout takes N distinct articles (60 random words of
the development corpus each, no contacts: the state is dedupe's fingerprints, ~20 keys an
article, and extract's entries) and is stopped; its data directory is copied once per checkout.
Then ``--rounds`` times, the two checkouts in alternating order, each on its own copy: a worker of
that checkout is started and waited for (counts restored), killed with SIGKILL, started again,
and the time from the kill to ready with every count restored (``in`` = N, nothing in flight: the
first read of dedupe's and extract's accounting builds their mappings) is printed with the load
average.

    .venv/bin/python bench/bench_recovery.py --large 300000 --base /work/ckpt-base --rounds 2
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

ROOT = Path(__file__).resolve().parents[1]


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


def random_articles(n: int, seed: int = 1) -> list[bytes]:
    """N distinct articles of 60 random English words of the development corpus (no contacts)."""
    import random
    import uuid
    import orjson
    from bench_memory import vocabulary
    vocab = vocabulary(r"[a-z]{4,}")
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:6]
    return [orjson.dumps({"id": f"big-{run}-{i}", "text": " ".join(rng.choices(vocab, k=60)),
                          "lang": "en", "source": f"s{i % 7}.example",
                          "url": f"https://s{i % 7}.example/{run}/{i}",
                          "published_at": "2024-03-01"}) for i in range(n)]


def large(bootstrap: str, n: int, partitions: int, base: Path, rounds: int) -> list[dict]:
    """See the module docstring (``--large``)."""
    group = Group(bootstrap, partitions, None, 1)
    w = group.workers[0]
    w.env["DIPLOWATCH_STORE"] = "rocksdb://"
    w.start()
    group.wait(lambda c: c["ready"], 180, "worker ready")
    t0 = time.monotonic()
    for i in range(0, n, 50_000):   # in slices: the list of a million articles is large
        asyncio.run(produce(bootstrap, w.env["DIPLOWATCH_TOPIC_ARTICLES"],
                            random_articles(min(50_000, n - i), seed=n + i)))
    before = group.wait(lambda c: c["in"] == n and c["in_flight"] == 0, 600 + n / 20,
                        "articles accounted")
    print(f"{n} articles in {time.monotonic() - t0:.0f} s", flush=True)
    w.stop()
    built = Path(w.env["DIPLOWATCH_DATA_DIR"])
    trees = {"this": ROOT, "base": base}
    dirs = {}
    for name in trees:
        dirs[name] = Path(f"{built}-{name}")
        shutil.copytree(built, dirs[name], symlinks=True)
    shutil.rmtree(built, ignore_errors=True)
    keys = ("in", "processed", "duplicate", "dead_letter", "in_flight")
    out = []
    try:
        for r in range(rounds):
            for name in (("base", "this") if r % 2 == 0 else ("this", "base")):
                w.env["DIPLOWATCH_DATA_DIR"] = str(dirs[name])
                w.cwd = trees[name]
                w.start()
                group.wait(lambda c: c["ready"] and c["in"] == n and c["in_flight"] == 0, 600,
                           f"{name}: ready")
                time.sleep(2.0)
                load = os.getloadavg()
                w.proc.send_signal(signal.SIGKILL)
                w.proc.wait()
                t_kill = time.monotonic()
                w.start()
                after = group.wait(lambda c: c["ready"] and c["in"] == n and c["in_flight"] == 0,
                                   600, f"{name}: ready after SIGKILL")
                ready = time.monotonic() - t_kill
                same = all(before[k] == after[k] for k in keys)
                w.stop()
                row = {"articles": n, "tree": name, "round": r + 1, "ready_after_kill_s":
                       round(ready, 1), "counts_equal": same,
                       "load": " ".join(f"{x:.1f}" for x in load)}
                print(f"| {n} | {name} | {r + 1} | {row['ready_after_kill_s']} s | {same} | "
                      f"{row['load']} |", flush=True)
                out.append(row)
    finally:
        w.stop()
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--store", default=None, help="DIPLOWATCH_STORE for the worker (default: its setting)")
    ap.add_argument("--large", type=int, nargs="+", default=None,
                    help="sizes of the large-state run against --base (see above)")
    ap.add_argument("--base", type=Path, default=None, help="--large: the other checkout")
    ap.add_argument("--rounds", type=int, default=2, help="--large: kills per checkout and size")
    args = ap.parse_args()
    if args.large and args.base is None:
        ap.error("--large needs --base DIR (another checkout of the project)")
    if args.store:
        os.environ["DIPLOWATCH_STORE"] = args.store
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP")
    kafka = None
    if not bootstrap:
        from streams.devkafka import LocalKafka
        kafka = LocalKafka()
        bootstrap = kafka.start()
    try:
        if args.large:
            print(f"rocksdb://, {args.partitions} partitions; base {args.base}; load "
                  f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
            print("| articles | checkout | round | ready after SIGKILL | counts equal | load (1/5/15 min) at the kill |")
            print("|---|---|---|---|---|---|")
            for n in args.large:
                large(bootstrap, n, args.partitions, args.base.resolve(), args.rounds)
            return 0
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
