"""docker-compose.yml and Dockerfile without a Docker engine: the compose file is validated against
the Compose Specification JSON schema (as shipped, with its licence, by the check-jsonschema package,
which refreshes it from compose-spec upstream), and the files it mounts, the ports and the
environment are checked against the rest of the repository."""
from __future__ import annotations

import copy
import json
import re
from importlib.metadata import distribution
from pathlib import Path

import jsonschema
import yaml

from tests.paths import ROOT
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
WORKERS = {n: s for n, s in SERVICES.items() if s.get("command") == ["worker"]}


def compose_schema() -> dict:
    # located through the distribution's files: importing check_jsonschema itself is not needed
    path = distribution("check-jsonschema").locate_file(
        "check_jsonschema/builtin_schemas/vendor/compose-spec.json")
    return json.loads(Path(path).read_text())


def validator() -> jsonschema.protocols.Validator:
    schema = compose_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_compose_file_matches_compose_spec():
    errors = sorted(validator().iter_errors(COMPOSE), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_rejects_broken_files():
    """The validator is real: typical mistakes are caught."""
    v = validator()
    bad = copy.deepcopy(COMPOSE)
    bad["services"]["kafka"]["ports"] = {"9094": 9094}          # mapping instead of a list
    assert list(v.iter_errors(bad))
    bad = copy.deepcopy(COMPOSE)
    bad["services"]["worker-1"]["depends_on"] = {"kafka": {"condition": "when_ready"}}
    assert list(v.iter_errors(bad))
    bad = copy.deepcopy(COMPOSE)
    bad["services"]["prometheus"]["restart_policy"] = "always"   # not a service key
    assert list(v.iter_errors(bad))


def bind_mounts(svc: dict) -> list[tuple[str, str]]:
    out = []
    for vol in svc.get("volumes", []):
        src, dst = vol.split(":")[:2]
        if src.startswith("./"):
            out.append((src, dst))
    return out


def test_bind_mounted_files_exist():
    mounts = [m for s in SERVICES.values() for m in bind_mounts(s)]
    assert len(mounts) >= 3
    for src, _ in mounts:
        assert (ROOT / src).exists(), src


def test_named_volumes_declared():
    declared = set(COMPOSE.get("volumes") or {})
    for svc in SERVICES.values():
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if not src.startswith(("./", "/")):
                assert src in declared, src


def published(port: str) -> tuple[str, str, str]:
    """(host address, host port, container port) of a short-syntax "ADDR:HOST:CONTAINER" entry."""
    addr, host, container = port.split(":")
    return addr, host, container


def test_host_ports_unique():
    host_ports = [published(p)[1] for s in SERVICES.values() for p in s.get("ports", [])]
    assert len(host_ports) == len(set(host_ports))


def test_published_ports_are_bound_to_loopback():
    # PLAINTEXT Kafka, the worker pages and Grafana are not for other hosts
    ports = [p for s in SERVICES.values() for p in s.get("ports", [])]
    assert len(ports) == 6   # kafka, two workers, prometheus, alertmanager, grafana
    assert all(published(p)[0] == "127.0.0.1" for p in ports), ports


def test_grafana_has_no_anonymous_access_and_its_password_comes_from_the_environment():
    env = SERVICES["grafana"]["environment"]
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false" and "GF_AUTH_ANONYMOUS_ORG_ROLE" not in env
    # ${VAR:?message}: compose stops with the message when the variable is unset
    assert re.fullmatch(r"\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]+\}", env["GF_SECURITY_ADMIN_PASSWORD"])


def test_two_worker_replicas_reach_kafka_and_serve_metrics():
    assert len(WORKERS) == 2
    kafka = SERVICES["kafka"]["environment"]
    listeners = dict(re.findall(r"(\w+)://([\w.-]+:\d+)", kafka["KAFKA_ADVERTISED_LISTENERS"]))
    for name, svc in WORKERS.items():
        env = svc["environment"]
        assert env["DIPLOWATCH_KAFKA_BOOTSTRAP"] == listeners["PLAINTEXT"] == "kafka:9092"
        assert env["DIPLOWATCH_WEB_HOST"] == "0.0.0.0"  # reachable by Prometheus from its container
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        container_ports = {published(p)[2] for p in svc["ports"]}
        assert container_ports == {env["DIPLOWATCH_WEB_PORT"]}
    assert SERVICES["kafka"]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"


def test_worker_env_names_are_settings():
    from streams.settings import SPECS
    known = {s.env for s in SPECS}
    for svc in WORKERS.values():
        for var in svc["environment"]:
            if var.startswith("DIPLOWATCH_"):
                assert var in known, f"{var} is not a setting in streams/settings.py"


def test_kafka_image_matches_project_kafka_version():
    pom = (ROOT / "deploy" / "kafka" / "pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom).group(1)
    assert SERVICES["kafka"]["image"] == f"apache/kafka:{version}"


def test_prometheus_and_grafana_mounts_line_up():
    prom = SERVICES["prometheus"]
    mounts = dict(bind_mounts(prom))
    assert mounts["./deploy/prometheus"] == "/etc/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in prom["command"]
    graf = dict(bind_mounts(SERVICES["grafana"]))
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/diplowatch.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == graf["./deploy/grafana/dashboards"]
    assert graf["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    home = SERVICES["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (ROOT / "deploy/grafana/dashboards" / Path(home).name).exists()
    ds = yaml.safe_load((ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text())
    assert ds["datasources"][0]["url"] == "http://prometheus:9090"
    assert any(p.endswith(":9090") for p in prom["ports"])


DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_dockerfile_base_and_locked_install():
    # the lock was resolved with deploy/python/overrides.txt (torch & co. never installed); the
    # image installs it as it is (tests/unit/test_lock.py checks it against bootstrap.sh)
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    assert "-r deploy/python/requirements.lock" in DOCKERFILE
    assert re.search(r'ENTRYPOINT \["python", "-m", "streams"\]', DOCKERFILE)


def test_dockerfile_compiles_the_extractor_from_clean_sources():
    # setup.py in the image and a compiler during the install: the worker runs the compiled
    # extractor, not the ~1.35x slower pure-Python one; the host's build products stay out
    copied = " ".join(re.findall(r"^COPY (.+)$", DOCKERFILE, re.M)).split()
    assert "setup.py" in copied
    install = re.search(r"^RUN apt-get .*?(?=^\S)", DOCKERFILE, re.M | re.S).group(0)
    assert "gcc" in install and "uv pip install" in install and "apt-get purge" in install
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"streams/extraction/*.so", "streams/extraction/_build.json"} <= set(ignored)


def test_dockerfile_copies_existing_paths_and_exposes_web_port():
    for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.M):
        *sources, _dest = line.split()
        for src in sources:
            assert (ROOT / src).exists(), f"Dockerfile copies missing {src}"
    exposed = re.search(r"^EXPOSE (\d+)", DOCKERFILE, re.M).group(1)
    assert all(w["environment"]["DIPLOWATCH_WEB_PORT"] == exposed for w in WORKERS.values())
