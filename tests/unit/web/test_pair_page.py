"""The analyst's pair page without Faust: parameters, weekly series over the kept days, alert
marks (one per pair and week), the chosen week's evidence, and the HTML (escaping, RTL, links)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest

from streams.web import pairpage as pp
from tests.unit.web.test_status_page import AR, FA, parse

EVIL = '<script>alert(1)</script>"\'&'


def bucket(n, text="Lavrov met Fidan", url="https://example.org/a", tag="k", topics=("*",)):
    return {f"IRN-TUR|{tag}{i}|phone": {"mode": "phone", "evidence": text, "urls": [url],
                                        "sources": ["Outlet"], "topics": list(topics)}
            for i in range(n)}


def tables():
    windows = {
        "0|IRN-TUR|*|2024-03-10": bucket(3, FA, tag="a", topics=("*", "gaza")),    # Sunday, W10
        "0|IRN-TUR|*|2024-03-04": bucket(2, FA, tag="b"),                          # Monday, W10
        "0|IRN-TUR|*|2024-02-20": bucket(1, tag="c"),                              # W08
        "0|IRN-TUR|gaza|2024-03-10": bucket(3, FA, tag="a", topics=("*", "gaza")),
        "0|IRN-TUR|*|2023-01-02": bucket(4, tag="old"),      # more than 182 days back: not charted
        "1|EGY-QAT|*|2024-03-09": bucket(1, AR, tag="e"),
        "0|watermark": "2024-03-10",
        "1|watermark": "2024-03-09",
        "0|~stamps": {"0.0.0": "2024-03-10"},
    }
    episodes = {
        # gaza and all-topics episodes of one burst: one mark
        "0|IRN-TUR|*": {"clock": "2024-03-10", "active": {
            "episode_id": "IRN-TUR|*|2024-03-06", "started": "2024-03-06", "observed": 5,
            "expected": 0.4, "score": 6.2, "last_fired": "2024-03-10"},
            "past": [{"episode_id": "IRN-TUR|*|2023-12-01", "started": "2023-12-01",
                      "last_fired": "2023-12-03", "ended": "2023-12-12", "observed": 3,
                      "expected": 0.2, "score": 4.0}]},
        "0|IRN-TUR|gaza": {"clock": "2024-03-10", "active": {
            "episode_id": "IRN-TUR|gaza|2024-03-07", "started": "2024-03-07", "observed": 3,
            "expected": 0.1, "score": 5.0, "last_fired": "2024-03-10"}},
        "1|EGY-QAT|*": {"clock": "2024-03-09", "active": None},
        "0|~coverage": {"day": "2023-01-01"},
    }
    return windows, episodes


def test_parse_params_normalises_and_rejects():
    assert pp.parse_params({"pair": "tur-irn"}) == {"pair": "IRN-TUR", "topic": "*", "week": None}
    assert pp.parse_params({"pair": "IRN-TUR", "topic": "gaza", "week": "2024-03-06"})["week"] == "2024-03-06"
    assert pp.parse_params({})["pair"] is None
    for bad in ({"pair": "IRAN-TURKEY"}, {"pair": "IRN-IRN"}, {"pair": "IRN-TUR", "week": "2024-02-30"},
                {"pair": "IRN-TUR", "week": "last"}, {"pair": "IRN-TUR", "topic": "<x>"},
                {"pair": EVIL}):
        with pytest.raises(pp.BadRequest):
            pp.parse_params(bad)


def test_weekly_series_iso_weeks_with_zeros():
    days = {"2024-03-04": {"a": 1, "b": 1}, "2024-03-10": {"c": 1}, "2024-02-20": {"d": 1}}
    weeks = pp.weekly_series(days, "2024-02-19", "2024-03-10")
    assert [w["week"] for w in weeks] == ["2024-W08", "2024-W09", "2024-W10"]
    assert [w["count"] for w in weeks] == [1, 0, 3]
    assert weeks[-1]["start"] == "2024-03-04" and weeks[-1]["end"] == "2024-03-10"


def test_alerts_of_one_burst_are_one_mark_and_ended_ones_are_kept():
    _, episodes = tables()
    marks = pp.pair_alerts(episodes, "IRN-TUR")
    assert [m["group_id"] for m in marks] == ["IRN-TUR|2023-W48", "IRN-TUR|2024-W10"]
    old, now = marks
    assert old["status"] == "ended" and old["ended"] == "2023-12-12" and old["topics"] == ["*"]
    assert now["status"] == "active" and now["topics"] == ["*", "gaza"]
    assert now["observed"] == 5 and now["week"] == "2024-03-04"      # the all-topics numbers lead
    assert sorted(now["episode_ids"]) == ["IRN-TUR|*|2024-03-06", "IRN-TUR|gaza|2024-03-07"]
    assert pp.pair_alerts(episodes, "EGY-QAT") == []


def test_page_data_covers_the_kept_days_and_lists_the_alert_week():
    windows, episodes = tables()
    data = pp.pair_page_data(windows, episodes, pp.parse_params({"pair": "IRN-TUR"}), retain_days=182)
    assert data["latest"] == "2024-03-10" and data["first_kept"] == "2023-09-10"
    weeks = data["weeks"]
    assert weeks[0]["start"] == "2023-09-04" and weeks[-1]["start"] == "2024-03-04"
    assert len(weeks) == 27 and sum(w["count"] for w in weeks) == 6     # 2023-01-02 is not kept
    assert data["week"] == "2024-03-04"            # the latest alert's week by default
    assert len(data["evidence"]) == 5 and {e["lang"] for e in data["evidence"]} == {"fa"}
    assert {e["local_names"] for e in data["evidence"]} == {"ایران – ترکیه"}
    assert [c["pair"] for c in data["choices"]] == ["IRN-TUR", "EGY-QAT"]
    assert data["topics"] == ["*", "gaza"]
    # a topic: its own counts; an asked-for week: its contacts
    gaza = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "gaza", "week": "2024-02-21"})
    assert sum(w["count"] for w in gaza["weeks"]) == 3 and gaza["week"] == "2024-02-19"
    assert gaza["evidence"] == []
    week8 = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "*", "week": "2024-02-21"})
    assert [e["text"] for e in week8["evidence"]] == ["Lavrov met Fidan"]
    # a pair with nothing held
    none = pp.pair_page_data(windows, episodes, {"pair": "FRA-USA", "topic": "*"})
    assert sum(w["count"] for w in none["weeks"]) == 0 and none["evidence"] == [] and none["alerts"] == []


def test_a_year_is_charted_when_a_year_is_kept():
    windows, episodes = tables()
    data = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "*"}, retain_days=371)
    assert len(data["weeks"]) == 54 and sum(w["count"] for w in data["weeks"]) == 6
    big = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "*"}, retain_days=20000)
    assert len(big["weeks"]) == pp.MAX_WEEKS and sum(w["count"] for w in big["weeks"]) == 10
    # a chosen week older than the chart's span moves the chart back to hold it
    windows["0|watermark"] = "2026-06-30"
    moved = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "*", "week": "2024-03-06"},
                              retain_days=20000)
    starts = [w["start"] for w in moved["weeks"]]
    assert len(starts) == pp.MAX_WEEKS and "2024-03-04" in starts and moved["last_shown"] < "2026-06-30"
    assert "at most 106 weeks" in pp.render_pair(moved)


def test_chart_svg_bars_link_to_their_week_and_alerts_are_marked():
    windows, episodes = tables()
    data = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "*"})
    svg = pp.chart_svg(data["weeks"], data["alerts"], "IRN-TUR", "*", data["week"])
    root = ET.fromstring(svg)                       # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    links = [a.get("href") for a in root.iter(f"{ns}a")]
    weeks = [parse_qs(urlsplit(h).query)["week"][0] for h in links]
    bars = [a for a in root.iter(f"{ns}a") if a.get("class") == "week"]
    marks = [a for a in root.iter(f"{ns}a") if a.get("class") == "alert-mark"]
    assert len(bars) == 2 and len(marks) == 2       # W08 and W10 have contacts; two alert groups
    assert "2024-03-04" in weeks and "2023-11-27" in weeks and all(h.endswith("#evidence") for h in links)
    assert marks[1].find(f"{ns}rect").get("class") == "band"
    assert "gaza" in marks[1].find(f"{ns}title").text and "gaza" not in marks[0].find(f"{ns}title").text
    # the ended alert's band spans its weeks (started 2023-12-01, ended 2023-12-12: W48 to W50)
    band = marks[0].find(f"{ns}rect")
    assert float(band.get("width")) > 2.5 * float(marks[1].find(f"{ns}rect").get("width"))
    assert [r.get("class") for r in root.iter(f"{ns}rect") if "bar" in r.get("class")] == ["bar", "bar sel"]


def test_pair_page_html_escapes_and_marks_rtl():
    windows, episodes = tables()
    windows["0|IRN-TUR|*|2024-03-10"] = {
        **windows["0|IRN-TUR|*|2024-03-10"],
        "IRN-TUR|evil|phone": {"mode": EVIL, "evidence": EVIL, "urls": ["javascript:alert(1)"],
                               "sources": [EVIL]}}
    data = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "*", "week": None})
    page = pp.render_pair(data)
    assert "<script" not in page and "&lt;script&gt;" in page and "javascript:" not in page
    t = parse(page)
    quotes = [a for tag, a in t.tags if tag == "blockquote"]
    assert quotes and all(a.get("dir") == "auto" for a in quotes)
    assert {a.get("lang") for a in quotes} == {"fa", "en"}
    names = [a for tag, a in t.tags if tag == "div" and a.get("class") == "names"]
    assert names and {a.get("lang") for a in names} == {"fa"} and all(a.get("dir") == "auto" for a in names)
    assert "ایران – ترکیه" in page
    assert ("section", {"class": "wide", "id": "evidence"}) in t.tags
    assert any(tag == "svg" for tag, _ in t.tags)
    assert "371 days" in page and "2023-03-05" in page      # what is kept, said on the page
    # the picker lists the pairs with their names, the chosen one selected
    assert any(tag == "option" and a.get("value") == "IRN-TUR" and "selected" in a for tag, a in t.tags)
    # errors are escaped too
    err = pp.render_pair({"choices": []}, error=f"pair must be … not {EVIL}")
    assert "<script" not in err and "&lt;script&gt;" in err


def test_page_url_is_a_relative_link_with_the_parameters():
    assert pp.page_url("IRN-TUR") == "/status/pair?pair=IRN-TUR"
    assert pp.page_url("IRN-TUR", "gaza", "2024-03-04", "#evidence") == \
        "/status/pair?pair=IRN-TUR&topic=gaza&week=2024-03-04#evidence"


def test_pair_partition_is_the_producers_and_another_workers_pair_is_said():
    from aiokafka.partitioner import murmur2
    for pair, n in (("JOR-USA", 2), ("IRN-TUR", 8), ("EGY-QAT", 1)):
        assert pp.pair_partition(pair, n) == (murmur2(pair.encode()) & 0x7FFFFFFF) % n
    windows, episodes = tables()
    data = pp.pair_page_data(windows, episodes, {"pair": "IRN-TUR", "topic": "*"})
    data["owner"] = {"partition": 1, "partitions": 2, "held": [0], "here": False,
                     "url": "http://10.0.0.2:6066/"}
    page = pp.render_pair(data)
    assert 'id="elsewhere"' in page and "partition 1 of 2" in page
    assert 'href="http://10.0.0.2:6066/status/pair?pair=IRN-TUR"' in page
    data["owner"] = {**data["owner"], "url": "javascript:alert(1)"}
    assert "javascript" not in pp.render_pair(data)
    data["owner"] = {**data["owner"], "here": True}
    assert 'id="elsewhere"' not in pp.render_pair(data)
