"""Two workers of one app share the partitions: every message is still accounted for exactly once
over both, and "first seen" is still one order (the dedupe topic has one partition, so exactly one of
the two owns the fingerprint table): copies are found whichever worker validated them. When one
worker leaves, the other takes over its partitions and tables and goes on."""
from __future__ import annotations

import pytest

from .harness import Worker, free_port, pipeline_settings, send_lines, wait_for
from .mix import MAX_BYTES, NEW_AFTER_RESTART, build_mix, dev, distinct_articles

pytestmark = pytest.mark.timeout(240)


def test_two_workers_share_the_work_and_the_counts_add_up(kafka_bootstrap, tmp_path):
    s = pipeline_settings(kafka_bootstrap, "two", max_article_bytes=MAX_BYTES)
    s2 = type(s).from_env(s.to_env(), web_port=free_port())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = Worker(s, tmp_path / "a"), Worker(s2, tmp_path / "b")
    try:
        a.start()
        b.start()
        topics = [s.topic_articles, s.topic_dedupe, s.topic_extract, s.topic_contacts, s.topic_sources]
        want = {f"{t}:{i}" for t in topics for i in range(s.dedupe_partitions if t == s.topic_dedupe
                                                           else s.partitions)}

        def split():
            ca, cb = a.counts(), b.counts()
            if not (ca["ready"] and cb["ready"]):
                return None
            sa, sb = set(ca["assigned"]), set(cb["assigned"])
            # the group settled: the partitions are split between the two, none held twice
            return (sa, sb) if sa and sb and not sa & sb and sa | sb >= want else None
        sa, sb = wait_for(split, 90, "both workers holding a share of the partitions")
        assert (s.topic_dedupe + ":0" in sa) != (s.topic_dedupe + ":0" in sb)

        mix, exp = build_mix()
        send_lines(s, mix, tmp_path)

        def total():
            ca, cb = a.counts(), b.counts()
            t = {k: ca[k] + cb[k] for k in ("in", "processed", "duplicate", "dead_letter", "in_flight")}
            return (t, ca, cb) if t["in"] == len(mix) and t["in_flight"] == 0 else None
        t, ca, cb = wait_for(total, 90, "all messages accounted for over both workers")
        assert t["processed"] + t["duplicate"] + t["dead_letter"] == t["in"] == len(mix)
        assert t["processed"] == exp["processed"] and t["dead_letter"] == exp["dead_letter"]
        dups: dict[str, int] = {}
        for c in (ca, cb):
            for k, n in c["duplicates"].items():
                dups[k] = dups.get(k, 0) + n
        assert dups == exp["duplicates"]
        # "in" is counted by the worker owning dedupe (for all of them); the validate work itself
        # is shared by the partitions of the input
        assert ca["validated_here"] > 0 and cb["validated_here"] > 0, "both workers validated part of the input"
        assert ca["validated_here"] + cb["validated_here"] >= len(mix)

        # fail-over: one worker leaves; the other takes over its partitions with their tables
        # (accounting and fingerprints rebuilt from the changelogs) and goes on deciding copies
        assert a.stop() == 0, a.log_tail()
        wait_for(lambda: (lambda c: c["ready"] and set(c["assigned"]) >= want and c["in"] == len(mix)
                          )(b.counts()), 90, "the remaining worker holding everything, counts recovered")
        copy = dev()["en-tt-442816"].replace(b'"en-tt-442816"', b'"tt-copy-after-failover"', 1)
        send_lines(s, [copy, dev()[NEW_AFTER_RESTART]], tmp_path)
        c = wait_for(lambda: (lambda c: c if c["in"] == len(mix) + 2 and c["in_flight"] == 0 else None
                              )(b.counts()), 60, "two more messages after the fail-over")
        assert c["processed"] == t["processed"] + 1 and c["duplicate"] == t["duplicate"] + 1
    finally:
        rc = (b.stop(), a.stop())
    assert rc == (0, 0), (a.log_tail(), b.log_tail())


def test_a_second_worker_joining_in_the_middle_of_a_backlog_loses_and_doubles_nothing(
        kafka_bootstrap, tmp_path):
    """Scaling out while a backlog is being worked off: the group rebalances while hundreds of
    messages are between the stages and most partitions have no committed offset yet. Faust empties
    the stream queues on the revocation and seeks back to the committed offsets; a partition never
    committed must go back to its beginning, or the events read before the rebalance are lost."""
    s = pipeline_settings(kafka_bootstrap, "scaleout")
    s2 = type(s).from_env(s.to_env(), web_port=free_port())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    lines = distinct_articles(400)
    send_lines(s, lines, tmp_path)
    a, b = Worker(s, tmp_path / "a"), Worker(s2, tmp_path / "b")
    try:
        a.start()
        wait_for(lambda: a.counts()["in"] >= 40, 90, "the first worker under way")
        b.start()

        def total():
            ca, cb = a.counts(), b.counts()
            if not (ca["ready"] and cb["ready"]):
                return None
            t = {k: ca[k] + cb[k] for k in ("in", "processed", "duplicate", "dead_letter", "in_flight")}
            return t if t["in"] == len(lines) and t["in_flight"] == 0 else None
        try:
            t = wait_for(total, 120, "the whole backlog accounted for over both workers")
        except AssertionError as exc:   # say where it stood
            raise AssertionError(f"{exc}; counts {a.counts()} / {b.counts()}") from None
        assert t["processed"] + t["duplicate"] + t["dead_letter"] == t["in"] == len(lines)
        assert t["processed"] >= 395, t   # a few sentence mixes may share enough to be near copies
    finally:
        rc = (b.stop(), a.stop())
    assert rc == (0, 0), (a.log_tail(), b.log_tail())
