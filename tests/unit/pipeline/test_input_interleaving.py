"""Dedupe → extract → aggregate stage logic, no Kafka, fed the same per-input-partition sequences
in many interleavings at dedupe (and downstream): the same counts and the same alerts every time.

The input is what ``tests/integration/test_api_live.py`` sends: the 2023 burst fixture (three
steady pairs, JOR-USA's calls and its burst of six Gaza calls) then the 2025 seeds, keyed by
article id over 4 input partitions as the replay command's producer does. An interleaving that
hands dedupe one partition's 2023 articles after the other partitions' 2025 seeds is the case
that made the live test fail: with one watermark over the partitions seen so far those articles
were stamped 2025 and missed their own days' evaluations (docs/pipeline.md, "Event-time
watermark")."""
from __future__ import annotations

import random
import zlib
from collections import deque
from functools import lru_cache

import orjson

from streams.api.query import partition_of
from streams.detection import SpikeParams
from streams.detection.counts import STAMPS
from streams.duplicates import Deduplicator
from streams.extraction import extract_contacts
from streams.pipeline.aggregate import AggregateStage, current_path
from streams.pipeline.dedupe import DedupeStage
from streams.pipeline.extract import ExtractStage
from streams.pipeline.serde import read_stamp, read_vector
from streams.pipeline.tables import PartitionView
from streams.records import Heartbeat, ValidArticle

from tests.corpus import corpus_records
from tests.paths import FIXTURES

P = 2          # input partitions (articles), extract partitions, contacts/sources partitions: as in
#                the live tests (tests/integration/harness.py)
T0 = 1_800_000_000.0
HORIZON = 14 * 86400.0


def _partition_of_id(aid: str) -> int:
    return partition_of(aid, P)   # murmur2 of the key, as the producer places an article by its id


def sequences() -> dict[int, list[dict]]:
    """Each input partition's articles in the order they were sent: the burst, then the seeds."""
    lines = [orjson.loads(x) for x in (FIXTURES / "burst_stream.jsonl").read_bytes().splitlines()
             if x.strip()]
    lines += corpus_records("seeds.jsonl")
    seqs: dict[int, list[dict]] = {p: [] for p in range(P)}
    for i, a in enumerate(lines):
        seqs[_partition_of_id(a["id"])].append({"article": a, "ts": T0 + i})   # its Kafka timestamp
    return seqs


@lru_cache(maxsize=None)
def _extracted(raw: bytes) -> tuple:
    return tuple(c.to_dict() for c in extract_contacts(orjson.loads(raw)))


def extract(doc: dict) -> list[dict]:
    """The real extractor, its answer kept per article: every run extracts the same articles."""
    return [dict(c) for c in _extracted(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS))]


def run(seqs: dict[int, list[dict]], rng: random.Random, hold_back: int | None = None,
        idle_seconds: float = 0.0) -> tuple:
    """One run: dedupe takes the input partitions' next articles in an order ``rng`` picks (input
    partition ``hold_back`` only once the others have none left), every
    queue downstream (per dedupe → extract path, per extract → aggregate path) is drained in an
    order it picks too, with dedupe's heartbeats and aggregate expiry passes at random points. The
    windows and the alerts (without their wall-clock field) it ends with."""
    dedupe = DedupeStage(Deduplicator({}, horizon_seconds=HORIZON), {}, inputs=P,
                         idle_seconds=idle_seconds)
    extracts = [ExtractStage({}, {}, extract, HORIZON, out_partitions=P) for _ in range(P)]
    tables = [{} for _ in range(P)]
    aggs = [AggregateStage(PartitionView(tables[a], a), PartitionView({}, a), SpikeParams(min_reports=1),
                           retain_days=20000, paths=P * 1 * P, sources=True) for a in range(P)]
    to_extract = [deque() for _ in range(P)]                        # dedupe 0 → extract e
    to_agg = {(e, a): deque() for e in range(P) for a in range(P)}  # extract e → aggregate a
    alerts: list[bytes] = []
    cursors = {p: 0 for p in seqs}
    offset = 0

    def dedupe_step() -> None:
        nonlocal offset
        left = [p for p in seqs if cursors[p] < len(seqs[p])]
        p = rng.choice([p for p in left if p != hold_back] or left)
        item = seqs[p][cursors[p]]
        origin = {"topic": "articles", "partition": p, "offset": cursors[p], "timestamp": item["ts"]}
        cursors[p] += 1
        for o in dedupe.handle(ValidArticle(article=item["article"], origin=origin, in_ts=item["ts"]),
                               0, offset):
            to_extract[zlib.crc32(o.key.encode()) % P].append(o.value)
        offset += 1

    def heartbeat() -> None:
        for o in dedupe.heartbeats(0, T0, P):
            to_extract[o.partition].append(o.value)

    def extract_step(e: int) -> None:
        rec = to_extract[e].popleft()
        for o in extracts[e].handle(rec, e, now=T0):
            a = partition_of(o.key, P) if o.partition is None else o.partition
            to_agg[(e, a)].append(o)

    def aggregate_step(e: int, a: int) -> None:
        o = to_agg[(e, a)].popleft()
        stage = aggs[a]
        sources = o.topic == "sources"
        if type(o.value) is Heartbeat or o.value == b"":
            outs = stage.heartbeats(read_vector(o.headers) or {}, sources=sources)
        else:
            stamp, path = read_stamp(o.headers)
            assert current_path(path)
            outs = stage.handle(o.value, now=T0, stamp=stamp, path=path, extra_source=sources)
        alerts.extend(orjson.dumps({k: v for k, v in x.value.items() if k != "generated_at"},
                                   option=orjson.OPT_SORT_KEYS) for x in outs)

    while True:
        steps = []
        if any(cursors[p] < len(seqs[p]) for p in seqs):
            steps.append(dedupe_step)
        steps += [lambda e=e: extract_step(e) for e in range(P) if to_extract[e]]
        steps += [lambda k=k: aggregate_step(*k) for k in to_agg if to_agg[k]]
        if not steps:
            break
        step = rng.choice(steps)
        step()
        if step is dedupe_step and rng.random() < 0.1:   # (the timer's, while input comes)
            heartbeat()
        if rng.random() < 0.02:
            a = rng.randrange(P)
            alerts.extend(orjson.dumps({k: v for k, v in x.value.items() if k != "generated_at"},
                                       option=orjson.OPT_SORT_KEYS) for x in aggs[a].expire(T0))
    # the end of the input: a last heartbeat, drained
    heartbeat()
    while any(to_extract) or any(to_agg.values()):
        for e in range(P):
            while to_extract[e]:
                extract_step(e)
        for k in to_agg:
            while to_agg[k]:
                aggregate_step(*k)
    windows = tuple(sorted((k, orjson.dumps({ck: _entry(e) for ck, e in v.items()},
                                            option=orjson.OPT_SORT_KEYS))
                           for t in tables for k, v in t.items() if k.count("|") == 3))
    return windows, tuple(alerts)


