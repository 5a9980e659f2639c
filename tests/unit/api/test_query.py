"""streams.api.query: parameters checked against the OpenAPI document, counts and contacts read from a
windows-table layout written by the real counting code (PairCounts over a PartitionView), the
partition that holds a pair, and the worker that holds a partition."""
from __future__ import annotations

import json

import pytest

from streams.api import query
from streams.api.query import BadRequest
from streams.detection.counts import PairCounts
from streams.pipeline.tables import PartitionView

TOPICS = ["gaza", "sudan", "ukraine"]


@pytest.fixture(scope="module")
def doc():
    return query.document(TOPICS)


def contact(day: str, *, countries=("USA", "JOR"), mode="phone", topics=(), source="petra.gov.jo",
            aid="a1", evidence="The King received a phone call from the President.") -> dict:
    return {"article_id": aid, "countries": list(countries), "mode": mode, "date": day,
            "date_precision": "day", "topics": list(topics), "evidence": evidence,
            "confidence": 0.9, "source": source, "url": f"https://{source}/{aid}",
            "actors": [], "published_at": day}


def windows_with(contacts: list[dict], partition: int) -> dict:
    table: dict = {}
    counts = PairCounts(PartitionView(table, partition))
    for c in contacts:
        counts.add(c, published_at=c["published_at"], seen_at=c["published_at"] + "T00:00:00Z")
    return table


# -- the document and parameters -----------------------------------------------------------------
def test_document_has_the_loaded_topics_and_is_json(doc):
    assert doc["components"]["schemas"]["Topic"]["enum"] == ["*", "gaza", "sudan", "ukraine"]
    json.dumps(doc)
    assert set(doc["paths"]) >= {"/api/v1/counts", "/api/v1/contacts", "/api/v1/alerts",
                                 "/api/v1/topics", "/api/v1/openapi.json"}


def test_document_is_a_valid_openapi_3_document(doc):
    """schemathesis (the suite's OpenAPI tool) loads it and finds every operation in it."""
    import schemathesis
    schema = schemathesis.openapi.from_dict(doc)
    labels = sorted(r.ok().label for r in schema.get_all_operations())
    assert labels == ["GET /api/v1/alerts", "GET /api/v1/contacts", "GET /api/v1/counts",
                      "GET /api/v1/openapi.json", "GET /api/v1/topics"]


def test_parse_fills_defaults_and_types(doc):
    op = query.Operation(doc, "/api/v1/counts")
    got = op.parse([("pair", "JOR-USA"), ("from", "2023-10-01"), ("to", "2023-12-31")])
    assert got == {"pair": "JOR-USA", "from": "2023-10-01", "to": "2023-12-31", "topic": "*",
                   "granularity": "week"}
    op = query.Operation(doc, "/api/v1/contacts")
    got = op.parse([("pair", "JOR-USA"), ("from", "2023-10-01"), ("to", "2023-10-02"), ("limit", "7")])
    assert got["limit"] == 7
    op = query.Operation(doc, "/api/v1/alerts")
    assert op.parse([("evidence", "true")])["evidence"] is True
    assert op.parse([])["pair"] is None


@pytest.mark.parametrize("items, says", [
    ([("from", "2023-10-01"), ("to", "2023-12-31")], "missing parameter 'pair'"),
    ([("pair", "JOR_USA"), ("from", "2023-10-01"), ("to", "2023-12-31")], "does not match"),
    ([("pair", "jor-usa"), ("from", "2023-10-01"), ("to", "2023-12-31")], "does not match"),
    ([("pair", "JOR-USA"), ("from", "2023-02-30"), ("to", "2023-12-31")], "not a calendar day"),
    ([("pair", "JOR-USA"), ("from", "20231001"), ("to", "2023-12-31")], "from="),
    ([("pair", "JOR-USA"), ("from", "2023-10-01"), ("to", "2023-12-31"), ("topic", "mars")],
     "not one of *, gaza, sudan, ukraine"),
    ([("pair", "JOR-USA"), ("from", "2023-10-01"), ("to", "2023-12-31"), ("granularity", "month")],
     "not one of week, day"),
    ([("pair", "JOR-USA"), ("from", "2023-10-01"), ("to", "2023-12-31"), ("form", "x")],
     "unknown parameter 'form'"),
    ([("pair", "JOR-USA"), ("pair", "IRN-SAU"), ("from", "2023-10-01"), ("to", "2023-12-31")],
     "more than once"),
])
def test_bad_parameters_say_which_and_why(doc, items, says):
    with pytest.raises(BadRequest) as exc:
        query.Operation(doc, "/api/v1/counts").parse(items)
    assert says in str(exc.value)


