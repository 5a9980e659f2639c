"""A disk-backed DeltaLogStore keeps its cache across restarts with its position and, on the next
rebuild, replays only the delta records after it — when the position is valid for the table as
recovered; otherwise (a cache ahead of the changelog, a recreated topic, another history at the
position's seq, no position) it empties the cache and replays every record. Here over Faust's
RocksDB store (rocksdict, in a temporary directory) as the worker uses it: the table's writes held
by a ChangelogWriter until "acknowledged", then saved with their offset, then the cache committed
with its position (``DeltaLogStore.persisted``). A worker restart is a new app, store, backing and
stage over the same directories. Against the live broker: tests/integration/test_pipeline_recovery.py
and the SIGKILL drill with --store rocksdb://."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from streams.app import create_app
from streams.duplicates import Deduplicator
from streams.expiry import MemorySchedule
from streams.pipeline.dedupe import DedupeStage
from streams.pipeline.materialised import DiskBacking
from streams.pipeline.tables import ChangelogWriter, DeltaLogStore, PartitionView, SideMapping
from streams.records import ValidArticle
from streams.settings import Settings

T0 = 1_700_000_000.0
HORIZON = 3600.0


def article(i: int, t: float, tag: str = "") -> ValidArticle:
    words = " ".join(f"w{tag}{i}x{j}" for j in range(40))   # no two articles are near copies
    # every fifth article repeats the URL of the one before: a copy
    url = f"https://s.example/{tag}{i - 1 if i % 5 == 4 else i}"
    return ValidArticle(article={"id": f"a{tag}{i}", "text": words, "source": "s.example",
                                 "url": url},
                        origin={"topic": "articles", "partition": 0, "offset": i, "timestamp": t},
                        in_ts=t)


class Worker:
    """One process's view: the fingerprints table of a rocksdb:// app over ``data``, partition 0,
    its store over a disk backing under ``data``/cache, a dedupe stage, and the broker's offsets
    (``acked``: records taken from the writer get consecutive offsets from ``next_offset``)."""

    def __init__(self, data: Path, next_offset: int = 0) -> None:
        s = Settings.from_env({}, data_dir=str(data), web_enabled=False, store="rocksdb://",
                              instance_id="w")
        self.table = create_app(s).tables["fingerprints"]
        self.table.data._db_for_partition(0)   # as Faust's assignment opens it
        self.topic = self.table.changelog_topic.get_topic_name()
        self.writer = ChangelogWriter()
        self.store = DeltaLogStore(PartitionView(self.table, 0, self.writer),
                                   backing=DiskBacking(data / "cache" / "fingerprints-0"))
        self.stage = DedupeStage(Deduplicator(self.store, horizon_seconds=HORIZON),
                                 SideMapping(self.store))
        self.offset = next_offset
        self.verdicts: list[str] = []
        self.store.get_side()   # the first access after the assignment: the (re)build

    def feed(self, first: int, n: int, tag: str = "", ack: bool = True) -> None:
        """Articles ``first`` .. ``first + n - 1`` a second apart, a delta per 4, each batch of
        records acknowledged (saved to the table, then the cache committed) unless not ``ack``."""
        for i in range(first, first + n):
            t = T0 + i
            outs = self.stage.handle(article(i, t, tag), 0, i)
            # nothing sent: a redelivery (its offset is below the dedupe stage's mark)
            self.verdicts.append(type(outs[0].value).__name__ if outs else "redelivery")
            if i % 4 == 3:
                self.store.flush(t)
                self.deliver(ack)
        self.store.flush(T0 + first + n)
        self.deliver(ack)

    def deliver(self, ack: bool = True) -> None:
        recs = self.writer.take()
        if not recs or not ack:
            return
        self.offset += len(recs)
        offsets = {(self.topic, 0): self.offset - 1}
        self.writer.persisted(offsets)
        self.store.persisted(offsets)

    def expire(self, now: float) -> None:
        self.stage.expire(now)
        self.store.flush(now)
        self.store.compact(now - HORIZON, now)
        self.deliver()

    def mapping(self) -> dict:
        return dict(self.store.items())

    def close(self) -> None:
        self.store.close()
        _close(self.table)


def truth(where) -> dict:
    """The mapping the table's delta records add up to, rebuilt in memory (no cache): of a
    ``Worker``'s open table, or of the table under a data directory."""
    if isinstance(where, Worker):
        return dict(DeltaLogStore(PartitionView(where.table, 0, ChangelogWriter())).items())
    s = Settings.from_env({}, data_dir=str(where), web_enabled=False, store="rocksdb://",
                          instance_id="w")
    table = create_app(s).tables["fingerprints"]
    table.data._db_for_partition(0)
    try:
        return dict(DeltaLogStore(PartitionView(table, 0, ChangelogWriter())).items())
    finally:
        _close(table)


