"""scripts/install-system-deps.sh: valid bash, and a quiet no-op once everything it installs is
there (`make test` runs it before pytest, so on CI every file it promises must exist)."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from tests.paths import ROOT
SCRIPT = ROOT / "scripts" / "install-system-deps.sh"


def promised() -> dict[str, str]:
    return dict(re.findall(r"^\s*\[([a-z0-9.+-]+)\]=(\S+)", SCRIPT.read_text(), re.M))


def test_script_is_valid_bash():
    r = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_promises_the_tools_the_tests_use():
    files = promised()
    assert {"prometheus", "prometheus-alertmanager", "chromium", "chromium-driver",
            "fonts-noto-core"} <= set(files)
    assert files["prometheus"] == "/usr/bin/prometheus" and files["chromium-driver"] == "/usr/bin/chromedriver"


def test_installed_and_idempotent():
    missing = [f"{pkg} ({path})" for pkg, path in promised().items() if not Path(path).exists()]
    assert not missing, f"run scripts/install-system-deps.sh (make test does): missing {missing}"
    assert Path("/usr/bin/promtool").exists()
    t0 = time.monotonic()
    r = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r
    assert time.monotonic() - t0 < 5, "a no-op run must not touch apt"
