"""deploy/prometheus: promtool validates the config and rules and runs the rule unit tests; every
alerting rule must have a test where it fires and one where it does not."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT
PROM = ROOT / "deploy" / "prometheus"
RULES = PROM / "rules" / "diplowatch.rules.yml"
RULE_TESTS = PROM / "rules" / "diplowatch.rules.test.yml"

PROMTOOL = shutil.which("promtool") or ("/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None)
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool not installed: run scripts/install-system-deps.sh (Debian package 'prometheus')")


def promtool(*args: str, cwd: Path = PROM) -> str:
    r = subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"promtool {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout + r.stderr


@needs_promtool
def test_promtool_check_config():
    out = promtool("check", "config", "prometheus.yml")
    assert "SUCCESS" in out and "1 rule files found" in out  # the glob really picks up the rules


@needs_promtool
def test_promtool_check_rules():
    assert "SUCCESS" in promtool("check", "rules", str(RULES))


@needs_promtool
def test_promtool_test_rules():
    assert "SUCCESS" in promtool("test", "rules", RULE_TESTS.name, cwd=RULE_TESTS.parent)


def alert_names() -> set[str]:
    doc = yaml.safe_load(RULES.read_text())
    return {r["alert"] for g in doc["groups"] for r in g["rules"] if "alert" in r}


def test_every_alert_tested_firing_and_quiet():
    tests = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    firing: set[str] = set()
    quiet: set[str] = set()
    for t in tests:
        for case in t.get("alert_rule_test", []):
            (firing if case.get("exp_alerts") else quiet).add(case["alertname"])
    names = alert_names()
    assert {"DiplowatchWorkerDown", "DiplowatchConsumerLagGrowing", "DiplowatchDeadLetterRateHigh",
            "DiplowatchNoArticles", "DiplowatchSpike"} <= names
    assert names - firing == set(), "alerts never shown firing"
    assert names - quiet == set(), "alerts never shown quiet"


def test_rules_use_only_catalogued_metrics():
    """A rule on a misspelt metric would never fire; every diplowatch_* name must exist."""
    import re

    from prometheus_client.metrics import MetricWrapperBase

    from streams import metrics

    known = set()
    for v in vars(metrics).values():
        if isinstance(v, MetricWrapperBase):
            known.add(v._name)
            known.update({v._name + s for s in ("_total", "_bucket", "_sum", "_count")})
    used = set(re.findall(r"diplowatch_[a-z0-9_]+", RULES.read_text()))
    assert used and used <= known, used - known


def test_scrape_targets_match_compose_workers():
    cfg = yaml.safe_load((PROM / "prometheus.yml").read_text())
    job = next(j for j in cfg["scrape_configs"] if j["job_name"] == "diplowatch-worker")
    targets = {t for sc in job["static_configs"] for t in sc["targets"]}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    workers = {name for name, svc in compose["services"].items()
               if svc.get("command") == ["worker"]}
    assert len(workers) == 2
    port = compose["x-worker"]["environment"]["DIPLOWATCH_WEB_PORT"]
    assert targets == {f"{w}:{port}" for w in workers}
