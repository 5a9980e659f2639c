"""Aggregation and spike detection: contact identity, distinct counts, the count model, episodes."""
from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date, timedelta

import pytest
from scipy.stats import nbinom, poisson

from streams.detection import (
    PairCounts, SpikeDetector, SpikeParams, contact_key, tail_probability, window_stats,
)
from streams.detection.model import may_fire
from streams.records import Contact


def day(offset: int, start: date = date(2024, 1, 1)) -> str:
    return (start + timedelta(days=offset)).isoformat()


def contact(d, mode="phone", pair=("IRN", "SAU"), aid=None, topics=(), source="a.com",
            url=None, **kw):
    return Contact(article_id=aid or f"art-{d}-{mode}", countries=list(pair), mode=mode, date=d,
                   date_precision="day" if d else "none", topics=list(topics),
                   evidence=f"{pair} {mode} on {d}", source=source, url=url, **kw)


# the episode mechanics below do not depend on the corroboration gate (min_reports, tested apart):
# their synthetic contacts come from one outlet; their day numbers were worked out for a one-week
# cool-down and a prior worth 2.5 weeks (the defaults before the operating point of section 7)
MECH = SpikeParams(min_reports=1, cooldown_days=7, prior_weeks=2.5)


def detector(params=None, coverage_start="0001-01-01"):
    """A detector over dicts; by default the whole past counts as observed (quiet) history."""
    counts, episodes = {}, {}
    det = SpikeDetector(PairCounts(counts), episodes, params or MECH,
                        coverage_start=coverage_start, now=lambda: "2024-06-01T00:00:00Z")
    return det, counts, episodes


# -- contact identity ---------------------------------------------------------------------------
def test_contact_key_same_meeting_many_reports_is_one():
    host = contact("2016-01-02", "visit", pair=("SAU", "IRN"), aid="1")
    guest = contact("2016-01-02", "third-party", pair=("IRN", "SAU"), aid="2", source="b")
    assert contact_key(host) == contact_key(guest) == "IRN-SAU|2016-01-02|in-person"
    assert contact_key(contact("2016-01-02", "phone")) != contact_key(host)   # a call is another
    assert contact_key(contact("2016-01-03", "visit")) != contact_key(host)


def test_contact_key_undated_falls_back_to_published_day_else_none():
    c = contact(None, "visit")
    assert contact_key(c) is None
    assert contact_key(c, published_at="2016-01-05T10:00:00Z") == "IRN-SAU|2016-01-05|in-person"
    month = Contact("x", ["IRN", "SAU"], "visit", date="2016-01-01", date_precision="month",
                    published_at="2016-01-20")
    assert contact_key(month).split("|")[1] == "2016-01-20"
    assert contact_key(contact("2016-01-02", pair=("IRN", "IRN"))) is None


# -- distinct counts ----------------------------------------------------------------------------
def test_counts_are_distinct_and_replay_changes_nothing():
    store = {}
    pc = PairCounts(store)
    r1 = pc.add(contact("2024-01-01", "visit", aid="a1", source="x.com", topics=["gaza"]))
    assert r1.new and r1.topics == ("*", "gaza")
    snapshot = json.dumps(store, sort_keys=True)
    r2 = pc.add(contact("2024-01-01", "visit", aid="a1", source="x.com", topics=["gaza"]))
    assert not r2.new and not r2.changed and json.dumps(store, sort_keys=True) == snapshot
    # another outlet reporting the same meeting: a source more, the count stays 1
    r3 = pc.add(contact("2024-01-01", "third-party", aid="a2", source="y.com"))
    assert not r3.new and r3.changed
    assert pc.day_count("IRN-SAU", "*", "2024-01-01") == 1
    assert pc.day_count("IRN-SAU", "gaza", "2024-01-01") == 1
    v = store["IRN-SAU|*|2024-01-01"]["IRN-SAU|2024-01-01|in-person"]
    assert v["sources"] == ["x.com", "y.com"] and v["article_ids"] == ["a1", "a2"]


def test_add_source_for_copies_and_list_cap():
    pc = PairCounts({}, max_list=3)
    r = pc.add(contact("2024-01-01", aid="a0", topics=["gaza"]))
    for i in range(5):
        assert pc.add_source(r.contact_key, source=f"s{i}", url=f"u{i}", article_id=f"c{i}") == (i < 3)
    v = pc.store["IRN-SAU|gaza|2024-01-01"][r.contact_key]
    assert len(v["sources"]) == 3 and len(v["article_ids"]) == 3   # capped, in the topic bucket too
    assert pc.add_source("IRN-SAU|2024-01-09|remote", source="z") is False
    assert pc.day_count("IRN-SAU", "*", "2024-01-01") == 1


def test_undated_reports_join_a_contact_of_the_days_just_before():
    pc = PairCounts({})
    undated = lambda aid, pub, mode="phone": Contact(aid, ["IRN", "SAU"], mode, date=None,  # noqa: E731
                                                     source=aid, published_at=pub, topics=["gaza"])
    first = pc.add(undated("a", "2024-01-10T09:00:00Z"))
    assert first.new and first.day == "2024-01-10"
    # the same news published one and two days later: another report of the same contact
    for aid, pub in [("b", "2024-01-11"), ("c", "2024-01-12")]:
        r = pc.add(undated(aid, pub))
        assert not r.new and r.contact_key == first.contact_key and r.day == "2024-01-10"
    assert pc.add(undated("b", "2024-01-11")).changed is False          # replay: nothing
    # three days later is a new contact; so is a meeting (another channel) the next day
    assert pc.add(undated("d", "2024-01-13")).new
    assert pc.add(undated("e", "2024-01-11", "visit")).new
    # a dated report is always counted on its own day
    assert pc.add(contact("2024-01-11")).new
    v = pc.store["IRN-SAU|gaza|2024-01-10"][first.contact_key]
    assert v["sources"] == ["a", "b", "c"] and v["date_inferred"] is True
    assert pc.daily_counts("IRN-SAU", "*", "2024-01-10", "2024-01-13") == [1, 2, 0, 1]