def _close(table) -> None:
    """Close the table's databases (a process ending: Faust's revocation only drops them)."""
    for db in table.data._dbs.values():
        db.close()
    table.data._dbs.clear()


def test_a_restart_replays_only_the_records_after_the_position(tmp_path):
    w = Worker(tmp_path)
    w.feed(0, 200)
    assert w.store.resumed == -1   # the first build: nothing to resume from
    pos = w.store.backing.position()
    assert pos["topic"] == w.topic and pos["partition"] == 0 and pos["offset"] == w.offset - 1
    w.close()

    again = Worker(tmp_path, w.offset)   # a restart after a clean stop
    assert again.mapping() == truth(again) and again.store.resumed == 0
    # records the table has and the cache does not (killed between the two writes)
    again.feed(200, 40)
    saved = again.offset
    again.store.persisted = lambda offsets: None   # the cache's commits are lost from here
    again.feed(240, 20)
    assert again.offset > saved
    again.close()

    more = Worker(tmp_path, again.offset)
    assert more.store.resumed == len(range(240, 260, 4))   # a delta per 4 articles
    assert more.mapping() == truth(more)
    # the side value (the marks) is the newest record's: the articles again are redeliveries
    more.feed(250, 10)
    assert more.verdicts == ["redelivery"] * 10
    more.feed(260, 5)
    assert more.verdicts[10:] == ["NewArticle"] * 4 + ["CopyOf"]
    more.close()


def test_the_resumed_schedule_expires_everything_the_replay_brought(tmp_path):
    w = Worker(tmp_path)
    w.feed(0, 100)
    w.store.persisted = lambda offsets: None   # the cache's last commits are lost
    w.feed(100, 30)
    w.close()
    again = Worker(tmp_path, w.offset)
    assert again.store.resumed > 0
    assert len(again.mapping()) > 0
    again.expire(T0 + 130 + HORIZON + 120)   # past the horizon of every article
    assert again.mapping() == {} and truth(again) == {}
    again.close()


def test_writes_not_acknowledged_never_reach_the_cache(tmp_path):
    w = Worker(tmp_path)
    w.feed(0, 40)
    before = w.mapping()
    w.feed(40, 20, ack=False)   # handed to the producer, never acknowledged: SIGKILL
    assert len(w.mapping()) > len(before)   # the stage saw them
    w.close()
    again = Worker(tmp_path, w.offset)
    assert again.mapping() == before == truth(again) and again.store.resumed == 0
    again.close()


def test_a_cache_ahead_of_the_changelog_is_rebuilt(tmp_path):
    # an unclean leader election lost records the cache had applied: the table, recovered from
    # the changelog, ends before the cache's position
    w = Worker(tmp_path)
    w.feed(0, 60)
    w.close()
    keep = truth(tmp_path)
    w = Worker(tmp_path, w.offset)   # the table's database, open again to cut it
    w.store.close()
    db = w.table.data._db_for_partition(0)
    newest = max(k for k in db.keys() if k != w.table.data.offset_key)
    del db[newest]   # the newest record gone from the changelog, so from the recovered table
    db[w.table.data.offset_key] = str(w.offset - 2).encode()
    _close(w.table)
    again = Worker(tmp_path, w.offset - 1)
    assert again.store.resumed == -1
    assert again.mapping() == truth(again) != keep
    again.close()


def test_a_recreated_topic_with_another_history_is_rebuilt(tmp_path):
    # the same seqs and offsets, other records: the topic was deleted and made again and the
    # table recovered from it, while the cache dir survived (or came from another worker)
    old = Worker(tmp_path / "old")
    old.feed(0, 80, tag="x")
    old.close()
    new = Worker(tmp_path / "new")
    new.feed(0, 80, tag="y")
    new.close()
    assert new.offset == old.offset
    (tmp_path / "new" / "cache").rename(tmp_path / "new-cache")
    (tmp_path / "old" / "cache").rename(tmp_path / "new" / "cache")
    w = Worker(tmp_path / "new", new.offset)
    assert w.store.resumed == -1
    assert w.mapping() == truth(w)
    assert any(k.startswith("id:ay") for k in w.mapping())
    assert not any(k.startswith("id:ax") for k in w.mapping())
    w.close()


