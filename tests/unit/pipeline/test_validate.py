"""Stage 1 (validate) and the dead-letter record, without Kafka: every kind of bad input becomes a
dead letter with its reason code and its bytes, valid articles go on, redeliveries are not counted."""
from __future__ import annotations

import base64
import hashlib

import orjson
import pytest
from jsonschema import Draft202012Validator

from streams import metrics
from streams.pipeline.serde import DEAD_LETTER_CARRY_BYTES, Origin, dead_letter_payload, dead_letter_record
from streams.pipeline.validate import Rejection, ValidateStage, check_article

from tests.corpus import corpus_lines
from tests.paths import ROOT
DL_SCHEMA = Draft202012Validator(orjson.loads((ROOT / "schemas" / "dead_letter.schema.json").read_bytes()))
LIMITS = {"max_bytes": 64 * 1024, "max_text_chars": 20_000}


def seed_lines() -> list[bytes]:
    return corpus_lines("seeds.jsonl")


def origin(offset: int = 0, partition: int = 0) -> Origin:
    return Origin("articles", partition, offset, 1_700_000_000.0, b"k")


def test_real_articles_pass():
    for line in seed_lines():
        doc = check_article(line, max_bytes=1 << 20, max_text_chars=1 << 20)
        assert isinstance(doc, dict) and doc["id"]


@pytest.mark.parametrize("raw, reason", [
    (b"{not json", metrics.DL_INVALID_JSON),
    (b"", metrics.DL_INVALID_JSON),
    (b'{"id": "a", "text": "caf\xe9 \xff"}', metrics.DL_BAD_ENCODING),
    (b"[1, 2, 3]", metrics.DL_NOT_OBJECT),
    (b'"just a string"', metrics.DL_NOT_OBJECT),
    (b'{"id": "a"}', metrics.DL_SCHEMA),
    (b'{"id": 7, "text": "x"}', metrics.DL_SCHEMA),
    (b'{"id": "a", "text": "x", "url": 5}', metrics.DL_SCHEMA),
    (b'{"id": "a", "text": "   \\n "}', metrics.DL_EMPTY_TEXT),
    (b'{"id": "a", "text": "x", "published_at": "last Tuesday"}', metrics.DL_BAD_DATE),
    (b'{"id": "a", "text": "' + b"x" * 70_000 + b'"}', metrics.DL_TOO_LARGE),
    (b'{"id": "a", "text": "' + b"x" * 30_000 + b'"}', metrics.DL_TOO_LARGE),
])
def test_bad_inputs_are_rejected_with_their_reason(raw, reason):
    r = check_article(raw, **LIMITS)
    assert isinstance(r, Rejection) and r.reason == reason, r
    assert r.detail


def test_partial_dates_as_feeds_give_them_are_accepted():
    for d in ("2023", "2023-10", "2023-10-09", "2023-10-09T21:19:00+03:30", None):
        assert isinstance(check_article(orjson.dumps({"id": "a", "text": "t", "published_at": d}), **LIMITS),
                          dict)


def test_stage_routes_and_counts_every_message_once():
    # validate keeps no state: it routes every message to the dedupe stage, which counts it (in,
    # dead letters), emits the dead letter and skips redeliveries by its input offset mark
    from streams.duplicates import Deduplicator
    from streams.pipeline.dedupe import DedupeStage
    stage = ValidateStage(**LIMITS)
    acc: dict = {}
    dedupe = DedupeStage(Deduplicator({}, horizon_seconds=3600.0), acc)
    good = seed_lines()[1]
    [out] = stage.handle(good, origin(0))
    assert out.topic == "dedupe"
    msg = out.value
    assert msg.kind == "article" and msg.article["id"] == out.key
    assert msg.origin == {"topic": "articles", "partition": 0, "offset": 0, "timestamp": 1_700_000_000.0}
    assert msg.in_ts == 1_700_000_000.0
    assert [o.topic for o in dedupe.handle(msg)] == ["extract"]

    bad = b"\x00\x01garbage"
    [out] = stage.handle(bad, origin(1))
    assert out.topic == "dedupe" and out.value.kind == "rejected"
    assert out.key == "articles:0:1"   # a redelivery goes to the same dedupe partition
    [dl] = dedupe.handle(out.value)
    assert (dl.topic, dl.key) == ("dead_letter", "k")   # with the original key
    rec = dl.value
    assert rec["reason"] == metrics.DL_INVALID_JSON and rec["origin"]["offset"] == 1
    assert rec["stage"] == "validate"
    assert dead_letter_payload(rec) == bad
    DL_SCHEMA.validate(rec)

    # redelivery of both (after a crash, before the offset commit): skipped, not counted again
    for raw, o in ((good, origin(0)), (bad, origin(1))):
        assert dedupe.handle(stage.handle(raw, o)[0].value) == []
    assert acc["dedupe:0"]["in"] == 2 and acc["dedupe:0"]["new"] == 1
    assert acc["dedupe:0"]["dead_letter"] == {"invalid_json": 1}
    assert acc["dedupe:0"]["marks"] == {"articles:0": 2}
    # another partition has its own mark (the same article again there is a duplicate, not skipped)
    assert len(dedupe.handle(stage.handle(good, origin(0, partition=1))[0].value)) == 1
    assert acc["dedupe:0"]["in"] == 3


