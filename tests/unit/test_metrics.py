"""The metrics catalogue: naming rules, bounded labels, helpers, exposition, and docs in step."""
from __future__ import annotations

import asyncio
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams import metrics as m

from tests.paths import ROOT


def families() -> dict[str, object]:
    body, ctype = m.render_metrics()
    assert ctype.startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(body.decode())}


def ours() -> list:
    """Every metric object the module defines."""
    from prometheus_client.metrics import MetricWrapperBase
    found = [v for v in vars(m).values() if isinstance(v, MetricWrapperBase)]
    assert len(found) >= 15
    return found


def test_names_follow_conventions():
    fams = families()
    names = [n for n in fams if n.startswith("diplowatch_")]
    assert len(names) >= 15
    for name in names:
        f = fams[name]
        assert re.fullmatch(r"diplowatch_[a-z0-9_]+", name)
        if f.type == "counter":  # the parser strips _total from the family name; samples keep it
            assert all(s.name == name + "_total" for s in f.samples), name
        if f.type == "histogram":
            assert name.endswith("_seconds"), name
    # process and platform collectors are on the same registry
    assert "process_cpu_seconds" in fams and "python_info" in fams


def test_required_catalogue_present():
    fams = families()
    required = {
        "diplowatch_articles_in": "counter", "diplowatch_articles_processed": "counter",
        "diplowatch_duplicates": "counter", "diplowatch_dead_letters": "counter",
        "diplowatch_contacts_extracted": "counter", "diplowatch_alerts": "counter",
        "diplowatch_stage_latency_seconds": "histogram", "diplowatch_end_to_end_latency_seconds": "histogram",
        "diplowatch_event_lag_seconds": "histogram", "diplowatch_consumer_lag_messages": "gauge",
        "diplowatch_table_entries": "gauge", "diplowatch_extractor_errors": "counter",
        "diplowatch_pair_contacts_week": "gauge", "diplowatch_build_info": "gauge",
    }
    for name, typ in required.items():
        assert name in fams, name
        assert fams[name].type == typ, name


def test_no_unbounded_label_names():
    forbidden = {"id", "article", "article_id", "url", "text", "evidence", "source", "title"}
    for c in ours():
        assert not forbidden & set(c._labelnames), c._name


def test_closed_sets_precreated_and_unknowns_folded():
    fams = families()
    reasons = {s.labels["reason"] for s in fams["diplowatch_dead_letters"].samples}
    assert reasons == set(m.DEAD_LETTER_REASONS)
    stages = {s.labels["stage"] for s in fams["diplowatch_stage_latency_seconds"].samples}
    assert stages == set(m.STAGES)
    before = m.sample("diplowatch_dead_letters_total", {"reason": "other"})
    assert m.dead_letter("article 12345 was weird") == "other"
    assert m.dead_letter(m.DL_SCHEMA) == "schema"
    assert m.sample("diplowatch_dead_letters_total", {"reason": "other"}) == before + 1
    with pytest.raises(ValueError):
        m.duplicate("fuzzy")
    with pytest.raises(ValueError):
        m.observe_stage("parse")


def test_topic_labels_capped():
    for i in range(m.MAX_TOPICS + 25):
        m.contact_extracted("phone", [f"topic_{i}"])
    m.contact_extracted("telepathy", ["Free Text With Spaces"])
    m.contact_extracted(None, [["not", "hashable"]])   # garbage from a bad record: folded, no crash
    assert m.dead_letter(None) == "other"
    topics = {s.labels["topic"] for s in families()["diplowatch_contacts_extracted"].samples}
    modes = {s.labels["mode"] for s in families()["diplowatch_contacts_extracted"].samples}
    assert len(topics) <= m.MAX_TOPICS + 2  # the capped tokens plus "none" and "other"
    assert "other" in topics and "Free Text With Spaces" not in topics
    assert modes <= set(m.MODES) | {"other"}


def test_contact_counted_once_under_primary_topic():
    before = m.snapshot()["contacts"]
    m.contact_extracted("visit", ["nuclear", "trade"])
    m.contact_extracted("visit", [])
    assert m.snapshot()["contacts"] == before + 2
    assert m.sample("diplowatch_contacts_extracted_total", {"mode": "visit", "topic": "none"}) >= 1