def test_late_contact_updates_its_own_day_and_expire():
    pc = PairCounts({})
    pc.add(contact("2024-01-10"))
    pc.add(contact("2024-01-02"))   # arrives later, belongs to Jan 2
    assert pc.daily_counts("IRN-SAU", "*", "2024-01-01", "2024-01-10") == [0, 1] + [0] * 7 + [1]
    assert pc.expire("2024-01-05") == 1
    assert pc.daily_counts("IRN-SAU", "*", "2024-01-01", "2024-01-10")[1] == 0


# -- the count model ----------------------------------------------------------------------------
def test_tail_probability_is_the_negative_binomial_predictive():
    p, expected = tail_probability(5, history=6, history_weeks=12, window_weeks=1,
                                   prior_rate=0.1, prior_weeks=4)
    r, exposure = 0.4 + 6, 16.0
    assert expected == pytest.approx(r / exposure)
    assert p == pytest.approx(nbinom.sf(4, r, exposure / (exposure + 1)))
    # with a long history it tends to the Poisson at the plug-in rate
    p_long, e_long = tail_probability(5, 1000, 1000, 1, 0.1, 4)
    assert p_long == pytest.approx(poisson.sf(4, e_long), rel=0.05)
    # and it is wider (larger tail) than that Poisson when the history is short
    p_short, e_short = tail_probability(4, 1, 1, 1, 0.1, 4)
    assert p_short > poisson.sf(3, e_short)
    assert tail_probability(0, 3, 12, 1, 0.1, 4)[0] == 1.0


def test_zero_history_pair_fires_on_a_burst_but_not_on_one_or_two():
    P = SpikeParams()
    assert not window_stats(1, 0, 84, P).fires
    assert not window_stats(2, 0, 84, P).fires        # below min_count, whatever the p
    st = window_stats(3, 0, 84, P)
    assert st.fires and st.p_value < 1e-3 and math.isfinite(st.score)
    assert not window_stats(3, 0, 3, P).fires         # warm-up: too little history observed


def test_min_ratio_guards_busy_pairs():
    P = SpikeParams(alpha=0.5)
    expected = window_stats(0, 84, 84, P).expected     # a busy pair: ~6.5 a week
    below, above = math.ceil(2 * expected) - 1, math.ceil(2 * expected)
    st = window_stats(below, 84, 84, P)
    assert st.p_value < P.alpha and not st.fires       # significant, but not twice the usual
    assert window_stats(above, 84, 84, P).fires


def test_unobserved_history_is_imputed_at_the_pairs_own_rate():
    P = SpikeParams()
    # 14 days observed with 2 contacts, then 3 in a week: judged as if the 12-week baseline had been
    # observed at the pair's shrunk rate; on 14 days of evidence alone it would not fire
    filled, raw = window_stats(3, 2, 14, P), window_stats(3, 2, 14, replace(P, fill_missing_history=False))
    assert filled.expected == pytest.approx(raw.expected)
    assert filled.p_value < P.alpha <= raw.p_value and filled.fires and not raw.fires
    # a pair already busy in those 14 days (6 contacts) is imputed busy: 3 more is no spike
    assert window_stats(3, 6, 14, P).p_value > 5 * P.alpha
    # with the full history observed the option changes nothing
    assert window_stats(3, 1, 84, P) == window_stats(3, 1, 84, replace(P, fill_missing_history=False))


# -- episodes -----------------------------------------------------------------------------------
def test_steady_pair_never_fires():
    # a contact every third day (2-3 a week) for two years, from the first day observed
    det, _, _ = detector(coverage_start=day(-84))
    alerts = []
    for i in range(-84, 2 * 365):
        if i % 3 == 0:
            alerts += det.observe(contact(day(i), "phone" if i % 2 else "visit"))
    assert alerts == []


def test_burst_fires_once_then_updates_then_ends_and_replay_is_silent():
    det, counts, episodes = detector()
    contacts = [contact(day(i)) for i in range(0, 84, 21)]       # sparse history: 4 in 12 weeks
    burst = [contact(day(90), "phone"), contact(day(90), "visit"), contact(day(91), "phone"),
             contact(day(92), "visit"), contact(day(93), "phone")]
    alerts = []
    for c in contacts + burst:
        alerts += det.observe(c)
    assert [a["status"] for a in alerts] == ["new", "update", "update"]
    eid = alerts[0]["episode_id"]
    assert all(a["episode_id"] == eid for a in alerts)
    assert alerts[0]["observed"] == 3 and alerts[-1]["observed"] == 5
    assert alerts[0]["window_end"] == day(91) and alerts[0]["window_start"] == day(85)
    ev = alerts[-1]["evidence"]
    assert len(ev) == 5 and {"contact_key", "date", "mode", "evidence", "article_ids", "urls",
                             "sources"} <= set(ev[0])
    # replaying everything (same contacts, any order) changes nothing and emits nothing
    snapshot = json.dumps([counts, episodes], sort_keys=True)
    for c in reversed(contacts + burst):
        assert det.observe(c) == []
    assert json.dumps([counts, episodes], sort_keys=True) == snapshot
    # a copy's extra source does not update the episode either
    det.counts.add_source(alerts[0]["evidence"][0]["contact_key"], source="copy.com")
    assert det.evaluate("IRN-SAU", "*", day(93)) is None
    # quiet afterwards: the window empties, the episode ends after the cool-down
    assert det.tick(day(100)) == []                   # window (94..100) quiet since day 98
    assert det.tick(day(110)) == [eid]
    # the ended episode's outline stays in the pair's state (the analyst page marks it)
    past = episodes["IRN-SAU|*"]["past"]
    assert [p["episode_id"] for p in past] == [eid]
    assert past[0]["started"] == day(91) and past[0]["last_fired"] == day(93)
    assert past[0]["ended"] == episodes["IRN-SAU|*"]["last_ended"] and past[0]["observed"] == 5
    # a new burst much later is a new episode
    later = [contact(day(200)), contact(day(201)), contact(day(202))]
    new = [a for c in later for a in det.observe(c)]
    assert [a["status"] for a in new] == ["new"] and new[0]["episode_id"] != eid


