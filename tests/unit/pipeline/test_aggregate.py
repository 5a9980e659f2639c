"""Stages 4+5 (aggregate, alert) over plain dicts with the real detection core: distinct counting,
one alert per episode (new, then updates while it grows), nothing on replays or extra sources,
coverage from the first day seen, expiry by event-time watermark, days evaluated once the
watermark is past them (streams.detection.asof) whatever order the paths' records come in."""
from __future__ import annotations

from datetime import date, timedelta

import orjson
from jsonschema import Draft202012Validator

from streams.detection import SpikeParams
from streams.pipeline.aggregate import WATERMARK, AggregateStage
from streams.pipeline.alert import COVERAGE
from streams.pipeline.tables import PartitionView

from tests.paths import ROOT
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


def put(stage, c, stamp=None, **kw):
    """``c`` on the one path "0.0", stamped with its own day (a single input in day order)."""
    return stage.handle(c, now=NOW, stamp=stamp or c["date"], path="0.0", **kw)


def flush(stage, stamp="2024-06-30"):
    """The path's heartbeat past every day the tests count (and within the 182 days kept of their
    first): every day counted so far is evaluated."""
    return stage.heartbeat(stamp, "0.0")


def steady_history(stage, start="2024-01-01", weeks=12):
    outs = []
    for w in range(weeks):   # one call a week: the pair's normal rate
        outs += put(stage, contact(day(start, 7 * w + 2)))
    return outs


def test_steady_pair_never_alerts_and_counts_are_distinct():
    stage, table = new_stage()
    assert steady_history(stage) + flush(stage, day("2024-01-01", 79)) == []
    assert stage.counts.day_count("IRN-OMN", "*", "2024-01-03") == 1
    # the same contact again (replay) and from another outlet (copy): still one
    assert put(stage, contact("2024-01-03"), day("2024-01-01", 79)) == []
    assert put(stage, {**contact("2024-01-03", source="b.example"), "article_id": "copy",
                       "copy_of": "art-2024-01-03-phone-0"}, day("2024-01-01", 79)) == []
    assert flush(stage) == []
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
        outs += put(stage, c)
    outs += flush(stage)
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
        assert put(stage, c, "2024-06-30") == []
    assert put(stage, {**burst[0], "source": "c.example", "article_id": "cp"}, "2024-06-30") == []
    assert flush(stage, "2024-07-01") == []


def test_first_busy_week_of_a_new_deployment_does_not_alert():
    stage, _ = new_stage()
    outs = []
    for i in range(5):   # five contacts in the very first week the system observes
        outs += put(stage, contact(day("2024-05-01", i), n=i))
    assert outs + flush(stage) == []


def test_expire_follows_the_stamped_watermark_of_every_path():
    table: dict = {}
    stage = AggregateStage(PartitionView(table, 0), PartitionView({}, 0), SpikeParams(), retain_days=182,
                           paths=2)
    stage.handle(contact("2023-01-01"), now=NOW, stamp="2023-01-01", path="0.0")
    stage.handle(contact("2024-01-01"), now=NOW, stamp="2024-01-01", path="0.0")
    stage.expire(NOW)
    # the other path has delivered nothing yet: a contact of 2023 may still come on it
    assert any("2023-01-01" in k for k in table)
    stage.handle(contact("2024-01-02", pair=("EGY", "SAU")), now=NOW, stamp="2024-01-02", path="0.1")
    stage.expire(NOW)
    assert not any("2023-01-01" in k for k in table)
    assert any("2024-01-01" in k for k in table)
    # nothing is counted on an expired day any more (a copy's source, which no path tracks)
    stage.handle(contact("2023-02-01", n=5), now=NOW, stamp="2023-03-01")
    assert not any("2023-02-01" in k for k in table)


def test_a_contact_far_behind_its_stamp_is_late_and_not_counted():
    from streams import metrics
    stage, table = new_stage()
    before = metrics.sample("diplowatch_late_contacts_total")
    stage.handle(contact("2023-01-01"), now=NOW, stamp="2024-01-01", path="0.0")
    assert not any("2023-01-01" in k for k in table)
    assert metrics.sample("diplowatch_late_contacts_total") == before + 1
    stage.handle(contact("2023-07-05"), now=NOW, stamp="2024-01-01", path="0.0")   # 180 days: on time
    assert any("2023-07-05" in k for k in table)


