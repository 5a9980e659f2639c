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
RSS is sampled every ``--sample`` articles and printed as a series, with the slope of RSS against
articles before the horizon and after it (from the first sample a full expiry interval past it).

``--store rocksdb://``: the disk store's path instead of the memory store's stand-in: the delta
records go to a real Faust RocksDB table (``create_app`` with ``DIPLOWATCH_STORE=rocksdb://`` in a
temporary data directory), held by the ChangelogWriter and saved as each batch's records are
"acknowledged" (``persisted``, as the agent does once the broker has them), and the materialised
mapping and expiry schedule in a ``DiskBacking`` (streams.pipeline.materialised), as the worker
keeps them. ``--extract``: the extract stage's state too (an ExtractStage over its own
DeltaLogStore fed every new article; the random texts have no contacts, so its entries are the
small ones of an article without any).

    .venv/bin/python bench/bench_memory.py --rss --store rocksdb:// --articles 1000000 --horizon-articles 300000 --expire-every 20000 --sample 50000

``--expire-cost``: the CPU time of one expiry pass over the dedupe state of N articles (the same
DedupeStage / DeltaLogStore path, articles a second apart, a horizon of N seconds): the first pass,
a pass a minute later (almost nothing due) and a pass after a further 1/14 of the horizon (a day's
articles at a 14-day horizon). ``--tree DIR`` imports ``streams`` from another checkout of the
project (an A/B against an earlier commit: ``git worktree add /tmp/base <commit>``).

    .venv/bin/python bench/bench_memory.py --expire-cost --articles 100000 [--tree /tmp/base]

``--rebuild``: the time a worker's dedupe store takes to rebuild its mapping from the delta records
(after a start or a rebalance) with N articles' state, on ``--store``: wall and CPU seconds of the
rebuild, and RSS before and after it. On rocksdb:// the cache is kept with its position: a
resume with nothing after it (a clean restart), with the last ``--after`` articles' records after
it (a SIGKILL between the table's save and the cache's commit), and a full rebuild (no position).

    .venv/bin/python bench/bench_memory.py --rebuild --store rocksdb:// --articles 50000"""
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


def vocabulary(pattern: str = r"[A-Za-z]{3,}") -> list[str]:
    """The words (``pattern``) of the shared development corpus's English articles, sorted."""
    words: set[str] = set()
    for line in (ROOT.parent / "shared" / "corpus" / "dev.jsonl").read_bytes().splitlines():
        if line.strip():
            a = orjson.loads(line)
            if a.get("lang") == "en":
                words.update(re.findall(pattern, a["text"]))
    return sorted(words)