def test_pair_gauge_keeps_top_n_only():
    codes = [f"{a}{b}{c}" for a in "ABC" for b in "DEF" for c in "GHI"]  # 27 codes
    counts = {(codes[i], codes[i + 1]): i for i in range(len(codes) - 1)}
    counts["not a pair"] = 99
    top = m.set_pair_counts(counts)
    assert len(top) == m.TOP_PAIRS
    series = {s.labels["pair"]: s.value for s in families()["diplowatch_pair_contacts_week"].samples}
    assert len(series) == m.TOP_PAIRS
    assert max(series.values()) == len(codes) - 2
    # a new update replaces the label set entirely
    m.set_pair_counts({"USA-IRN": 4, ("RUS", "TUR"): 7})
    series = {s.labels["pair"]: s.value for s in families()["diplowatch_pair_contacts_week"].samples}
    assert series == {"IRN-USA": 4.0, "RUS-TUR": 7.0}
    assert m.pair_label(["usa", "irn"]) == "IRN-USA"
    with pytest.raises(ValueError):
        m.pair_label("IRAN-USA")


def test_consumer_lag_replaced_on_update():
    m.set_consumer_lag({("articles", 0): 5, ("articles", 1): 2})
    m.set_consumer_lag({("articles", 1): 3, ("bad topic!", 0): 9})
    lag = m.snapshot()["consumer_lag"]
    assert lag == {("articles", 1): 3.0}


def test_observe_stage_context_and_decorators():
    def count(stage):
        return m.sample("diplowatch_stage_latency_seconds_count", {"stage": stage})

    c0 = count("extract")
    with m.observe_stage("extract"):
        pass
    with pytest.raises(RuntimeError):
        with m.observe_stage("extract"):
            raise RuntimeError("timed anyway")
    assert count("extract") == c0 + 2

    @m.observe_stage("aggregate")
    def f(x):
        return x * 2

    @m.observe_stage("alert")
    async def g(x):
        await asyncio.sleep(0.01)
        return x + 1

    a0, l0 = count("aggregate"), count("alert")
    s0 = m.sample("diplowatch_stage_latency_seconds_sum", {"stage": "alert"})
    assert f(2) == 4 and asyncio.run(g(1)) == 2
    assert count("aggregate") == a0 + 1 and count("alert") == l0 + 1
    assert m.sample("diplowatch_stage_latency_seconds_sum", {"stage": "alert"}) - s0 >= 0.009


def test_histogram_buckets_span_required_ranges():
    assert m.STAGE_BUCKETS[0] <= 1e-5 and m.STAGE_BUCKETS[-1] >= 10
    assert m.EVENT_LAG_BUCKETS[0] <= 3600 and m.EVENT_LAG_BUCKETS[-1] >= 180 * 86400
    assert list(m.STAGE_BUCKETS) == sorted(m.STAGE_BUCKETS)
    m.observe_event_lag(-5)  # future-dated event: clamped, not an error
    m.observe_end_to_end(0.02)


def test_snapshot_counts_move():
    s0 = m.snapshot()
    m.article_in(3)
    m.article_processed()
    m.duplicate("near")
    m.alert_emitted("gaza", "new")
    m.alert_emitted("*", "update")
    assert m.sample("diplowatch_alerts_total", {"topic": "all", "status": "update"}) >= 1
    s1 = m.snapshot()
    assert s1["articles_in"] == s0["articles_in"] + 3
    assert s1["articles_processed"] == s0["articles_processed"] + 1
    assert s1["duplicates"]["near"] == s0["duplicates"]["near"] + 1
    assert s1["alerts"] == s0["alerts"] + 2
    assert s1["last_article"] > 0


def test_openmetrics_negotiation():
    body, ctype = m.render_metrics("application/openmetrics-text; version=1.0.0")
    assert ctype.startswith("application/openmetrics-text") and body.rstrip().endswith(b"# EOF")


def test_serve_metrics_http():
    import urllib.request
    server = m.serve_metrics(0, "127.0.0.1")
    try:
        port = server.server_port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            assert b"diplowatch_build_info" in r.read()
    finally:
        server.shutdown()
        server.server_close()


def test_docs_list_every_metric():
    doc = (ROOT / "docs" / "metrics.md").read_text()
    for c in ours():
        assert f"`{c._name}" in doc, f"{c._name} missing from docs/metrics.md"
    for reason in m.DEAD_LETTER_REASONS:
        assert f"`{reason}`" in doc, reason


def test_hyphenated_topic_names_are_labels_of_their_own():
    """iran-nuclear, yemen-red-sea (streams/knowledge/topics.tsv) keep their names as labels."""
    closed = m._Closed((m.NONE, m.ALL), m._TOKEN, 5)
    assert [closed(t) for t in ("iran-nuclear", "yemen-red-sea", "gaza", "Bad Topic")] == [
        "iran-nuclear", "yemen-red-sea", "gaza", "other"]
