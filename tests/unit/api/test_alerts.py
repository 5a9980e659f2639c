"""streams.api.alerts.AlertIndex over alert records made by the real detector (backtest's code path):
one entry per episode, its latest record winning, filtered by pair, topic and period."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from streams.api.alerts import AlertIndex
from streams.detection import PairCounts, SpikeDetector, SpikeParams
from tests.unit.api.test_query import check_schema


def burst_alerts() -> list[dict]:
    """A quiet history of JOR-USA, then a burst of Gaza calls, through SpikeDetector."""
    det = SpikeDetector(PairCounts({}), {}, SpikeParams(min_reports=1), coverage_start="2023-06-01")
    alerts = []
    day = date(2023, 6, 5)
    n = 0
    while day < date(2023, 10, 1):   # one call every other week
        n += 1
        alerts += det.observe({"article_id": f"q{n}", "countries": ["JOR", "USA"], "mode": "phone",
                               "date": day.isoformat(), "date_precision": "day", "topics": [],
                               "evidence": "a call", "source": "petra.gov.jo"})
        day += timedelta(days=14)
    for i in range(12):   # then every day: calls and visits, all on Gaza
        d = (date(2023, 10, 9) + timedelta(days=i)).isoformat()
        for mode in ("phone", "visit"):
            n += 1
            alerts += det.observe({"article_id": f"b{n}", "countries": ["USA", "JOR"], "mode": mode,
                                   "date": d, "date_precision": "day", "topics": ["gaza"],
                                   "evidence": f"{mode} on Gaza", "source": "petra.gov.jo",
                                   "url": f"https://petra.gov.jo/{n}"})
    return alerts


@pytest.fixture(scope="module")
def alerts():
    got = burst_alerts()
    assert {a["status"] for a in got} == {"new", "update"}, "the burst must start and grow episodes"
    return got


def test_one_entry_per_episode_latest_record_wins(alerts):
    index = AlertIndex()
    for a in alerts:
        assert index.add(a)
    episodes = {a["episode_id"] for a in alerts}
    assert len(index.episodes) == len(episodes) and index.records == len(alerts)
    found, truncated = index.query()
    assert not truncated and len(found) == len(episodes)
    for e in found:
        mine = [a for a in alerts if a["episode_id"] == e["episode_id"]]
        assert e["alerts"] == len(mine)
        assert e["alert_id"] == mine[-1]["alert_id"] and e["observed"] == mine[-1]["observed"]
        assert e["first_window_start"] == mine[0]["window_start"]
        assert e["started"] == mine[0]["window_end"] and e["pair"] == "JOR-USA"
        assert "evidence" not in e
    assert {e["topic"] for e in found} == {"*", "gaza"}


def test_filters_and_evidence(alerts):
    index = AlertIndex()
    for a in alerts:
        index.add(a)
    gaza, _ = index.query(topic="gaza", evidence=True)
    assert gaza and all(e["topic"] == "gaza" for e in gaza)
    assert gaza[0]["evidence"] and gaza[0]["evidence"][0]["sources"] == ["petra.gov.jo"]
    assert index.query(pair="IRN-SAU")[0] == []
    assert index.query(end="2023-09-30")[0] == []       # before the burst
    assert index.query(start="2023-12-01")[0] == []     # after it
    assert len(index.query(start="2023-10-15", end="2023-10-15")[0]) == len(index.episodes)
    one, truncated = index.query(limit=1)
    assert len(one) == 1 and truncated


def test_older_record_read_late_does_not_replace_newer(alerts):
    eid = alerts[-1]["episode_id"]
    mine = [a for a in alerts if a["episode_id"] == eid]
    assert len(mine) >= 2
    index = AlertIndex()
    for a in reversed(mine):
        index.add(a)
    (e,) = index.query()[0]
    assert e["alert_id"] == mine[-1]["alert_id"] and e["alerts"] == len(mine)
    assert e["first_window_start"] == mine[0]["window_start"]


def test_not_alerts_are_ignored_and_memory_is_bounded(alerts):
    index = AlertIndex(max_episodes=1)
    assert not index.add(b"junk") and not index.add({"episode_id": 3}) and not index.add([1])
    for a in alerts:
        index.add(a)
    assert len(index.episodes) == 1
    assert index.query()[0][0]["window_end"] == max(a["window_end"] for a in alerts)


def test_entries_match_the_openapi_schema(alerts):
    from streams.api import query
    doc = query.document(["gaza"])
    index = AlertIndex()
    for a in alerts:
        index.add(a)
    for evidence in (False, True):
        found, truncated = index.query(evidence=evidence)
        check_schema(doc, "Alerts", {"from": None, "to": None, "pair": None, "topic": None,
                                     "truncated": truncated, "episodes": found,
                                     "source": index.source("alerts", 30.0)})
