"""streams.faust_ext.worker: a hook before mode's SIGTERM/SIGINT handlers (the watchdog of
streams.commands.worker: tests/unit/commands/test_worker.py)."""
from __future__ import annotations

import mode

from streams.faust_ext.worker import worker_class

from .pins import params, source_sha

def test_the_hook_runs_before_modes_own_handler():
    calls: list[str] = []

    class Base:
        def _on_sigterm(self) -> None:
            calls.append("mode sigterm")

        def _on_sigint(self) -> None:
            calls.append("mode sigint")

    w = worker_class(Base, lambda: calls.append("hook"))()
    w._on_sigterm()
    w._on_sigint()
    assert calls == ["hook", "mode sigterm", "hook", "mode sigint"]

def test_a_faust_worker_class_gets_the_hook():
    import faust
    cls = worker_class(faust.Worker, lambda: None)
    assert issubclass(cls, faust.Worker)
    assert cls._on_sigterm is not faust.Worker._on_sigterm

# --- contracts ---------------------------------------------------------------------------------------

def test_contract_mode_worker_signal_handlers():
    # the loop's SIGINT and SIGTERM handlers are these two methods, looked up on the instance
    assert params(mode.Worker._on_sigterm) == ["self"]
    assert params(mode.Worker._on_sigint) == ["self"]
    assert source_sha(mode.Worker._install_signal_handlers_unix) == (
        "6a1810b3485970e8d0c5dd1ded34eccfc467e9693c82c1c32c7e38f635fb1648")
    assert source_sha(mode.Worker._on_sigterm) == (
        "6b99528ef557db1d6cedc52e50441fec873e6da0573b9a1c61801ad05c94c3a4")
    assert source_sha(mode.Worker._on_sigint) == (
        "25334ac514b211b25e986626beba784aa5f31e31327f8fbc5b987c7230645f6c")
