"""bench/icews_contacts.py: the held-out contact files are made by the 2016 file's rules."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))

import icews_contacts as ic  # noqa: E402

HEADER = ("Event ID,Event Date,Source Country,Target Country,Event Text,Event Sentence,Publisher,"
          "Story ID\n")


def _row(eid, day, a, b, text, story="1"):
    return f'{eid},{day},{a},{b},{text},"A sentence, with a comma.",Pub,{story}\n'


def test_country_code_cldr_aliases_and_icews_spellings():
    assert ic.country_code("Saudi Arabia") == "SAU"            # CLDR
    assert ic.country_code("Turkey") == "TUR"                  # the gazetteer's English alias
    assert ic.country_code("Russian Federation") == "RUS"      # ICEWS spelling
    assert ic.country_code("Occupied Palestinian Territory") == "PSE"
    assert ic.country_code("Congo") == "COG"
    assert ic.country_code("the former Yugoslav Republic of Macedonia") is None   # as in the 2016 file
    assert ic.country_code("NULL") is None and ic.country_code("") is None


def test_contact_record_modes_and_pairs():
    base = {"Event ID": "E1", "Event Date": "2017-05-20", "Event Sentence": "s", "Publisher": "P",
            "Story ID": "9"}
    r = ic.contact_record({**base, "Source Country": "United States", "Target Country": "Saudi Arabia",
                           "Event Text": "Make a visit"})
    assert r == {"article_id": "9", "event_id": "E1", "countries": ["SAU", "USA"], "mode": "visit",
                 "date": "2017-05-20", "topics": [], "evidence": "s", "source": "P",
                 "cameo_text": "Make a visit"}
    assert list(r) == ["article_id", "event_id", "countries", "mode", "date", "topics", "evidence",
                       "source", "cameo_text"]      # the 2016 file's key order
    phone = {**base, "Source Country": "Iran", "Target Country": "Iraq", "Event Text": "Discuss by telephone"}
    assert ic.contact_record(phone)["mode"] == "phone"
    third = {**phone, "Event Text": "Meet at a 'third' location"}
    assert ic.contact_record(third)["mode"] == "third-party"
    assert ic.contact_record({**phone, "Event Text": "Make statement"}) is None      # not a contact
    assert ic.contact_record({**phone, "Target Country": "Iran"}) is None            # one country
    assert ic.contact_record({**phone, "Target Country": "NULL"}) is None


def test_convert_gfc_filters_days_and_sorts_stably():
    a = HEADER + _row("E3", "2017-01-02", "Iran", "Iraq", "Consult") \
        + _row("E1", "2016-12-31", "Iran", "Iraq", "Consult") \
        + _row("E2", "2017-01-01", "Qatar", "Kuwait", "Host a visit")
    b = HEADER + _row("E4", "2017-01-01", "Egypt", "Jordan", "Engage in negotiation")
    out = ic.convert_gfc([("a", a), ("b", b)], "2017-01-01", "2017-12-31")
    assert [r["event_id"] for r in out] == ["E2", "E4", "E3"]
    assert out[0]["evidence"] == "A sentence, with a comma."
    line = ic.dumps(out[:1]).decode()
    assert line.endswith("\n") and json.loads(line)["countries"] == ["KWT", "QAT"]


def test_actor_country_sector_name_and_holder(monkeypatch):
    import datetime as dt
    from types import SimpleNamespace
    holder = SimpleNamespace(country="USA", start=dt.date(2017, 1, 20), end=dt.date(2021, 1, 20))
    monkeypatch.setattr(ic, "_holders", lambda: {"Donald Trump": [holder]})
    assert ic.actor_country("Citizen (Egypt)", "2018-09-01") == "EGY"
    assert ic.actor_country("Member of Legislative (Govt) (Myanmar)", "2018-09-01") == "MMR"
    assert ic.actor_country("North Korea", "2018-09-01") == "PRK"
    assert ic.actor_country("Donald Trump", "2018-09-01") == "USA"
    assert ic.actor_country("Donald Trump", "2016-09-01") is None     # not in office that day
    assert ic.actor_country("United Nations", "2018-09-01") is None


def test_convert_icews18(monkeypatch):
    monkeypatch.setattr(ic, "_holders", lambda: {})
    entities = "Citizen (Egypt)\t0\nIsrael\t1\nUnited Nations\t2\n"
    relations = "Make statement\t0\nConsult\t1\nDiscuss by telephone\t2\n"
    # hours since 2018-01-01: 5760 = 2018-08-29
    split = "0\t1\t1\t5784\t0\n0\t0\t1\t5760\t0\n1\t2\t0\t5760\t0\n0\t1\t2\t5760\t0\n"
    out = ic.convert_icews18(entities, relations, [split])
    assert [(r["date"], r["mode"], r["countries"]) for r in out] == [
        ("2018-08-29", "phone", ["EGY", "ISR"]), ("2018-08-30", "visit", ["EGY", "ISR"])]
    assert out[0]["article_id"] == "Israel|Discuss by telephone|Citizen (Egypt)|2018-08-29"
