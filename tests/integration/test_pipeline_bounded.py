"""Live broker: no record the pipeline writes can exceed the broker's limit, and a bad record costs
one dead letter, never a stage. One worker with a 20 s dedup horizon gets an article whose id is
100,000 characters long and thousands of distinct articles; once they are accounted for, the horizon
passes and an expiry pass deletes every fingerprint at once (~100,000 keys, far more than one delta
record may carry); then 20 more articles. Every input is accounted for, nothing is in flight, every
changelog record is bounded (the mass expiry is a group of parts), SIGTERM stops the worker within
20 s, and the log holds no MessageSizeTooLarge and no failed send."""
from __future__ import annotations

import os
import time

import orjson
import pytest

from streams.duplicates import fingerprints as fp

from .mix import distinct_articles
from .harness import Worker, pipeline_settings, read_topic, send_lines, wait_for

pytestmark = pytest.mark.timeout(420)

# the outside check of issue 14 used 6,000: DIPLOWATCH_TEST_BOUNDED_ARTICLES=6000 (about twice as long)
N = int(os.environ.get("DIPLOWATCH_TEST_BOUNDED_ARTICLES", "3000"))


def settled(worker: Worker, n_in: int):
    def check():
        c = worker.counts()
        return c if c["in"] == n_in and c["in_flight"] == 0 else None
    return check


def test_long_id_and_mass_expiry_keep_every_record_bounded_and_the_worker_stoppable(kafka_bootstrap, tmp_path):
    s = pipeline_settings(kafka_bootstrap, "bounded", dedup_horizon_seconds=20, expire_interval_seconds=4)
    worker = Worker(s, tmp_path).start()
    try:
        long_id = orjson.dumps({"id": "x" * 100_000, "text": "Iran's foreign minister called his Omani counterpart."})
        lines = [long_id] + distinct_articles(N, seed=5)
        send_lines(s, lines, tmp_path)
        c = wait_for(settled(worker, len(lines)), 240, f"{len(lines)} inputs accounted for")
        assert c["dead_letters"] == {"schema": 1}
        assert c["processed"] + c["duplicate"] == N
        t_sent = time.time()
        # the horizon passes; the next expiry pass deletes every fingerprint of the batch
        changelog = f"{s.app_id}-fingerprints-changelog"

        def expired():
            recs = read_topic(kafka_bootstrap, changelog, settle=1.0, timeout=60)
            deltas = [orjson.loads(v) for _, v in recs if v and b'"set"' in v]
            groups = [d for d in deltas if "parts" in d]
            # every deletion, in groups or (a pass that expired few keys) in a single record; each
            # article had its id, text and signature and one key per LSH band (some bands shared)
            deletes = sum(1 for d in deltas for x in d["set"].values() if x is None)
            return (recs, groups) if groups and deletes > (3 + fp.BANDS) * N * 0.8 else None
        recs, groups = wait_for(expired, 120, "the mass expiry on the changelog", interval=3.0)
        assert time.time() - t_sent < 120
        sizes = [len(k or b"") + len(v or b"") for k, v in recs]
        assert max(sizes) < 300_000, max(sizes)
        assert len(groups) > 5   # ~2 MB of tombstones for 3,000 articles, in parts of <= 256 KB
        more = distinct_articles(20, seed=6)
        send_lines(s, more, tmp_path)
        c = wait_for(settled(worker, len(lines) + 20), 90, "20 more inputs accounted for")
        assert c["processed"] + c["duplicate"] + c["dead_letter"] == c["in"]
        t0 = time.monotonic()
        code = worker.stop(timeout=20)
        stop_s = time.monotonic() - t0
        assert code == 0 and stop_s < 20, (code, stop_s)
        log = (tmp_path / "worker-1.log").read_text(errors="replace")
        assert "MessageSizeTooLarge" not in log and "send failed" not in log, log[-3000:]
    finally:
        worker.stop()