def test_bad_integer_and_boolean(doc):
    contacts = query.Operation(doc, "/api/v1/contacts")
    base = [("pair", "JOR-USA"), ("from", "2023-10-01"), ("to", "2023-10-02")]
    with pytest.raises(BadRequest, match="not an integer"):
        contacts.parse(base + [("limit", "ten")])
    with pytest.raises(BadRequest, match="at most 5000"):
        contacts.parse(base + [("limit", "5001")])
    with pytest.raises(BadRequest, match="not a boolean"):
        query.Operation(doc, "/api/v1/alerts").parse([("evidence", "maybe")])


def test_pair_is_canonical_and_checked():
    assert query.pair_of("USA-JOR") == "JOR-USA"
    assert query.pair_of("JOR-USA") == "JOR-USA"
    with pytest.raises(BadRequest, match="ZZZ is not an ISO 3166-1 alpha-3"):
        query.pair_of("ZZZ-USA")
    with pytest.raises(BadRequest, match="two different countries"):
        query.pair_of("USA-USA")


def test_ranges():
    with pytest.raises(BadRequest, match="after"):
        query.day_range("2023-12-31", "2023-10-01")
    with pytest.raises(BadRequest, match="at most 366"):
        query.day_range("2023-01-01", "2024-12-31", query.MAX_CONTACT_DAYS)
    assert query.day_range(None, None) == (None, None)


# -- routing ----------------------------------------------------------------------------------------
def test_partition_is_the_producers_default_partitioner():
    from aiokafka.partitioner import DefaultPartitioner
    parts = list(range(4))
    for pair in ("JOR-USA", "IRN-SAU", "QAT-SAU", "EGY-ISR", "RUS-UKR"):
        assert query.partition_of(pair, 4) == DefaultPartitioner()(pair.encode(), parts, parts)
    assert {query.partition_of(p, 2) for p in ("JOR-USA", "IRN-SAU", "QAT-SAU", "EGY-ISR")} == {0, 1}


def test_owner_of_reads_the_assignors_table_metadata():
    meta = {"http://127.0.0.1:7001": {"app-windows-changelog": [0, 2]},
            "http://127.0.0.1:7002": {"app-windows-changelog": [1, 3], "other": [0]}}
    assert query.owner_of(meta, "app-windows-changelog", 3) == "http://127.0.0.1:7002"
    assert query.owner_of(meta, "app-windows-changelog", 2) == "http://127.0.0.1:7001"
    assert query.owner_of(meta, "app-windows-changelog", 5) is None


# -- counts -------------------------------------------------------------------------------------------
def test_weekly_and_daily_counts_from_the_counting_codes_table():
    # 2023-10-02 is a Monday; three distinct contacts in its week, one the next week (a contact is
    # pair, day and channel: a phone call and a visit on one day are two)
    cs = [contact("2023-10-02", aid="a1"), contact("2023-10-04", aid="a2", mode="visit",
                                                 topics=["gaza"], evidence="The minister visited Amman."),
          contact("2023-10-04", aid="a3", countries=("JOR", "USA"), mode="phone",
                  evidence="They met in Cairo."),
          contact("2023-10-10", aid="a4", topics=["gaza"]),
          contact("2023-10-04", aid="a5", countries=("IRN", "SAU"))]   # another pair
    w = windows_with(cs, partition=1)
    got = query.counts(w, 1, "JOR-USA", "*", "2023-10-01", "2023-10-15", "week", 182)
    assert [(b["week"], b["start"], b["end"], b["count"], b["days"]) for b in got["buckets"]] == [
        ("2023-W39", "2023-10-01", "2023-10-01", 0, 1),
        ("2023-W40", "2023-10-02", "2023-10-08", 3, 7),
        ("2023-W41", "2023-10-09", "2023-10-15", 1, 7)]
    assert got["total"] == 4 and got["pair"] == "JOR-USA"
    assert got["countries"] == [{"code": "JOR", "name": "Jordan"}, {"code": "USA", "name": "United States"}]
    assert got["retention"] == {"retain_days": 182, "retained_from": None, "latest_day": None,
                                "coverage_from": None}
    gaza = query.counts(w, 1, "JOR-USA", "gaza", "2023-10-01", "2023-10-15", "day", 182)
    assert [(b["start"], b["count"]) for b in gaza["buckets"] if b["count"]] == [
        ("2023-10-04", 1), ("2023-10-10", 1)]
    assert len(gaza["buckets"]) == 15 and "week" not in gaza["buckets"][0]
    # the same table read as another partition holds nothing for the pair
    assert query.counts(w, 0, "JOR-USA", "*", "2023-10-01", "2023-10-15", "week", 182)["total"] == 0


