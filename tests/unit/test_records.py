"""schemas/*.schema.json are the contract; streams/records.py must follow them."""
from __future__ import annotations

import dataclasses
import json

import jsonschema
import orjson
import pytest

from streams.records import (CAMEO_CODES, DATE_PRECISIONS, MODES, PLOVER_EVENT, TOPIC_RECORDS, Actor,
                            Article, Contact, CopyOf, Expire, Heartbeat, NewArticle, Rejected, ValidArticle,
                            cameo_code)

from tests.paths import ROOT
from tests.corpus import corpus_lines, corpus_records


def _schema(name: str) -> dict:
    return json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def _fields(cls) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls)}


def _no_default(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


@pytest.mark.parametrize("name, cls", [("article", Article), ("contact", Contact)])
def test_schema_is_valid_draft_2020_12(name, cls):
    schema = _schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name, cls", [("article", Article), ("contact", Contact)])
def test_field_names_match(name, cls):
    assert set(_schema(name)["properties"]) == set(_fields(cls))


@pytest.mark.parametrize("name, cls", [("article", Article), ("contact", Contact)])
def test_fields_without_default_are_required(name, cls):
    required = set(_schema(name)["required"])
    fields = _fields(cls)
    assert required <= set(fields)
    assert {n for n, f in fields.items() if _no_default(f)} <= required


def test_enums_match_records():
    props = _schema("contact")["properties"]
    assert tuple(props["mode"]["enum"]) == MODES
    assert tuple(props["date_precision"]["enum"]) == DATE_PRECISIONS


def test_actor_matches_schema():
    actor = _schema("contact")["$defs"]["actor"]
    assert set(actor["properties"]) == set(_fields(Actor))
    assert set(actor["required"]) == set(_fields(Actor))


def test_contact_to_dict_validates():
    c = Contact(article_id="a1", countries=["OMN", "USA"], mode="phone", date="2025-01-11",
                date_precision="day", actors=[Actor("Blinken", "foreign_minister", "USA")],
                topics=["gaza"], evidence="...", confidence=0.8)
    jsonschema.validate(c.to_dict(), _schema("contact"))
    bad = c.to_dict() | {"mode": "letter"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, _schema("contact"))


def test_extracted_contacts_validate():
    from streams.extraction import extract_contacts

    art = {"id": "t1", "lang": "en", "published_at": "2023-10-24",
           "text": "The Foreign Minister of Oman met the Foreign Minister of Iran in Tehran today."}
    contacts = extract_contacts(art)
    assert contacts
    for c in contacts:
        jsonschema.validate(c.to_dict(), _schema("contact"))
        assert Contact.from_dict(c.to_dict()) == c


def test_corpus_articles_validate_and_load():
    schema = _schema("article")
    for d in corpus_records("dev.jsonl"):
        jsonschema.validate(d, schema)
        assert Article.from_dict(d).to_dict() == d


def test_contact_to_dict_is_dataclasses_asdict():
    """to_dict is written out for speed; it must stay what asdict gives (key order included) for
    every contact the extractor makes on the dev corpus, and for every field of the record."""
    from streams.extraction import extract_contacts

    contacts = [c for line in corpus_lines("dev.jsonl")
                for c in extract_contacts(orjson.loads(line))]
    assert len(contacts) > 100
    for c in contacts:
        d = c.to_dict()
        assert list(d.items()) == list(dataclasses.asdict(c).items())
        assert d["countries"] is not c.countries and d["topics"] is not c.topics   # copies
    assert set(Contact(article_id="a", countries=["A", "B"], mode="phone").to_dict()) == set(_fields(Contact))


def test_codes_enums_match_records():
    props = _schema("contact")["properties"]
    assert tuple(props["cameo"]["enum"]) == CAMEO_CODES
    assert props["plover"]["properties"]["event_type"]["const"] == PLOVER_EVENT
    assert tuple(props["plover"]["properties"]["mode"]["enum"]) == MODES
    assert {"cameo", "plover"} <= set(_schema("contact")["required"])


@pytest.mark.parametrize("mode, visitor, host, code", [
    ("phone", None, None, "041"),
    ("visit", "JOR", "USA", "042"),      # source = visitor, target = host
    ("visit", None, None, "040"),        # whose ground it was on is unknown
    ("third-party", None, None, "044"),
    ("multilateral", None, None, "040"),
])
def test_cameo_code_by_mode_and_direction(mode, visitor, host, code):
    assert cameo_code(mode, visitor, host) == code
    c = Contact(article_id="a", countries=["JOR", "USA"], mode=mode, visitor=visitor, host=host)
    assert c.cameo == code and c.plover == {"event_type": "CONSULT", "mode": mode}
    jsonschema.validate(c.to_dict(), _schema("contact"))
    bad = c.to_dict() | {"cameo": "051"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, _schema("contact"))


def test_a_record_without_codes_gets_them_from_its_mode():
    """Records written before the codes existed (on the contacts topic) load with them."""
    old = {"article_id": "a", "countries": ["USA", "JOR"], "mode": "phone", "date": None}
    c = Contact.from_dict(old)
    assert c.cameo == "041" and c.plover == {"event_type": "CONSULT", "mode": "phone"}
    assert Contact.from_dict(c.to_dict()) == c


@pytest.mark.parametrize("text, mode, code", [
    ("Jordan's foreign minister Ayman Safadi held a phone call with US Secretary of State Antony "
     "Blinken on Sunday.", "phone", "041"),
    ("US Secretary of State Antony Blinken arrived in Amman on Saturday and met Jordan's foreign "
     "minister Ayman Safadi.", "visit", "042"),
])
def test_extracted_contacts_carry_cameo_and_plover(text, mode, code):
    from streams.extraction import extract_contacts

    contacts = extract_contacts({"id": "t", "lang": "en", "published_at": "2023-10-15", "text": text})
    assert [(c.countries, c.mode, c.cameo, c.plover["mode"]) for c in contacts] == [
        (["JOR", "USA"], mode, code, mode)]
    if code == "042":
        assert (contacts[0].visitor, contacts[0].host) == ("USA", "JOR")
    for c in contacts:
        assert all(a.role for a in c.actors) and {a.country for a in c.actors} <= {"JOR", "USA"}


# --- internal records: the app's own topics (streams.records.TOPIC_RECORDS) ---------------------

INTERNAL = [("dedupe_record", "article", "dedupe", ValidArticle),
            ("dedupe_record", "rejected", "dedupe", Rejected),
            ("extract_record", "article", "extract", NewArticle),
            ("extract_record", "copy", "extract", CopyOf),
            ("expire", None, "sources", Expire),
            ("heartbeat", None, "extract", Heartbeat),
            ("heartbeat", None, "sources", Heartbeat)]
TOPIC_SCHEMAS = {"dedupe": "dedupe_record", "extract": "extract_record", "sources": "sources_record"}


def _validator(name: str) -> jsonschema.Draft202012Validator:
    """The schema with the others resolvable by their $id (the internal ones refer to the article,
    dead-letter and expire schemas)."""
    from referencing import Registry, Resource
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "schemas").glob("*.schema.json")]
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
    return jsonschema.Draft202012Validator(_schema(name), registry=registry)


