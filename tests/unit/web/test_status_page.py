"""The status page without Faust: data collection from table-shaped mappings, and the HTML
(escaping of untrusted article text, RTL evidence, sparklines)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from streams.web import collect as c
from streams.web.render import render_status, safe_url, sparkline_svg

AR = "أجرى وزير الخارجية اتصالا هاتفيا مع نظيره التركي"
FA = "وزیر امور خارجه ایران با همتای ترکیه‌ای خود گفتگو کرد"


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> Tags:
    t = Tags()
    t.feed(page)
    t.close()
    return t


def windows_fixture() -> dict:
    def bucket(n, text="x", url="https://example.org/a"):
        return {f"k{i}|d": {"mode": "phone", "evidence": text, "urls": [url], "sources": ["Outlet"]}
                for i in range(n)}
    return {
        "0|IRN-TUR|*|2024-03-10": bucket(3, FA),
        "0|IRN-TUR|*|2024-03-04": bucket(2, FA),       # same week (7 days to 03-10 start 03-04)
        "0|IRN-TUR|*|2024-02-20": bucket(1),           # 3 weeks back
        "0|IRN-TUR|gaza|2024-03-10": bucket(3, FA),    # topic buckets do not add to the total
        "1|EGY-QAT|*|2024-03-09": bucket(4, AR),
        "1|FRA-USA|*|2024-01-01": bucket(9),           # outside the 8 weeks
        "0|watermark": "2024-03-10",
        "1|watermark": "2024-03-09",
    }


def test_busiest_pairs_weeks_and_order():
    pairs, end = c.busiest_pairs(windows_fixture(), n=10, weeks=8)
    assert end == "2024-03-10"
    assert [p["pair"] for p in pairs] == ["IRN-TUR", "EGY-QAT"]
    irn = pairs[0]
    assert irn["count"] == 5 and len(irn["weeks"]) == 8
    assert irn["weeks"][-1] == 5 and irn["weeks"][-3] == 1 and sum(irn["weeks"]) == 6
    assert "Iran" in irn["names"] and ("Türkiye" in irn["names"] or "Turkey" in irn["names"])
    assert c.busiest_pairs({}, 10)[0] == []


def test_active_alerts_carry_window_evidence():
    episodes = {
        "0|IRN-TUR|*": {"clock": "2024-03-10", "active": {
            "episode_id": "IRN-TUR|*|2024-03-10", "started": "2024-03-10", "observed": 5,
            "expected": 0.4, "score": 6.2, "last_fired": "2024-03-10"}},
        "1|EGY-QAT|*": {"clock": "2024-03-09", "active": None, "last_ended": "2024-03-01"},
    }
    alerts = c.active_alerts(episodes, windows_fixture(), window_days=7)
    assert len(alerts) == 1
    a = alerts[0]
    assert a["pair"] == "IRN-TUR" and a["window_start"] == "2024-03-04"
    assert len(a["evidence"]) == 5 and {e["lang"] for e in a["evidence"]} == {"fa"}


def test_guess_lang():
    assert c.guess_lang(AR) == "ar"
    assert c.guess_lang(FA) == "fa"
    assert c.guess_lang("Lavrov met Fidan in Ankara") == "en"
    assert c.guess_lang("") is None


def test_alert_log_keeps_latest_per_episode():
    log = c.AlertLog(maxlen=3)
    rec = {"episode_id": "E1", "status": "new", "pair": ["IRN", "TUR"], "topic": "*", "observed": 3,
           "evidence": [{"contact_key": "IRN-TUR|2024-03-10|phone", "evidence": FA, "urls": []}]}
    log.add(rec)
    log.add({**rec, "status": "update", "observed": 4})
    log.add({**rec, "episode_id": "E2"})
    recent = log.recent()
    assert [a["episode_id"] for a in recent] == ["E2", "E1"]
    assert recent[1]["status"] == "update" and recent[1]["pair"] == "IRN-TUR"
    assert recent[1]["evidence"][0]["date"] == "2024-03-10"


def test_rate_tracker():
    r = c.RateTracker(horizon=60)
    r.update(0, 0, now=r.started + 0.5)
    rin, rproc = r.update(100, 50, now=r.started + 10.5)
    assert rin == 10 and rproc == 5
    rin, _ = r.update(700, 300, now=r.started + 100.5)   # old samples leave the window
    assert 0 < rin <= 700 / 60 + 1


def test_safe_url():
    assert safe_url("https://www.irna.ir/news/1") == "https://www.irna.ir/news/1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "http://", None, 5):
        assert safe_url(bad) is None


def test_sparkline_is_valid_svg():
    svg = sparkline_svg([0, 1, 5, 2], label='IRN-TUR <b>"')
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and root.get("role") == "img"
    poly = root.find("{http://www.w3.org/2000/svg}polyline")
    assert len(poly.get("points").split()) == 4
    assert 'IRN-TUR <b>"' in root.get("aria-label")   # escaped in the markup, intact when parsed
    ET.fromstring(sparkline_svg([]))                     # empty series still renders


def test_page_escapes_untrusted_text_and_marks_rtl():
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    data = {
        "worker": "w1", "version": "0.1.0", "generated_at": "now", "week_end": "2024-03-10",
        "health": {"articles_in": 128, "articles_processed": 100, "rate_in": 12.5,
                   "duplicates": {"url": 3, "near": 5}, "dead_letters": {"schema": 2, "invalid_json": 0},
                   "lag": {("articles", 0): 7}, "contacts": 40, "alerts": 1},
        "pairs": [{"pair": "IRN-TUR", "names": "Iran – Türkiye", "count": 5, "weeks": [0, 1, 0, 5]}],
        "alerts": [{"pair": "IRN-TUR", "topic": "*", "status": "new", "observed": 5, "expected": 0.4,
                    "score": 6.2, "window_start": "2024-03-04", "window_end": "2024-03-10",
                    "evidence": [
                        {"text": FA, "lang": "fa", "date": "2024-03-10", "mode": "phone",
                         "urls": ["https://www.irna.ir/x?a=1&b=2"], "sources": ["IRNA"]},
                        {"text": evil, "lang": "en", "urls": ['javascript:alert(3)', 'https://e.org/"><x'],
                         "sources": ["<b>bad</b>"]},
                    ]}],
    }
    page = render_status(data)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    t = parse(page)
    tags = [tag for tag, _ in t.tags]
    assert "script" not in tags and "img" not in tags and "x" not in tags and "b" not in tags
    hrefs = [a["href"] for tag, a in t.tags if tag == "a" and "href" in a]
    assert "https://www.irna.ir/x?a=1&b=2" in hrefs
    assert not any(h.startswith("javascript") for h in hrefs)
    assert 'https://e.org/"><x' in hrefs          # kept as a link, but safely quoted
    quotes = [a for tag, a in t.tags if tag == "blockquote"]
    assert len(quotes) == 2 and all(q["dir"] == "auto" for q in quotes)
    assert {q["lang"] for q in quotes} == {"fa", "en"}
    text = "".join(t.text)
    assert FA in text and "IRN-TUR" in text and "Iran – Türkiye" in text
    assert ('html', {'lang': 'en', 'dir': 'ltr'}) in t.tags
    assert tags.count("svg") == 1
    assert "Noto Sans Arabic" in page


def test_page_without_data():
    page = render_status({})
    assert "No contacts counted yet" in page and "No spike alerts" in page
    parse(page)


def test_collect_reads_metrics_and_tables():
    data = c.collect(windows_fixture(), {}, rates=c.RateTracker())
    assert data["pairs"][0]["pair"] == "IRN-TUR" and data["week_end"] == "2024-03-10"
    assert set(data["health"]["dead_letters"]) >= {"schema", "invalid_json"}
    page = render_status(data)
    assert page.count('class="pair-row"') == 2


def test_refresh_publishes_gauges():
    from collections import namedtuple

    from streams import metrics
    from streams.web import refresh

    TP = namedtuple("TP", "topic partition")
    a0, a1, cl = TP("articles", 0), TP("articles", 1), TP("dev-windows-changelog", 0)
    lag = refresh.consumer_lag({a0, a1, cl}, {a0: 50, a1: 9, cl: 400}, {a0: 40, a1: None},
                               highwater=lambda tp: {a0: 52}.get(tp))
    assert lag == {("articles", 0): 12}          # a1 never committed, the changelog is not consumed
    refresh.refresh({"windows": windows_fixture(), "dedupe-accounting": {"a": 1, "b": 2}}, lag=lag)
    assert metrics.sample("diplowatch_table_entries", {"table": "dedupe-accounting"}) == 2
    assert metrics.sample("diplowatch_pair_contacts_week", {"pair": "IRN-TUR"}) == 5
    assert metrics.sample("diplowatch_pair_contacts_week", {"pair": "EGY-QAT"}) == 4
    assert metrics.sample("diplowatch_consumer_lag_messages", {"topic": "articles", "partition": "0"}) == 12


def test_recent_contacts_latest_first_with_evidence():
    w = windows_fixture()
    w["0|IRN-TUR|*|2024-03-10"]["k0|d"]["first_seen"] = "2024-03-11T10:00:00Z"
    w["1|EGY-QAT|*|2024-03-09"]["k1|d"]["first_seen"] = "2024-03-11T09:00:00Z"
    recent = c.recent_contacts(w, n=3)
    assert [r["pair"] for r in recent[:2]] == ["IRN-TUR", "EGY-QAT"]
    assert recent[0]["lang"] == "fa" and recent[1]["lang"] == "ar"
    page = render_status({"contacts": recent})
    t = parse(page)
    quotes = [a for tag, a in t.tags if tag == "blockquote"]
    assert len(quotes) == 3 and {q["lang"] for q in quotes[:2]} == {"fa", "ar"}
    assert page.count('<li class="contact">') == 3


def test_table_items_copies_the_memory_store_dict():
    from collections import UserDict

    class Store(UserDict):       # faust.stores.memory.Store keeps a plain dict in .data
        pass

    class Table(UserDict):       # a Faust Table's .data is its Store
        pass

    t = Table()
    t.data = Store({"0|watermark": "2024-03-10", "0|IRN-TUR|*|2024-03-10": {"k": {}}})
    items = c.table_items(t)
    assert dict(items) == dict(t.data.data) and items is not t.data.data
    assert c.scan_windows(t).watermark == "2024-03-10"
    assert c.table_items({"a": 1}) == [("a", 1)]


def test_this_week_lists_only_pairs_with_contacts_this_week():
    w = windows_fixture()
    w["1|JOR-USA|*|2024-02-25"] = {"k|d": {"mode": "phone", "evidence": "x"}}   # 2 weeks back, quiet now
    pairs, _ = c.busiest_pairs(w, n=10, weeks=8)
    assert [p["pair"] for p in pairs] == ["IRN-TUR", "EGY-QAT"]
    assert all(p["count"] > 0 for p in pairs)
    # a week with no contact at all: an empty table that says so and points at the pair page
    pairs, end = c.busiest_pairs(w, n=10, weeks=8, week_end="2024-04-30")
    assert pairs == [] and end == "2024-04-30"
    page = render_status({"pairs": pairs, "week_end": end})
    assert "No contacts counted in this week" in page and 'href="/status/pair"' in page


def test_country_names_are_cldr_in_english_and_the_evidence_language():
    assert c.pair_names("PRK-KOR") == "North Korea – South Korea"     # CLDR short names
    assert c.pair_names("IRN-TUR", "fa") == "ایران – ترکیه"
    assert c.pair_names("EGY-QAT", "ar") == "مصر – قطر"
    assert c.local_names("IRN-TUR", "en") is None and c.local_names("IRN-TUR", None) is None
    w = {"0|IRN-TUR|*|2024-03-10": {"IRN-TUR|2024-03-10|phone": {
             "mode": "phone", "evidence": FA, "first_seen": "2024-03-11T10:00:00Z"}},
         "1|EGY-QAT|*|2024-03-09": {"EGY-QAT|2024-03-09|visit": {
             "mode": "visit", "evidence": AR, "first_seen": "2024-03-11T09:00:00Z"}},
         "0|watermark": "2024-03-10"}
    recent = c.recent_contacts(w)
    assert [r["local_names"] for r in recent] == ["ایران – ترکیه", "مصر – قطر"]
    t = parse(render_status({"contacts": recent}))
    names = [a for tag, a in t.tags if tag == "div" and a.get("class") == "names"]
    assert [a["lang"] for a in names] == ["fa", "ar"] and all(a["dir"] == "auto" for a in names)
    links = [a["href"] for tag, a in t.tags if tag == "a" and a.get("class") == "pair"]
    assert links == ["/status/pair?pair=IRN-TUR", "/status/pair?pair=EGY-QAT"]


def test_the_page_shows_each_input_partitions_stamp_and_which_are_idle():
    """The input partitions' stamps and the idle ones, read from the dedupe accounting this worker
    holds (streams.pipeline.routes.event_time: the least over its dedupe partitions)."""
    from types import SimpleNamespace

    from streams.pipeline.routes import event_time
    acc = {"dedupe:0": {"stamps": {"articles:0": "2024-03-05", "articles:1": "2024-03-01"},
                        "idle": ["articles:1"]},
           "dedupe:1": {"stamps": {"articles:0": "2024-03-02", "articles:10": "2024-03-09"}, "idle": []},
           "dedupe:2": {"in": 3}}   # (written before the stamps)
    event = event_time(SimpleNamespace(readers={"dedupe_accounting": lambda: acc}))
    assert event == {"input_stamps": {"0": "2024-03-02", "1": "2024-03-01", "10": "2024-03-09"},
                     "idle_partitions": [1]}
    t = parse(render_status(c.collect({}, {}, event_time=event)))
    text = " ".join(x.strip() for x in t.text if x.strip())
    assert "idle input partitions" in text and "1 idle 2024-03-01" in text
    assert "10 2024-03-09" in text
    quiet = parse(render_status(c.collect({}, {}, event_time={"input_stamps": {}, "idle_partitions": []})))
    assert "none idle input partitions" in " ".join(x.strip() for x in quiet.text if x.strip())
