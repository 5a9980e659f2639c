"""deploy/alertmanager: amtool validates the config and its routing tree; the spike alerts are
grouped by the labels the DiplowatchSpike rule carries; Prometheus and docker-compose.yml point at
the same Alertmanager; the webhook URLs are the documented placeholders."""
from __future__ import annotations

import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT
AM = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
RULES = ROOT / "deploy" / "prometheus" / "rules" / "diplowatch.rules.yml"
CONFIG = yaml.safe_load(AM.read_text())
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

AMTOOL = shutil.which("amtool") or ("/usr/bin/amtool" if Path("/usr/bin/amtool").exists() else None)
needs_amtool = pytest.mark.skipif(
    AMTOOL is None, reason="amtool not installed: run scripts/install-system-deps.sh "
                           "(Debian package 'prometheus-alertmanager')")


def amtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([AMTOOL, *args], capture_output=True, text=True, timeout=60)


def rules() -> dict[str, dict]:
    doc = yaml.safe_load(RULES.read_text())
    return {r["alert"]: r for g in doc["groups"] for r in g["rules"] if "alert" in r}


@needs_amtool
def test_amtool_check_config():
    r = amtool("check-config", str(AM))
    assert r.returncode == 0 and "SUCCESS" in r.stdout, r.stdout + r.stderr


@needs_amtool
def test_amtool_rejects_a_broken_config(tmp_path):
    """The check is real: a route to a receiver that does not exist fails."""
    bad = yaml.safe_load(AM.read_text())
    bad["route"]["routes"][0]["receiver"] = "nobody"
    path = tmp_path / "am.yml"
    path.write_text(yaml.safe_dump(bad))
    r = amtool("check-config", str(path))
    assert r.returncode != 0 and "nobody" in (r.stdout + r.stderr)


def route_of(*labels: str) -> str:
    r = amtool("config", "routes", "test", f"--config.file={AM}", *labels)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@needs_amtool
def test_spikes_go_to_the_analysts_and_everything_else_to_ops():
    assert route_of("alertname=DiplowatchSpike", "pair=JOR-USA", "topic=gaza",
                    "severity=info") == "analysts-webhook"
    for name in set(rules()) - {"DiplowatchSpike"}:
        assert route_of(f"alertname={name}", "severity=warning") == "ops-webhook", name


def test_spike_notifications_are_per_pair_and_topic():
    """The spike route groups by exactly the labels the rule produces, so one notification names
    one pair and one topic (a label the rule lacks would merge every spike into one group)."""
    spike = rules()["DiplowatchSpike"]
    by = set(re.search(r"by \(([^)]*)\)", spike["expr"]).group(1).replace(" ", "").split(","))
    assert by == {"pair", "topic"}
    route = next(r for r in CONFIG["route"]["routes"] if r["receiver"] == "analysts-webhook")
    assert set(route["group_by"]) == {"alertname"} | by
    assert "{{ $labels.pair }}" in spike["annotations"]["summary"]


def test_receivers_send_resolved_and_urls_are_placeholders():
    receivers = {r["name"]: r for r in CONFIG["receivers"]}
    assert set(receivers) == {"ops-webhook", "analysts-webhook"}
    for r in receivers.values():
        (hook,) = r["webhook_configs"]
        assert hook["send_resolved"] is True
        # RFC 2606 .invalid: an unedited file can never post alerts to a real host
        assert urllib.parse.urlsplit(hook["url"]).hostname.endswith(".invalid"), hook["url"]
    assert "PLACEHOLDER" in AM.read_text()


def test_prometheus_sends_to_the_compose_alertmanager():
    prom = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = [t for am in prom["alerting"]["alertmanagers"] for sc in am["static_configs"]
               for t in sc["targets"]]
    svc = COMPOSE["services"]["alertmanager"]
    container_ports = {p.split(":")[-1] for p in svc["ports"]}
    assert targets == ["alertmanager:9093"] and "9093" in container_ports
    assert svc["image"].startswith("prom/alertmanager:v0.")
    mounts = dict(v.split(":")[:2] for v in svc["volumes"] if v.startswith("./"))
    assert mounts["./deploy/alertmanager"] == "/etc/alertmanager"
    assert f"--config.file=/etc/alertmanager/{AM.name}" in svc["command"]
    assert "alertmanager" in COMPOSE["services"]["prometheus"]["depends_on"]