def _def(name: str, kind: str | None) -> dict:
    schema = _schema(name)
    return schema if kind is None else schema["$defs"][kind]


@pytest.mark.parametrize("name", sorted(set(TOPIC_SCHEMAS.values())))
def test_internal_schema_is_valid_draft_2020_12(name):
    schema = _schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{name}.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name, kind, topic, cls", INTERNAL)
def test_internal_fields_match_and_all_travel(name, kind, topic, cls):
    d = _def(name, kind)
    fields = _fields(cls)
    assert list(d["properties"]) == list(fields)       # the wire's key order is the fields'
    assert set(d["required"]) == set(fields)            # every field is on the wire, null or not
    assert d["additionalProperties"] is False
    assert d["properties"]["kind"]["const"] == fields["kind"].default
    assert TOPIC_RECORDS[topic][fields["kind"].default] is cls


@pytest.mark.parametrize("topic", sorted(TOPIC_SCHEMAS))
def test_each_topic_schema_has_exactly_the_kinds_its_topic_carries(topic):
    schema = _schema(TOPIC_SCHEMAS[topic])
    if "oneOf" not in schema:
        kinds = {schema["properties"]["kind"]["const"]}
    else:
        kinds = set()
        for branch in schema["oneOf"]:
            ref = branch["$ref"]
            d = (schema["$defs"][ref.rsplit("/", 1)[1]] if ref.startswith("#")
                 else _schema(ref.removesuffix(".schema.json")))
            kinds.add(d["properties"]["kind"]["const"])
    assert kinds == set(TOPIC_RECORDS[topic])


def _on_the_wire(topic: str, value):
    """The record as the next stage reads it: encoded as the worker sends it, decoded as the agent
    loop does."""
    from streams.pipeline.serde import dumps, loads
    from streams.records import internal_record
    raw = dumps(value)
    return loads(raw), internal_record(topic, loads(raw))


