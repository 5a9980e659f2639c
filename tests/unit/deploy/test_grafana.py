"""deploy/grafana: provisioning points at the dashboard, every panel queries the provisioned
Prometheus datasource with catalogued metric names, and the required views are present.
(tests/integration/test_prometheus.py runs every panel's PromQL against a real Prometheus.)"""
from __future__ import annotations

import json
import re

import yaml

from tests.paths import ROOT
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = json.loads((GRAFANA / "dashboards" / "diplowatch.json").read_text())


def panel_exprs(dashboard: dict) -> list[tuple[str, str]]:
    out = []
    for p in dashboard["panels"]:
        for t in p.get("targets", []):
            out.append((p["title"], t["expr"]))
    return out


def test_provisioning_files():
    ds = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())
    assert ds["apiVersion"] == 1
    (source,) = ds["datasources"]
    assert source["type"] == "prometheus" and source["isDefault"]
    prov = yaml.safe_load((GRAFANA / "provisioning/dashboards/diplowatch.yml").read_text())
    assert prov["providers"][0]["type"] == "file"
    # every panel and the template variable use the provisioned datasource by uid
    uids = {p["datasource"]["uid"] for p in DASHBOARD["panels"]}
    uids |= {t["datasource"]["uid"] for p in DASHBOARD["panels"] for t in p["targets"]}
    uids |= {v["datasource"]["uid"] for v in DASHBOARD["templating"]["list"]}
    assert uids == {source["uid"]}


def test_dashboard_shape():
    assert DASHBOARD["uid"] == "diplowatch"
    ids = [p["id"] for p in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
    # no two panels overlap on the 24-column grid
    cells: set[tuple[int, int]] = set()
    for p in DASHBOARD["panels"]:
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & mine, p["title"]
        cells |= mine
        assert p["targets"] and all(t["expr"].strip() for t in p["targets"])


def test_required_views_present():
    exprs = " ".join(e for _, e in panel_exprs(DASHBOARD))
    for needle in ("diplowatch_articles_in_total", "diplowatch_articles_processed_total",
                   "diplowatch_duplicates_total", "diplowatch_consumer_lag_messages",
                   "sum by (reason) (rate(diplowatch_dead_letters_total",
                   "histogram_quantile(0.5, sum by (le, stage)", "histogram_quantile(0.99, sum by (le, stage)",
                   "sum by (mode) (rate(diplowatch_contacts_extracted_total",
                   "diplowatch_pair_contacts_week", "diplowatch_alerts_total"):
        assert needle in exprs, needle


def test_panels_use_catalogued_metrics():
    from prometheus_client.metrics import MetricWrapperBase

    from streams import metrics

    known = set()
    for v in vars(metrics).values():
        if isinstance(v, MetricWrapperBase):
            known |= {v._name + s for s in ("", "_total", "_bucket", "_sum", "_count")}
    used = {m for _, e in panel_exprs(DASHBOARD) for m in re.findall(r"diplowatch_[a-z0-9_]+", e)}
    assert used and used <= known, used - known