def test_fresh_deployment_tracks_its_own_coverage():
    det, _, episodes = detector(coverage_start=None)
    alerts = [a for i in range(3) for a in det.observe(contact(day(50 + i)))]
    assert alerts == []                       # nothing observed before day 50: no baseline yet
    assert episodes["~coverage"] == {"day": day(50)}
    det.observe(contact(day(45), "visit"))    # a late contact moves the coverage back
    assert episodes["~coverage"] == {"day": day(45)}
    # once weeks of (quiet) history are observed, another pair's burst fires
    later = [a for i in range(3) for a in det.observe(contact(day(80 + i), pair=("OMN", "USA")))]
    assert [a["status"] for a in later] == ["new"]
    assert det.tick(day(120)) == [later[0]["episode_id"]]
    assert det.expire(day(200)) == 2          # both pairs' states, not the coverage
    assert "~coverage" in episodes


def test_late_contact_in_current_window_updates_episode():
    det, _, _ = detector()
    alerts = []
    for c in [contact(day(20)), contact(day(21)), contact(day(22))]:
        alerts += det.observe(c)
    assert [a["status"] for a in alerts] == ["new"]
    # a contact of day 19 arrives late: it belongs to the current window (16..22)
    late = det.observe(contact(day(19), "visit"))
    assert [a["status"] for a in late] == ["update"] and late[0]["window_end"] == day(22)
    assert late[0]["observed"] == 4


def test_an_episode_starts_on_its_own_day_whatever_the_order_its_days_arrive_in():
    """Two partitions deliver a pair's contacts: one is ahead (a quiet contact of day 30), the
    other brings the burst of days 20-22 after it. The burst still opens the episode on day 22
    (the day its window first fires), as it does when everything arrives in day order; its new
    alert describes that day's window; the evaluated day's window adds an update."""
    history = [contact(day(i), "visit") for i in range(-84, 0, 21)]
    burst = [contact(day(20)), contact(day(21)), contact(day(22))]
    ahead = [contact(day(30), "visit")]
    runs = {}
    for name, order in {"in order": history + burst + ahead,
                        "burst after a later day": history + ahead + burst,
                        "burst reversed after it": history + ahead + burst[::-1]}.items():
        det, _, episodes = detector()
        alerts = [a for c in order for a in det.observe(c)]
        new = [a for a in alerts if a["status"] == "new"]
        assert len(new) == 1, (name, alerts)
        runs[name] = (new[0]["episode_id"], new[0]["window_end"], new[0]["observed"],
                      episodes["IRN-SAU|*"]["active"]["started"])
    assert set(runs.values()) == {(f"IRN-SAU|*|{day(22)}", day(22), 3, day(22))}, runs


def test_a_late_contact_opens_no_episode_inside_the_last_one():
    """Walking the days before the clock starts after the last episode ended."""
    det, _, episodes = detector()
    alerts = [a for c in [contact(day(20)), contact(day(21)), contact(day(22))] for a in det.observe(c)]
    eid = alerts[0]["episode_id"]
    assert det.tick(day(40)) == [eid]
    ended = episodes["IRN-SAU|*"]["last_ended"]
    assert det.observe(contact(day(23), "visit")) == []   # inside the ended episode's span
    assert episodes["IRN-SAU|*"]["last_ended"] == ended and not episodes["IRN-SAU|*"]["active"]


def test_window_boundaries():
    P = replace(MECH, window_days=7)
    det, _, _ = detector(P)
    # contacts on days 10, 16: exactly 7 days apart inclusive -> same window ending day 16
    for c in [contact(day(10)), contact(day(13))]:
        assert det.observe(c) == []
    a = det.observe(contact(day(16)))
    assert a and a[0]["window_start"] == day(10) and a[0]["observed"] == 3
    det2, _, _ = detector(P)
    # days 10, 13, 17: day 10 is outside the window ending day 17
    for c in [contact(day(10)), contact(day(13)), contact(day(17))]:
        assert det2.observe(c) == []


def test_topic_windows_are_separate():
    det, _, _ = detector()
    alerts = []
    for i, t in enumerate([["gaza"], ["gaza"], []]):
        alerts += det.observe(contact(day(30 + i), topics=t))
    assert [(a["topic"], a["status"]) for a in alerts] == [("*", "new")]
    alerts = det.observe(contact(day(33), "visit", topics=["gaza"]))
    assert sorted((a["topic"], a["status"]) for a in alerts) == [("*", "update"), ("gaza", "new")]


