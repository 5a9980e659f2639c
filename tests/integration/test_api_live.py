"""The API (/api/v1/, streams/api) on two live workers of one app that share the partitions, fed the
seed articles, the burst stream (tests/fixtures/README.md: three steady pairs with 17 weekly calls,
JOR-USA with 6 calls and then a burst of 6 Gaza calls) and the development corpus:

- both workers answer for every pair, identically: the one that does not hold the pair's partition
  forwards to the one that does (``served_by``), for pairs on both partitions;
- the counts agree with the fixture and with the detector's own figures on the alerts topic (an
  alert's ``observed`` is the sum of the API's daily counts over its window), the contacts behind
  them are the alert's evidence, with their sources (the repost's outlet included);
- the alerts of a pair or a period, from the alerts topic, on both workers;
- the ``counts`` command against a worker: CSV and JSON lines, and its one-line errors;
- schemathesis against the worker's own OpenAPI document: every operation, generated valid and
  invalid requests, no 500 and every answer as documented.
"""
from __future__ import annotations

import json
import os
from datetime import date
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, settings

from streams.api.query import partition_of
from streams.detection.counts import PairCounts

from tests.corpus import CORPUS

from .harness import FIXTURES, ROOT, Worker, free_port, jsonl, pipeline_settings, send_lines, wait_for

pytestmark = pytest.mark.timeout(300)

STEADY = ("EGY-SAU", "IRN-IRQ", "QAT-USA")   # 17 weekly calls each, 2023-07-03 .. 2023-10-29
# the 2023 stream before the seeds (one of which is of 2025) in each input partition: a day's
# alerts are decided once every input partition's stamp has passed it (docs/pipeline.md), on the
# contacts stamped by then; a seed of 2025 before them would stamp its partition's burst articles 2025
BURST = jsonl(FIXTURES / "burst_stream.jsonl")
SEEDS = jsonl(CORPUS / "seeds.jsonl")
STREAM = BURST + SEEDS
DEV = jsonl(CORPUS / "dev.jsonl")
LINES = STREAM + DEV
BURST_DAYS = [f"2023-10-{d}" for d in range(15, 21)]


def get(url: str, path: str, **params) -> tuple[int, dict]:
    q = urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(f"{url}{path}?{q}", timeout=15) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def stack(kafka_bootstrap, tmp_path_factory):
    """Two workers sharing the partitions, everything processed and the alerts read by both."""
    tmp = tmp_path_factory.mktemp("api")
    # a short session: the last test kills a worker and waits for the other to take its partitions;
    # heartbeats every 2 s move the watermark bound past paths with nothing more to send
    s = pipeline_settings(kafka_bootstrap, "api", expire_interval_seconds=2, retain_days=20000,
                          spike_min_reports=1, session_timeout_seconds=12)
    s2 = type(s).from_env(s.to_env(), web_port=free_port())
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    a, b = Worker(s, tmp / "a"), Worker(s2, tmp / "b")
    try:
        a.start()
        b.start()
        contacts = {f"{s.topic_contacts}:{i}" for i in range(s.partitions)}

        def split():
            ca, cb = a.counts(), b.counts()
            if not (ca["ready"] and cb["ready"]):
                return None
            sa, sb = set(ca["assigned"]) & contacts, set(cb["assigned"]) & contacts
            return (sa, sb) if sa and sb and not sa & sb else None
        wait_for(split, 120, "both workers holding one contacts partition each")
        # the burst first, and the real articles of the development corpus only once its alerts
        # are out (the figures below are the burst's)
        # the 2023 burst and the 2025 seeds in one send: each input partition gets its articles
        # in the file's order, burst first, and every record is stamped with its own input
        # partition's newest day, so how dedupe interleaves the two partitions changes nothing
        # (docs/pipeline.md, "Event-time watermark")
        send_lines(s, STREAM, tmp)
        seen = {}

        def alerts_read():   # both JOR-USA episodes grown to the six burst calls, on both workers
            for w in (a, b):
                _, body = seen[w.url] = get(w.url, "/api/v1/alerts", pair="JOR-USA")
                tops = {e["topic"]: e["observed"] for e in body["episodes"]}
                if not body["source"]["caught_up"] or tops.get("*") != 6 or tops.get("gaza") != 6:
                    return None
            return True
        try:
            wait_for(alerts_read, 120, "the JOR-USA alerts read by both workers", interval=1.0)
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {seen}") from None
        send_lines(s, DEV, tmp)

        def done():
            ca, cb = a.counts(), b.counts()
            return (ca["in"] + cb["in"] == len(LINES) and ca["in_flight"] + cb["in_flight"] == 0
                    and ca["ready"] and cb["ready"])
        wait_for(done, 120, "every article accounted for over both workers")
        # the aggregate stage reads the contacts after extract has accounted for their articles:
        # wait until its distinct contacts stop moving (five polls a second apart)
        last = []

        def counted():
            last.append(a.counts()["contacts_distinct"] + b.counts()["contacts_distinct"])
            return len(last) >= 5 and len(set(last[-5:])) == 1 and last[-1] > 0
        wait_for(counted, 120, "the distinct contacts counted by both workers settled", interval=1.0)
        yield a, b, s
    finally:
        rc = [w.stop() for w in (b, a)]
        assert all(code == 0 or getattr(w, "killed", False) for code, w in zip(rc, (b, a))), (
            rc, a.log_tail(), b.log_tail())