def test_counts_expiry_and_alerts_do_not_depend_on_how_the_paths_interleave():
    """The same records on three paths (each path in its own order, stamps growing along it),
    delivered in 30 different interleavings with expiry passes and heartbeats at random points:
    the same windows, and the same alerts in the same order."""
    import random
    rng = random.Random(4)
    paths = {}
    for p in range(3):
        recs, stamp = [], date(2023, 1, 1)
        for i in range(60):
            stamp += timedelta(days=rng.randint(0, 9))
            d = (stamp - timedelta(days=rng.choice([0, 0, 0, 0, 1, 1, 3, 100, 200, 400]))).isoformat()
            pair = rng.choice([("IRN", "OMN"), ("EGY", "SAU"), ("JOR", "USA")])
            mode = rng.choice(["phone", "visit"])
            recs.append((contact(d, mode=mode, pair=pair, n=p * 1000 + i), stamp.isoformat(), f"0.{p}"))
        paths[p] = recs
    results, alerts = set(), set()
    for _ in range(30):
        table: dict = {}
        stage = AggregateStage(PartitionView(table, 0), PartitionView({}, 0), SpikeParams(min_reports=1),
                               retain_days=182, paths=3)
        cursors = {p: 0 for p in paths}
        outs = []
        while any(cursors[p] < len(paths[p]) for p in paths):
            p = rng.choice([p for p in paths if cursors[p] < len(paths[p])])
            rec, stamp, path = paths[p][cursors[p]]
            cursors[p] += 1
            outs += stage.handle(rec, now=NOW, stamp=stamp, path=path)
            if rng.random() < 0.1:
                outs += stage.expire(NOW)
            if rng.random() < 0.1:   # a heartbeat: the path's last stamp again
                q = rng.choice(list(paths))
                if cursors[q]:
                    outs += stage.heartbeat(paths[q][cursors[q] - 1][1], f"0.{q}")
        outs += stage.expire(NOW)
        end = (date.fromisoformat(max(r[1] for rs in paths.values() for r in rs))
               + timedelta(days=5)).isoformat()
        for q in paths:   # the end of the input: every path's heartbeat past its last stamp
            outs += stage.heartbeat(end, f"0.{q}")
        results.add(tuple(sorted((k, tuple(sorted(v))) for k, v in table.items()
                                 if k.count("|") == 3 and isinstance(v, dict))))
        alerts.add(tuple(orjson.dumps({k: v for k, v in o.value.items() if k != "generated_at"},
                                      option=orjson.OPT_SORT_KEYS) for o in outs))
    assert len(results) == 1
    assert len(next(iter(results))) > 20
    assert len(alerts) == 1
    assert len(next(iter(alerts))) >= 2


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


def test_a_copys_source_is_one_more_report_of_its_contact_whichever_comes_first():
    """A copy's record (sources topic) adds its report to the contact, and counts the contact
    when it comes first: with several input partitions the copy can be stamped before the article
    dedupe saw first, so the contact is seen from the least stamp of its reports and described by
    the least stamped one, in whatever order they come (one contact either way)."""
    src = {**contact("2024-01-03", source="b.example"), "article_id": "copy",
           "copy_of": "art-2024-01-03-phone-0"}
    buckets = []
    for order in ((src, "2024-01-04", True), (contact("2024-01-03"), "2024-01-06", False)), \
                 ((contact("2024-01-03"), "2024-01-06", False), (src, "2024-01-04", True)):
        stage, table = new_stage()
        for rec, stamp, copy in order:
            stage.handle(rec, now=NOW, stamp=stamp, path="0.0", extra_source=copy)
        stage.handle(src, now=NOW, stamp="2024-01-04", path="0.0", extra_source=True)   # again
        [bucket] = [v for k, v in table.items() if k.endswith("|*|2024-01-03")]
        [entry] = bucket.values()
        assert stage.counts.day_count("IRN-OMN", "*", "2024-01-03") == 1
        assert entry["stamp"] == "2024-01-04" and entry["rep"] == ["2024-01-04", "copy"]
        assert sorted(zip(entry["sources"], entry["source_stamps"])) == [
            ("a.example", "2024-01-06"), ("b.example", "2024-01-04")]
        assert not any("~src" in k for k in table)
        buckets.append({k: sorted(v) if isinstance(v, list) else v for k, v in entry.items()})
    assert buckets[0] == buckets[1]


def test_feed_totals_are_kept_only_when_the_gate_is_in_feed_units():
    """SpikeParams.reports_per_contact > 0: the stage's counts keep the feed's running totals, the
    copy path's extra outlet included; at 0 (the default) nothing more is written."""
    windows = PartitionView({}, 0)
    stage = AggregateStage(windows, PartitionView({}, 0), SpikeParams(min_reports=1, reports_per_contact=1.7),
                           retain_days=182)
    stage.handle(contact("2024-01-03"), now=NOW)
    stage.handle({**contact("2024-01-03", source="b.example"), "article_id": "copy",
                  "copy_of": "art-2024-01-03-phone-0"}, now=NOW, extra_source=True)
    assert stage.counts.feed() == {"contacts": 1, "article_ids": 2, "sources": 2}
    plain, table = new_stage()
    plain.handle(contact("2024-01-03"), now=NOW)
    assert plain.counts.feed()["contacts"] == 0 and not any("~feed" in k for k in table)


def test_a_record_seen_again_after_its_day_was_evaluated_evaluates_nothing():
    """A crash can persist a batch's state (its evaluations included) but not the marks saying
    its records were applied: they come again, and must not make the pair due on another day."""
    stage, table = new_stage()
    steady_history(stage)
    c = contact(day("2024-01-01", 90))
    put(stage, c)
    outs = flush(stage, day("2024-01-01", 100))
    clock = stage.alerts.episodes.get("IRN-OMN|*")["clock"]
    asof = table["0|~asof"]
    assert asof["days"] == [] and asof["done"] == day("2024-01-01", 90)
    assert put(stage, c) == [] and table["0|~asof"] == asof   # the same record, redelivered
    assert flush(stage, day("2024-01-01", 200)) == [] and outs == []
    assert stage.alerts.episodes.get("IRN-OMN|*")["clock"] == clock