def test_alerts_validate_against_schema():
    import jsonschema
    from tests.paths import SCHEMAS
    schema = json.loads((SCHEMAS / "alert.schema.json").read_text())
    det, _, _ = detector()
    alerts = [a for i in range(3) for a in det.observe(contact(day(40 + i), url=f"https://x/{i}"))]
    assert alerts
    for a in alerts:
        jsonschema.Draft202012Validator(schema).validate(a)


# -- properties ---------------------------------------------------------------------------------
from hypothesis import given, settings, strategies as st  # noqa: E402

_contacts = st.lists(
    st.tuples(st.integers(0, 60), st.sampled_from(["phone", "visit", "third-party"]),
              st.sampled_from([("IRN", "SAU"), ("OMN", "USA")]), st.sampled_from([(), ("gaza",)]),
              st.sampled_from(["a.com", "b.com"])),
    min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(_contacts, st.randoms(use_true_random=False))
def test_replay_in_any_order_changes_nothing_and_alerts_nothing(items, rnd):
    det, counts, episodes = detector()
    cs = [contact(day(d), m, pair=p, topics=t, source=s, aid=f"{d}{m}{s}") for d, m, p, t, s in
          sorted(items)]
    for c in cs:
        det.observe(c)
    snapshot = json.dumps([counts, episodes], sort_keys=True)
    replay = list(cs)
    rnd.shuffle(replay)
    assert [a for c in replay for a in det.observe(c)] == []
    assert json.dumps([counts, episodes], sort_keys=True) == snapshot
    # the count of each day is the number of distinct keys, whatever the number of reports
    for d, m, p, t, s in items:
        key = contact_key(contact(day(d), m, pair=p))
        assert key in counts[f"{p[0]}-{p[1]}|*|{day(d)}"]


def test_a_spike_within_the_cool_down_is_the_same_episode():
    det, _, _ = detector(replace(MECH, cooldown_days=7))
    first = [a for i in (30, 31, 32) for a in det.observe(contact(day(i)))]
    assert [a["status"] for a in first] == ["new"]
    # window empties after day 38 (the contacts of 30..32 leave it); a new burst on 41..43 comes
    # 4 quiet days later: within the cool-down, so the same episode grows
    again = [a for i in (41, 42, 43) for a in det.observe(contact(day(i)))]
    assert [a["status"] for a in again] == ["update"]
    assert again[0]["episode_id"] == first[0]["episode_id"]
    # after more than a week of quiet windows, the next burst is a new episode (4 contacts: the
    # six before are now in the pair's history)
    later = [a for i in (70, 71, 72, 73) for a in det.observe(contact(day(i)))]
    assert [a["status"] for a in later] == ["new"] and later[0]["episode_id"] != first[0]["episode_id"]


def test_replay_writes_nothing_to_the_stores():
    class Counting(dict):
        def __init__(self):
            super().__init__()
            self.writes = 0

        def __setitem__(self, k, v):
            self.writes += 1
            super().__setitem__(k, v)

    counts, episodes = Counting(), Counting()
    det = SpikeDetector(PairCounts(counts), episodes, MECH, coverage_start="0001-01-01")
    cs = [contact(day(i), topics=["gaza"]) for i in (10, 11, 12, 13)]
    assert [a["status"] for c in cs for a in det.observe(c) if a["topic"] == "*"] == ["new", "update"]
    counts.writes = episodes.writes = 0
    for c in cs:
        assert det.observe(c) == []
    assert counts.writes == 0 and episodes.writes == 0   # no changelog traffic for a replay


# -- corroboration gate and the candidate methods (docs/detection.md, "Methods compared") --------
# the absolute gate alone (the extras for busy and unseen pairs and for one reported event are
# tested apart)
FLAT = {"reports_per_expected": 0.0, "unseen_pair_reports": 0, "min_reported_contacts": 0}


def test_a_new_episode_needs_corroboration_by_distinct_outlets():
    P = SpikeParams(min_reports=3, corroborate_by="sources", strong_alpha=0.0, **FLAT)
    one, _, _ = detector(P)
    alerts = [a for i in (10, 11, 12) for a in one.observe(contact(day(i), source="one.com"))]
    assert alerts == []                          # three calls, one outlet: not yet an episode
    assert one.observe(contact(day(12), aid="copy", source="two.com")) == []   # two outlets
    late = one.observe(contact(day(12), aid="copy2", source="three.com"))      # a third reports it
    assert [a["status"] for a in late] == ["new"] and late[0]["threshold"]["min_reports"] == 3
    many, _, _ = detector(P)
    alerts = [a for i, s in ((10, "a.com"), (11, "b.com"), (12, "c.com"))
              for a in many.observe(contact(day(i), source=s))]
    assert [a["status"] for a in alerts] == ["new"]


def test_corroboration_by_articles_counts_every_report_of_the_window():
    P = SpikeParams(min_reports=5, corroborate_by="article_ids", strong_alpha=0.0, **FLAT)
    det, _, _ = detector(P)
    alerts = [a for i in (10, 11, 12) for a in det.observe(contact(day(i)))]
    assert alerts == []                          # three calls, three articles
    assert det.observe(contact(day(11), aid="second-report")) == []     # four articles
    late = det.observe(contact(day(12), aid="third-report", source="other.com"))
    assert [a["status"] for a in late] == ["new"]
    assert late[0]["threshold"]["corroborate_by"] == "article_ids"


def test_persistence_needs_contacts_on_distinct_days():
    """min_days: a window whose contacts fall on fewer distinct days opens nothing, even when it
    fires; a call on another day completes it."""
    P = SpikeParams(min_reports=1, min_days=3)
    det, _, _ = detector(P)
    same_days = [contact(day(10), "phone"), contact(day(10), "visit"), contact(day(11), "phone")]
    assert [a for c in same_days for a in det.observe(c)] == []     # 3 contacts, 2 days
    late = det.observe(contact(day(12)))
    assert [a["status"] for a in late] == ["new"]
    loose, _, _ = detector(replace(P, min_days=1))
    assert [a["status"] for c in same_days for a in loose.observe(c)] == ["new"]


def test_feed_totals_count_each_contact_and_report_once():
    pc = PairCounts({}, feed_totals=True)
    pc.add(contact("2024-01-02", topics=("gaza",), aid="a1", source="x.com"))
    pc.add(contact("2024-01-02", topics=("gaza",), aid="a2", source="y.com"))   # a second report
    pc.add(contact("2024-01-03", aid="a3", source="x.com"))
    assert pc.feed() == {"contacts": 2, "article_ids": 3, "sources": 3}   # not once per topic
    before = dict(pc.store)
    pc.add(contact("2024-01-02", topics=("gaza",), aid="a2", source="y.com"))   # a replay
    assert pc.store == before
    assert pc.add_source("IRN-SAU|2024-01-03|remote", source="z.com", article_id="a4")
    assert pc.feed() == {"contacts": 2, "article_ids": 4, "sources": 4}
    assert PairCounts({}).feed() == {"contacts": 0, "article_ids": 0, "sources": 0}   # off


def test_corroboration_in_units_of_the_feeds_reporting():
    """A feed that reports every contact three times needs three times the reports of one that
    reports it once (reports_per_contact 1.0), once its running mean has outweighed the prior."""
    P = SpikeParams(min_reports=4, strong_alpha=0.0, reports_per_contact=1.0, feed_prior_contacts=1,
                    **FLAT)

    def burst(params):
        counts, episodes = {}, {}
        det = SpikeDetector(PairCounts(counts, feed_totals=True), episodes, params,
                            coverage_start="0001-01-01")
        for i in range(0, 80, 4):    # another pair's contacts set the feed's mean: 3 reports each
            for k in range(3):
                det.observe(contact(day(i), pair=("EGY", "JOR"), aid=f"bg-{i}-{k}"))
        return [a for i in (90, 91, 92) for k in range(3)
                for a in det.observe(contact(day(i), aid=f"b-{i}-{k}"))]

    assert [a["status"] for a in burst(replace(P, reports_per_contact=0.0))] == ["new"]  # 4 of 9
    assert burst(P) == []                      # about 12 needed, 9 there
    assert [a["status"] for a in burst(replace(P, min_reports=3))] == ["new"]   # about 9 needed


def _reports_to_open(params, history_days=()) -> int | None:
    """Reports (articles) of a three-call burst on days 90-92 needed before it opens an episode,
    after one call on each of ``history_days`` (one article each); None if 12 do not."""
    det, _, _ = detector(params)
    for i in history_days:
        det.observe(contact(day(i), aid=f"h-{i}"))
    n = 0
    for k in range(12):
        n += 1
        if [a for a in det.observe(contact(day(90 + k % 3), aid=f"b-{k}")) if a["status"] == "new"]:
            return n
    return None


def test_a_busy_pair_needs_more_reports_per_contact_its_baseline_expects():
    """reports_per_expected: the gate grows with what the window is expected to hold, so a busy
    pair's ordinary week, which the press reports anyway, needs more reports to open an episode."""
    P = SpikeParams(min_reports=5, strong_alpha=0.0, reports_per_expected=0.0, unseen_pair_reports=0,
                    alpha=0.05)
    busy = range(6, 84, 14)       # a call every second week before the burst: 6 calls
    quiet = (40,)                 # one call in the quarter
    assert _reports_to_open(P, busy) == _reports_to_open(P, quiet) == 5
    st = window_stats(3, 6, 84, P)                                    # the busy pair's window
    more = replace(P, reports_per_expected=4.0)
    assert _reports_to_open(more, busy) == math.ceil(5 + 4.0 * st.expected) > 6
    assert _reports_to_open(more, quiet) == math.ceil(5 + 4.0 * window_stats(3, 1, 84, P).expected) < 7


def test_a_pair_first_busy_week_needs_more_reports():
    """unseen_pair_reports: a pair without a contact in its observed baseline needs that many more
    reports; one call in the quarter is enough to be judged as before."""
    P = SpikeParams(min_reports=5, strong_alpha=0.0, reports_per_expected=0.0, unseen_pair_reports=3)
    assert _reports_to_open(P) == 8
    assert _reports_to_open(P, (40,)) == 5
    assert _reports_to_open(replace(P, unseen_pair_reports=0)) == 5


def test_min_reports_one_turns_the_whole_gate_off():
    """min_reports 1 (the demo, the plumbing test): no corroboration, the extras included."""
    P = SpikeParams(min_reports=1, strong_alpha=0.0, reports_per_expected=4.0, unseen_pair_reports=2)
    assert _reports_to_open(P) == 3      # the third call fires and opens at once


def test_a_stricter_p_value_to_open_leaves_updates_at_alpha():
    """alpha_new: a window that fires at alpha but not below alpha_new opens nothing; an episode
    opened by a stronger window still grows on windows that fire at alpha."""
    P = replace(MECH, cooldown_days=28)
    base, _, _ = detector(P)
    cs = [contact(day(i), aid=f"c-{i}") for i in (40, 90, 91, 92)]
    first = [a for c in cs for a in base.observe(c) if a["status"] == "new"]
    p = first[0]["p_value"]
    assert p < P.alpha
    strict, _, _ = detector(replace(P, alpha_new=p / 2))
    assert [a for c in cs for a in strict.observe(c)] == []
    opened = [a for a in strict.observe(contact(day(93), aid="c-93"))]
    assert [a["status"] for a in opened] == ["new"] and opened[0]["p_value"] < p / 2   # four calls
    later = [a for i in (100, 101, 102) for a in strict.observe(contact(day(i), aid=f"c-{i}"))]
    assert [a["status"] for a in later] == ["update"]                 # the episode grows ...
    assert p / 2 <= later[0]["p_value"] < P.alpha                     # ... on a window alpha_new refuses


def test_a_burst_must_be_more_than_one_reported_contact():
    """min_reported_contacts: one contact in many articles and the others in one each is one story
    and its echoes, not yet an episode, however many articles it adds up to; a second report of
    another contact opens it. Off with min_reports 1 (the whole gate) and at 0."""
    P = SpikeParams(min_reports=5, strong_alpha=0.0, **{**FLAT, "min_reported_contacts": 2},
                    contact_reports=2)

    def run(params):
        det, _, _ = detector(params)
        det.observe(contact(day(40), aid="h-40"))
        story = [contact(day(90), aid=f"s-{k}") for k in range(5)]          # one call, 5 articles
        echoes = [contact(day(91), aid="e-91"), contact(day(92), aid="e-92")]  # two more, 1 each
        first = [a for c in story + echoes for a in det.observe(c)]
        return first, det.observe(contact(day(92), aid="e-92b", source="b.com"))

    first, second = run(P)
    assert first == []                                   # 3 contacts, 7 articles, 1 reported twice
    assert [a["status"] for a in second] == ["new"]      # a second contact reported twice
    assert second[0]["threshold"]["min_reported_contacts"] == 2
    assert [a["status"] for a in run(replace(P, min_reported_contacts=0))[0]] == ["new"]
    assert [a["status"] for a in run(replace(P, min_reports=1))[0]] == ["new"]
    assert run(replace(P, contact_reports=3))[0] == run(replace(P, contact_reports=3))[1] == []


def test_a_new_episode_needs_a_minimum_ratio():
    """min_ratio_new: on a busy pair (three calls a week) a window that fires at alpha but holds
    less than four times the expected count opens nothing; the burst opens the episode once it
    reaches four times."""
    P = replace(MECH, cooldown_days=28, min_ratio_new=0.0)
    history = [contact(day(i), aid=f"h-{i}") for i in range(84) if i % 7 in (0, 2, 4)]
    burst = [contact(day(90 + k // 2), "phone" if k % 2 == 0 else "visit", aid=f"b-{k}")
             for k in range(10)]

    def run(params):
        det, _, _ = detector(params)
        for c in history:
            det.observe(c)
        return [a for c in burst for a in det.observe(c)]

    loose = [a for a in run(P) if a["status"] == "new"]
    assert loose and loose[0]["observed"] < 4 * loose[0]["expected"]      # opened below 4x
    strict = run(replace(P, min_ratio_new=4.0))
    new = [a for a in strict if a["status"] == "new"]
    assert len(new) == 1 and new[0]["observed"] >= 4 * new[0]["expected"]
    assert new[0]["window_end"] >= loose[0]["window_end"] and new[0]["observed"] > loose[0]["observed"]


def test_own_overdispersion_makes_a_clustered_pair_less_surprising():
    """own_dispersion_p: the same window against the same total history is far less surprising for a
    pair whose baseline came in two busy weeks than for one whose came evenly (phi = 1: the
    gamma-Poisson p); dispersion_min_history gates opening on it for pairs with that much history."""
    from streams.detection.model import own_dispersion_p
    P = SpikeParams(min_reports=1)
    even = tuple((2, 7) for _ in range(12))
    clustered = tuple((12, 7) if i in (3, 8) else (0, 7) for i in range(12))
    plain = window_stats(6, 24, 84, P).p_value
    assert plain < 0.01 and own_dispersion_p(6, 24, 84, P, even) == pytest.approx(plain)
    assert own_dispersion_p(6, 24, 84, P, clustered) > 0.1

    def opens(history_days, params):
        det, _, _ = detector(params)
        for i, ch in history_days:
            det.observe(contact(day(i), ch, aid=f"h-{i}-{ch}"))
        return [a["status"] for k in range(6)
                for a in det.observe(contact(day(90 + k // 2), "phone" if k % 2 == 0 else "visit",
                                             aid=f"b-{k}"))]
    # a clustered pair: 12 contacts in each of two weeks of its baseline, nothing else
    busy_weeks = [(w * 7 + 7 + d, ch) for w in (3, 8) for d in range(6) for ch in ("phone", "visit")]
    gated = replace(MECH, min_ratio_new=0.0, dispersion_min_history=8)
    assert "new" in opens(busy_weeks, replace(gated, dispersion_min_history=0))
    assert "new" not in opens(busy_weeks, gated)


def test_overwhelming_evidence_needs_no_corroboration():
    det, _, _ = detector(SpikeParams(min_reports=5, strong_alpha=1e-6))
    alerts = [a for i in range(10, 17) for a in det.observe(contact(day(i), source="one.com"))]
    first = next(a for a in alerts if a["status"] == "new")
    assert first["p_value"] < 1e-6 and first["observed"] >= 5


def test_quasi_poisson_dispersion_widens_the_tail():
    weeks = tuple((1, 7) for _ in range(12))
    P = SpikeParams(method="nb-eb-v2", dispersion=1.0)
    plain = window_stats(4, 12, 84, P, weeks)
    wide = window_stats(4, 12, 84, replace(P, dispersion=2.0), weeks)
    assert plain.expected == pytest.approx(wide.expected)
    assert wide.p_value > 3 * plain.p_value
    # at dispersion 1 it is the gamma-Poisson model
    assert plain.p_value == pytest.approx(window_stats(4, 12, 84, SpikeParams()).p_value)


def test_past_outbreak_weeks_are_down_weighted():
    weeks = ((9, 7),) + tuple((0, 7) for _ in range(11))   # one past outbreak week, else quiet
    P = SpikeParams(method="nb-eb-v2", dispersion=1.0)
    kept = window_stats(4, 9, 84, P, weeks)
    down = window_stats(4, 9, 84, replace(P, downweight_outbreaks=True), weeks)
    assert down.expected < kept.expected / 3 and down.p_value < kept.p_value


def test_ears_c1_floors_the_sd_and_needs_a_baseline():
    P = SpikeParams(method="ears-c1", ears_weeks=4, ears_z=3.0, ears_min_sd=1.0, min_reports=1)
    quiet = tuple((0, 7) for _ in range(12))
    assert window_stats(3, 0, 84, P, quiet).fires is False     # z = 3: not above
    assert window_stats(4, 0, 84, P, quiet).fires is True
    assert window_stats(9, 0, 84, P, ((0, 7),)).fires is False  # one week is no baseline


def test_ears_c2_keeps_a_guard_band_between_baseline_and_window():
    """Contacts on the two days before the window: C1's baseline holds them (z = 1.5), C2's, two
    days further back, does not (z = 4)."""
    P = SpikeParams(method="ears-c1", ears_weeks=4, ears_z=3.0, min_reports=1)
    seen = {}
    for m in ("ears-c1", "ears-c2"):
        det, _, _ = detector(replace(P, method=m))
        det.on_evaluate = lambda pair, topic, d, st, m=m: seen.__setitem__((m, d), st)
        for i in (58, 59, 60, 61):
            det.observe(contact(day(i), "phone"))
            det.observe(contact(day(i), "visit"))
        det.evaluate("IRN-SAU", "*", day(66))
    assert seen[("ears-c1", day(66))].observed == seen[("ears-c2", day(66))].observed == 4
    assert seen[("ears-c1", day(66))].fires is False and seen[("ears-c2", day(66))].fires is True


def test_ears_c3_sums_the_excess_of_three_windows():
    """C3 fires on a sustained moderate rise no single window's z carries past the threshold."""
    P = SpikeParams(method="ears-c3", ears_weeks=4, ears_z=3.0, min_reports=1, min_count=1, min_ratio=0)
    quiet = tuple((0, 7) for _ in range(12))
    assert window_stats(3, 0, 84, replace(P, method="ears-c2"), quiet).fires is False   # z = 3
    assert window_stats(3, 0, 84, P, quiet).fires is False                 # 2 + 0 + 0
    assert window_stats(3, 0, 84, P, quiet, ((3, quiet), (2, quiet))).fires is True   # 2 + 2 + 1


def test_alerts_name_their_method():
    det, _, _ = detector(replace(MECH, method="nb-eb-v2", dispersion=1.45))
    alerts = [a for i in range(10, 15) for a in det.observe(contact(day(i)))]
    assert alerts and {a["method"] for a in alerts} == {"nb-eb-v2"}


def test_replay_under_the_corroboration_gate_fires_nothing_twice():
    import random
    det, counts, episodes = detector(SpikeParams())   # the defaults: 8 articles
    cs = [contact(day(i), aid=f"art-{i}-{k}", source=f"outlet{k}.com")
          for i in (20, 21, 22, 23) for k in range(3)]   # four calls, three reports each
    first = [a for c in cs for a in det.observe(c)]
    assert [a["status"] for a in first][:1] == ["new"] and len({a["alert_id"] for a in first}) == len(first)
    snapshot = (json.dumps(counts, sort_keys=True), json.dumps(episodes, sort_keys=True))
    random.Random(7).shuffle(cs)
    assert [a for c in cs for a in det.observe(c)] == []
    assert (json.dumps(counts, sort_keys=True), json.dumps(episodes, sort_keys=True)) == snapshot


@pytest.mark.parametrize("topic", ["iran-nuclear", "yemen-red-sea", "ukraine"])
def test_any_topic_name_gets_its_own_episode_and_alerts(topic):
    """Topics come from the knowledge files (an overlay can add any): the detector keys them like
    gaza, and a schema-valid alert carries the name."""
    import jsonschema
    from tests.paths import SCHEMAS

    schema = json.loads((SCHEMAS / "alert.schema.json")
                        .read_text(encoding="utf-8"))
    det, _, _ = detector()
    burst = [contact(day(90), "phone", topics=[topic]), contact(day(90), "visit", topics=[topic]),
             contact(day(91), "phone", topics=[topic])]
    alerts = [a for c in burst for a in det.observe(c)]
    assert sorted(a["topic"] for a in alerts) == ["*", topic]
    mine = next(a for a in alerts if a["topic"] == topic)
    assert mine["episode_id"].startswith(f"IRN-SAU|{topic}|")
    assert mine["names"] == ["Iran", "Saudi Arabia"]
    jsonschema.validate(mine, schema)


def test_ended_episodes_kept_per_pair_are_bounded():
    from streams.detection.detector import MAX_PAST, _close
    state: dict = {}
    for i in range(MAX_PAST + 5):
        _close(state, {"episode_id": f"IRN-SAU|*|{day(i * 10)}", "started": day(i * 10),
                       "last_fired": day(i * 10 + 1), "ended": day(i * 10 + 8), "observed": 3,
                       "contact_keys": ["k"] * 400})
    assert len(state["past"]) == MAX_PAST
    assert state["past"][-1]["started"] == day((MAX_PAST + 4) * 10)
    assert state["last_ended"] == day((MAX_PAST + 4) * 10 + 8)
    assert "contact_keys" not in state["past"][0]     # an outline, not the episode's keys


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["gamma-poisson-v1", "nb-eb-v2", "ears-c1", "ears-c2", "ears-c3"]),
       st.integers(0, 40), st.integers(0, 400), st.integers(0, 84), st.integers(1, 6),
       st.lists(st.tuples(st.integers(0, 40), st.integers(0, 7)), max_size=12))
def test_no_method_fires_a_window_that_may_not(method, observed, history, history_days, min_count,
                                                weeks):
    """may_fire (what lets the detector skip a window's statistics) is False only for windows
    that no method fires."""
    p = replace(SpikeParams(), method=method, min_count=min_count, min_ratio=0.0, alpha=1.0,
                ears_z=-10.0, min_history_days=0)
    prev = ((observed, tuple(weeks)), (observed, tuple(weeks)))
    st_ = window_stats(observed, history, history_days, p, tuple(weeks), prev)
    if not may_fire(observed, p):
        assert not st_.fires


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["gamma-poisson-v1", "nb-eb-v2", "ears-c1", "ears-c3"]),
       st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["phone", "visit", "third-party"]),
                          st.sampled_from([("IRN", "SAU"), ("OMN", "USA")]),
                          st.sampled_from([(), ("gaza",)]), st.sampled_from(["a.com", "b.com", "c.com"])),
                min_size=1, max_size=80),
       st.randoms(use_true_random=False))
