"""The worker's garbage-collector settings (streams.runtime): what is alive at the call leaves the
collector's scans, the young generation is larger, and cycles made afterwards are still collected."""
from __future__ import annotations

import gc

from streams.runtime import OLDER_THRESHOLDS, YOUNG_THRESHOLD, tune_gc


def test_tune_gc_freezes_what_is_loaded_and_still_collects_new_cycles():
    before = gc.get_threshold()
    try:
        long_lived = [{"k": i} for i in range(1000)]
        tune_gc()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
        assert gc.get_freeze_count() >= len(long_lived)

        class Node:
            pass
        a, b = Node(), Node()
        a.other, b.other = b, a   # a cycle made after the freeze
        del a, b
        assert gc.collect() >= 2
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_worker_runs_on_uvloop_when_installed():
    import asyncio

    import pytest
    uvloop = pytest.importorskip("uvloop")   # a dependency on Linux and macOS (pyproject.toml)
    from streams.commands.worker import _use_uvloop

    before = asyncio.get_event_loop_policy()
    try:
        _use_uvloop()
        loop = asyncio.new_event_loop()
        try:
            assert isinstance(loop, uvloop.Loop)
        finally:
            loop.close()
    finally:
        asyncio.set_event_loop_policy(before)
