"""The lock files are in step with pyproject.toml and the environment was installed from them
(deploy/python/requirements.lock and build.lock, written by scripts/lock.sh, installed by
scripts/bootstrap.sh). A dependency added to pyproject.toml without re-locking, a lock entry
without hashes, or a .venv that drifted from the lock fails here."""
from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ENTRY = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def _lock(name: str) -> list[tuple[str, str, Marker | None, int]]:
    """(name, version, marker, number of hashes) per entry of a lock file."""
    entries: list[tuple[str, str, Marker | None, int]] = []
    for line in (ROOT / "deploy/python" / name).read_text().splitlines():
        m = ENTRY.match(line)
        if m:
            marker = Marker(m.group(3)) if m.group(3) else None
            entries.append((canonicalize_name(m.group(1)), m.group(2), marker, 0))
        elif line.strip().startswith("--hash=sha256:") and entries:
            n, v, mk, h = entries[-1]
            entries[-1] = (n, v, mk, h + 1)
    return entries


def _here(entries):
    """name -> version of the entries that apply to this interpreter and platform."""
    return {n: v for n, v, mk, _ in entries if mk is None or mk.evaluate()}


def _requirements() -> list[Requirement]:
    reqs = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    return reqs + [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]]


def test_every_entry_has_hashes():
    for name in ("requirements.lock", "build.lock"):
        entries = _lock(name)
        assert entries and all(h >= 1 for *_, h in entries), name


@pytest.mark.parametrize("req", _requirements(), ids=str)
def test_every_dependency_is_locked_at_a_version_it_accepts(req):
    if req.marker is not None and not req.marker.evaluate({"extra": "test"}):
        return
    here = _here(_lock("requirements.lock"))
    name = canonicalize_name(req.name)
    assert name in here, f"{req.name} is not in the lock: run scripts/lock.sh"
    assert req.specifier.contains(here[name], prereleases=True), (req, here[name])


def test_the_framework_pins_are_exact_and_locked():
    here = _here(_lock("requirements.lock"))
    pins = {canonicalize_name(r.name): str(r.specifier) for r in _requirements()}
    for name in ("faust-streaming", "aiokafka", "mode-streaming"):
        assert pins[name].startswith("==")
        assert here[name] == pins[name][2:]


def test_the_overridden_packages_are_never_installed():
    for name, _, marker, _ in _lock("requirements.lock"):
        if name in ("torch", "transformers", "camel-kenlm"):
            assert marker is not None and "never" in str(marker)
    assert not {"torch", "transformers", "camel-kenlm"} & set(_here(_lock("requirements.lock")))


def test_the_build_requirements_are_locked():
    here = _here(_lock("build.lock"))
    for r in PYPROJECT["build-system"]["requires"]:
        req = Requirement(r)
        assert req.specifier.contains(here[canonicalize_name(req.name)])


def test_the_environment_is_the_locked_one():
    # what scripts/bootstrap.sh installed: every locked package that applies here, at its version
    wrong = {}
    for name, version in _here(_lock("requirements.lock")).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert wrong == {}, "locked vs installed (run scripts/bootstrap.sh): %r" % wrong


def test_the_image_installs_what_bootstrap_installs():
    # the Dockerfile: bootstrap.sh's uv version, the lock with its hashes, the build lock
    docker = (ROOT / "Dockerfile").read_text()
    bootstrap = (ROOT / "scripts/bootstrap.sh").read_text()
    uv = re.search(r"^UV_VERSION=(\S+)$", bootstrap, re.M).group(1)
    assert re.search(rf"^ARG UV_VERSION={re.escape(uv)}$", docker, re.M), "Dockerfile's uv differs"
    assert '"uv==${UV_VERSION}"' in docker
    install = re.search(r"uv pip install --system (.*?)\\\n\s+(.*?)\\\n", docker, re.S)
    assert install and "--require-hashes" in install.group(1)
    assert "-r deploy/python/requirements.lock" in install.group(1)
    assert "--build-constraints deploy/python/build.lock" in install.group(2)
    assert "--overrides" not in docker   # the lock was resolved with them; nothing is resolved here