def test_skipping_windows_that_may_not_fire_changes_no_alert_and_no_state(method, items, rnd):
    """The detector skips the statistics (and the history read) of windows with too few contacts
    to fire; with the skip turned off (may_fire always True) the same contacts, in any order,
    give the same alerts and the same stores."""
    import streams.detection.detector as detector_module
    params = replace(MECH, method=method, min_count=2)
    order = [contact(day(d), m, pair=pr, topics=t, source=s, aid=f"{d}{m}{s}")
             for d, m, pr, t, s in items]
    rnd.shuffle(order)
    runs = []
    for skip in (True, False):
        saved = detector_module.may_fire
        if not skip:
            detector_module.may_fire = lambda observed, p: True
        try:
            det, counts, episodes = detector(params, coverage_start=None)
            alerts = [a for c in order for a in det.observe(c)]
            alerts += [{"ended": e} for e in det.tick(day(130))]
        finally:
            detector_module.may_fire = saved
        runs.append(json.dumps([alerts, counts, episodes], sort_keys=True))
    assert runs[0] == runs[1]


def test_count_unit_days_counts_each_day_once():
    """count_unit "days" (SpikeDetector._daily): a call and a meeting on one day count once, in the
    window and in the baseline; the alert's evidence still lists both contacts."""
    burst = [contact(day(90 + k // 2), "phone" if k % 2 == 0 else "visit", aid=f"b-{k}")
             for k in range(8)]

    def run(params):
        det, _, _ = detector(params)
        for i in range(0, 84, 14):
            det.observe(contact(day(i), aid=f"h-{i}"))
        return [a for c in burst for a in det.observe(c)]

    contacts = run(MECH)
    days = run(replace(MECH, count_unit="days"))
    first_c = next(a for a in contacts if a["status"] == "new")
    first_d = next(a for a in days if a["status"] == "new")
    assert first_c["observed"] == 3 and first_c["window_end"] == day(91)     # 3 contacts on 2 days
    assert first_d["observed"] == 3 and first_d["window_end"] == day(92)     # the third day
    assert len(first_d["evidence"]) == 5 and "3 days with a contact" in first_d["summary"]
    assert first_d["history"]["contacts"] == first_c["history"]["contacts"] == 5   # days 14..70
    assert max(a["observed"] for a in days) == 4 < max(a["observed"] for a in contacts) == 8


def test_busy_pair_opens_on_a_surge_of_reports():
    """report_dispersion (SpikeDetector._report_test): a busy pair (three calls a week, each in one
    article) whose window holds five contacts — not a spike of contacts — but reported in 25 articles
    opens an episode on its reports; it does not without the report test, nor when busy_expected
    asks more than the pair's expectation, nor when the reports are ordinary."""
    history = [contact(day(i), aid=f"h-{i}") for i in range(84) if i % 7 in (0, 2, 4)]

    def run(params, per_contact=5):
        det, _, _ = detector(params)
        for c in history:
            det.observe(c)
        out = []
        for k in range(5):
            for j in range(per_contact):
                out += det.observe(contact(day(86 + k), "phone" if k % 2 else "visit",
                                           aid=f"b-{k}-{j}", source=f"s{j}.com"))
        return out

    P = replace(MECH, cooldown_days=28)
    assert run(P) == []
    X = replace(P, report_dispersion=2.0)
    new = [a for a in run(X) if a["status"] == "new"]
    assert len(new) == 1 and new[0]["observed"] < 4 * new[0]["expected"]   # contacts: no spike
    assert new[0]["p_value"] < P.alpha and "Unusually reported: 11 reports" in new[0]["summary"]   # opened on its third contact
    assert run(replace(X, busy_expected=3.0)) == []       # the pair expects ~2.1 in a week
    assert run(X, per_contact=1) == []                     # ordinary reporting
