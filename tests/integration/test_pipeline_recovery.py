"""A worker killed with SIGKILL and started again is ready within 10 s (static group membership,
streams.pipeline.membership), its tables hold exactly what they held, and it goes on counting.

Before static membership the restarted worker waited for the dead member's session to expire
(Faust's 60 s default: 58–60 s to ready; 44 s with the 45 s session of the settings).
"""
from __future__ import annotations

import contextlib
import re
import signal
import threading
import time

import orjson
import pytest

from streams.pipeline.agent import PartitionStages
from tests.corpus import corpus_lines

from .harness import Worker, free_port, pipeline_settings, send_lines, wait_for

pytestmark = pytest.mark.timeout(240)

READY_AFTER_KILL_S = 10.0
# Most of the time to ready is the process start (imports, the knowledge base), which a loaded
# machine stretches; joining the group is the smaller part. A start that was slow for the
# same reason (the worker's first start, timed) stretches the bar by that much, never to the
# 45-60 s that a wait for the dead member's session costs.
SLACK_S = 2.5


def _timed_start(worker: Worker) -> float:
    t0 = time.monotonic()
    worker.start()
    return time.monotonic() - t0


def _limit(first_start: float) -> float:
    return max(READY_AFTER_KILL_S, first_start + SLACK_S)
KEYS = ("in", "processed", "duplicate", "dead_letter", "contacts_distinct", "episodes")


def _settled(worker: Worker, n_in: int):
    def pred():
        c = worker.counts()
        return c if c["ready"] and c["in"] == n_in and c["in_flight"] == 0 else None
    return pred


def _settled_all(worker: Worker, n_in: int, quiet: float = 1.5):
    """Every input accounted for and the aggregate stage done too (its counts unchanged over
    ``quiet`` seconds: it trails the accounting)."""
    last: dict = {}

    def pred():
        c = _settled(worker, n_in)()
        if not c:
            return None
        now = {k: c[k] for k in KEYS}
        if now == last.get("counts") and time.monotonic() - last["since"] >= quiet:
            return c
        if now != last.get("counts"):
            last.update(counts=now, since=time.monotonic())
        return None
    return pred


def _same_counts_after_restart(worker: Worker, before: dict, timeout: float = 15.0) -> dict:
    """The counts read back equal those before the kill (read until they do, for ``timeout`` s:
    a stage rebuilds its view of a table lazily after the assignment)."""
    want = {k: before[k] for k in KEYS}
    seen: list = []

    def pred():
        c = worker.counts()
        seen.append({k: c[k] for k in KEYS})
        return c if seen[-1] == want else None
    try:
        return wait_for(pred, timeout, "the counts of before the kill")
    except AssertionError:
        raise AssertionError(f"counts after the restart {seen[-1] if seen else None} != before {want} "
                             f"(first read after ready: {seen[0] if seen else None})") from None


def _kill_and_restart(worker: Worker) -> tuple[float, float]:
    """SIGKILL the worker, start it again; seconds from the kill to ready, and to the first answer
    of the restarted process's web server (imports and the knowledge base done, Faust starting)."""
    worker.proc.send_signal(signal.SIGKILL)
    worker.proc.wait(10)
    t0 = time.monotonic()
    up: list[float] = []
    dead, done = worker.proc, threading.Event()

    def watch() -> None:
        while not done.is_set():
            proc = worker.proc
            if proc is not dead and proc is not None and proc.poll() is None:
                with contextlib.suppress(Exception):
                    worker.counts()
                    up.append(time.monotonic() - t0)
                    return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        worker.start(timeout=90)
    finally:
        done.set()
        watcher.join(5)
    took = time.monotonic() - t0
    return took, (up[0] if up else took)


def _bar(limit: float, up: float) -> float:
    """The bar for ready after SIGKILL: ``limit``, or, when the restarted process itself took
    longer to come up than the first start did (a loaded machine), its start + SLACK_S. Either is
    far below the 45 s session a dynamic member would wait for."""
    return max(limit, up + SLACK_S)


def _fresh(lines: list[bytes], tag: str) -> list[bytes]:
    """The same articles under new ids (new articles for dedupe's id check; their texts are copies)."""
    out = []
    for line in lines:
        doc = orjson.loads(line)
        doc["id"] = f"{doc['id']}-{tag}"
        out.append(orjson.dumps(doc))
    return out


