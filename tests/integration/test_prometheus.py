"""A real Prometheus scrapes a real worker that processes real articles: the catalogue's series
exist and move, the alerting rules evaluate without errors, and every Grafana panel's PromQL parses
and returns data through Prometheus's HTTP API."""
from __future__ import annotations

import json
import math
import re

from tests.integration.live_worker import BAD_REASONS, JOB, ROOT, live_stack  # noqa: F401 (fixture)

DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "diplowatch.json"


def test_counters_move_from_zero_to_the_input(live_stack):
    s = live_stack
    # up to a step past t_done: the range's points fall on whole steps from its start, so a range
    # ending at t_done can stop up to a second before the scrape the instant query at t_done saw
    series = s.query_range("sum(diplowatch_articles_in_total)", s.t_start - 2, s.t_done + 1, 1)
    values = [float(v) for _, v in series[0]["values"]]
    assert values[0] == 0 and values[-1] == s.sent
    assert all(b >= a for a, b in zip(values, values[1:])), "a counter went backwards"
    assert s.value("sum(diplowatch_articles_processed_total)") > s.sent / 2
    assert s.value("sum(diplowatch_contacts_extracted_total)") > 0
    # the three bad lines, each under its reason code
    for reason, n in BAD_REASONS.items():
        assert s.value(f'sum(diplowatch_dead_letters_total{{reason="{reason}"}})') == n, reason
    # duplicates in the dev corpus (it has groups of copies)
    assert s.value("sum(diplowatch_duplicates_total)") > 0


def test_histograms_gauges_and_info(live_stack):
    s = live_stack
    for stage in ("validate", "dedupe", "extract", "aggregate"):
        n = s.value(f'sum(diplowatch_stage_latency_seconds_count{{stage="{stage}"}})')
        assert n and n > 0, stage
    assert s.value("sum(diplowatch_stage_latency_seconds_count{stage=\"validate\"})") == s.sent
    assert s.value("sum(diplowatch_end_to_end_latency_seconds_count)") > 0
    assert s.value("sum(diplowatch_event_lag_seconds_count)") > 0
    pairs = s.query("diplowatch_pair_contacts_week")
    assert 0 < len(pairs) <= 20
    assert all(re.fullmatch(r"[A-Z]{3}-[A-Z]{3}", p["metric"]["pair"]) for p in pairs)
    lag = s.query("diplowatch_consumer_lag_messages")
    topics = {p["metric"]["topic"] for p in lag}
    assert f"{s.app_id}-articles" in topics
    # everything was processed: nothing left uncommitted on the input topic
    s.wait("lag on the input topic back to 0",
           lambda: s.value(f'sum(diplowatch_consumer_lag_messages{{topic="{s.app_id}-articles"}})') == 0,
           timeout=20)
    tables = {p["metric"]["table"] for p in s.query("diplowatch_table_entries")}
    assert {"windows", "fingerprints"} <= tables
    assert s.query(f'diplowatch_build_info{{job="{JOB}"}}')[0]["metric"]["version"]
    assert s.value("process_resident_memory_bytes") > 0


def test_alerting_rules_evaluate_on_real_series(live_stack):
    s = live_stack
    assert len(s.rules()) >= 6
    s.wait("every rule evaluated",
           lambda: all(r.get("lastEvaluation", "").startswith("20") for r in s.rules()), timeout=10)
    rules = s.rules()
    bad = [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"]
    assert not bad
    # a healthy worker that just processed articles is not "down"
    assert "DiplowatchWorkerDown" not in {r["name"] for r in rules if r.get("state") == "firing"}
    # running spike episodes the pipeline's detector holds surface as Prometheus alerts, one per
    # pair and topic
    spikes = {(r["metric"]["pair"], r["metric"]["topic"]) for r in s.query("diplowatch_spike_active > 0")}
    if spikes:
        def firing():
            return {(a["labels"]["pair"], a["labels"]["topic"]) for r in s.rules()
                    if r["name"] == "DiplowatchSpike"
                    for a in r.get("alerts", []) if a["state"] == "firing"}
        s.wait("DiplowatchSpike for every running episode", lambda: firing() == spikes, timeout=15)


def grafana_queries() -> list[tuple[str, str]]:
    dash = json.loads(DASHBOARD.read_text())
    out = []
    for panel in dash["panels"]:
        for t in panel["targets"]:
            out.append((panel["title"], t["expr"]))
    return out


def to_promql(expr: str) -> str:
    """Grafana's variables as Grafana would expand them for this Prometheus (1 s scrapes)."""
    return (expr.replace("$__rate_interval", "60s").replace("$__interval", "5s")
            .replace("$job", JOB))


def test_every_grafana_panel_query_returns_data(live_stack):
    s = live_stack
    queries = grafana_queries()
    assert len(queries) >= 15
    problems = []
    for title, expr in queries:
        promql = to_promql(expr)
        assert "$" not in promql, promql
        # evaluated when the corpus had just gone through: the rate windows still hold its traffic
        result = s.query(promql, at=s.t_ready)
        if not result:
            problems.append(f"{title}: no data for {promql}")
            continue
        finite = [float(r["value"][1]) for r in result if math.isfinite(float(r["value"][1]))]
        if not finite:
            problems.append(f"{title}: only NaN/Inf for {promql}: {result}")
    assert not problems, "\n".join(problems)
