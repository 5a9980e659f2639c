"""CPU time of the dedupe and extract agents' loop over the same articles, without Kafka: the real
stages, the real DeltaLogStore/PartitionView/ChangelogWriter over a stand-in memory-store table,
records encoded and decoded as on the wire, one batch of 200 events at a time.

    PYTHONPATH=. .venv/bin/python bench/bench_agent_loop.py [N]

For an A/B comparison run it from two trees alternately (``cd OTHER && PYTHONPATH=OTHER
.venv/bin/python bench/bench_agent_loop.py``): it uses ``streams.pipeline.agent`` where the tree
has it, else the loop it replaced (``tables.PartitionStages.run``). The articles are the dev and
seed corpora repeated with a suffix, so after the first copies most are near copies: the extract
figure is mostly the copy-marker path, the dedupe figure the fingerprints and the loop.
"""
import asyncio
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from streams.duplicates import Deduplicator  # noqa: E402
from streams.extraction import extract_contacts  # noqa: E402
from streams.pipeline.dedupe import DedupeStage  # noqa: E402
from streams.pipeline.extract import ExtractStage, warm_up  # noqa: E402
from streams.pipeline.serde import Origin, dumps  # noqa: E402
from streams.pipeline.tables import SideMapping  # noqa: E402
from streams.pipeline.validate import ValidateStage  # noqa: E402
from tests.unit.pipeline.fakes import FakeStream  # noqa: E402
from tests.unit.pipeline.fakes import FakeMemoryTable  # noqa: E402

try:
    from streams.pipeline import agent
except ImportError:   # a tree before the one agent loop
    agent = None

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
CORPUS = ROOT.parent / "shared" / "corpus"
docs = [orjson.loads(line) for n in ("dev.jsonl", "seeds.jsonl")
        for line in (CORPUS / n).read_bytes().splitlines() if line.strip()]
raws = [orjson.dumps({**docs[i % len(docs)], "id": f"b{i}", "url": None,
                      "text": docs[i % len(docs)]["text"] + f" ref {i}"}) for i in range(N)]


class Sig:
    def connect(self, fn):
        pass


class P:
    """What the loop touches of streams.app.Pipeline; deliveries encoded as the worker encodes."""

    def __init__(self):
        self.tables = {"fingerprints": FakeMemoryTable(), "extracted": FakeMemoryTable()}
        self.app = type("App", (), {"on_partitions_assigned": Sig(), "on_rebalance_complete": Sig()})()
        self.out = []

    async def deliver_or_stop(self, outs, changelog=()):
        self.out += [(o.topic, dumps(o.value)) for o in outs]


class M:
    def __init__(self, partition, offset):
        self.partition, self.offset, self.tp, self.topic, self.headers = partition, offset, "t", "t", None


class E:
    def __init__(self, partition, offset, value):
        self.message, self.value = M(partition, offset), value


async def stage_run(p, table, make, records, handle, values):
    events = [E(0, i, v) for i, v in enumerate(values)]
    stream = FakeStream([events], highwater=10 ** 9)
    if agent is not None:
        st = agent.PartitionStages(p, table, "t", make, 3600.0, records=records, handle=handle)
        await agent.run(p, stream, records, st, 200)
    else:
        from streams.pipeline.tables import PartitionStages
        st = PartitionStages(p, table, "t", make, 3600.0)
        await st.run(stream, records, lambda stage, msg, ev: handle(stage, msg, ev.message), 200)


def main():
    warm_up()
    v = ValidateStage(max_bytes=1 << 20, max_text_chars=200_000)
    dedupe_in = [dumps(v.handle(r, Origin("articles", 0, i, 1.7e9 + i, None))[0].value)
                 for i, r in enumerate(raws)]
    p = P()
    t = time.process_time()
    asyncio.run(stage_run(
        p, "fingerprints", lambda s: DedupeStage(Deduplicator(s, horizon_seconds=3600.0), SideMapping(s)),
        "dedupe", lambda stage, rec, m: stage.handle(rec, m.partition, m.offset), dedupe_in))
    td = time.process_time() - t
    extract_in = [b for topic, b in p.out if topic == "extract"]
    p2 = P()
    t = time.process_time()
    asyncio.run(stage_run(
        p2, "extracted", lambda s: ExtractStage(s, SideMapping(s), extract_contacts, 3600.0),
        "extract", lambda stage, rec, m: stage.handle(rec, m.partition, offset=m.offset), extract_in))
    te = time.process_time() - t
    print(f"{'agent.run' if agent else 'PartitionStages.run'} N={N} extract_in={len(extract_in)} contacts={sum(1 for t_, _ in p2.out if t_ == 'contacts')} "
          f"dedupe {td:.3f} s ({td / N * 1e3:.3f} ms/article) extract {te:.3f} s ({te / len(extract_in) * 1e3:.3f} ms/article)")


if __name__ == "__main__":
    main()