def test_sigkill_restart_is_ready_fast_and_keeps_every_count(kafka_bootstrap, tmp_path):
    s = pipeline_settings(kafka_bootstrap, "kill")
    assert s.instance_id == ""   # the default: static membership with a derived id
    worker = Worker(s, tmp_path)
    limit = _limit(_timed_start(worker))
    try:
        dev = corpus_lines("dev.jsonl")
        send_lines(s, dev, tmp_path)
        before = wait_for(_settled_all(worker, len(dev)), 120, "the corpus accounted for")

        took, up = _kill_and_restart(worker)
        after = worker.counts()
        assert {k: after[k] for k in KEYS} == {k: before[k] for k in KEYS}
        assert took < _bar(limit, up), f"ready {took:.1f} s after SIGKILL\n{worker.log_tail()}"

        # a kill while a backlog is being worked through: ready as fast, and every input is counted
        more = _fresh(dev, "b")
        send_lines(s, more, tmp_path)
        wait_for(lambda: worker.counts()["in"] > len(dev), 60, "the second batch started")
        took2, up2 = _kill_and_restart(worker)
        assert took2 < _bar(limit, up2), f"ready {took2:.1f} s after SIGKILL\n{worker.log_tail()}"
        final = wait_for(_settled(worker, len(dev) + len(more)), 120, "both batches accounted for")
        assert final["processed"] + final["duplicate"] + final["dead_letter"] == len(dev) + len(more)
        print(f"\nready after SIGKILL: idle {took:.1f} s, with a backlog {took2:.1f} s "
              f"(bar {limit:.1f} s)")
    finally:
        assert worker.stop() == 0, worker.log_tail()


def test_instance_ids_differ_between_workers_and_survive_a_kill(kafka_bootstrap, tmp_path):
    """Two workers on one host take two slots (two instance ids: neither fences the other); the one
    killed gets its own id back on restart and the group goes on with both."""
    s = pipeline_settings(kafka_bootstrap, "kill2")
    s2 = type(s).from_env(s.to_env(), web_port=free_port())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = Worker(s, tmp_path / "a"), Worker(s2, tmp_path / "b")
    try:
        limit = _limit(max(_timed_start(a), _timed_start(b)))

        def both_hold_a_share():
            ca, cb = a.counts(), b.counts()
            return ca["ready"] and cb["ready"] and ca["assigned"] and cb["assigned"] \
                and not set(ca["assigned"]) & set(cb["assigned"])
        wait_for(both_hold_a_share, 90, "both workers holding partitions")
        # b first, then a (the first to join: the group's leader, which assigns the partitions)
        for victim, other in ((b, a), (a, b)):
            held, kept = set(victim.counts()["assigned"]), set(other.counts()["assigned"])
            took, up = _kill_and_restart(victim)
            assert took < _bar(limit, up), f"ready {took:.1f} s after SIGKILL\n{victim.log_tail()}"
            # the restarted static member got its old partitions back; the other kept its own
            assert set(victim.counts()["assigned"]) == held
            assert set(other.counts()["assigned"]) == kept
            wait_for(both_hold_a_share, 30, "both workers holding partitions after the restart")
        held = set(b.counts()["assigned"])
        dev = corpus_lines("dev.jsonl")
        send_lines(s, dev, tmp_path)

        def total():
            ca, cb = a.counts(), b.counts()
            n = {k: ca[k] + cb[k] for k in ("in", "in_flight")}
            return n["in"] == len(dev) and n["in_flight"] == 0
        wait_for(total, 120, "the corpus accounted for over both workers")

        # a clean stop of a static member still leaves the group (static LeaveGroup): the other
        # worker takes over its partitions at once, not after the 45 s session timeout (the bar
        # leaves room for a loaded machine, below the timeout)
        everything = held | set(a.counts()["assigned"])
        assert b.stop() == 0, b.log_tail()
        t0 = time.monotonic()
        try:
            wait_for(lambda: a.counts()["ready"] and set(a.counts()["assigned"]) == everything, 30,
                     "the remaining worker holding every partition")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- a\n{a.log_tail()}\n--- b\n{b.log_tail()}") from None
        print(f"\ntake-over after a clean stop of the other worker: {time.monotonic() - t0:.1f} s")
    finally:
        assert b.stop() == 0, b.log_tail()
        assert a.stop() == 0, a.log_tail()


def _log_table(text: str, title: str) -> dict[tuple[str, int], int]:
    """(topic, partition) -> offset from one of the tables Faust's recovery logs at info level
    (faust.tables.recovery: "Highwater for active changelog partitions:", "active offsets at
    start of reading:"); a "〃" topic cell repeats the one above."""
    lines = text[text.rindex(title):].splitlines()[1:]
    out: dict[tuple[str, int], int] = {}
    topic = None
    for line in lines:
        if line.startswith("+"):
            if out:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[1].isdigit():
            continue
        topic = topic if cells[0] == "〃" else cells[0]
        out[(topic, int(cells[1]))] = int(cells[2])
    return out


