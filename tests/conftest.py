"""Shared pytest fixtures.

kafka_bootstrap: the bootstrap address of a live Apache Kafka for the whole session. Uses
$KAFKA_BOOTSTRAP if set (an existing broker), else starts streams.devkafka.LocalKafka once and
stops it at the end of the session. It never skips: without Java/Maven the fixture errors with
the install command, so CI cannot silently pass integration tests it did not run.

new_topic_name / new_topic: unique topic names (and topics) per test, so tests sharing the
session broker never see each other's records.

Every test under tests/integration/ gets the `integration` marker automatically.
"""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from streams.devkafka import LocalKafka, broker_ids, create_topic

INTEGRATION_DIR = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if INTEGRATION_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def kafka_bootstrap(request):
    """"host:port[,host:port]" of a running Kafka broker for this test session."""
    external = os.environ.get("KAFKA_BOOTSTRAP", "").strip()
    if external:
        try:
            broker_ids(external)
        except Exception as exc:  # an unreachable broker should fail once, clearly, not in every test
            pytest.fail(f"KAFKA_BOOTSTRAP={external} is set but no Kafka answers there: {exc!r}")
        yield external
        return
    kafka = LocalKafka()
    try:
        yield kafka.start()
    finally:
        if request.session.testsfailed:  # keep the broker log for whoever reads the failures
            kafka.keep_workdir = True
        kafka.stop()
        if request.session.testsfailed and kafka.workdir:
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(f"session Kafka work dir kept (tests failed): {kafka.workdir}")


def unique_name(prefix: str, nodeid: str = "") -> str:
    """prefix-<test name>-<8 hex>; only characters Kafka allows in topic names, <= 200 chars."""
    test = re.sub(r"[^A-Za-z0-9._-]+", "-", nodeid.rsplit("::", 1)[-1]).strip("-")[:60]
    return "-".join(p for p in (prefix, test, uuid.uuid4().hex[:8]) if p)


@pytest.fixture
def new_topic_name(request):
    """Callable: new_topic_name(prefix="t") -> a topic name no other test uses (not created)."""
    return lambda prefix="t": unique_name(prefix, request.node.nodeid)


@pytest.fixture
def new_topic(kafka_bootstrap, new_topic_name):
    """Callable: new_topic(prefix="t", partitions=1, replication_factor=1, **configs) -> name of a
    freshly created topic. Sync, usable from async tests too (runs on a private event loop)."""

    def make(prefix: str = "t", partitions: int = 1, replication_factor: int = 1, **configs) -> str:
        name = new_topic_name(prefix)
        create_topic(kafka_bootstrap, name, partitions=partitions,
                     replication_factor=replication_factor, configs=configs or None)
        return name

    return make
