"""The pipeline's commands, without Kafka: replay's rate parsing and keys, the alert printer."""
from __future__ import annotations

import argparse

import pytest

from streams.commands.alerts import format_alert
from streams.commands.replay import _key, parse_rate


@pytest.mark.parametrize("text, rate", [("500", 500.0), ("500/s", 500.0), ("30/min", 0.5),
                                        ("7200/h", 2.0), ("0", None), (None, None), (" 2.5 /s ", 2.5)])
def test_rates(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "5/fortnight", "-3", ""])
def test_bad_rates(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_rate(text)


def test_lines_are_keyed_by_id_when_they_have_one():
    assert _key(b'{"id": "a1", "text": "x"}') == b"a1"
    assert _key(b'{"id": 7}') == b"7"
    assert _key(b"not json") is None and _key(b"[1]") is None and _key(b'{"text": "x"}') is None


def test_alert_printer_shows_pair_window_counts_and_newest_evidence_with_sources():
    alert = {
        "status": "new", "pair": ["JOR", "USA"], "topic": "gaza", "window_start": "2023-10-14",
        "window_end": "2023-10-20", "observed": 6, "expected": 0.3923, "score": 8.534,
        "evidence": [
            {"date": f"2023-10-{d}", "mode": "phone", "evidence": f"call number {d}",
             "sources": ["state.gov", "jordantimes.com"] if d == 20 else ["petra.gov.jo"]}
            for d in range(15, 21)
        ],
    }
    text = format_alert(alert, evidence=2)
    first = text.splitlines()[0]
    for part in ("[new]", "JOR-USA", "topic=gaza", "2023-10-14 … 2023-10-20", "observed 6",
                 "expected 0.39", "score 8.53"):
        assert part in first
    lines = text.splitlines()
    assert "2023-10-20" in lines[1] and "state.gov, jordantimes.com" in lines[1]
    assert "2023-10-19" in lines[2] and lines[-1].strip() == "… 4 more"


def test_alert_printer_names_the_countries_in_english_and_in_the_evidence_language():
    alert = {
        "status": "new", "pair": ["JOR", "USA"], "topic": "*", "window_start": "2023-10-14",
        "window_end": "2023-10-20", "observed": 2, "expected": 0.2, "score": 3.0,
        "names": ["Jordan", "United States"],
        "evidence": [
            {"date": "2023-10-19", "mode": "phone", "evidence": "Safadi and Blinken spoke by phone",
             "sources": ["state.gov"]},
            {"date": "2023-10-20", "mode": "phone",
             "evidence": "تلقى وزير الخارجية أيمن الصفدي اتصالا هاتفيا من نظيره الأمريكي",
             "sources": ["petra.gov.jo"]},
        ],
    }
    lines = format_alert(alert, evidence=2).splitlines()
    assert "JOR-USA (Jordan – United States)" in lines[0]
    assert lines[1].endswith("(الأردن – الولايات المتحدة)")        # the Arabic sentence
    assert "(" not in lines[2].split("[state.gov]")[1]               # English: no second naming
    # an alert written before the detector named its pair: names from CLDR all the same
    del alert["names"]
    assert "JOR-USA (Jordan – United States)" in format_alert(alert).splitlines()[0]
