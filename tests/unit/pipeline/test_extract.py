"""Stage 3 (extract) with the real extractor over a plain dict: contacts keyed by pair, copies from
new outlets re-published as extra sources, redeliveries skipped, extractor failures dead-lettered."""
from __future__ import annotations


import orjson
import pytest

from streams.extraction import extract_contacts
from streams.pipeline.extract import ExtractStage
from streams.pipeline.serde import pair_key
from streams.records import CopyOf, NewArticle

from tests.corpus import CORPUS, corpus_path, corpus_records
from tests.paths import ROOT


def seeds() -> list[dict]:
    return corpus_records("seeds.jsonl")
T0 = 1_700_000_000.0
ORIGIN = {"topic": "articles", "partition": 0, "offset": 7, "timestamp": T0}


def article_msg(a: dict) -> NewArticle:
    return NewArticle(article=a, origin=ORIGIN, in_ts=T0, seq=None, wm=None)


def copy_msg(of: str, cid: str, source: str | None, url: str | None = None) -> CopyOf:
    return CopyOf(of=of, dup_kind="text", similarity=1.0,
                  article={"id": cid, "source": source, "url": url, "published_at": None},
                  origin=ORIGIN, in_ts=T0 + 5, seq=None, wm=None)


@pytest.fixture
def stage():
    return ExtractStage({}, {}, extract_contacts, horizon_seconds=3600.0)


def test_contacts_are_published_keyed_by_pair_and_remembered(stage):
    a = seeds()[3]   # Persian: several contacts
    outs = stage.handle(article_msg(a), partition=2, now=T0 + 1, offset=40)
    expected = [c.to_dict() for c in extract_contacts(a)]
    assert expected, "the seed article has contacts"
    assert [o.topic for o in outs] == ["contacts"] * len(expected)
    assert [o.value for o in outs] == expected
    assert [o.key for o in outs] == [pair_key(c["countries"]) for c in expected]
    assert stage.extracted[a["id"]]["contacts"] == expected
    assert stage.accounting["extract:2"]["processed"] == 1
    # a redelivery of the same message is neither extracted nor counted again
    assert stage.handle(article_msg(a), partition=2, offset=40) == []
    assert stage.accounting["extract:2"]["processed"] == 1


def test_a_copy_from_a_new_outlet_adds_a_source_to_every_contact(stage):
    a = seeds()[1]
    stage.handle(article_msg(a))
    n = len(stage.extracted[a["id"]]["contacts"])
    outs = stage.handle(copy_msg(a["id"], "copy-1", "wire.example", "https://wire.example/x"))
    assert len(outs) == n and all(o.topic == "sources" for o in outs)
    for o, c in zip(outs, stage.extracted[a["id"]]["contacts"]):
        assert o.key == pair_key(c["countries"])
        assert o.value["article_id"] == "copy-1" and o.value["source"] == "wire.example"
        assert o.value["copy_of"] == a["id"] and o.value["countries"] == c["countries"]
    assert stage.extracted[a["id"]]["sources"] == [a["source"], "wire.example"]
    # the same outlet again, or the first one, adds nothing
    assert stage.handle(copy_msg(a["id"], "copy-2", "wire.example")) == []
    assert stage.handle(copy_msg(a["id"], a["id"], a["source"])) == []
    # a copy of something unknown (expired) adds nothing
    assert stage.handle(copy_msg("gone", "copy-3", "x.example")) == []


def test_a_later_copy_keeps_the_original_publication_day_of_undated_contacts(stage):
    # an undated contact is counted on its article's publication day; a copy published two days
    # later must name the same day, so that it adds a source instead of a second contact
    from streams.detection import contact_key
    a = {"id": "undated", "lang": "en", "source": "petra.gov.jo", "published_at": "2023-10-13",
         "text": "Jordanian Foreign Minister Ayman Safadi received US Secretary of State Antony "
                 "Blinken in Amman, the ministry said."}
    stage.handle(article_msg(a))
    contacts = stage.extracted[a["id"]]["contacts"]
    undated = [c for c in contacts if not c.get("date")]
    assert undated, "the article states no day: its contact is undated"
    msg = copy_msg(a["id"], "copy-late", "late.example")
    msg.article["published_at"] = "2023-10-15"
    outs = stage.handle(msg)
    by_pair = {o.key: o.value for o in outs}
    for c in undated:
        rec = by_pair[pair_key(c["countries"])]
        assert rec["published_at"] == c["published_at"] == a["published_at"]
        assert contact_key(rec) == contact_key(c)


def test_expire_drops_old_entries(stage):
    stage.handle(article_msg(seeds()[0]))
    stage.expire(T0 + 100)
    assert seeds()[0]["id"] in stage.extracted
    stage.expire(T0 + 3601)
    assert stage.extracted == {}


def test_an_extractor_failure_is_a_dead_letter_not_a_crash():
    def broken(_article):
        raise RuntimeError("boom")

    st = ExtractStage({}, {}, broken, horizon_seconds=3600.0)
    [out] = st.handle(article_msg(seeds()[0]), offset=0)
    assert out.topic == "dead_letter" and out.value["reason"] == "extractor_error"
    assert out.value["stage"] == "extract" and "boom" in out.value["detail"]
    assert orjson.loads(__import__("base64").b64decode(out.value["payload"]["b64"]))["id"] == seeds()[0]["id"]
    assert st.accounting["extract:0"]["dead_letter"] == {"extractor_error": 1}
    assert st.handle(article_msg(seeds()[0]), offset=0) == []   # not retried forever on redelivery