def test_any_worker_answers_for_every_pair(stack):
    a, b, s = stack
    pairs = ["JOR-USA", *STEADY]
    assert {partition_of(p, s.partitions) for p in pairs} == set(range(s.partitions))
    for pair in pairs:
        ra = get(a.url, "/api/v1/counts", pair=pair, **{"from": "2023-07-01", "to": "2023-10-31"})
        rb = get(b.url, "/api/v1/counts", pair=pair, **{"from": "2023-07-01", "to": "2023-10-31"})
        assert ra[0] == rb[0] == 200, (ra, rb)
        assert ra[1] == rb[1], f"{pair}: the two workers answer differently"
        assert ra[1]["served_by"] in (a.url, b.url) and ra[1]["partition"] == partition_of(pair, s.partitions)
        # the pair asked in the other order is the same pair
        assert get(b.url, "/api/v1/counts", pair="-".join(reversed(pair.split("-"))),
                   **{"from": "2023-07-01", "to": "2023-10-31"})[1] == ra[1]
    served = {get(a.url, "/api/v1/counts", pair=p, **{"from": "2023-10-01", "to": "2023-10-01"})[1]["served_by"]
              for p in pairs}
    assert served == {a.url, b.url}, "pairs on both partitions: each worker forwarded some requests"
    # the contacts of a pair, too
    ca = get(a.url, "/api/v1/contacts", pair="IRN-IRQ", **{"from": "2023-07-01", "to": "2023-10-31"})
    cb = get(b.url, "/api/v1/contacts", pair="IRN-IRQ", **{"from": "2023-07-01", "to": "2023-10-31"})
    assert ca == cb and ca[0] == 200


def offline_counts(tmp_path, lines: list[bytes]) -> PairCounts:
    """The same articles through ``python -m streams extract`` and PairCounts, with no Kafka: the
    counts the pipeline should hold (the contact key is idempotent, so the copies the pipeline
    drops add nothing here either)."""
    src = tmp_path / "articles.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    r = subprocess.run([sys.executable, "-m", "streams", "extract", "--input", str(src)], cwd=ROOT,
                       capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    counts = PairCounts({})
    for line in r.stdout.splitlines():
        c = json.loads(line)
        counts.add(c, published_at=c.get("published_at"))
    return counts


def test_counts_are_what_the_articles_hold_and_what_the_detector_saw(stack, tmp_path):
    a, b, _ = stack
    offline = offline_counts(tmp_path, LINES)
    for pair in ("JOR-USA", *STEADY):
        for topic in ("*", "gaza"):
            status, body = get(b.url, "/api/v1/counts", pair=pair, topic=topic, granularity="day",
                               **{"from": "2023-07-01", "to": "2023-10-31"})
            assert status == 200, body
            want = offline.daily_counts(pair, topic, "2023-07-01", "2023-10-31")
            assert [bk["count"] for bk in body["buckets"]] == want, (pair, topic)
        # (expiry passes run with the heartbeats: 20,000 days behind 2025 is before every article)
        kept = body["retention"]["retained_from"]
        assert (kept is None or kept < "1980-01-01") and body["retention"]["retain_days"] == 20000
    for pair in STEADY:   # about a call a week (tests/fixtures/README.md)
        _, weekly = get(a.url, "/api/v1/counts", pair=pair, **{"from": "2023-07-03", "to": "2023-10-29"})
        assert 17 <= weekly["total"] <= 18 and len(weekly["buckets"]) == 17
        assert sum(bk["count"] for bk in weekly["buckets"]) == weekly["total"]
    _, episodes = get(a.url, "/api/v1/alerts", pair="JOR-USA")
    for ep in episodes["episodes"]:
        _, days = get(a.url, "/api/v1/counts", pair="JOR-USA", topic=ep["topic"], granularity="day",
                      **{"from": ep["window_start"], "to": ep["window_end"]})
        assert days["total"] == ep["observed"] == 6, (ep, days)
        assert [bk["start"] for bk in days["buckets"] if bk["count"]] == BURST_DAYS
    _, weekly = get(b.url, "/api/v1/counts", pair="JOR-USA", topic="gaza",
                    **{"from": "2023-10-09", "to": "2023-10-22"})
    # 2023-10-15 is a Sunday (ISO week 41), the 16th to the 20th are in week 42
    assert [(bk["week"], bk["count"]) for bk in weekly["buckets"]] == [("2023-W41", 1), ("2023-W42", 5)]