def _entry(e: dict) -> dict:
    """A counted contact as what it is, not how it came: its reports as (value, stamp) sets.
    Which of two copies on different input partitions dedupe sees first (and so which article's
    text is the contact's evidence, ``rep``) is the one thing their interleaving decides
    (docs/pipeline.md, "For what input it holds"); what is counted and evaluated is not."""
    out = {k: v for k, v in e.items() if k not in ("rep", "evidence") and k not in STAMPS.values()}
    for f, sf in STAMPS.items():
        if f in e:
            out[f] = sorted(zip(e[f], e.get(sf, [""] * len(e[f]))))
    return out


def test_the_input_partitions_own_sequences_decide_every_evaluation_whatever_their_interleaving():
    seqs = sequences()
    assert all(seqs[p] for p in seqs)   # every input partition has articles
    rng = random.Random(14)
    results = {}
    for i in range(12):
        # every third run one partition is held back: its 2023 articles reach dedupe after every
        # other partition's 2025 seeds (the order that made the live test fail)
        hold = i // 3 % P if i % 3 == 0 else None
        results.setdefault(run(seqs, random.Random(rng.random()), hold_back=hold), []).append(i)
    assert len(results) == 1, f"the same input gave {len(results)} different results: {list(results.values())}"
    windows, alerts = next(iter(results))
    assert len(windows) > 50
    # the burst's alerts: JOR-USA grown to its six burst calls, for all topics and for gaza
    tops: dict[str, int] = {}
    for a in map(orjson.loads, alerts):
        if a["pair"] == ["JOR", "USA"]:
            tops[a["topic"]] = max(tops.get(a["topic"], 0), a["observed"])
    assert tops.get("*") == 6 and tops.get("gaza") == 6, tops


def test_an_input_partition_that_gets_nothing_holds_evaluation_until_it_is_idle_by_input_time():
    """Every article on input partition 0 (a feed writing one key), partition 1 empty: with the idle
    time off nothing is evaluated (the bound waits for partition 1); with 30 s, partition 1 is idle
    once the articles' Kafka timestamps (1 s apart) are 30 s past the first, its stamp follows
    partition 0's, and the burst's alerts come as with both partitions delivering."""
    seqs = sequences()
    one = {0: sorted(seqs[0] + seqs[1], key=lambda x: x["ts"]), 1: []}
    _, held = run(one, random.Random(1), idle_seconds=0)
    assert held == ()
    windows, alerts = run(one, random.Random(1), idle_seconds=30)
    tops: dict[str, int] = {}
    for a in map(orjson.loads, alerts):
        if a["pair"] == ["JOR", "USA"]:
            tops[a["topic"]] = max(tops.get(a["topic"], 0), a["observed"])
    assert tops == {"*": 6, "gaza": 6}
