"""As-of evaluation (streams.detection.asof): a day is evaluated only once the bound has passed it
plus the settle days, on the contacts stamped up to then, in day order — so the alerts are the same
whatever order the paths' records arrive in."""
from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta

import pytest

from streams.detection import PairCounts, SpikeDetector, SpikeParams
from streams.detection.asof import STATE, AsOfEvaluator
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "bench"))

D0 = date(2024, 1, 1)
PARAMS = SpikeParams(min_reports=1)


def day(i: int) -> str:
    return (D0 + timedelta(days=i)).isoformat()


def contact(i: int, n: int = 0, mode: str = "phone", pair=("IRN", "OMN"), source="a.example",
            article=None) -> dict:
    return {"article_id": article or f"a{i}-{n}-{mode}", "countries": sorted(pair), "mode": mode,
            "date": day(i), "date_precision": "day", "topics": [], "evidence": f"call on {day(i)}",
            "confidence": 0.9, "source": source, "url": None, "published_at": day(i)}


def evaluator(settle: int = 1, params: SpikeParams = PARAMS):
    counts = PairCounts({})
    det = SpikeDetector(counts, {}, params, coverage_start=day(0), now=lambda: "-")
    return AsOfEvaluator(counts, lambda: det, settle), counts, det


def steady(ev, weeks=12):
    """One call a week, stamped with its own day: the pair's usual rate."""
    for w in range(weeks):
        ev.add(contact(7 * w + 2), day(7 * w + 2))


BURST = ["phone", "visit", "phone", "visit"]   # four distinct contacts on days 90-93: a spike


def burst(ev, stamp_of=lambda i: day(90 + i)):
    for i, m in enumerate(BURST):
        ev.add(contact(90 + i, mode=m), stamp_of(i))


def test_a_day_is_evaluated_only_once_the_bound_is_past_it_plus_the_settle_days():
    ev, counts, det = evaluator(settle=2)
    steady(ev)
    burst(ev)
    # day 93 holds the fourth contact: it is decided when the bound passes 93 + 2
    assert ev.advance(day(95)) == []
    assert ev.state()["done"] < day(93)
    made = ev.advance(day(96))
    assert [(a["status"], a["window_end"], a["observed"]) for a in made] == [("new", day(93), 4)]
    assert ev.state()["done"] == day(93) and ev.state()["days"] == []
    assert counts.cutoff is None   # reads outside an evaluation see everything


def test_a_contact_stamped_after_the_settle_days_counts_for_later_days_only():
    ev, counts, det = evaluator(settle=1)
    steady(ev)
    # the fourth contact happened on day 93 but its article came with the watermark at day 96:
    # day 93's window (decided on stamps <= 94) never sees it; day 95's (stamps <= 96) does
    burst(ev, lambda i: day(96) if i == 3 else day(90 + i))
    made = ev.advance(day(100))
    assert [(a["status"], a["window_end"], a["observed"]) for a in made] == [("new", day(95), 4)]
    assert made[0]["episode_id"] == f"IRN-OMN|*|{day(95)}"


def test_reports_count_for_corroboration_only_from_their_stamp():
    # the gate alone (5 articles): the extra reports for busy or unseen pairs and the third pass's
    # "more than one reported contact" off
    ev, counts, det = evaluator(settle=0, params=SpikeParams(min_reports=5, reports_per_expected=0,
                                                             unseen_pair_reports=0,
                                                             min_reported_contacts=0))
    steady(ev)
    burst(ev)
    # a fifth article reporting the first contact, stamped day 95: corroborates day 95's window
    ev.add(contact(90, mode="phone", article="late-report"), day(95))
    made = ev.advance(day(97))
    assert [(a["status"], a["window_end"]) for a in made] == [("new", day(95))]
    assert sorted(made[0]["evidence"][0]["article_ids"]) == ["a90-0-phone", "late-report"]


def test_a_full_report_list_keeps_the_least_stamped_reports_whatever_their_order():
    def entry(order):
        counts = PairCounts({}, max_list=3)
        for n, stamp in order:
            counts.add(contact(5, article=f"r{n}"), stamp=stamp)
        return counts.store["IRN-OMN|*|" + day(5)]["IRN-OMN|" + day(5) + "|remote"]
    reports = [(n, day(5 + n % 4)) for n in range(6)]
    first = entry(reports)
    for seed in range(5):
        shuffled = reports[:]
        random.Random(seed).shuffle(shuffled)
        e = entry(shuffled)
        assert sorted(zip(e["article_stamps"], e["article_ids"])) == sorted(
            zip(first["article_stamps"], first["article_ids"]))
        assert e["stamp"] == day(5)
    assert sorted(first["article_ids"]) == ["r0", "r1", "r4"]   # stamps day 5, 6, 5


def test_days_are_walked_in_order_so_an_episode_ends_on_the_same_day_whatever_the_timing():
    def run(bounds):
        ev, counts, det = evaluator(settle=1)
        steady(ev)
        burst(ev)
        made = []
        for b in bounds:
            made += ev.advance(b)
        return made, det.episodes["IRN-OMN|*"], ev.ended
    one = run([day(200)])
    daily = run([day(i) for i in range(90, 201)])
    assert one == daily
    assert one[1]["active"] is None and one[1]["last_ended"] and one[2] == 1


def test_the_state_lives_in_the_store_and_a_new_evaluator_continues_it():
    ev, counts, det = evaluator(settle=1)
    steady(ev)
    burst(ev)
    assert counts.store[STATE]["days"][-1] == day(93)
    again = AsOfEvaluator(counts, lambda: det, 1)   # after a restart: the same store
    assert [a["window_end"] for a in again.advance(day(95))] == [day(93)]


@pytest.mark.parametrize("k", [2, 3])
def test_alerts_do_not_depend_on_how_the_partitions_interleave(k):
    """bench_detect.py order, smaller: ICEWS 2016's first four months split by article id over k
    partitions and merged at random: every alert identical to day order's, in the same order."""
    import bench_detect as bd
    path = ROOT / ".." / "shared" / "events" / "icews-contacts-2016.jsonl"
    if not path.exists():
        pytest.skip("the shared ICEWS 2016 contacts are not here")
    rows = sorted((c for c in map(json.loads, path.open()) if c["date"] < "2016-05-01"),
                  key=lambda c: c["date"])
    base = bd.asof_alerts(bd.split_stamped(rows, 1), lambda live, w: live[0])
    assert sum(a["status"] == "new" for a in base) >= 5
    for seed in range(2):
        rng = random.Random(seed)
        got = bd.asof_alerts(bd.split_stamped(rows, k), lambda live, w: rng.choices(live, weights=w)[0])
        assert [bd._alert_view(a) for a in got] == [bd._alert_view(a) for a in base]
