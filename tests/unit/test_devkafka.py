"""Pure parts of streams.devkafka: config rendering, ids, ports, tool checks, cache keys.
(Starting real brokers is tested in tests/integration/test_kafka_smoke.py.)"""
from __future__ import annotations

import base64
import re
import uuid
import socket
from pathlib import Path

import pytest

from streams import devkafka


def parse_properties(text: str) -> dict[str, str]:
    props = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            props[key.strip()] = value.strip()
    return props


def render(nodes: int, node_id: int = 1) -> dict[str, str]:
    voters = devkafka.quorum_voters([(i + 1, 20000 + i) for i in range(nodes)])
    text = devkafka.render_server_properties(node_id=node_id, voters=voters, broker_port=19000 + node_id,
                                             controller_port=20000 + node_id - 1,
                                             data_dir=Path("/x/node/data"), nodes=nodes)
    assert "${" not in text and "$" not in text.replace("$$", "")
    return parse_properties(text)


def test_single_node_config_is_a_combined_kraft_node_on_loopback():
    p = render(1)
    assert p["process.roles"] == "broker,controller"
    assert p["node.id"] == "1"
    assert p["controller.quorum.voters"] == "1@127.0.0.1:20000"
    assert p["listeners"] == "PLAINTEXT://127.0.0.1:19001,CONTROLLER://127.0.0.1:20000"
    assert p["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19001"
    assert p["log.dirs"] == "/x/node/data"
    for key in ("default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor", "min.insync.replicas",
                "transaction.state.log.min.isr"):
        assert p[key] == "1", key
    assert "broker.session.timeout.ms" not in p


def test_three_node_config_has_rf3_min_isr2_and_quorum_of_three():
    p = render(3, node_id=2)
    assert p["node.id"] == "2"
    assert p["controller.quorum.voters"] == "1@127.0.0.1:20000,2@127.0.0.1:20001,3@127.0.0.1:20002"
    assert p["listeners"] == "PLAINTEXT://127.0.0.1:19002,CONTROLLER://127.0.0.1:20001"
    assert p["default.replication.factor"] == p["offsets.topic.replication.factor"] == "3"
    assert p["transaction.state.log.replication.factor"] == "3"
    assert p["min.insync.replicas"] == p["transaction.state.log.min.isr"] == "2"
    assert int(p["broker.session.timeout.ms"]) < 9000  # dead nodes fenced faster than the default


def test_kafka_version_is_read_from_the_pom():
    version = devkafka.kafka_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert devkafka.kafka_version() in devkafka.libs_dir().parent.name


def test_libs_dir_is_keyed_by_version_and_pom_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("DIPLOWATCH_CACHE", str(tmp_path))
    pom_a = tmp_path / "a.xml"
    pom_a.write_text("<project><properties><kafka.version>9.9.9</kafka.version></properties></project>")
    monkeypatch.setattr(devkafka, "POM", pom_a)
    first = devkafka.libs_dir()
    assert first.parent.parent == tmp_path / "diplowatch"
    assert first.parent.name.startswith("kafka-9.9.9-")
    pom_a.write_text(pom_a.read_text() + "\n<!-- another dependency -->")
    assert devkafka.libs_dir() != first


def test_cluster_id_is_kafka_uuid_text():
    ids = {devkafka.new_cluster_id() for _ in range(100)}
    assert len(ids) == 100
    for cid in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cid)
        assert len(base64.urlsafe_b64decode(cid + "==")) == 16


def test_cluster_id_never_starts_with_a_dash(monkeypatch):
    # 0xf8 as first byte encodes to "-" in URL-safe base64: such ids are drawn again
    draws = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=b"\x01" * 16)])
    monkeypatch.setattr(devkafka.uuid, "uuid4", lambda: next(draws))
    cid = devkafka.new_cluster_id()
    assert not cid.startswith("-")
    assert base64.urlsafe_b64decode(cid + "==") == b"\x01" * 16


def test_free_ports_are_distinct_and_bindable():
    ports = devkafka.free_ports(6)
    assert len(set(ports)) == 6
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_missing_java_and_maven_are_named_with_the_install_command(monkeypatch):
    monkeypatch.setattr(devkafka.shutil, "which", lambda name: None)
    with pytest.raises(devkafka.KafkaUnavailable) as err:
        devkafka.find_tools()
    message = str(err.value)
    assert "java" in message and "mvn" in message
    assert "apt-get install openjdk-17-jre-headless maven" in message


def test_missing_maven_only(monkeypatch):
    real_which = devkafka.shutil.which
    monkeypatch.setattr(devkafka.shutil, "which", lambda name: None if name == "mvn" else real_which(name))
    if real_which("java") is None:
        pytest.skip("no java on this machine")
    with pytest.raises(devkafka.KafkaUnavailable, match=r"needs mvn \(Apache Maven\) on PATH, which is missing"):
        devkafka.find_tools()


def test_tail_returns_last_lines(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert devkafka.tail(log, 3) == "line 97\nline 98\nline 99"
    assert "no " in devkafka.tail(tmp_path / "missing.log")


async def test_run_coro_sync_works_inside_a_running_loop():
    async def answer():
        return 42

    assert devkafka.run_coro_sync(answer, timeout=5) == 42

    async def boom():
        raise ValueError("x")

    with pytest.raises(ValueError):
        devkafka.run_coro_sync(boom, timeout=5)


def test_faust_broker_url_lists_every_bootstrap_server():
    assert devkafka.faust_broker_url("127.0.0.1:9092") == "kafka://127.0.0.1:9092"
    assert devkafka.faust_broker_url("127.0.0.1:1, 127.0.0.1:2") == "kafka://127.0.0.1:1;127.0.0.1:2"


def test_prune_removes_only_old_runs_without_a_live_jvm(tmp_path):
    import os
    import subprocess
    import time

    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid that no longer exists

    def run_dir(name: str, pid: int, age_hours: float) -> Path:
        d = tmp_path / name
        (d / "node-1").mkdir(parents=True)
        (d / "node-1" / "kafka.pid").write_text(f"{pid}\n")
        old = time.time() - age_hours * 3600
        os.utime(d, (old, old))
        return d

    old_dead = run_dir("run-old-dead", dead.pid, 24)
    old_live = run_dir("run-old-live", os.getpid(), 24)  # a running session: never touched
    new_dead = run_dir("run-new-dead", dead.pid, 1)      # maybe still being read: kept
    other = tmp_path / "dev"
    other.mkdir()
    os.utime(other, (0, 0))
    devkafka.prune_stale_runs(tmp_path, max_age_hours=12)
    assert not old_dead.exists()
    assert old_live.exists() and new_dead.exists() and other.exists()
