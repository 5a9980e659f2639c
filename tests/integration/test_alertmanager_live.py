"""Prometheus -> Alertmanager -> webhook, all real and on 127.0.0.1: Prometheus (the deploy config's
alerting section and rules) scrapes diplowatch_spike_active from this process's metrics registry,
the DiplowatchSpike rule fires, and Alertmanager (deploy/alertmanager/alertmanager.yml with its
placeholder URLs pointed at a local aiohttp receiver, waits shortened) posts one notification per
pair and topic, then "resolved" when the episode's series goes."""
from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from streams import metrics

from tests.paths import ROOT
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager") \
    or "/usr/bin/prometheus-alertmanager"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fresh_topic_labels():
    saved = set(metrics._topic.seen)
    metrics._topic.seen.clear()
    yield
    metrics.set_active_spikes([])
    metrics._topic.seen.clear()
    metrics._topic.seen.update(saved)


async def test_spike_rule_reaches_a_webhook_through_alertmanager(tmp_path, fresh_topic_labels):
    for binary in (PROMETHEUS, ALERTMANAGER):
        assert Path(binary).exists(), f"{binary} missing: run scripts/install-system-deps.sh"

    # the webhook receiver
    posts: list[dict] = []

    async def hook(request: web.Request) -> web.Response:
        posts.append({"path": request.path, "body": await request.json()})
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/{who}", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    rx_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", rx_port).start()

    # this process's /metrics: the real catalogue, spikes set through the real helper
    exporter_port = free_port()
    server = metrics.serve_metrics(exporter_port, addr="127.0.0.1")
    metrics.set_active_spikes([("JOR-USA", "gaza", 6, 4.2), (("QAT", "EGY"), "*", 3, 2.0)])

    # Alertmanager: the deploy config, placeholders pointed here, waits shortened for a test
    am_cfg = yaml.safe_load((ROOT / "deploy" / "alertmanager" / "alertmanager.yml").read_text())
    for r in am_cfg["receivers"]:
        r["webhook_configs"][0]["url"] = f"http://127.0.0.1:{rx_port}/{r['name']}"
    for route in (am_cfg["route"], *am_cfg["route"]["routes"]):
        route.update(group_wait="1s", group_interval="1s")
    (tmp_path / "am.yml").write_text(yaml.safe_dump(am_cfg))
    am_port = free_port()
    am_log = open(tmp_path / "alertmanager.log", "wb")
    am = subprocess.Popen([ALERTMANAGER, f"--config.file={tmp_path / 'am.yml'}",
                           f"--storage.path={tmp_path / 'am-data'}",
                           f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=",
                           "--log.level=warn"], stdout=am_log, stderr=subprocess.STDOUT)

    # Prometheus: the deploy config's rules and alerting section, targets pointed here
    prom_cfg = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    prom_cfg["global"].update(scrape_interval="1s", evaluation_interval="1s", scrape_timeout="900ms")
    prom_cfg["rule_files"] = [str(ROOT / "deploy" / "prometheus" / r) for r in prom_cfg["rule_files"]]
    prom_cfg["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] = [f"127.0.0.1:{am_port}"]
    prom_cfg["scrape_configs"] = [{"job_name": "diplowatch-worker",
                                   "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]}]
    (tmp_path / "prometheus.yml").write_text(json.dumps(prom_cfg))
    prom_log = open(tmp_path / "prometheus.log", "wb")
    prom = subprocess.Popen([PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}",
                             f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{free_port()}", "--log.level=warn"],
                            stdout=prom_log, stderr=subprocess.STDOUT)

    def alerts(status: str) -> dict[tuple[str, str], dict]:
        out = {}
        for p in posts:
            for a in p["body"]["alerts"]:
                if a["status"] == status and a["labels"].get("alertname") == "DiplowatchSpike":
                    out[(a["labels"]["pair"], a["labels"]["topic"])] = {**a, "_path": p["path"],
                                                                        "_group": p["body"]["groupLabels"]}
        return out

    async def until(pred, what: str, timeout: float = 60.0) -> None:
        for _ in range(int(timeout / 0.2)):
            if pred():
                return
            for proc, log in ((am, "alertmanager.log"), (prom, "prometheus.log")):
                assert proc.poll() is None, f"{log}:\n{(tmp_path / log).read_text()}"
            await asyncio.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; posts: {posts}\n"
                             f"{(tmp_path / 'alertmanager.log').read_text()}\n"
                             f"{(tmp_path / 'prometheus.log').read_text()}")

    try:
        await until(lambda: set(alerts("firing")) == {("JOR-USA", "gaza"), ("EGY-QAT", "all")},
                    "one firing notification per pair and topic")
        firing = alerts("firing")
        jor = firing[("JOR-USA", "gaza")]
        assert jor["_path"] == "/analysts-webhook"
        assert jor["_group"] == {"alertname": "DiplowatchSpike", "pair": "JOR-USA", "topic": "gaza"}
        assert jor["annotations"]["summary"] == "spike in diplomatic contacts: JOR-USA, topic gaza"
        assert jor["annotations"]["description"].startswith("6 distinct contacts")
        assert firing[("EGY-QAT", "all")]["annotations"]["summary"].endswith("EGY-QAT, all topics")
        # each notification is one group: one pair and topic
        assert all(len({(a["labels"]["pair"], a["labels"]["topic"]) for a in p["body"]["alerts"]}) == 1
                   for p in posts if p["path"] == "/analysts-webhook")

        # the JOR-USA episode ends: its series goes, Alertmanager sends "resolved" for it only
        metrics.set_active_spikes([(("QAT", "EGY"), "*", 3, 2.0)])
        await until(lambda: ("JOR-USA", "gaza") in alerts("resolved"), "JOR-USA resolved")
        assert ("EGY-QAT", "all") not in alerts("resolved")
    finally:
        for proc in (prom, am):
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        server.shutdown()
        await runner.cleanup()
