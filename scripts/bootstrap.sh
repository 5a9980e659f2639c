#!/usr/bin/env bash
# Creates .venv with the project installed (tests extras included). Idempotent and quick when nothing
# changed. Needs only what a fresh machine of this kind ships: a Python 3.11+ with its `venv` module
# (Debian's python3.11-venv). Nothing is installed outside the project folder: uv, the installer, is
# installed *inside* .venv by the venv's own pip, pinned, so Debian's externally-managed Python
# (PEP 668) is never asked to take a package and no user install (~/.local) is needed.
# The environment is the locked one: every package at the version and with the hashes recorded in
# deploy/python/requirements.lock (resolved with deploy/python/overrides.txt, which keeps torch & co.
# out), every build requirement from deploy/python/build.lock; scripts/lock.sh refreshes both.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.9.30
die() { echo "bootstrap: $*" >&2; exit 1; }
# The interpreter: $PYTHON if set; else Debian's python3.11 when it is installed with its headers
# (Debian builds it with PGO and LTO and links libpython into the executable, like the
# python:3.11-slim image of the Dockerfile: the compiled extractor runs faster on it than on a plain
# source build such as pyenv's default, bench/HISTORY.md); else python3.
if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON
elif [ -x /usr/bin/python3.11 ] && [ -f /usr/include/python3.11/Python.h ]; then
  PY=/usr/bin/python3.11
else
  PY=python3
fi
command -v "$PY" >/dev/null 2>&1 || die "no Python interpreter '$PY' (install python3.11, or set PYTHON=/path/to/python3.11+)"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "$PY is Python $("$PY" -c 'import platform; print(platform.python_version())'); diplowatch needs 3.11 or newer (set PYTHON=...)"
stamp=.venv/.installed
record=streams/extraction/_build.json
base_of() { "$1" -c 'import sys; print(sys.base_prefix)' 2>/dev/null || true; }
if [ -e .venv ] && { [ ! -x .venv/bin/python ] || [ "$(base_of .venv/bin/python)" != "$(base_of "$PY")" ]; }; then
  # a broken .venv, or one on another interpreter: made again, and the extractor compiled again for it
  echo "bootstrap: .venv is broken or uses another interpreter than $PY: recreating it" >&2
  rm -rf .venv "$record"
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv 2>/dev/null \
    || { rm -rf .venv; die "'$PY -m venv' failed: install the interpreter's venv module (Debian: apt-get install python3.11-venv)"; }
fi
UV=.venv/bin/uv
# uv trusts the operating system's certificate store (as pip, curl and Java do here), not only the
# roots compiled into it: a machine whose traffic passes a TLS proxy with a local CA works as well.
export UV_NATIVE_TLS=1
if [ ! -x "$UV" ] || [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "bootstrap: installing uv $UV_VERSION into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" \
    || die "could not install uv into .venv with its pip (is PyPI reachable?)"
fi
lock=deploy/python/requirements.lock
build_lock=deploy/python/build.lock
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ "$build_lock" -nt "$stamp" ]; then
  echo "bootstrap: installing diplowatch into .venv (locked dependencies, then the compiled extractor: ~2 min the first time)" >&2
  "$UV" pip install --quiet --python .venv/bin/python --require-hashes --no-deps -r "$lock" --build-constraints "$build_lock"
  # the project itself over them (its dependencies are all in the lock: tests/unit/test_lock.py)
  "$UV" pip install --quiet --python .venv/bin/python --no-deps --build-constraints "$build_lock" -e .
  touch "$stamp"
fi
# The extractor's compiled modules (setup.py, Cython): rebuilt when a source of the package or
# setup.py is newer than the build's record. A failed or skipped build writes the record too (the
# package then runs as pure Python), so this does not retry on every run.
if [ ! -f "$record" ] || [ -n "$(find streams/extraction setup.py -maxdepth 1 \( -name '*.py' -o -name '*.pxd' \) -newer "$record" -print -quit)" ]; then
  echo "bootstrap: compiling the extractor (Cython, ~1-2 min; DIPLOWATCH_PURE_PYTHON=1 skips it)" >&2
  "$UV" pip install --quiet --python .venv/bin/python --no-deps --build-constraints "$build_lock" --reinstall-package diplowatch -e . \
    || echo "bootstrap: WARNING: building the compiled extractor failed; the pure-Python one runs" >&2
fi
