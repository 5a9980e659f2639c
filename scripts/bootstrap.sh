#!/usr/bin/env bash
# Creates .venv with the project installed (tests extras included). Idempotent and quick when nothing changed.
# Uses uv for its resolver overrides (deploy/python/overrides.txt keeps torch & co. out).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! command -v uv >/dev/null 2>&1; then
  "$PY" -m pip install --quiet --user uv 2>/dev/null || "$PY" -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
stamp=.venv/.installed
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
record=streams/extraction/_build.json
if [ ! -f "$record" ] || [ -n "$(find streams/extraction setup.py -maxdepth 1 \( -name '*.py' -o -name '*.pxd' \) -newer "$record" -print -quit)" ]; then
  echo "bootstrap: compiling the extractor (Cython, ~1-2 min; DIPLOWATCH_PURE_PYTHON=1 skips it)" >&2
  uv pip install --quiet --python .venv/bin/python --no-deps --reinstall-package diplowatch -e . \
    || echo "bootstrap: WARNING: building the compiled extractor failed; the pure-Python one runs" >&2
fi