def test_the_same_article_sent_again_after_the_horizon_is_extracted_and_counted_again(stage):
    a = seeds()[1]
    first = stage.handle(article_msg(a), offset=3)
    later = article_msg(a)
    later.origin = {**ORIGIN, "offset": 99}   # another input message
    assert stage.handle(later, offset=9) == first
    assert stage.accounting["extract:0"]["processed"] == 2
    assert stage.handle(later, offset=9) == []   # ... but its redelivery is not


class CountingTable(dict):
    """A dict that counts assignments: each one is a changelog record in a Faust table."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def __setitem__(self, key, value) -> None:
        self.writes += 1
        super().__setitem__(key, value)


def test_in_the_worker_an_article_costs_one_changelog_record_and_recovers_whole(backing):
    # the worker's wiring (streams.pipeline.extract.register): entries and accounting in one
    # DeltaLogStore per partition, flushed once per message
    from streams.pipeline.tables import DeltaLogStore, PartitionView, SideMapping
    table = CountingTable()

    def wired(t):
        store = DeltaLogStore(PartitionView(t, 1), backing=backing())
        return ExtractStage(store, SideMapping(store), extract_contacts, horizon_seconds=3600.0), store

    stage, store = wired(table)
    for i, a in enumerate(seeds()[:3]):
        stage.handle(article_msg(a), partition=1, offset=10 + i)
        store.flush(T0 + i)
        assert table.writes == i + 1   # entry, count and mark: one record
    stage.handle(copy_msg(seeds()[1]["id"], "copy-1", "wire.example"), partition=1, offset=13)
    store.flush(T0 + 3)
    assert table.writes == 4
    # a restart rebuilds entries and accounting from those records alone
    again, _ = wired(dict(table))
    assert dict(again.extracted) == dict(stage.extracted)
    assert again.accounting["extract:1"] == stage.accounting["extract:1"]
    assert again.accounting["extract:1"]["processed"] == 3
    assert again.handle(article_msg(seeds()[2]), partition=1, offset=12) == []   # redelivery skipped
    # expiry past the horizon drops the entries and, after compaction, their records
    stage.expire(T0 + 3610)
    store.flush(T0 + 3610)
    store.compact(T0 + 3610 - 3600, T0 + 3610)
    assert dict(stage.extracted) == {}
    rebuilt, _ = wired(dict(table))
    assert dict(rebuilt.extracted) == {}
    assert rebuilt.accounting["extract:1"]["processed"] == 3   # the count outlives the entries
    assert len([k for k in table if k.startswith("1|d:")]) <= 2


WARM_UP_CHECK = r"""
import re, sys
from pathlib import Path
import orjson
from streams.pipeline.extract import warm_up
warm_up()
from streams.extraction import extract_contacts
compiled = []
original = re._compile
def spy(pattern, flags):
    if (type(pattern), pattern, flags) not in re._cache:
        compiled.append(pattern)
    return original(pattern, flags)
re._compile = spy
corpus = Path(sys.argv[1])
for name in ("dev.jsonl", "seeds.jsonl"):
    for line in (corpus / name).read_bytes().splitlines():
        extract_contacts(orjson.loads(line))
print(len(compiled))
"""


def test_warm_up_leaves_no_pattern_to_compile_on_the_first_articles():
    """A fresh process: after warm_up(), extracting every dev and seed article (three languages)
    compiles (almost) no regular expression: compiling them on the first Arabic article would
    stall the worker's partitions right after a start."""
    import subprocess
    import sys
    corpus_path("seeds.jsonl"), corpus_path("dev.jsonl")
    out = subprocess.run([sys.executable, "-c", WARM_UP_CHECK, str(CORPUS)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    assert int(out.stdout.strip().splitlines()[-1]) <= 2, out.stdout


def test_a_heartbeat_goes_on_to_every_contacts_and_sources_partition_with_the_paths_stamp(stage):
    from streams.pipeline.serde import read_vector
    from streams.records import Heartbeat
    stage = ExtractStage({}, {}, extract_contacts, horizon_seconds=3600.0, out_partitions=2)
    hb = Heartbeat(now=T0, wm="2024-03-01", dedupe=0, stamps={"0": "2024-03-04", "2": "2024-03-01"})
    outs = stage.handle(hb, partition=1, offset=9)
    assert sorted((o.topic, o.partition) for o in outs) == [("contacts", 0), ("contacts", 1),
                                                             ("sources", 0), ("sources", 1)]
    for o in outs:   # every path from dedupe partition 0 through extract partition 1, per input p
        assert read_vector(o.headers) == {"0.0.1": "2024-03-04", "2.0.1": "2024-03-01"}
        assert o.key is None
        # on the public contacts topic an empty record; on the internal sources topic the record
        assert o.value == (b"" if o.topic == "contacts" else hb)
    assert stage.extracted == {} and stage.accounting == {}   # nothing stored, nothing counted
    # a heartbeat sent before the per-partition stamps names no input partition: dropped; and one
    # already on the contacts topic then (headers wm/src "q.e") moves no path at the aggregate
    assert stage.handle(Heartbeat(now=T0, wm="2024-03-04", dedupe=0), partition=1) == []
    from streams.pipeline.serde import stamp_headers
    assert read_vector(stamp_headers("2024-03-04", "0.1")) is None


def test_a_records_path_names_its_input_partition(stage):
    from streams.pipeline.serde import read_stamp
    doc = corpus_records("seeds.jsonl")[1]
    rec = NewArticle(article=doc, origin={**ORIGIN, "partition": 3}, in_ts=T0, seq=[0, 5], wm="2024-03-04")
    outs = [o for o in stage.handle(rec, partition=1, offset=0) if o.topic == "contacts"]
    assert outs and {read_stamp(o.headers) for o in outs} == {("2024-03-04", "3.0.1")}