def test_a_position_whose_record_was_compacted_away_is_rebuilt(tmp_path):
    w = Worker(tmp_path)
    w.feed(0, 40)
    pos = w.store.backing.position()
    w.store.persisted = lambda offsets: None   # this owner's later commits never reach its cache
    w.feed(40, 10)
    w.expire(T0 + 40 + HORIZON + 5)   # compaction deletes the records up to the position's
    w.close()
    again = Worker(tmp_path, w.offset)
    assert again.store.resumed == -1 and again.store.backing.position()["seq"] > pos["seq"]
    assert again.store.resumed == -1 and again.mapping() == truth(again)
    again.close()


def test_a_position_of_another_partition_is_not_used(tmp_path):
    w = Worker(tmp_path)
    w.feed(0, 20)
    pos = w.store.backing.position()
    w.store.backing.commit({**pos, "partition": 1})
    w.close()
    again = Worker(tmp_path, w.offset)
    assert again.store.resumed == -1 and again.mapping() == truth(again)
    again.close()


def test_an_assignment_in_the_middle_of_a_delivery_keeps_the_held_writes_uncommitted(tmp_path):
    w = Worker(tmp_path)
    w.feed(0, 20)
    for i in range(20, 24):
        w.stage.handle(article(i, T0 + i), 0, i)
    w.store.flush(T0 + 24)
    recs = w.writer.take()            # handed to the producer, not acknowledged yet
    w.store.invalidate()              # a rebalance meanwhile: the next read rebuilds
    seen = w.mapping()
    assert "id:a21" in seen and w.store.resumed == 0
    # not in the cache's database until acknowledged
    assert w.store.backing.db.get(b"kid:a21") is None
    w.offset += len(recs)
    offsets = {(w.topic, 0): w.offset - 1}
    w.writer.persisted(offsets)
    w.store.persisted(offsets)
    assert w.store.backing.db.get(b"kid:a21") is not None
    assert w.store.backing.position()["offset"] == w.offset - 1
    w.close()
    again = Worker(tmp_path, w.offset)
    assert again.mapping() == seen == truth(again) and again.store.resumed == 0
    again.close()


