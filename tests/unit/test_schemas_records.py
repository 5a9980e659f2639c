"""schemas/*.schema.json are the contract; streams/records.py must follow them."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from streams.records import DATE_PRECISIONS, MODES, Actor, Article, Contact

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


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


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
def test_corpus_articles_validate_and_load():
    schema = _schema("article")
    for line in (CORPUS / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        jsonschema.validate(d, schema)
        assert Article.from_dict(d).to_dict() == d


def test_contact_to_dict_is_dataclasses_asdict():
    """to_dict is written out for speed; it must stay what asdict gives (key order included) for
    every contact the extractor makes on the dev corpus, and for every field of the record."""
    import orjson

    from streams.extraction import extract_contacts

    contacts = [c for line in (CORPUS / "dev.jsonl").read_bytes().splitlines()
                for c in extract_contacts(orjson.loads(line))]
    assert len(contacts) > 100
    for c in contacts:
        d = c.to_dict()
        assert list(d.items()) == list(dataclasses.asdict(c).items())
        assert d["countries"] is not c.countries and d["topics"] is not c.topics   # copies
    assert set(Contact(article_id="a", countries=["A", "B"], mode="phone").to_dict()) == set(_fields(Contact))
