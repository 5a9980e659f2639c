"""Every Kafka client of the project over SASL_SSL, against the project's own broker started with a
SASL_SSL listener (streams.devkafka.BrokerSecurity: certificates made with the JDK's keytool at test
time, SCRAM users created when the storage is formatted): the worker processes articles end to end,
replay and alerts connect with each mechanism, and a client with wrong credentials, an untrusted
certificate or the wrong protocol stops with one clear line."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.error

import orjson
import pytest

from streams.devkafka import BrokerSecurity, LocalKafka
from streams.security import client_options

from tests.corpus import corpus_lines, corpus_path

from .harness import ROOT, Worker, pipeline_settings, read_topic, send_lines, wait_for

pytestmark = pytest.mark.timeout(300)

USER = "alice"


@pytest.fixture(scope="module")
def secured():
    kafka = LocalKafka(security=BrokerSecurity(users={USER: secrets.token_hex(10)}))
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()


def _settings_env(kafka: LocalKafka, mechanism: str, password: str | None = None) -> dict[str, str]:
    return kafka.client_env(USER, mechanism, password)


def _cli(args: list[str], env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOWATCH_KAFKA")}
    return subprocess.run([sys.executable, "-m", "streams", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=timeout)


def test_the_listener_refuses_plaintext_and_untrusted_clients(secured):
    assert secured.security.ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    lines = corpus_path("seeds.jsonl")
    # a plaintext client on the SASL_SSL port
    r = _cli(["replay", str(lines), "-q", "--no-create"], {"DIPLOWATCH_KAFKA_BOOTSTRAP": secured.bootstrap})
    err = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(err) == 1, r.stderr
    assert err[0].startswith("replay: cannot reach the brokers") and "(PLAINTEXT)" in err[0]
    # TLS without the cluster's CA: the system's CAs do not know it
    env = _settings_env(secured, "SCRAM-SHA-512")
    env.pop("DIPLOWATCH_KAFKA_SSL_CAFILE")
    r = _cli(["replay", str(lines), "-q", "--no-create"], env)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(err) == 1, r.stderr
    assert "TLS certificate did not verify" in err[0] and "CERTIFICATE_VERIFY_FAILED" in err[0]


@pytest.mark.parametrize("command", [["replay", "FILE", "-q"], ["alerts", "--idle-timeout", "1"],
                                     ["worker", "--no-web"]])
def test_wrong_credentials_give_one_clear_line(secured, command, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(corpus_lines("seeds.jsonl")[0] + b"\n")
    args = [str(path) if a == "FILE" else a for a in command]
    for mechanism in ("PLAIN", "SCRAM-SHA-256"):
        r = _cli(args, _settings_env(secured, mechanism, password="not-the-password"))
        err = r.stderr.strip().splitlines()
        assert r.returncode == 1, r.stderr
        assert len(err) == 1, r.stderr
        assert err[0].startswith(f"{command[0]}: authentication failed"), err[0]
        assert f"SASL_SSL {mechanism} as 'alice'" in err[0] and "not-the-password" not in err[0]


def test_replay_and_alerts_with_each_mechanism(secured, tmp_path):
    path = tmp_path / "a.jsonl"
    seeds = corpus_lines("seeds.jsonl")
    path.write_bytes(b"\n".join(seeds) + b"\n")
    topic = f"sec-{secrets.token_hex(4)}"
    for mechanism in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
        r = _cli(["replay", str(path), "-q", "--topic", topic], _settings_env(secured, mechanism))
        assert r.returncode == 0, r.stderr
        assert f"sent {len(seeds)} of {len(seeds)} messages" in r.stderr
    got = read_topic(secured.bootstrap, topic, expect=3 * len(seeds), **secured.client_options(USER))
    assert sorted(v for _, v in got) == sorted(seeds * 3)
    r = _cli(["alerts", "--topic", topic, "--from-beginning", "--json", "--max", "1"],
             _settings_env(secured, "SCRAM-SHA-256"))
    # replay made the topic with the configured partitions: the first record read is any of them
    assert r.returncode == 0 and orjson.loads(r.stdout.splitlines()[0]) in [orjson.loads(x) for x in seeds], r.stderr


def test_worker_processes_articles_end_to_end_over_sasl_ssl(secured, tmp_path):
    env = {k.removeprefix("DIPLOWATCH_").lower(): v for k, v in _settings_env(secured, "SCRAM-SHA-256").items()}
    bootstrap = env.pop("kafka_bootstrap")
    s = pipeline_settings(bootstrap, "sasl", **env)
    assert s.kafka_security_protocol == "SASL_SSL" and s.kafka_sasl_mechanism == "SCRAM-SHA-256"
    worker = Worker(s, tmp_path).start()
    try:
        lines = corpus_lines("dev.jsonl")[:40]
        send_lines(s, lines, tmp_path)

        def settled():
            c = worker.counts()
            return c if c["in"] == len(lines) and c["in_flight"] == 0 else None
        c = wait_for(settled, 120, "the articles accounted for over SASL_SSL")
        assert c["processed"] + c["duplicate"] == len(lines) and c["processed"] > 0
        contacts = read_topic(bootstrap, s.topic_contacts, timeout=30, **client_options(s))
        assert contacts and all(orjson.loads(v).get("pair") or orjson.loads(v).get("countries")
                                for _, v in contacts)
        # Faust's table and router views are off by default
        for path in ("/router/", "/table/fingerprints/x/"):
            with pytest.raises(urllib.error.HTTPError) as err:
                worker.get(path)
            assert err.value.code == 404
    finally:
        assert worker.stop() == 0, worker.log_tail()
