"""Alerts that explain themselves, and grouping of the all-topics and per-topic alerts."""
from __future__ import annotations

from datetime import date, timedelta

from streams.detection import PairCounts, SpikeDetector, SpikeParams
from streams.detection.explain import country_name, group_id, summary
from streams.records import Contact
from streams.web.collect import alert_from_record, group_alerts


def test_country_names_are_short_english_names():
    assert (country_name("IRN"), country_name("SAU"), country_name("RUS")) == (
        "Iran", "Saudi Arabia", "Russia")
    assert country_name("XXZ") == "XXZ"   # not a country: the code itself


def test_summary_says_what_is_unusual_in_words():
    text = summary(pair=["IRN", "SAU"], topic="*", window_start="2016-01-30",
                   window_end="2016-02-05", window_days=7, observed=7, expected=0.6,
                   history_contacts=7, history_days=84, history_weeks=12, p_value=2.1e-6,
                   sources=6, articles=19)
    assert text.startswith("Iran and Saudi Arabia: 7 distinct contacts in the 7 days to "
                           "5 February 2016, against about 0.6 a week over the previous 12 weeks")
    assert "6 outlets in 19 articles" in text and "p = 2e-06" in text
    short = summary(pair=["JOR", "USA"], topic="gaza", window_start="2023-10-14",
                    window_end="2023-10-20", window_days=7, observed=1, expected=0.25,
                    history_contacts=1, history_days=9, history_weeks=12, p_value=0.2,
                    sources=1, articles=1, status="update")
    assert short.startswith("Still growing: Jordan and United States: 1 distinct gaza-related contact")
    assert "expected from the 9 days observed before (1 contact)" in short


def test_summary_in_days_and_on_reports():
    """count_unit "days" says days with a contact; a window that fired on its reports
    (report_dispersion) says so, with the reports' expectation and p."""
    kw = dict(pair=["JPN", "RUS"], topic="*", window_start="2018-09-07", window_end="2018-09-13",
              window_days=7, observed=4, expected=1.03, history_contacts=6, history_days=84,
              history_weeks=12, p_value=0.006, sources=1, articles=26)
    days = summary(**kw, count_unit="days")
    assert days.startswith("Japan and Russia: 4 days with a contact in the 7 days to 13 September 2018")
    assert "Chance of this many at the usual rate: p = 0.006." in days
    rep = summary(**kw, reports=(26, 3.1))
    assert "4 distinct contacts" in rep and "Chance of this many at the usual rate" not in rep
    assert rep.endswith("Unusually reported: 26 reports against about 3.1 a week usually; "
                        "chance of this many: p = 0.006.")
    assert summary(**{**kw, "observed": 1}, count_unit="days").startswith(
        "Japan and Russia: 1 day with a contact")


def test_group_id_is_pair_and_iso_week_of_the_start():
    assert group_id("IRN-SAU", "2016-01-03") == "IRN-SAU|2015-W53"
    assert group_id("IRN-SAU", "2016-01-04") == "IRN-SAU|2016-W01"


def test_burst_alerts_explain_themselves_and_group_on_the_status_page():
    # the absolute gate of five outlets (the extras for busy and unseen series and for one
    # reported event would ask more: each call here is reported once)
    params = SpikeParams(min_reports=5, corroborate_by="sources", reports_per_expected=0.0,
                         unseen_pair_reports=0, min_reported_contacts=0)
    det = SpikeDetector(PairCounts({}), {}, params, coverage_start="2023-07-01",
                        now=lambda: "2023-10-21T00:00:00Z")
    d0 = date(2023, 7, 3)
    for w in range(14):   # a call every second week from July
        if w % 2 == 0:
            det.observe(Contact(article_id=f"h{w}", countries=["JOR", "USA"], mode="phone",
                                date=(d0 + timedelta(weeks=w)).isoformat(), date_precision="day",
                                topics=[], evidence="call", source="state.gov"))
    alerts = []
    for i, outlet in enumerate(["state.gov", "petra.gov.jo", "irna.ir", "reuters.com", "apnews.com"]):
        c = Contact(article_id=f"b{i}", countries=["JOR", "USA"], mode="phone",
                    date=f"2023-10-{15 + i}", date_precision="day", topics=["gaza"],
                    evidence="a call on Gaza", source=outlet)
        alerts += det.observe(c)
    new = [a for a in alerts if a["status"] == "new"]
    assert sorted(a["topic"] for a in new) == ["*", "gaza"]
    assert len({a["group_id"] for a in new}) == 1
    star = next(a for a in new if a["topic"] == "*")
    assert star["names"] == ["Jordan", "United States"]
    assert star["summary"].startswith(f"Jordan and United States: {star['observed']} distinct contacts")
    outlets = {s for e in star["evidence"] for s in e["sources"]}
    assert len(outlets) >= 5 and f"reported by {len(outlets)} outlets" in star["summary"]
    page = group_alerts([alert_from_record(a) for a in alerts])
    assert len(page) == 1 and page[0]["topics"] == ["*", "gaza"]
    keys = [e["contact_key"] for e in page[0]["evidence"]]
    assert len(keys) == len(set(keys)) == max(a["observed"] for a in alerts)   # each contact once


def test_country_names_in_the_article_languages():
    assert country_name("IRN", "fa") == "ایران"
    assert country_name("JOR", "ar") == "الأردن"
    assert country_name("IRN", "xx-nonsense") == "Iran"   # unknown language: English