def test_contacts_behind_a_count_are_the_alerts_evidence(stack):
    a, b, _ = stack
    _, alerts = get(b.url, "/api/v1/alerts", pair="USA-JOR", topic="gaza", evidence="true")
    (ep,) = alerts["episodes"]
    keys = sorted(e["contact_key"] for e in ep["evidence"])

    def with_repost():
        _, body = get(a.url, "/api/v1/contacts", pair="JOR-USA", topic="gaza",
                      **{"from": ep["window_start"], "to": ep["window_end"]})
        return body if any("jordantimes.com" in c["sources"] for c in body["contacts"]) else None
    body = wait_for(with_repost, 30, "the repost's outlet among a contact's sources")
    assert body["count"] == 6 and not body["truncated"]
    assert sorted(c["contact_key"] for c in body["contacts"]) == keys
    assert [c["day"] for c in body["contacts"]] == BURST_DAYS
    for c in body["contacts"]:
        assert c["mode"] == "phone" and c["evidence"] and c["sources"] and c["urls"] and c["article_ids"]
        assert "gaza" in c["topics"]


def test_alerts_of_a_pair_and_of_a_period(stack):
    a, b, _ = stack
    _, everything = get(a.url, "/api/v1/alerts")
    assert everything == get(b.url, "/api/v1/alerts")[1]
    assert {(e["pair"], e["topic"]) for e in everything["episodes"]} >= {("JOR-USA", "*"), ("JOR-USA", "gaza")}
    _, october = get(a.url, "/api/v1/alerts", **{"from": "2023-10-01", "to": "2023-10-31"})
    assert {e["episode_id"] for e in october["episodes"]} >= {
        e["episode_id"] for e in everything["episodes"] if e["pair"] == "JOR-USA"}
    assert get(a.url, "/api/v1/alerts", **{"from": "2023-08-01", "to": "2023-08-31"})[1]["episodes"] == [
        e for e in everything["episodes"] if e["first_window_start"] <= "2023-08-31" and e["window_end"] >= "2023-08-01"]
    assert get(a.url, "/api/v1/alerts", pair="EGY-SAU")[1]["episodes"] == []
    assert [e["topic"] for e in get(b.url, "/api/v1/alerts", pair="JOR-USA", topic="*")[1]["episodes"]] == ["*"]
    for e in everything["episodes"]:
        assert e["alerts"] >= 1 and "evidence" not in e


@pytest.mark.parametrize("params, says", [
    ({"pair": "JOR_USA", "from": "2023-10-01", "to": "2023-10-31"}, "does not match"),
    ({"pair": "ZZZ-USA", "from": "2023-10-01", "to": "2023-10-31"}, "ZZZ is not an ISO 3166-1"),
    ({"pair": "JOR-USA", "from": "2023-10-31", "to": "2023-10-01"}, "is after"),
    ({"pair": "JOR-USA", "from": "2023-10-01", "to": "2023-10-31", "topic": "mars"}, "not one of"),
    ({"pair": "JOR-USA", "from": "2023-10-01"}, "missing parameter 'to'"),
])
def test_bad_parameters_get_400_with_a_message_from_either_worker(stack, params, says):
    a, b, _ = stack
    for w in (a, b):
        status, body = get(w.url, "/api/v1/counts", **params)
        assert status == 400 and body["status"] == 400 and says in body["error"], body


