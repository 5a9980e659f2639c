#!/usr/bin/env bash
# Creates .venv with the project installed (tests extras included). Idempotent and quick when nothing changed.
# Uses uv for its resolver overrides (deploy/python/overrides.txt keeps torch & co. out).
set -euo pipefail
cd "$(dirname "$0")/.."
# The interpreter: $PYTHON if set; else Debian's python3.11 when it is installed with its headers
# (Debian builds it with PGO and LTO and links libpython into the executable, like the
# python:3.11-slim image of the Dockerfile: the extractor runs ~15-20 % faster on it than on a
# plain source build such as pyenv's default, bench/README.md); else python3.
if [ -n "${PYTHON:-}" ]; then
  PY=$PYTHON
elif [ -x /usr/bin/python3.11 ] && [ -f /usr/include/python3.11/Python.h ]; then
  PY=/usr/bin/python3.11
else
  PY=python3
fi
if ! command -v uv >/dev/null 2>&1; then
  "$PY" -m pip install --quiet --user uv 2>/dev/null || "$PY" -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
stamp=.venv/.installed
record=streams/extraction/_build.json
base_of() { "$1" -c 'import sys; print(sys.base_prefix)' 2>/dev/null || true; }
if [ -x .venv/bin/python ] && [ "$(base_of .venv/bin/python)" != "$(base_of "$PY")" ]; then
  # an older .venv on another interpreter: made again, and the extractor compiled again for it
  echo "bootstrap: .venv uses $(base_of .venv/bin/python), not $(base_of "$PY"): recreating it" >&2
  rm -rf .venv "$record"
fi
if [ ! -x .venv/bin/python ]; then
  uv venv --quiet --python "$PY" .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ deploy/python/overrides.txt -nt "$stamp" ]; then
  echo "bootstrap: installing diplowatch into .venv (dependencies, then the compiled extractor: ~2 min the first time)" >&2
  uv pip install --quiet --python .venv/bin/python --overrides deploy/python/overrides.txt -e '.[test]'
  touch "$stamp"
fi
# The extractor's compiled modules (setup.py, Cython): rebuilt when a source of the package or
# setup.py is newer than the build's record. A failed or skipped build writes the record too (the
# package then runs as pure Python), so this does not retry on every run.
if [ ! -f "$record" ] || [ -n "$(find streams/extraction setup.py -maxdepth 1 \( -name '*.py' -o -name '*.pxd' \) -newer "$record" -print -quit)" ]; then
  echo "bootstrap: compiling the extractor (Cython, ~1-2 min; DIPLOWATCH_PURE_PYTHON=1 skips it)" >&2
  uv pip install --quiet --python .venv/bin/python --no-deps --reinstall-package diplowatch -e . \
    || echo "bootstrap: WARNING: building the compiled extractor failed; the pure-Python one runs" >&2
fi