def test_dead_letter_carries_non_utf8_bytes_and_truncates_huge_ones():
    raw = b"\xff\xfe" + "سلام".encode("utf-8")
    rec = dead_letter_record(raw, reason="bad_encoding", detail="x", origin=origin(5))
    DL_SCHEMA.validate(rec)
    assert base64.b64decode(rec["payload"]["b64"]) == raw and not rec["payload"]["truncated"]
    assert "سلام" in rec["payload"]["preview"]
    assert rec["origin"]["key_b64"] == base64.b64encode(b"k").decode()

    big = b"y" * (DEAD_LETTER_CARRY_BYTES + 10)
    rec = dead_letter_record(big, reason="too_large", detail="x", origin=origin(6))
    DL_SCHEMA.validate(rec)
    assert rec["payload"]["truncated"] and rec["payload"]["bytes"] == len(big)
    assert rec["payload"]["sha256"] == hashlib.sha256(big).hexdigest()
    assert len(dead_letter_payload(rec)) == DEAD_LETTER_CARRY_BYTES


def test_dead_letter_reasons_in_schema_are_the_metrics_codes():
    enum = DL_SCHEMA.schema["properties"]["reason"]["enum"]
    assert sorted(enum) == sorted(metrics.DEAD_LETTER_REASONS)
    stages = DL_SCHEMA.schema["properties"]["stage"]["enum"]
    assert sorted(stages) == sorted(metrics.STAGES)


# --- the fast schema check (fastjsonschema) against jsonschema, the reference ---------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from streams.pipeline.validate import article_fast_check, article_validator  # noqa: E402

_FIELD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "2023", "2023-10", "2023-10-09", "2023-10-09T21:19:00+03:30",
                     "2023-10-09 21:19", "2023-1-9", "2023-10-09\n", "x2023", "2023-10-09Z"]),
    st.lists(st.integers(0, 9), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(0, 9), max_size=2),
)
_DOCS = st.dictionaries(
    st.sampled_from(["id", "text", "source", "url", "published_at", "lang", "title", "extra"]),
    _FIELD_VALUES, max_size=8)


def _fast_accepts(doc) -> bool:
    try:
        article_fast_check()(doc)
    except Exception:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(_DOCS)
def test_what_the_fast_check_accepts_jsonschema_accepts_too(doc):
    # check_article trusts an acceptance of the fast check and asks jsonschema about the rest: its
    # verdicts are jsonschema's as long as the fast check never accepts what jsonschema rejects
    if _fast_accepts(doc):
        assert not list(article_validator().iter_errors(doc)), doc


@settings(max_examples=400, deadline=None)
@given(_DOCS)
def test_check_article_gives_jsonschemas_verdict_and_reason(doc):
    raw = orjson.dumps(doc)
    with_fast = check_article(raw, **LIMITS)
    reference = check_article(raw, **LIMITS, validator=article_validator())   # jsonschema only
    assert with_fast == reference


def test_the_fast_check_accepts_the_real_articles():
    for name in ("seeds.jsonl", "dev.jsonl"):
        for line in corpus_lines(name):
            assert _fast_accepts(orjson.loads(line))


@pytest.mark.parametrize("field,limit", [("id", 256), ("source", 256), ("url", 2048), ("title", 1000),
                                         ("lang", 35)])
def test_fields_stored_in_state_or_records_are_bounded(field, limit):
    """An oversized id, url, source, title or lang is a schema dead letter (the id is stored in ~36
    fingerprint entries, so an unbounded one would make a changelog record past the broker's limit);
    at the limit it passes. The dead letter of a 100,000-character field stays far below the record limit."""
    from streams.pipeline.serde import MAX_RECORD_BYTES, dumps
    base = {"id": "a1", "text": "Some text about a phone call.", "source": "s.example"}
    ok = check_article(orjson.dumps({**base, field: "x" * limit}), **{**LIMITS, "max_bytes": 512 * 1024})
    assert isinstance(ok, dict)
    raw = orjson.dumps({**base, field: "x" * 100_000})
    bad = check_article(raw, **{**LIMITS, "max_bytes": 512 * 1024})
    assert isinstance(bad, Rejection) and bad.reason == metrics.DL_SCHEMA
    assert bad.detail.startswith(f"{field}:") and len(bad.detail) <= 500
    [out] = ValidateStage(max_bytes=512 * 1024, max_text_chars=20_000).handle(raw, origin())
    assert out.value.kind == "rejected"
    assert len(dumps(out.value)) < MAX_RECORD_BYTES
    assert len(out.value.dead_letter["article_id"]) <= 200