# -- the counts command ------------------------------------------------------------------------------
def counts_cmd(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams", "counts", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if not k.startswith("DIPLOWATCH_")})


def test_counts_command_csv_and_jsonl(stack):
    a, b, _ = stack
    r = counts_cmd("--pair", "JOR-USA", "--from", "2023-10-01", "--to", "2023-10-31", "--url", b.url)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "pair,topic,week,start,end,count,days,days_retained"
    _, api = get(a.url, "/api/v1/counts", pair="JOR-USA", **{"from": "2023-10-01", "to": "2023-10-31"})
    assert lines[1:] == [f"JOR-USA,*,{bk['week']},{bk['start']},{bk['end']},{bk['count']},{bk['days']},"
                         f"{bk['days_retained']}" for bk in api["buckets"]]
    assert "JOR-USA * 2023-10-01..2023-10-31" in r.stderr and f"served by {api['served_by']}" in r.stderr
    r = counts_cmd("--pair", "USA-JOR", "--from", "2023-10-14", "--to", "2023-10-21", "--topic", "gaza",
                   "--granularity", "day", "--format", "jsonl", "--url", a.url)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(x["start"], x["count"]) for x in rows] == [("2023-10-14", 0)] + [(d, 1) for d in BURST_DAYS] + [
        ("2023-10-21", 0)]
    assert all(x["pair"] == "JOR-USA" and x["topic"] == "gaza"
               and (x["retained_from"] is None or x["retained_from"] < "1980-01-01") for x in rows)


def test_counts_command_one_line_errors(stack):
    a, _, _ = stack
    cases = [
        (["--pair", "JORUSA", "--from", "2023-10-01", "--to", "2023-10-31", "--url", a.url], 2,
         "counts: --pair 'JORUSA' is not two country codes"),
        (["--pair", "JOR-USA", "--from", "2023-10-31", "--to", "2023-10-01", "--url", a.url], 2,
         "counts: --from 2023-10-31 is after --to 2023-10-01"),
        (["--pair", "ZZZ-USA", "--from", "2023-10-01", "--to", "2023-10-31", "--url", a.url], 2,
         "counts: pair 'ZZZ-USA': ZZZ is not an ISO 3166-1 alpha-3 country code"),
        (["--pair", "JOR-USA", "--from", "2023-10-01", "--to", "2023-10-31", "--topic", "mars", "--url", a.url], 2,
         "counts: parameter topic='mars': not one of *"),
        (["--pair", "JOR-USA", "--from", "2023-10-01", "--to", "2023-10-31", "--url",
          f"http://127.0.0.1:{free_port()}"], 1, "counts: no worker at http://127.0.0.1:"),
    ]
    for args, code, says in cases:
        r = counts_cmd(*args)
        assert r.returncode == code and r.stdout == "", (args, r)
        assert r.stderr.startswith(says) and r.stderr.count("\n") == 1, (args, r.stderr)


# -- schemathesis --------------------------------------------------------------------------------------
def fuzz(strategy, calls: dict, label: tuple[str, str], examples: int = 40) -> None:
    """Send ``examples`` cases drawn from ``strategy`` and validate each answer (Hypothesis
    shrinks and raises the first failure); ``calls`` counts the answers by label and status."""
    from hypothesis import given

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        response = case.call_and_validate(additional_checks=[semantic_rejections_say_why])
        key = (*label, response.status_code)
        calls[key] = calls.get(key, 0) + 1
    run()


# Rules the document's schemas cannot state: a request valid by the schemas may still be refused
# with 400 for exactly these (and then the check below insists the message says which)
SEMANTIC_400 = ("is after", "in one request", "is not an ISO 3166-1 alpha-3", "two different countries")