def _run_until_sigkill(code: str) -> None:
    """Run ``code`` in a fresh interpreter (from the project root) that kills itself with SIGKILL."""
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[3],
                          capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def test_a_commit_survives_a_sigkill_and_an_uncommitted_change_does_not(tmp_path):
    # the cache writes its commits through RocksDB's WAL (not synced): a process killed right
    # after a commit has it on reopening; what was not committed is gone
    code = textwrap.dedent(f"""
        import os, signal
        from streams.pipeline.materialised import DiskBacking
        b = DiskBacking({str(tmp_path / "c")!r})
        b.apply(1, {{"a": [1]}})
        b.schedule.add(7, ["a"])
        b.add_head("d:000000000001", {{"ts": 1.0}})
        b.commit({{"v": 1, "seq": 1}})
        b.apply(2, {{"b": [2]}})
        b.add_head("d:000000000002", {{"ts": 2.0}})
        b.commit(None)   # schedule operations only: the mapping change stays uncommitted
        b.apply(3, {{"c": [3]}})
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    _run_until_sigkill(code)
    b = DiskBacking(tmp_path / "c")
    try:
        assert b.position() == {"v": 1, "seq": 1}
        assert b.get("a") == [1] and b.get("b") is None and b.get("c") is None
        assert [k for k, _ in b.iter_heads()] == ["d:000000000001"]
        assert list(b.schedule.take(10)) == [(7, ["a"])]
    finally:
        b.close()


def test_a_bulk_replay_killed_before_its_end_leaves_no_position(tmp_path):
    code = textwrap.dedent(f"""
        import os, signal
        from streams.pipeline.materialised import DiskBacking
        b = DiskBacking({str(tmp_path / "c")!r})
        b.commit({{"v": 1, "seq": 1}})
        b.begin_bulk()
        b.apply(5, {{f"k{{i}}": [i] for i in range(1000)}}, rebuilding=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    _run_until_sigkill(code)
    b = DiskBacking(tmp_path / "c")
    try:
        assert b.position() is None
    finally:
        b.close()


# -- the schedule -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["memory", "disk"])
def test_an_entry_added_back_to_an_earlier_slot_is_taken_by_the_next_pass(kind, tmp_path):
    disk = DiskBacking(tmp_path / "s") if kind == "disk" else None
    sched = disk.schedule if disk else MemorySchedule()
    try:
        for slot in (1, 2, 3):
            sched.add(slot, [f"k{slot}"])
        got = []
        for slot, keys in sched.take(10):
            got.append((slot, keys))
            if slot == 3:
                sched.add(1, ["again"])   # back to a slot this pass took already
        assert got == [(1, ["k1"]), (2, ["k2"]), (3, ["k3"])]
        assert list(sched.take(10)) == [(1, ["again"])]
        if disk:   # and the same once the pass's removals are committed
            sched.add(0, ["zero"])
            for slot, _ in sched.take(10):
                sched.add(slot, ["back"])
            disk.commit(None)
            assert list(sched.take(10)) == [(0, ["back"])]
    finally:
        if disk:
            disk.close()


def test_a_pass_killed_before_its_commit_takes_the_same_slots_again(tmp_path):
    b = DiskBacking(tmp_path / "s")
    b.schedule.add(4, ["x", "y"])
    b.commit(None)
    assert list(b.schedule.take(10)) == [(4, ["x", "y"])]
    b.close()   # no commit: the removal is dropped with the process
    b = DiskBacking(tmp_path / "s")
    try:
        assert list(b.schedule.take(10)) == [(4, ["x", "y"])]
        b.commit(None)
        assert list(b.schedule.take(10)) == []
    finally:
        b.close()


# -- revocation -------------------------------------------------------------------------------

def test_a_revoked_partition_closes_its_cache_and_reopens_it_on_reassignment(tmp_path):
    from streams.pipeline.agent import PartitionStages
    p = create_app(Settings.from_env({}, data_dir=str(tmp_path), web_enabled=False,
                                     store="rocksdb://"))
    stages = PartitionStages(p, "fingerprints", "dedupe", lambda s: s, 3600.0)
    table = p.tables["fingerprints"]
    for part in (0, 1):
        table.data._db_for_partition(part)
    try:
        _, s0 = stages.stage_for(0)
        _, s1 = stages.stage_for(1)
        s0["k"] = [1, T0]
        assert not s0.backing.closed and not s1.backing.closed
        stages.revoke({0})
        assert s0.backing.closed and not s1.backing.closed
        assert set(stages.stores) == {1}
        _, again = stages.stage_for(0)   # assigned again
        assert again is not s0 and not again.backing.closed
        assert again.get("k") is None   # never flushed nor acknowledged
    finally:
        for st in stages.stores.values():
            st.close()
        table.data._dbs.clear()


def test_a_cache_without_the_stages_slots_commits_its_changes_but_no_position(tmp_path):
    # a store whose stage gives no slots_of cannot keep its schedule complete across restarts:
    # its cache records no position (every start rebuilds it) and still writes what is
    # acknowledged instead of holding it in memory
    w = Worker(tmp_path)
    w.store.slots_of = None
    w.store.invalidate()
    w.store["plain"] = [1, T0]
    w.store.flush(T0)
    w.deliver()
    assert w.store.backing.unsaved == {} and w.store.backing.position() is None
    assert w.store.backing.db.get(b"kplain") is not None
    w.close()
    again = Worker(tmp_path, w.offset)
    again.store.slots_of = None
    again.store.invalidate()
    assert again.store.get("plain") == [1, T0] and again.store.resumed == -1
    again.close()


def test_entries_scheduled_after_a_restart_in_the_same_slot_keep_the_earlier_ones(tmp_path):
    """A resumed cache's schedule gets entries in the minute slots the last process was filling:
    they must not overwrite its entries there (their keys would never expire)."""
    w = Worker(tmp_path)
    w.feed(0, 30)
    w.close()
    w2 = Worker(tmp_path, w.offset)
    assert w2.store.resumed == 0
    w2.feed(30, 20)                  # the same minute slots as the last articles before
    w2.expire(T0 + HORIZON + 3600)   # all of them past the horizon
    assert w2.mapping() == {}
