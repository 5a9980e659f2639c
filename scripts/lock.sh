#!/usr/bin/env bash
# Refreshes the lock files scripts/bootstrap.sh installs from:
#   deploy/python/requirements.lock  every package of the environment (the project's dependencies
#                                    with its test extra), exact versions and the SHA-256 of every
#                                    distribution, resolved with deploy/python/overrides.txt
#   deploy/python/build.lock         the build requirements (pyproject.toml [build-system]; also the
#                                    setuptools that builds the few sdist-only dependencies)
# Both are universal (one lock for every platform and Python >= 3.11; entries a platform does not
# need carry a marker, and the overridden packages the marker `sys_platform == 'never'`).
#
#   scripts/lock.sh                                  re-lock after editing pyproject.toml, keeping
#                                                    every pin that still fits
#   scripts/lock.sh --upgrade-package faust-streaming   move one package (and what it needs)
#   scripts/lock.sh --upgrade                        move everything not pinned in pyproject.toml
# Arguments go to both `uv pip compile` runs. Needs .venv (scripts/bootstrap.sh) for its uv.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=.venv/bin/uv
[ -x "$UV" ] || { echo "lock: no $UV: run scripts/bootstrap.sh first" >&2; exit 1; }
export UV_NATIVE_TLS=1
common=(--universal --python-version 3.11 --generate-hashes --quiet
        --custom-compile-command "scripts/lock.sh")
"$UV" pip compile pyproject.toml --extra test --overrides deploy/python/overrides.txt \
  "${common[@]}" -o deploy/python/requirements.lock "$@"
.venv/bin/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' \
  | "$UV" pip compile - "${common[@]}" -o deploy/python/build.lock "$@"
echo "lock: deploy/python/requirements.lock and deploy/python/build.lock written; run scripts/bootstrap.sh, then the unit tests and the live-broker suite (docs/pipeline.md)" >&2
