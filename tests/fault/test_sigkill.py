"""The SIGKILL drill, short: 20 kills of one worker over the mixed stream of tests/fault/drill.py
(distinct articles, exact and near copies, bad inputs including a 100,000-character id, a contact
burst); every input accounted for, and the accounting, the distinct contacts and the new alerts
identical to a clean run of the same input. Two partitions per topic: a pair's contacts reach the
aggregate stage from two extract partitions, interleaved differently in every run and after every
kill, and the alerts must not depend on it (docs/pipeline.md, "Event-time watermark"). The long
run: ``python -m tests.fault.drill --kills 100``."""
from __future__ import annotations

import pytest

from tests.fault.drill import clean_run, compare, mixed_stream, run_drill

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


def test_twenty_sigkills_lose_and_double_nothing(kafka_bootstrap, tmp_path):
    lines = mixed_stream(distinct=80)
    (tmp_path / "clean").mkdir()
    (tmp_path / "drill").mkdir()
    clean = clean_run(kafka_bootstrap, lines, tmp_path / "clean", partitions=2)
    assert clean.counts["in"] == len(lines) and clean.new_alerts, clean.summary()
    assert any(a[1] == "JOR-USA" for a in clean.new_alerts), clean.new_alerts   # the burst fixture
    drill = run_drill(kafka_bootstrap, lines, tmp_path / "drill", kills=20, seed=3, max_delay=2.5,
                      partitions=2)
    problems = compare(clean, drill, len(lines))
    print("drill:", drill.summary())
    assert not problems, "\n".join(problems) + f"\nlogs: {tmp_path}"
