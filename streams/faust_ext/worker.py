"""A hook on the worker's stop signals (streams.commands.worker's watchdog).

mode's ``Worker`` installs its private ``_on_sigint`` and ``_on_sigterm`` as the loop's SIGINT and
SIGTERM handlers (``Worker._install_signal_handlers_unix``,
https://github.com/faust-streaming/mode/blob/master/mode/worker.py), and they schedule the
ordinary shutdown; there is no public hook for "a stop was asked". ``worker_class`` overrides both
to call ``on_stop_signal()`` first, then mode's own.
"""
from __future__ import annotations

from typing import Any, Callable


def worker_class(base: type, on_stop_signal: Callable[[], Any]) -> type:
    """``base`` (faust.Worker) whose SIGTERM and SIGINT handlers call ``on_stop_signal()`` before
    starting the ordinary stop."""

    class Worker(base):  # type: ignore[misc,valid-type]
        def _on_sigterm(self) -> None:
            on_stop_signal()
            super()._on_sigterm()

        def _on_sigint(self) -> None:
            on_stop_signal()
            super()._on_sigint()

    return Worker
