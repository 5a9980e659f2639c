"""CPU time of the aggregate stage (counting and spike detection) over bench_pipeline's contacts,
without Kafka: the real AggregateStage over PartitionView and ChangelogWriter on stand-in
memory-store tables, in the order and with the watermark stamps the worker would see them.

    .venv/bin/python bench/bench_aggregate.py [--articles 3000] [--repeat 5] [--contacts FILE]
        [--retain-days N] [--cooldown-days N] [--tree OTHER]

The contacts are those of bench_pipeline.py's backlog (``make_articles``, seed 7: 6-10 corpus
sentences per article, publication days drawn over 2023), extracted once and kept in FILE (default
/tmp/bench-aggregate-contacts-N.jsonl) so two trees can be compared on the same input: run it for
each tree alternately (``--tree OTHER`` imports the other tree's ``streams``).
Each contact is routed to one of 4 partitions by its pair, stamped with the watermark dedupe would
give it (the least, over 4 input partitions, of each one's latest publication day so far), and
handled by a fresh stage ``--repeat`` times; the figure is the least process CPU time of the
repeats. The SHA-256 printed is over what the stage wrote (its changelog records and its alerts,
without their generated_at), at a fixed clock: a change that claims to keep the stage's behaviour
keeps it. ``--retain-days``/``--cooldown-days`` default to the tree's own settings.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
import zlib
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if "--tree" in sys.argv:   # the streams package of another tree (an A/B without copying this file)
    ROOT = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
sys.path.insert(0, str(ROOT))


class _Store:
    def __init__(self) -> None:
        self.data: dict = {}


class _Topic:
    def get_topic_name(self) -> str:
        return "bench-changelog"


class MemoryTable:
    """What PartitionView touches of a Faust table with the memory store (``.data.data``,
    ``.changelog_topic``)."""

    def __init__(self) -> None:
        self.data = _Store()
        self.changelog_topic = _Topic()

    def __getitem__(self, key):
        return self.data.data[key]

    def __setitem__(self, key, value) -> None:
        self.data.data[key] = value

    def __delitem__(self, key) -> None:
        del self.data.data[key]

    def __iter__(self):
        return iter(list(self.data.data))

    def keys(self):
        return list(self.data.data)


def contacts_file(n: int, path: Path) -> Path:
    """``path``, written first if missing: one line per article, [published_at, contacts]."""
    if path.exists():
        return path
    from bench_pipeline import make_articles
    from streams.extraction import extract_contacts
    with path.open("wb") as f:
        for raw in make_articles(n):
            doc = orjson.loads(raw)
            cs = [c.to_dict() if hasattr(c, "to_dict") else dict(c) for c in extract_contacts(doc)]
            f.write(orjson.dumps([doc["published_at"], cs]) + b"\n")
    return path


def stamped(path: Path, partitions: int = 4) -> list[tuple[int, dict, str | None, str]]:
    """(partition, contact, watermark stamp, path) in arrival order."""
    out = []
    latest: dict[int, str] = {}
    wm = None
    for i, line in enumerate(path.read_bytes().splitlines()):
        day, cs = orjson.loads(line)
        src = i % partitions
        if day > latest.get(src, ""):
            latest[src] = day
        low = min(latest.values())
        if wm is None or low > wm:
            wm = low
        for c in cs:
            pair = "-".join(sorted(c["countries"]))
            out.append((zlib.crc32(pair.encode()) % partitions, c, wm, f"{src}"))
    return out


NOW = 1717200000.0   # 2024-06-01: a fixed clock, so two runs write the same records


def run(records, settings, retain_days: int, cooldown_days: int) -> tuple[float, int, int, str]:
    from dataclasses import replace

    from streams.pipeline.aggregate import AggregateStage
    from streams.pipeline.alert import spike_params
    from streams.pipeline.tables import ChangelogWriter, PartitionView
    writer = ChangelogWriter()
    windows = PartitionView(MemoryTable(), writer=writer)
    episodes = PartitionView(MemoryTable(), writer=writer)
    params = replace(spike_params(settings), cooldown_days=cooldown_days)
    stage = AggregateStage(windows, episodes, params, retain_days=retain_days, paths=4)
    alerts = 0
    written: list = []
    t0 = time.process_time()
    for part, c, stamp, path in records:
        windows.use(part)
        episodes.use(part)
        outs = stage.handle(c, now=NOW, stamp=stamp, path=path)
        alerts += len(outs)
        written.append((outs, writer.take()))
    if hasattr(stage, "heartbeat"):
        # the end of the input: every path's heartbeat, 2 days past the last watermark, lets the
        # days up to it out (as-of evaluation, since 2026-12-06; a partition some path sent
        # nothing to evaluates nothing before), so the figure holds every evaluation they cause
        from datetime import date, timedelta
        end = (date.fromisoformat(max(r[2] for r in records if r[2])) + timedelta(days=2)).isoformat()
        for part in sorted({r[0] for r in records}):
            windows.use(part)
            episodes.use(part)
            for path in sorted({r[3] for r in records}):
                outs = stage.heartbeat(end, path)
                alerts += len(outs)
                written.append((outs, writer.take()))
    cpu = time.process_time() - t0
    # what the stage wrote: its changelog records and its alerts (without their generated_at)
    digest = hashlib.sha256()
    for outs, changelog in written:
        for o in outs:
            value = {k: v for k, v in o.value.items() if k != "generated_at"}
            digest.update(orjson.dumps([o.topic, o.key, value], option=orjson.OPT_SORT_KEYS))
        for rec in changelog:
            digest.update(repr(rec).encode())
    return cpu, alerts, len(windows.table.data.data), digest.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--contacts", type=Path)
    ap.add_argument("--retain-days", type=int)
    ap.add_argument("--cooldown-days", type=int)
    ap.add_argument("--tree", type=Path, help="run the streams package of this tree (default: this one)")
    args = ap.parse_args()
    from streams.settings import Settings
    settings = Settings.from_env({})
    retain = args.retain_days if args.retain_days is not None else settings.retain_days
    cooldown = args.cooldown_days if args.cooldown_days is not None else settings.cooldown_days
    path = contacts_file(args.articles, args.contacts or Path(f"/tmp/bench-aggregate-contacts-{args.articles}.jsonl"))
    records = stamped(path)
    runs = [run(records, settings, retain, cooldown) for _ in range(args.repeat)]
    cpu = min(r[0] for r in runs)
    print(f"aggregate stage, {ROOT.name}: {len(records)} contacts of {args.articles} articles, "
          f"retain_days {retain}, cooldown_days {cooldown}: {cpu:.3f} s CPU (least of {args.repeat}; "
          f"all {', '.join(f'{r[0]:.3f}' for r in runs)}) = {cpu / args.articles * 1000:.3f} ms per "
          f"article; {runs[0][1]} alerts, {runs[0][2]} keys in windows; what it wrote: sha256 "
          f"{runs[0][3][:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