def test_a_disk_store_recovers_from_where_it_was_not_from_the_beginning(kafka_bootstrap, tmp_path):
    """With DIPLOWATCH_STORE=rocksdb:// the tables are on disk (under the worker's own instance
    directory) with the changelog offsets they hold: a worker killed and restarted reads only the
    changelog records written after them, not the whole changelog as memory:// does."""
    s = pipeline_settings(kafka_bootstrap, "rocks", store="rocksdb://", loglevel="info")
    worker = Worker(s, tmp_path)
    limit = _limit(_timed_start(worker))
    try:
        dev = corpus_lines("dev.jsonl")
        send_lines(s, dev, tmp_path)
        before = wait_for(_settled_all(worker, len(dev)), 180, "the corpus accounted for")
        took, up = _kill_and_restart(worker)
        _same_counts_after_restart(worker, before)
        assert took < _bar(limit, up), f"ready {took:.1f} s after SIGKILL\n{worker.log_tail()}"
        log = (tmp_path / f"worker-{worker.starts}.log").read_text(errors="replace")
        high = _log_table(log, "Highwater for active changelog partitions:")
        start = _log_table(log, "active offsets at start of reading:")
        fingerprints = [tp for tp in high if tp[0].endswith("-fingerprints-changelog")]
        # a changelog with content: a delta record per up to FLUSH_EVERY articles of a batch
        assert fingerprints and high[fingerprints[0]] >= len(dev) // PartitionStages.FLUSH_EVERY
        behind = sum(high[tp] - start.get(tp, 0) for tp in high)
        assert behind <= 10, f"recovery read {behind} of {sum(high.values())} changelog records"
        # dedupe's and extract's caches of their delta records resumed from their positions
        # (a record or a batch's replayed at most), not rebuilt from every record
        resumed = re.findall(r"delta cache (\S+): resumed from its position, (\d+) of (\d+)", log)
        rebuilt = re.findall(r"delta cache (\S+): rebuilt from all", log)
        assert {name.split("-")[0] for name, _, _ in resumed} == {"fingerprints", "extracted"}, log
        assert not rebuilt and all(int(k) <= 16 for _, k, _ in resumed), (resumed, rebuilt)
        print(f"\nrocksdb: ready {took:.1f} s after SIGKILL, recovery read {behind} of "
              f"{sum(high.values())} changelog records")
    finally:
        assert worker.stop() == 0, worker.log_tail()


def test_damaged_delta_caches_are_rebuilt_and_every_count_holds(kafka_bootstrap, tmp_path):
    """Dedupe's and extract's RocksDB caches of their delta records damaged between a stop and a
    start (a garbled CURRENT, a missing MANIFEST, a garbled position record): the worker starts
    anyway, logs one WARNING per cache, sets each aside, rebuilds it from the changelog, and
    counts as before — the corpus sent again is all duplicates or dead letters, nothing new."""
    from streams.pipeline.materialised import DAMAGED_SUFFIX, DiskBacking
    s = pipeline_settings(kafka_bootstrap, "damage", store="rocksdb://", loglevel="info",
                          data_dir=str(tmp_path / "data"))
    worker = Worker(s, tmp_path)
    worker.start()
    try:
        dev = corpus_lines("dev.jsonl")
        send_lines(s, dev, tmp_path)
        before = wait_for(_settled_all(worker, len(dev)), 180, "the corpus accounted for")
        assert worker.stop() == 0, worker.log_tail()
        caches = sorted((tmp_path / "data").glob("*-data/*/delta-cache/*"))
        assert {c.name.rsplit("-", 1)[0] for c in caches} == {"fingerprints", "extracted"}, caches
        for i, cache in enumerate(caches):
            if i % 3 == 0:
                (cache / "CURRENT").write_bytes(b"\x00garbled\n")
            elif i % 3 == 1:
                for f in cache.glob("MANIFEST-*"):
                    f.unlink()
            else:
                b = DiskBacking(cache)
                b.db.put(b"p", b'{"v": 1, "seq": ')
                b.close()

        worker.start(timeout=90)
        _same_counts_after_restart(worker, before)
        log = (tmp_path / f"worker-{worker.starts}.log").read_text(errors="replace")
        damaged = re.findall(r"delta cache (\S+) is damaged \(", log)
        assert sorted(damaged) == sorted(str(c) for c in caches), log[-4000:]
        assert all(c.with_name(c.name + DAMAGED_SUFFIX).is_dir() for c in caches)
        assert worker.metric("diplowatch_delta_cache_damaged_total") == len(caches)

        again = dev[:60]
        send_lines(s, again, tmp_path)
        after = wait_for(_settled_all(worker, len(dev) + len(again)), 180, "the repeats accounted")
        assert after["processed"] == before["processed"], (before, after)
        assert after["duplicate"] + after["dead_letter"] == \
            before["duplicate"] + before["dead_letter"] + len(again)
        assert after["contacts_distinct"] == before["contacts_distinct"]
        print(f"\n{len(caches)} damaged caches rebuilt; counts {({k: after[k] for k in KEYS})}")
    finally:
        assert worker.stop() == 0, worker.log_tail()
