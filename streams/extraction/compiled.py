"""Which extractor runs: the Cython-compiled modules or the plain Python ones.

``setup.py`` compiles the hot modules of this package with Cython (the ``.py`` files unchanged,
types from the ``.pxd`` files beside them) and records the SHA-256 of each module's sources in
``_build.json``. Python imports a compiled module in preference to its ``.py``, so a stale build
(a ``.py``/``.pxd`` edited after the build) would silently run the old code: ``select()`` checks
the hashes first and, when any compiled module is stale or ``DIPLOWATCH_PURE_PYTHON`` is set,
makes every module of the package load from its ``.py`` (an import hook placed before the normal
finders). This module itself is never compiled.
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

PACKAGE = __name__.rsplit(".", 1)[0]
HERE = Path(__file__).resolve().parent
MANIFEST = "_build.json"
ENV = "DIPLOWATCH_PURE_PYTHON"


def source_hash(directory: Path, module: str) -> str:
    """SHA-256 of a module's ``.py`` and (if any) ``.pxd``: what its compiled form was built from."""
    h = hashlib.sha256()
    for suffix in (".py", ".pxd"):
        p = directory / (module + suffix)
        if p.exists():
            h.update(suffix.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def compiled_modules(directory: Path) -> list[str]:
    """Modules of ``directory`` with a compiled extension beside their ``.py``."""
    out = []
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for p in directory.glob("*" + suffix):
            name = p.name[: -len(suffix)]
            if (directory / (name + ".py")).exists() and name not in out:
                out.append(name)
    return sorted(out)


def stale_modules(directory: Path) -> list[str]:
    """Compiled modules whose sources changed since the build (or that the build did not record)."""
    built = compiled_modules(directory)
    if not built:
        return []
    try:
        recorded = json.loads((directory / MANIFEST).read_text(encoding="utf-8")).get("modules", {})
    except (OSError, ValueError):
        recorded = {}
    return [m for m in built if recorded.get(m) != source_hash(directory, m)]


class _PurePythonFinder:
    """Finds ``<package>.<module>`` in its ``.py`` file, ahead of the compiled extension."""

    def __init__(self, package: str, directory: Path, modules: list[str]) -> None:
        self.names = {f"{package}.{m}": directory / (m + ".py") for m in modules}

    def find_spec(self, fullname, path=None, target=None):
        p = self.names.get(fullname)
        return importlib.util.spec_from_file_location(fullname, p) if p is not None else None


# set by select(): "compiled" or "pure", and why
MODE = "pure"
REASON = "not selected yet"


def select() -> tuple[str, str]:
    """Decide (once per process, before the package's modules are imported) which form runs."""
    global MODE, REASON
    built = compiled_modules(HERE)
    force = os.environ.get(ENV, "").strip().lower() not in ("", "0", "false", "no")
    stale = stale_modules(HERE) if built and not force else []
    if not built:
        MODE, REASON = "pure", "no compiled build (see docs/extraction.md)"
        return MODE, REASON
    if force:
        MODE, REASON = "pure", f"{ENV} is set"
    elif stale:
        MODE, REASON = "pure", f"compiled build is stale for {', '.join(stale)}"
        warnings.warn(
            f"streams.extraction: the compiled modules are older than their sources ({', '.join(stale)}): "
            "running the pure-Python extractor. Rebuild with scripts/bootstrap.sh "
            "(or: uv pip install --python .venv/bin/python --no-deps --reinstall-package diplowatch -e .)", RuntimeWarning, stacklevel=3)
    else:
        MODE, REASON = "compiled", f"{len(built)} Cython modules: {', '.join(built)}"
        return MODE, REASON
    already = [m for m in built if f"{PACKAGE}.{m}" in sys.modules]
    if already:  # imported before the package's __init__ ran: cannot be swapped any more
        MODE, REASON = "mixed", REASON + f" (but {', '.join(already)} were already imported compiled)"
    sys.meta_path.insert(0, _PurePythonFinder(PACKAGE, HERE, built))
    return MODE, REASON
