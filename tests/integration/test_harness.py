"""The live-broker harness itself (tests/integration/harness.py)."""
from __future__ import annotations

from .harness import pipeline_settings


def test_harness_settings_are_unique_per_call():
    a, b = pipeline_settings("127.0.0.1:1", "x"), pipeline_settings("127.0.0.1:1", "x")
    assert a.app_id != b.app_id and a.topic_articles != b.topic_articles
    assert a.topic_dedupe.startswith(a.app_id) and a.web_port != 0