def test_counts_say_what_is_no_longer_kept():
    w = windows_with([contact("2023-10-02"), contact("2023-10-10", aid="a2")], partition=0)
    w["0|~expired"] = "2023-10-04"      # the aggregate stage dropped the days before it
    w["0|watermark"] = "2024-04-03"
    w["0|coverage"] = "2023-10-02"
    del w["0|JOR-USA|*|2023-10-02"]
    got = query.counts(w, 0, "JOR-USA", "*", "2023-10-01", "2023-10-15", "week", 182)
    assert got["retention"]["retained_from"] == "2023-10-04"
    assert got["retention"]["latest_day"] == "2024-04-03"
    assert [(b["count"], b["days"], b["days_retained"]) for b in got["buckets"]] == [
        (None, 1, 0), (0, 7, 5), (1, 7, 7)]
    assert got["total"] == 1


def test_weeks_at_the_ends_of_the_calendar_do_not_overflow():
    got = query.counts({}, 0, "JOR-USA", "*", "9999-12-25", "9999-12-31", "week", 182)
    assert got["buckets"][-1]["end"] == "9999-12-31"
    got = query.counts({}, 0, "JOR-USA", "*", "0001-01-01", "0001-01-09", "week", 182)
    assert [b["week"] for b in got["buckets"]] == ["0001-W01", "0001-W02"]


def test_counts_range_is_bounded():
    with pytest.raises(BadRequest, match="at most 3660"):
        query.counts({}, 0, "JOR-USA", "*", "2000-01-01", "2020-01-01", "day", 182)


# -- contacts ---------------------------------------------------------------------------------------
def test_contacts_with_evidence_and_sources():
    c1 = contact("2023-10-04", aid="a2", mode="visit", topics=["gaza"], evidence="The minister visited Amman.")
    w = windows_with([c1, contact("2023-10-02")], partition=1)
    # a copy of the visit reported by a second outlet (the pipeline's path for a syndicated copy)
    counts = PairCounts(PartitionView(w, 1))
    key = next(iter(w["1|JOR-USA|*|2023-10-04"]))
    assert counts.add_source(key, source="jordantimes.com", url="https://jordantimes.com/x", article_id="b7")
    got = query.contacts(w, 1, "JOR-USA", "gaza", "2023-10-01", "2023-10-31", 500, 182)
    assert got["count"] == 1 and not got["truncated"]
    (only,) = got["contacts"]
    assert only["day"] == "2023-10-04" and only["mode"] == "visit" and only["topics"] == ["gaza"]
    assert only["evidence"] == "The minister visited Amman."
    assert only["sources"] == ["petra.gov.jo", "jordantimes.com"]
    assert only["article_ids"] == ["a2", "b7"] and len(only["urls"]) == 2
    every = query.contacts(w, 1, "JOR-USA", "*", "2023-10-01", "2023-10-31", 1, 182)
    assert every["count"] == 2 and every["truncated"] and len(every["contacts"]) == 1
    assert every["contacts"][0]["day"] == "2023-10-02"   # oldest first


def json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` becomes a null alternative."""
    if isinstance(node, list):
        return [json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: json_schema(v) for k, v in node.items() if k not in ("nullable", "example")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def check_schema(doc, name, value):
    import jsonschema
    schema = json_schema({**doc["components"]["schemas"][name], "components": doc["components"]})
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(value)


def test_answers_match_the_openapi_schemas(doc):
    """What counts and contacts return validates against the document's response schemas."""
    w = windows_with([contact("2023-10-04"), contact("2023-10-05", aid="x", topics=["gaza"])], 0)
    w["0|~expired"] = "2023-10-05"

    def check(name, value):
        check_schema(doc, name, value)

    for gran in ("week", "day"):
        body = query.counts(w, 0, "JOR-USA", "*", "2023-10-01", "2023-10-31", gran, 182)
        check("Counts", {**body, "served_by": "http://127.0.0.1:1"})
    body = query.contacts(w, 0, "JOR-USA", "*", "2023-10-01", "2023-10-31", 10, 182)
    check("Contacts", {**body, "served_by": "http://127.0.0.1:1"})


def test_web_url_is_what_other_workers_forward_to():
    import socket

    from streams.app import web_url
    from streams.settings import Settings
    assert web_url(Settings.from_env({}, web_port=7001)) == "http://127.0.0.1:7001"
    assert web_url(Settings.from_env({"DIPLOWATCH_WEB_URL": "http://worker-2:6066/"})) == "http://worker-2:6066"
    wild = web_url(Settings.from_env({"DIPLOWATCH_WEB_HOST": "0.0.0.0"}))
    assert wild == f"http://{socket.gethostbyname(socket.gethostname())}:6066"
    with pytest.raises(ValueError, match="WEB_URL must be an http"):
        Settings.from_env({"DIPLOWATCH_WEB_URL": "worker-2:6066"})