def _slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of (articles, MB) points, in MB per 100,000 articles."""
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx * 100_000 if sxx else None


class _Persisted:
    """The records of a disk-store table, "acknowledged" as the agent's send would be: offsets
    counted per changelog partition and handed to ``ChangelogWriter.persisted``, then to the
    stores (their caches commit what the records carry)."""

    def __init__(self, writer: ChangelogWriter, stores: list) -> None:
        self.writer = writer
        self.stores = stores
        self.offsets: dict[tuple[str, int], int] = {}

    def take(self) -> None:
        for topic, _, _, partition in self.writer.take():
            tp = (topic, partition)
            self.offsets[tp] = self.offsets.get(tp, -1) + 1
        self.writer.persisted(dict(self.offsets))
        for store in self.stores:
            store.persisted(dict(self.offsets))


def _stores(args, tmp: str | None):
    """(dedupe store, extract store or None, writer with take()) for ``--store``."""
    from streams.pipeline.materialised import DiskBacking
    writer = ChangelogWriter()
    if args.store.startswith("memory"):
        dedupe = DeltaLogStore(PartitionView(FakeMemoryTable(), 0, writer))
        extract = DeltaLogStore(PartitionView(FakeMemoryTable(), 0, writer)) if args.extract \
            else None
        return dedupe, extract, writer
    from streams.app import create_app
    from streams.faust_ext.changelog import disk_store, read_disk
    from streams.settings import Settings
    app = create_app(Settings.from_env({}, data_dir=tmp, web_enabled=False, store="rocksdb://")).app
    out = []
    for name in ("fingerprints", "extracted") if args.extract else ("fingerprints",):
        table = app.tables[name]
        read_disk(disk_store(table), 0, b"-")   # opens the partition's database, as an assignment
        out.append(DeltaLogStore(PartitionView(table, 0, writer), backing=DiskBacking(
            Path(app.conf.datadir) / "delta-cache" / f"{name}-0")))
    return out[0], (out[1] if args.extract else None), _Persisted(writer, out)


def rss_run(args) -> None:
    import tempfile
    import time
    from streams.pipeline.extract import ExtractStage
    from streams.records import Expire, NewArticle
    rng = random.Random(1)
    vocab = vocabulary()
    tmp = tempfile.mkdtemp(prefix="bench-memory-")
    store, xstore, writer = _stores(args, tmp)
    horizon = args.horizon_articles * args.spacing
    stage = DedupeStage(Deduplicator(store, horizon_seconds=horizon), SideMapping(store))
    xstage = ExtractStage(xstore, SideMapping(xstore), lambda doc: [], horizon) \
        if xstore is not None else None
    stores = [store] + ([xstore] if xstore is not None else [])
    t0 = 1.7e9
    gc.collect()
    base = rss_kb()
    print(f"store {args.store}{' with extract' if xstage else ''}; vocabulary {len(vocab)} words; "
          f"horizon {args.horizon_articles} arrivals ({horizon:.0f} s); expire every "
          f"{args.expire_every}; RSS at start {base / 1024:.1f} MB; load "
          f"{' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}", flush=True)
    print("articles\tlive_keys\trss_mb\tbytes_per_article_so_far\tseconds", flush=True)
    start = time.monotonic()
    dup = 0
    at_horizon = None
    series: list[tuple[int, float]] = []
    for i in range(args.articles):
        now = t0 + i * args.spacing
        a = {"id": f"art-{i:07d}", "text": " ".join(rng.choices(vocab, k=60)),
             "source": f"s{i % 7}.example", "url": f"https://s{i % 7}.example/news/{i}",
             "published_at": "2024-03-01"}
        origin = {"topic": "articles", "partition": 0, "offset": i, "timestamp": now}
        outs = stage.handle(ValidArticle(article=a, in_ts=now, origin=origin), 0, i)
        if type(outs[0].value) is NewArticle:
            if xstage is not None:
                xstage.handle(outs[0].value, 0, now, i)
        else:
            dup += 1
        if i % 16 == 15:
            for st in stores:
                st.flush(now)
            writer.take()
        if i % args.expire_every == args.expire_every - 1:
            for st, sg in ((store, stage), (xstore, xstage)):
                if sg is None:
                    continue
                st.flush(now)
                sg.expire(Expire(now=now).now)
                st.flush(now)
                st.compact(now - horizon, now)
            writer.take()
        n = i + 1
        if n % args.sample == 0:
            r = rss_kb()
            live = min(n, args.horizon_articles)
            series.append((n, r / 1024))
            print(f"{n}\t{len(store)}\t{r / 1024:.1f}\t{(r - base) * 1024 / live:,.0f}\t"
                  f"{time.monotonic() - start:.0f}", flush=True)
            if n == args.horizon_articles:
                at_horizon = r
    r = rss_kb()
    print(f"{args.articles} articles, {dup} taken for copies; RSS {base / 1024:.1f} -> {r / 1024:.1f} MB"
          + (f"; at the horizon ({args.horizon_articles}) {at_horizon / 1024:.1f} MB = "
             f"{(at_horizon - base) * 1024 / args.horizon_articles:,.0f} bytes per live article"
             if at_horizon else ""), flush=True)
    before = _slope([(x, y) for x, y in series if x <= args.horizon_articles])
    settled = args.horizon_articles + args.expire_every
    after = _slope([(x, y) for x, y in series if x >= settled])
    fmt = (lambda v: "n/a" if v is None else f"{v:+.1f}")
    print(f"RSS slope: {fmt(before)} MB per 100,000 articles up to the horizon; {fmt(after)} from "
          f"{settled:,} on; peak {max(y for _, y in series) if series else 0:.0f} MB; load "
          f"{' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}", flush=True)
    for st in stores:
        st.close()
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)


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
    _feed_distinct(stage, store, writer, n, t0, rng, vocab)
    print(f"streams from {Path(streams.__file__).parent}; {n} articles, {len(store):,} keys")
    end = t0 + n
    for label, now in (("first pass", end), ("a minute later", end + 60),
                       ("after 1/14 of the horizon more", end + 60 + n / 14)):
        keys = len(store)
        t = time.process_time()
        stage.expire(now)
        cpu = time.process_time() - t
        print(f"{label}: {keys - len(store):,} keys deleted, {cpu:.3f} s CPU")


def _feed_distinct(stage, store, writer, n: int, t0: float, rng, vocab, first: int = 0) -> None:
    """N distinct articles of random corpus words, a second apart from ``t0``, through a dedupe
    stage, flushed every 16 articles as the worker does, the changelog records taken and dropped."""
    for i in range(first, first + n):
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


def rebuild_cost(args) -> None:
    import os
    import tempfile
    import time
    rng = random.Random(1)
    vocab = vocabulary()
    tmp = tempfile.mkdtemp(prefix="bench-memory-")
    args.extract = False
    store, _, writer = _stores(args, tmp)
    stage = DedupeStage(Deduplicator(store, horizon_seconds=1e9), SideMapping(store))
    t0 = 1.7e9
    _feed_distinct(stage, store, writer, args.articles, t0, rng, vocab)
    keys = len(store)
    gc.collect()
    r0 = rss_kb()

    def timed(what: str) -> None:
        store.invalidate()
        w, c = time.monotonic(), time.process_time()
        store.get_side()   # the first access rebuilds (or resumes)
        w, c = time.monotonic() - w, time.process_time() - c
        how = ("all records" if store.resumed < 0 else f"{store.resumed} records replayed") \
            if hasattr(store, "resumed") else "all records"
        print(f"{args.store}: {what}: {keys:,} keys of {args.articles:,} articles in {w:.2f} s "
              f"({c:.2f} s CPU; {how}); RSS {r0 / 1024:.0f} -> {rss_kb() / 1024:.0f} MB; load "
              f"{os.getloadavg()[0]:.1f}", flush=True)

    if not getattr(store.backing, "persistent", False):
        for _ in range(2):
            timed("rebuilt")
    else:
        timed("resumed, nothing after its position (a clean restart)")
        # a SIGKILL after the table saved a batch's records and before the cache committed them:
        # the last ``--after`` articles' records are after the cache's position
        store.persisted = lambda offsets: None
        _feed_distinct(stage, store, writer, args.after, t0 + args.articles, rng, vocab,
                       first=args.articles)
        del store.persisted
        keys = len(store)
        timed(f"resumed, {args.after} articles' records after its position (a SIGKILL)")
        store.backing.db.delete(b"p")   # no position: what every rebuild did before
        timed("rebuilt from all records (no valid position)")
        timed("resumed, nothing after its position (a clean restart)")
    store.close()
    import shutil
    shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--rss", action="store_true", help="RSS over a long run with expiry (see above)")
    ap.add_argument("--horizon-articles", type=int, default=400_000)
    ap.add_argument("--spacing", type=float, default=0.288, help="seconds between arrivals "
                    "(0.288: 300,000 articles a day)")
    ap.add_argument("--expire-every", type=int, default=20_000)
    ap.add_argument("--sample", type=int, default=50_000)
    ap.add_argument("--store", default="memory://", choices=["memory://", "rocksdb://"],
                    help="--rss: the memory store's path or the disk store's (see above)")
    ap.add_argument("--extract", action="store_true", help="--rss: the extract stage's state too")
    ap.add_argument("--expire-cost", action="store_true", help="CPU time of expiry passes (see above)")
    ap.add_argument("--rebuild", action="store_true", help="time of a rebuild (see above)")
    ap.add_argument("--after", type=int, default=200, help="--rebuild on rocksdb://: articles "
                    "whose records are after the cache's position (a SIGKILL's last batch)")
    ap.add_argument("--tree", default=None, help="--expire-cost: import streams from this checkout")
    args = ap.parse_args()
    if args.expire_cost:
        expire_cost(args)
        return
    if args.rebuild:
        rebuild_cost(args)
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
