"""Stages 4+5 (aggregate, alert) over plain dicts with the real detection core: distinct counting,
one alert per episode (new, then updates while it grows), nothing on replays or extra sources,
coverage from the first day seen, expiry by event-time watermark."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import orjson
from jsonschema import Draft202012Validator

from streams.detection import SpikeParams
from streams.pipeline.aggregate import WATERMARK, AggregateStage
from streams.pipeline.alert import COVERAGE
from streams.pipeline.tables import PartitionView

ROOT = Path(__file__).resolve().parents[2]
ALERT_SCHEMA = Draft202012Validator(orjson.loads((ROOT / "schemas" / "alert.schema.json").read_bytes()))
NOW = 1_800_000_000.0


def contact(day: str, mode: str = "phone", pair=("IRN", "OMN"), topics=(), n: int = 0, source="a.example"):
    return {"article_id": f"art-{day}-{mode}-{n}", "countries": sorted(pair), "mode": mode, "date": day,
            "date_precision": "day", "topics": list(topics), "evidence": f"call on {day}",
            "confidence": 0.9, "source": source, "url": f"https://{source}/{day}/{n}",
            "published_at": day, "actors": [], "visitor": None, "host": None, "lang": "en"}


def day(d0: str, i: int) -> str:
    return (date.fromisoformat(d0) + timedelta(days=i)).isoformat()


def new_stage(table=None, partition=0):
    table = {} if table is None else table
    windows, episodes = PartitionView(table, partition), PartitionView({}, partition)
    # one outlet reports every synthetic call: the corroboration gate is tested in test_detection
    return AggregateStage(windows, episodes, SpikeParams(min_reports=1), retain_days=182), table


def steady_history(stage, start="2024-01-01", weeks=12):
    outs = []
    for w in range(weeks):   # one call a week: the pair's normal rate
        outs += stage.handle(contact(day(start, 7 * w + 2)), now=NOW)
    return outs


def test_steady_pair_never_alerts_and_counts_are_distinct():
    stage, table = new_stage()
    assert steady_history(stage) == []
    assert stage.counts.day_count("IRN-OMN", "*", "2024-01-03") == 1
    # the same contact again (replay) and from another outlet (copy): still one
    assert stage.handle(contact("2024-01-03"), now=NOW) == []
    assert stage.handle({**contact("2024-01-03", source="b.example"), "article_id": "copy",
                         "copy_of": "art-2024-01-03-phone-0"}, now=NOW) == []
    assert stage.counts.day_count("IRN-OMN", "*", "2024-01-03") == 1
    [bucket] = [v for k, v in table.items() if k == "0|IRN-OMN|*|2024-01-03"]
    assert list(bucket.values())[0]["sources"] == ["a.example", "b.example"]
    assert table["0|" + COVERAGE] == "2024-01-03" and table["0|" + WATERMARK] == day("2024-01-01", 79)


def test_a_burst_alerts_once_then_updates_while_it_grows_and_replay_is_silent():
    stage, _ = new_stage()
    steady_history(stage)
    burst_start = "2024-03-25"
    outs = []
    burst = [contact(day(burst_start, i), mode, topics=("gaza",), n=i)
             for i, mode in enumerate(["phone", "visit", "phone", "third-party", "phone"])]
    for c in burst:
        outs += stage.handle(c, now=NOW)
    alerts = [o.value for o in outs]
    assert alerts, "a 5-contact week after a 1-a-week history is a spike"
    assert all(o.topic == "alerts" and o.key == "IRN-OMN" for o in outs)
    for a in alerts:
        ALERT_SCHEMA.validate(a)
    statuses = [(a["topic"], a["status"]) for a in alerts]
    # one "new" per topic bucket ("*" and "gaza"), the rest updates of the same episodes
    assert sorted(t for t, s in statuses if s == "new") == ["*", "gaza"]
    assert all(s in ("new", "update") for _, s in statuses)
    last = alerts[-1]
    assert last["observed"] >= 3 and last["expected"] < last["observed"]
    assert {e["sources"][0] for e in last["evidence"]} == {"a.example"}
    # replaying the whole burst, or a copy's extra source, alerts nothing
    for c in burst:
        assert stage.handle(c, now=NOW) == []
    assert stage.handle({**burst[0], "source": "c.example", "article_id": "cp"}, now=NOW) == []


def test_first_busy_week_of_a_new_deployment_does_not_alert():
    stage, _ = new_stage()
    outs = []
    for i in range(5):   # five contacts in the very first week the system observes
        outs += stage.handle(contact(day("2024-05-01", i), n=i), now=NOW)
    assert outs == []


def test_expire_follows_the_event_time_watermark():
    stage, table = new_stage()
    stage.handle(contact("2023-01-01"), now=NOW)
    stage.handle(contact("2024-01-01"), now=NOW)
    stage.handle({"kind": "expire", "now": NOW}, now=NOW)
    assert not any("2023-01-01" in k for k in table)
    assert any("2024-01-01" in k for k in table)


def test_undatable_contacts_are_not_counted():
    stage, table = new_stage()
    c = {**contact("2024-01-01"), "date": None, "date_precision": "none", "published_at": None}
    assert stage.handle(c, now=NOW) == [] and table == {}


def test_a_future_dated_contact_does_not_move_the_watermark():
    stage, table = new_stage()
    stage.handle(contact("2024-01-01"), now=NOW)
    stage.handle(contact("2099-01-01"), now=NOW)   # NOW is in 2027
    assert table["0|" + WATERMARK] == "2024-01-01"


def test_min_confidence_counts_only_contacts_at_or_above_it():
    table: dict = {}
    windows, episodes = PartitionView(table, 0), PartitionView({}, 0)
    stage = AggregateStage(windows, episodes, SpikeParams(), retain_days=182, min_confidence=0.6)
    stage.handle({**contact("2024-01-01", n=1), "confidence": 0.59}, now=NOW)
    # a copy's source carries its contact's confidence: not counted either
    stage.handle({**contact("2024-01-01", n=1, source="b.example"), "confidence": 0.59,
                  "copy_of": "art-2024-01-01-phone-1"}, now=NOW)
    assert table == {}
    stage.handle({**contact("2024-01-02", n=2), "confidence": 0.6}, now=NOW)
    assert stage.counts.day_count("IRN-OMN", "*", "2024-01-02") == 1
    # the default (0) counts every contact, whatever its confidence
    default, table0 = new_stage()
    default.handle({**contact("2024-01-01", n=1), "confidence": 0.0}, now=NOW)
    assert default.counts.day_count("IRN-OMN", "*", "2024-01-01") == 1
