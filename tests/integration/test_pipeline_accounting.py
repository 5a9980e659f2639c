"""Live-broker properties of the pipeline, on one worker subprocess (run in this order):

1. every message read from ``articles`` ends up processed, duplicate or dead-lettered, counted once,
   and the counts add up — for a mix of valid articles, exact and near copies and every kind of
   garbage; dead letters carry the original bytes and their origin;
2. replaying the input again changes no processed/contact/episode count and fires no alert;
3. a clean stop and a restart recover the tables from their changelogs: same counts, and the worker
   goes on counting from there.
"""
from __future__ import annotations

import base64

import orjson
import pytest

from streams.detection import contact_key
from streams.pipeline.serde import pair_key

from .harness import Worker, pipeline_settings, read_topic, send_lines, wait_for
from .mix import MAX_BYTES, NEW_AFTER_RESTART, build_mix, dev, distinct_articles


pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def run(kafka_bootstrap, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline-accounting")
    # the input's event days span 1987-2025 in no order: every contact is counted only with a
    # retention that covers the span (docs/pipeline.md, "Event-time watermark")
    settings = pipeline_settings(kafka_bootstrap, "acct", max_article_bytes=MAX_BYTES, retain_days=20000)
    worker = Worker(settings, tmp).start()
    state = {"settings": settings, "worker": worker, "tmp": tmp, "bootstrap": kafka_bootstrap}
    yield state
    worker.stop()


def settled(worker: Worker, n_in: int):
    """Counts once all ``n_in`` messages are read and none is in flight."""
    def check():
        c = worker.counts()
        return c if c["in"] == n_in and c["in_flight"] == 0 else None
    return check


def test_every_message_is_processed_duplicate_or_dead_lettered(run):
    s, worker = run["settings"], run["worker"]
    mix, exp = build_mix()
    run["mix"], run["expected"] = mix, exp
    summary = send_lines(s, mix, run["tmp"])
    assert summary["sent"] == len(mix) and summary["failed"] == 0

    c = wait_for(settled(worker, exp["in"]), 60, "all messages accounted for")
    assert c["processed"] + c["duplicate"] + c["dead_letter"] == c["in"] == len(mix)
    assert c["processed"] == exp["processed"]
    assert c["duplicates"] == exp["duplicates"]
    assert c["dead_letters"] == exp["dead_letters"]

    # the same accounting in Prometheus
    assert worker.metric("diplowatch_articles_in_total") == len(mix)
    assert worker.metric("diplowatch_articles_processed_total") == exp["processed"]
    for kind, n in exp["duplicates"].items():
        assert worker.metric("diplowatch_duplicates_total", {"kind": kind}) == n
    for reason, n in exp["dead_letters"].items():
        assert worker.metric("diplowatch_dead_letters_total", {"reason": reason}) == n

    # every dead letter on its topic: reason, detail, origin and the original bytes
    dls = [orjson.loads(v) for _, v in read_topic(run["bootstrap"], s.topic_dead_letter,
                                                 expect=exp["dead_letter"])]
    assert sorted(d["reason"] for d in dls) == sorted(exp["garbage"])
    for d in dls:
        assert base64.b64decode(d["payload"]["b64"]) == exp["garbage"][d["reason"]]
        assert d["origin"]["topic"] == s.topic_articles and d["detail"]
    # every extracted contact on ``contacts``, keyed by its pair
    contacts = read_topic(run["bootstrap"], s.topic_contacts, expect=len(exp["contacts"]))
    assert len(contacts) == len(exp["contacts"])
    assert sorted(k.decode() for k, _ in contacts) == sorted(pair_key(x.countries) for x in exp["contacts"])
    for k, v in contacts:
        assert pair_key(orjson.loads(v)["countries"]) == k.decode()
    # ... and counted once per distinct contact by the aggregate stage (which runs behind extract)
    distinct = {contact_key(orjson.loads(v)) for _, v in contacts} - {None}
    assert distinct
    run["after_first"] = wait_for(
        lambda: (lambda c: c if c["contacts_distinct"] == len(distinct) else None)(worker.counts()),
        30, f"{len(distinct)} distinct contacts aggregated")


def test_replaying_the_input_changes_no_count_and_fires_no_alert(run):
    s, worker, mix, first = run["settings"], run["worker"], run["mix"], run["after_first"]
    n_contacts = len(read_topic(run["bootstrap"], s.topic_contacts, settle=0.5))
    n_alerts = len(read_topic(run["bootstrap"], s.topic_alerts, settle=0.5))
    send_lines(s, mix, run["tmp"])
    c = wait_for(settled(worker, 2 * len(mix)), 60, "the replayed messages accounted for")
    valid = len(mix) - first["dead_letter"]
    assert c["processed"] == first["processed"]
    assert c["contacts_distinct"] == first["contacts_distinct"] > 0
    assert c["episodes"] == first["episodes"]
    # every replayed article is a duplicate (of its own id), the garbage is dead-lettered again
    assert c["duplicate"] == first["duplicate"] + valid
    assert c["dead_letter"] == 2 * first["dead_letter"]
    assert c["processed"] + c["duplicate"] + c["dead_letter"] == c["in"]
    assert len(read_topic(run["bootstrap"], s.topic_contacts, settle=1.0)) == n_contacts
    assert len(read_topic(run["bootstrap"], s.topic_alerts, settle=0.5)) == n_alerts
    run["after_replay"] = c


def test_restart_recovers_tables_from_the_changelog_and_continues(run):
    s, worker, before = run["settings"], run["worker"], run["after_replay"]
    assert worker.stop() == 0, worker.log_tail()
    worker.start()
    c = wait_for(settled(worker, before["in"]), 60, "recovered counts")
    for key in ("in", "processed", "duplicate", "dead_letter", "duplicates", "dead_letters",
                "contacts_distinct", "episodes"):
        assert c[key] == before[key], key
    # it continues: the fingerprints survived, so a copy of a story seen before the restart is a
    # duplicate; a genuinely new article is processed
    copy = dev()["en-tt-442816"].replace(b'"en-tt-442816"', b'"tt-copy-after-restart"', 1)
    send_lines(s, [copy], run["tmp"])
    c2 = wait_for(settled(worker, before["in"] + 1), 60, "the copy sent after the restart")
    assert c2["processed"] == before["processed"] and c2["duplicate"] == before["duplicate"] + 1
    send_lines(s, [dev()[NEW_AFTER_RESTART]], run["tmp"])
    c3 = wait_for(settled(worker, before["in"] + 2), 60, "a new article sent after the restart")
    assert c3["processed"] == before["processed"] + 1 and c3["duplicate"] == c2["duplicate"]


def test_a_stop_in_the_middle_of_a_backlog_loses_and_doubles_nothing(kafka_bootstrap, tmp_path):
    """SIGTERM while hundreds of messages are in flight between the stages; after the restart every
    message is accounted for exactly once (redeliveries are recognised by their offsets)."""
    s = pipeline_settings(kafka_bootstrap, "midstop")
    lines = distinct_articles(300)
    lines[100:100] = [b"garbage %d" % i for i in range(10)]
    send_lines(s, lines, tmp_path)
    worker = Worker(s, tmp_path).start()
    try:
        wait_for(lambda: worker.counts()["in"] >= 60, 90, "the worker under way")
        assert worker.stop() == 0, worker.log_tail()
        worker.start()
        try:
            c = wait_for(settled(worker, len(lines)), 120, "the whole backlog accounted for after the restart")
        except AssertionError as exc:   # say where it stood
            raise AssertionError(f"{exc}; counts {worker.counts()}; log:\n{worker.log_tail()}") from None
        assert c["processed"] + c["duplicate"] + c["dead_letter"] == c["in"] == len(lines)
        assert c["dead_letter"] == 10
        assert c["processed"] >= 295, c   # a few sentence mixes may share enough to be near copies
    finally:
        worker.stop()
