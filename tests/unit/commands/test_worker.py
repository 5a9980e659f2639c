"""The worker's stop watchdog (streams/commands/worker.py): after SIGTERM or SIGINT, a stop that
hangs ends the process after the grace period with status 4, and one that completes is not
disturbed. Tested in a subprocess with a stand-in for faust.Worker whose stop hangs."""
from __future__ import annotations

import subprocess
import sys
import time

SCRIPT = """
import time
import streams.commands.worker as w
w.STOP_GRACE_SECONDS = 1.0

class Base:
    def _on_sigterm(self):
        pass   # a stop that never completes
    def _on_sigint(self):
        pass

w._worker_class(Base)()._on_sigterm()
time.sleep({sleep})
print("still here")
"""


def test_a_hanging_stop_ends_after_the_grace_period_with_status_4():
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", SCRIPT.format(sleep=30)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 4 and time.monotonic() - t0 < 20, r
    assert "not stopped" in r.stderr and "still here" not in r.stdout


def test_a_process_that_ends_before_the_grace_period_is_not_disturbed():
    r = subprocess.run([sys.executable, "-c", SCRIPT.format(sleep=0.1)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "still here" in r.stdout