def test_the_stages_write_records_their_schemas_accept_and_read_them_back():
    """Every record validate and dedupe write for the dev corpus (with its copies), for bad input
    and for the timer validates against its topic's schema, and decodes to an equal record."""
    from streams.duplicates import Deduplicator
    from streams.pipeline.dedupe import DedupeStage
    from streams.pipeline.serde import Origin
    from streams.pipeline.validate import ValidateStage

    validate = ValidateStage(max_bytes=1 << 20, max_text_chars=200_000)
    dedupe = DedupeStage(Deduplicator({}, horizon_seconds=30 * 86400.0), {})
    check = {t: _validator(n) for t, n in TOPIC_SCHEMAS.items()}
    lines = corpus_lines("dev.jsonl")
    lines += [b"\x00\x01garbage", b"[1]", b'{"id": "x", "text": ""}', b'{"id": "y"}']
    seen: dict[type, int] = {}
    for i, raw in enumerate(lines):
        [out] = validate.handle(raw, Origin("articles", 0, i, 1.7e9 + i, b"k" if i % 2 else None))
        d, rec = _on_the_wire("dedupe", out.value)
        check["dedupe"].validate(d)
        assert rec == out.value
        seen[type(rec)] = seen.get(type(rec), 0) + 1
        for nxt in dedupe.handle(rec, 0, i):
            if nxt.topic == "extract":
                d, rec2 = _on_the_wire("extract", nxt.value)
                check["extract"].validate(d)
                assert rec2 == nxt.value
                if type(rec2) is NewArticle:
                    first_new = d
                seen[type(rec2)] = seen.get(type(rec2), 0) + 1
    expire = Expire(now=1.7e9)
    for topic in TOPIC_SCHEMAS:
        d, rec = _on_the_wire(topic, expire)
        check[topic].validate(d)
        assert rec == expire
    for hb in (Heartbeat(now=1.7e9, wm="2024-01-02", dedupe=0, stamps={"0": "2024-01-02", "3": "2024-01-05"},
                         idle=[3]),
               Heartbeat(now=1.7e9, wm=None, dedupe=1, stamps={}, idle=[]),
               Heartbeat(now=1.7e9, wm="2024-01-02", dedupe=0)):   # (as sent before the vector)
        for topic in ("extract", "sources"):
            d, rec = _on_the_wire(topic, hb)
            check[topic].validate(d)
            assert rec == hb
    assert seen[ValidArticle] > 100 and seen[Rejected] == 4
    assert seen[NewArticle] > 100 and seen[CopyOf] > 10
    # and refuses what its types cannot be: a first copy's record sent as a copy marker
    with pytest.raises(jsonschema.ValidationError):
        check["extract"].validate({**first_new, "kind": "copy"})


# The dict literals the stages wrote before the record types (3b66dc1: validate.py, dedupe.py),
# as a worker of that version put them on the internal topics: the wire format is unchanged, so a
# worker of either version reads what the other wrote within the topics' retention.
_ORIGIN = {"topic": "articles", "partition": 1, "offset": 7, "timestamp": 1.7e9}
_ART = {"id": "a1", "text": "t", "source": "s", "url": None, "published_at": "2024-01-02"}
_DL = {"reason": "invalid_json", "detail": "not JSON", "stage": "validate", "article_id": None,
       "origin": {**_ORIGIN, "key_b64": None}, "payload": {"b64": "", "preview": "", "bytes": 0,
       "sha256": "e3b0", "truncated": False}, "dead_lettered_at": 1.7e9}
OLD_WIRE = [
    ("dedupe", {"kind": "article", "article": _ART, "origin": _ORIGIN, "in_ts": 1.7e9},
     ValidArticle(article=_ART, origin=_ORIGIN, in_ts=1.7e9)),
    ("dedupe", {"kind": "rejected", "reason": "invalid_json", "dead_letter": _DL, "key": None,
                "origin": _ORIGIN, "in_ts": 1.7e9},
     Rejected(reason="invalid_json", dead_letter=_DL, key=None, origin=_ORIGIN, in_ts=1.7e9)),
    ("extract", {"kind": "article", "article": _ART, "origin": _ORIGIN, "in_ts": 1.7e9,
                 "seq": [0, 12], "wm": None},
     NewArticle(article=_ART, origin=_ORIGIN, in_ts=1.7e9, seq=[0, 12], wm=None)),
    ("extract", {"kind": "copy", "of": "a0", "dup_kind": "near", "similarity": 0.91,
                 "article": {f: _ART.get(f) for f in ("id", "source", "url", "published_at", "lang",
                                                      "title")},
                 "origin": _ORIGIN, "in_ts": 1.7e9, "seq": [0, 13], "wm": "2024-01-02"},
     CopyOf(of="a0", dup_kind="near", similarity=0.91,
            article={f: _ART.get(f) for f in ("id", "source", "url", "published_at", "lang", "title")},
            origin=_ORIGIN, in_ts=1.7e9, seq=[0, 13], wm="2024-01-02")),
    ("sources", {"kind": "expire", "now": 1.7e9}, Expire(now=1.7e9)),
]


@pytest.mark.parametrize("topic, old, record", OLD_WIRE, ids=lambda x: getattr(x, "kind", None))
def test_records_encode_to_the_bytes_of_the_old_dict_literals_and_read_them(topic, old, record):
    from streams.pipeline.serde import dumps
    from streams.records import internal_record
    assert dumps(record) == dumps(old)
    assert record.to_dict() == old and list(record.to_dict()) == list(old)
    assert internal_record(topic, orjson.loads(dumps(old))) == record


def test_unknown_kinds_are_ignored_and_contacts_pass_as_they_are():
    from streams.records import internal_record
    assert internal_record("extract", {"kind": "rejected"}) is None   # not a kind of that topic
    contact = {"article_id": "a", "countries": ["IRN", "OMN"], "mode": "phone"}
    assert internal_record("sources", contact) is contact
