"""schemas/*.schema.json are the contract; streams/records.py must follow them."""
from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from streams.records import (CAMEO_CODES, DATE_PRECISIONS, MODES, PLOVER_EVENT, Actor, Article, Contact,
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
    import orjson

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