def test_api_conforms_to_its_openapi_document(stack):
    """schemathesis on every operation of the document the worker serves: generated requests, valid
    (positive) and invalid (negative) by its schemas, sent to one worker (which forwards the pairs
    whose partition the other holds): never a
    5xx, every answer as the document says (status, content type, schema), invalid requests
    refused, valid ones accepted or refused only for a rule the schemas cannot state. The
    document's own examples are sent too.

    Valid requests drawn from the schemas alone would almost never name two real countries and a
    range of at most a year: the document's formats get strategies that often do (country pairs
    of ISO codes; days mostly around the data, sometimes anywhere in 0001..9999).

    Hypothesis drives schemathesis's strategies directly: its pytest loader for a schema that
    comes from a fixture (schemathesis.pytest.from_fixture) relies on a pytest internal that
    pytest 9.2 removed (``Node._nodeid``)."""
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.config import SchemathesisConfig

    _, b, _ = stack
    import pycountry
    from hypothesis import strategies as st
    codes = sorted(c.alpha_3 for c in pycountry.countries)
    pair = st.one_of(st.sampled_from(["JOR-USA", "USA-JOR", *STEADY]),
                     st.tuples(st.sampled_from(codes), st.sampled_from(codes)).map("-".join))
    day = st.one_of(st.dates(date(2023, 6, 1), date(2024, 1, 31)), st.dates()).map(date.isoformat)
    schemathesis.openapi.format("country-pair", pair)
    schemathesis.openapi.format("date", day)
    config = SchemathesisConfig.from_dict({
        # the 400s of rules the schemas cannot state; semantic_rejections_say_why checks their message
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400"]}},
    })
    schema = schemathesis.openapi.from_url(f"{b.url}/api/v1/openapi.json", config=config)
    operations = [r.ok() for r in schema.get_all_operations()]
    # (schemathesis leaves out the operation that served the document it loaded)
    assert sorted(op.label for op in operations) == [
        "GET /api/v1/alerts", "GET /api/v1/contacts", "GET /api/v1/counts", "GET /api/v1/topics"]
    calls = {}
    for op in operations:
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if op.query else [])
        for mode in modes:
            strategy = op.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE:
                strategy = st.one_of(strategy, *op.get_strategies_from_examples())

            fuzz(strategy, calls, (op.label, mode.value))
    # and every value of every enum once, in a valid request (random draws may miss a combination)
    by_label = {op.label: op for op in operations}
    topics = schema.raw_schema["components"]["schemas"]["Topic"]["enum"]
    assert topics[0] == "*" and "gaza" in topics
    for topic in topics:
        for granularity in ("week", "day"):
            case = by_label["GET /api/v1/counts"].Case(query={
                "pair": "USA-JOR", "from": "2023-10-01", "to": "2023-10-31", "topic": topic,
                "granularity": granularity})
            assert case.call_and_validate().status_code == 200
        case = by_label["GET /api/v1/contacts"].Case(query={
            "pair": "JOR-USA", "from": "2023-10-01", "to": "2023-10-31", "topic": topic, "limit": 3})
        assert case.call_and_validate().status_code == 200
        for evidence in ("true", "false"):
            case = by_label["GET /api/v1/alerts"].Case(query={"topic": topic, "evidence": evidence})
            assert case.call_and_validate().status_code == 200
    # the answers the run saw: real answers (200) for the pair operations, not only refusals
    for label in ("GET /api/v1/counts", "GET /api/v1/contacts", "GET /api/v1/alerts"):
        assert calls.get((label, "positive", 200)), (label, calls)
        assert calls.get((label, "negative", 400)), (label, calls)
    assert not [k for k in calls if k[2] >= 500], calls


def semantic_rejections_say_why(ctx, response, case):
    """A 400 for a request the schemas accept names one of the rules they cannot state."""
    meta = case.meta
    if response.status_code == 400 and meta is not None and meta.generation.mode.is_positive:
        error = response.json()["error"]
        if not any(s in error for s in SEMANTIC_400):
            raise AssertionError(f"a valid request refused with 400: {error}")
    return None


def test_a_killed_workers_pairs_are_answered_by_the_other(stack):
    """SIGKILL the worker holding JOR-USA's partition: until the other has taken the partition
    over and recovered its table, it answers 502 or 503 with a JSON message (never 500, never a
    wrong count); then 200 with the same counts as before the kill. Runs last in the module."""
    a, b, _ = stack
    params = {"pair": "JOR-USA", "from": "2023-07-01", "to": "2023-10-31", "granularity": "day"}
    status, before = get(a.url, "/api/v1/counts", **params)
    assert status == 200
    holder, other = (a, b) if before["served_by"] == a.url else (b, a)
    holder.killed = True
    holder.proc.kill()
    holder.proc.wait(10)
    seen: dict[int, int] = {}

    def answered():
        status, body = get(other.url, "/api/v1/counts", **params)
        seen[status] = seen.get(status, 0) + 1
        if status == 200:
            return body
        assert status in (502, 503) and body["status"] == status and body["error"], (status, body)
        return None
    after = wait_for(answered, 120, "the other worker answering for JOR-USA itself", interval=0.5)
    assert after["served_by"] == other.url
    assert {k: v for k, v in after.items() if k != "served_by"} == {
        k: v for k, v in before.items() if k != "served_by"}
    assert seen.get(502) or seen.get(503), seen   # the window between the kill and the takeover
