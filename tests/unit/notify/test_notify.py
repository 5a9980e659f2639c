"""streams.notify's pure parts: the Slack-compatible text and payload, the retry policy, the ledger;
and the command's input checks."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import jsonschema
import orjson
import pytest

from streams.commands.notify import NotifyError, check_webhook, parse_headers
from streams.notify.deliver import idempotency_key
from streams.notify.ledger import Ledger, LedgerBusy
from streams.notify.policy import RetryPolicy, Verdict, classify, parse_retry_after
from streams.notify.text import EVIDENCE_CHARS, payload, slack_escape, slack_text, top_evidence

from tests.paths import ROOT
ALERT_SCHEMA = json.loads((ROOT / "schemas" / "alert.schema.json").read_text())


def alert(**over) -> dict:
    a = {
        "alert_id": "JOR-USA|gaza|2023-10-15#0", "episode_id": "JOR-USA|gaza|2023-10-15",
        "status": "new", "pair": ["JOR", "USA"], "topic": "gaza",
        "window_start": "2023-10-09", "window_end": "2023-10-15", "observed": 5, "expected": 1.234,
        "history": {"contacts": 12, "days": 84}, "p_value": 0.0001, "score": 4.0,
        "threshold": {"alpha": 0.01, "min_count": 3, "min_ratio": 2.0}, "method": "negbin-tail",
        "generated_at": "2023-10-15T10:00:00+00:00",
        "evidence": [
            {"contact_key": "k1", "date": "2023-10-11", "mode": "visit",
             "evidence": "King Abdullah received Blinken in Amman.", "article_ids": ["a1"],
             "urls": ["https://petra.gov.jo/1"], "sources": ["petra.gov.jo"]},
            {"contact_key": "k2", "date": "2023-10-14", "mode": "phone",
             "evidence": "الصفدي يتلقى اتصالا من بلينكن", "article_ids": ["a2"],
             "urls": ["https://alghad.com/2"], "sources": ["alghad.com", "petra.gov.jo"]},
        ],
    }
    a.update(over)
    jsonschema.validate(a, ALERT_SCHEMA)
    return a


# --- text ---------------------------------------------------------------------------------------

def test_slack_text_is_one_readable_line():
    t = slack_text(alert())
    assert "\n" not in t
    assert t.startswith("diplowatch new spike: JOR-USA, topic gaza, 2023-10-09 to 2023-10-15: "
                        "5 distinct contacts vs 1.23 expected (score 4.0)")
    # the top evidence is the most recent contact, with its sources and link
    assert ('Top evidence (2023-10-14, phone): "الصفدي يتلقى اتصالا من بلينكن" '
            '(alghad.com, petra.gov.jo) https://alghad.com/2 [+1 more]') in t
    assert "Blinken in Amman" not in t


def test_slack_text_update_all_topics_and_singular():
    a = alert(alert_id="EGY-QAT|*|2023-10-16#3", episode_id="EGY-QAT|*|2023-10-16", status="update",
              pair=["EGY", "QAT"], topic="*", observed=1, evidence=[])
    t = slack_text(a)
    assert t.startswith("diplowatch spike update #3: EGY-QAT, all topics, ")
    assert ": 1 distinct contact vs " in t and "Top evidence" not in t


def test_slack_text_escapes_control_characters_and_cuts_long_evidence():
    long = "<b>Tom & Jerry</b> " + "word " * 200
    a = alert(evidence=[{"contact_key": "k", "date": "2023-10-15", "mode": "visit", "evidence": long,
                         "article_ids": [], "urls": [], "sources": []}])
    t = slack_text(a)
    assert "<" not in t and ">" not in t
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in t
    quoted = t.split('"')[1]
    assert quoted.endswith("…") and len(quoted) < EVIDENCE_CHARS + 40   # escapes lengthen it a bit
    assert slack_escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_slack_text_tolerates_missing_fields():
    t = slack_text({"alert_id": "x", "status": None})
    assert t.startswith("diplowatch alert (unknown status): ?, all topics, ? to ?: ? distinct contacts")


def test_top_evidence_latest_first_listed_on_ties():
    ev = [{"date": "2023-10-12", "evidence": "a"}, {"date": "2023-10-14", "evidence": "b"},
          {"date": "2023-10-14", "evidence": "c"}]
    assert top_evidence({"evidence": ev})["evidence"] == "b"
    assert top_evidence({"evidence": []}) is None


def test_payload_carries_the_alert_and_delivery():
    a = alert()
    p = payload(a, delivery={"attempt": 2, "possible_duplicate": False})
    assert p["text"] == slack_text(a)
    assert p["alert"] == a and p["alert_id"] == a["alert_id"] and p["pair"] == "JOR-USA"
    assert p["status"] == "new" and p["topic"] == "gaza" and p["delivery"]["attempt"] == 2
    orjson.dumps(p)   # serialisable as sent
    assert payload(a, delivery={}, text_only=True) == {"text": slack_text(a)}


def webhook_validator() -> jsonschema.protocols.Validator:
    from referencing import Registry, Resource

    schema = json.loads((ROOT / "schemas" / "webhook.schema.json").read_text())
    registry = Registry().with_resource(ALERT_SCHEMA["$id"], Resource.from_contents(ALERT_SCHEMA))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def test_payload_matches_its_schema():
    v = webhook_validator()
    delivery = {"idempotency_key": "k", "possible_duplicate": False, "attempt": 1, "topic": "alerts",
                "partition": 0, "offset": 3, "sent_at": "2026-01-01T00:00:00+00:00"}
    p = payload(alert(), delivery=delivery)
    v.validate(p)
    v.validate(payload(alert(), delivery=delivery, text_only=True))
    # the schema is real: the alert inside is checked against alert.schema.json
    bad = orjson.loads(orjson.dumps(p))
    bad["alert"]["pair"] = ["JOR"]
    assert list(v.iter_errors(bad))
    del p["delivery"]
    assert list(v.iter_errors(p))


def test_idempotency_key_is_the_alert_id_in_header_safe_form():
    assert idempotency_key("JOR-USA|gaza|2023-10-15#0") == "JOR-USA|gaza|2023-10-15#0"
    assert idempotency_key("IRN-SAU|*|2016-01-05#2") == "IRN-SAU|*|2016-01-05#2"
    k = idempotency_key("IRN-SAU|غزة|2016-01-05#0")
    assert k.isascii() and " " not in k and k.startswith("IRN-SAU|%")


# --- retry policy ----------------------------------------------------------------------------------

@pytest.mark.parametrize("status,verdict", [
    (200, Verdict.DELIVERED), (201, Verdict.DELIVERED), (204, Verdict.DELIVERED),
    (None, Verdict.RETRY), (500, Verdict.RETRY), (502, Verdict.RETRY), (503, Verdict.RETRY),
    (504, Verdict.RETRY), (408, Verdict.RETRY), (425, Verdict.RETRY), (429, Verdict.RETRY),
    (400, Verdict.REJECT), (401, Verdict.REJECT), (403, Verdict.REJECT), (404, Verdict.REJECT),
    (410, Verdict.REJECT), (413, Verdict.REJECT), (422, Verdict.REJECT),
    (301, Verdict.REJECT), (302, Verdict.REJECT), (307, Verdict.REJECT),
])
def test_classify(status, verdict):
    assert classify(status) is verdict


def test_backoff_doubles_and_is_capped():
    p = RetryPolicy(base=1.0, factor=2.0, cap=60.0, jitter=0.0)
    assert [p.delay(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert p.delay(10_000) == 60          # no overflow on a long outage


def test_backoff_jitter_stays_within_bounds_and_cap():
    p = RetryPolicy(base=1.0, cap=10.0, jitter=0.1)
    rng = random.Random(7)
    for n in range(1, 12):
        exp = min(10.0, 2.0 ** (n - 1))
        for _ in range(50):
            d = p.delay(n, rand=rng.random)
            assert exp * 0.9 - 1e-9 <= d <= min(10.0, exp * 1.1) + 1e-9
    assert p.delay(1, rand=lambda: 0.0) == pytest.approx(0.9)
    assert p.delay(1, rand=lambda: 1.0) == pytest.approx(1.1)


def test_retry_after_is_a_lower_bound_but_still_capped():
    p = RetryPolicy(base=1.0, cap=30.0, jitter=0.0)
    assert p.delay(1, retry_after=5.0) == 5.0
    assert p.delay(4, retry_after=2.0) == 8.0          # backoff already longer
    assert p.delay(1, retry_after=3600.0) == 30.0      # a receiver cannot park the notifier


def test_parse_retry_after_seconds_and_http_date():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None


def test_max_attempts_bounds_retries():
    assert not RetryPolicy(max_attempts=0).gives_up(10_000)     # 0: keep retrying (capped waits)
    p = RetryPolicy(max_attempts=3)
    assert [p.gives_up(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize("kw", [dict(base=0), dict(factor=0.5), dict(base=5, cap=1),
                                dict(max_attempts=-1), dict(jitter=1.0)])
def test_bad_policies_refused(kw):
    with pytest.raises(ValueError):
        RetryPolicy(**kw)


# --- ledger -------------------------------------------------------------------------------------------

def test_ledger_survives_reopen_and_knows_possibly_sent(tmp_path):
    path = tmp_path / "sub" / "ledger.jsonl"
    with Ledger(path) as led:
        led.record("a#0", "sending", partition=0, offset=0)
        led.record("a#0", "delivered", http=200, attempts=2)
        led.record("a#1", "sending", partition=0, offset=1)
        led.record("b#0", "sending", partition=1, offset=0)
        led.record("b#0", "failed", reason="HTTP 400")
    with Ledger(path) as led:
        assert led.done("a#0") and led.state("a#0") == "delivered"
        assert not led.done("a#1") and led.possibly_sent("a#1")
        assert led.done("b#0") and not led.possibly_sent("b#0")
        assert led.state("c#0") is None and not led.done("c#0") and not led.possibly_sent("c#0")
    # compaction on open: one line per id, its last state
    lines = [orjson.loads(x) for x in path.read_bytes().splitlines()]
    assert [(r["id"], r["state"]) for r in lines] == [("a#0", "delivered"), ("a#1", "sending"),
                                                     ("b#0", "failed")]


def test_ledger_unsent_is_possibly_received_only_after_an_unanswered_attempt(tmp_path):
    with Ledger(tmp_path / "l.jsonl") as led:
        led.record("a#0", "sending")
        led.record("a#0", "unsent", maybe_received=False, reason="HTTP 400")   # a definite no
        led.record("b#0", "sending")
        led.record("b#0", "unsent", maybe_received=True)                       # a timeout before
    with Ledger(tmp_path / "l.jsonl") as led:
        assert not led.done("a#0") and not led.possibly_sent("a#0")
        assert not led.done("b#0") and led.possibly_sent("b#0")


def test_ledger_ignores_a_torn_last_line(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b'{"id": "a#0", "state": "delivered"}\n{"id": "a#1", "sta')
    with Ledger(path) as led:
        assert led.done("a#0") and led.state("a#1") is None and led.ignored_lines == 1
        led.record("a#1", "delivered")
    with Ledger(path) as led:
        assert led.done("a#1") and led.ignored_lines == 0


def test_ledger_keeps_the_newest_ids(tmp_path):
    path = tmp_path / "ledger.jsonl"
    with Ledger(path, remember=3) as led:
        for i in range(5):
            led.record(f"x#{i}", "delivered")
        led.record("x#1", "delivered")        # touched again: now among the newest
    with Ledger(path, remember=3) as led:
        assert sorted(led.states) == ["x#1", "x#3", "x#4"]
    assert len(path.read_bytes().splitlines()) == 3


def test_ledger_is_exclusive(tmp_path):
    path = tmp_path / "ledger.jsonl"
    with Ledger(path):
        with pytest.raises(LedgerBusy):
            Ledger(path).open()
    with Ledger(path):      # released on close
        pass


# --- command input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://hooks.slack.com/services/T0/B0/xyz",
                                 "http://127.0.0.1:8080/hook", "http://[::1]:9/x"])
def test_good_webhooks(url):
    assert check_webhook(url) == url


@pytest.mark.parametrize("url", [None, "", "hooks.slack.com/x", "ftp://host/x", "http://",
                                 "http://host:99999/x", "http://host:0/x", "file:///etc/passwd"])
def test_bad_webhooks(url):
    with pytest.raises(NotifyError) as e:
        check_webhook(url)
    assert e.value.code == 2 and "\n" not in str(e.value)


def test_headers():
    assert parse_headers(["Authorization: Bearer a:b", "X-Team:ops"]) == {
        "Authorization": "Bearer a:b", "X-Team": "ops"}
    for bad in ("NoColon", ": value", "Bad Name: v"):
        with pytest.raises(NotifyError):
            parse_headers([bad])
