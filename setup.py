"""Compiles the extractor's hot modules with Cython (pure-Python mode: the ``.py`` files as they
are, C types from the ``.pxd`` files beside them). Everything else about the package is in
pyproject.toml. The compiled modules are optional: without Cython or a C compiler, or with
DIPLOWATCH_PURE_PYTHON=1 at build time, the package installs as plain Python and
``streams.extraction`` runs the same code uncompiled (docs/extraction.md).

Each build records the SHA-256 of the sources it compiled in streams/extraction/_build.json;
``streams.extraction.compiled`` falls back to the .py files when a source no longer matches.
"""
import json
import os
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
PKG = ROOT / "streams" / "extraction"
# the modules where compiling pays (per-hit / per-sentence loops); evaluate.py, compiled.py and the
# modules used only while loading (date_vocab, clitics, variants), once per contact (confidence)
# or not by the extractor (tokens) stay Python
MODULES = ["gazetteer", "actors", "phenomena", "pairs", "contacts", "dates", "date_lexer", "date_grammar", "normalise",
           "sentences", "langid", "boilerplate", "triggers", "topics"]
# annotation_typing off: Cython would enforce the annotations (``x: str`` rejecting None and str
# subclasses, which the Python code accepts); C types come from the .pxd files only
DIRECTIVES = {"language_level": 3, "binding": True, "infer_types": True, "annotation_typing": False}


def _warn(msg: str) -> None:
    print(f"setup.py: WARNING: {msg}; streams.extraction will run as pure Python", file=sys.stderr)


def _no_build() -> None:
    """No compiled modules this time: old ones removed (they would be stale), an empty record
    written (scripts/bootstrap.sh compares the sources' times with it)."""
    import importlib.machinery

    for m in MODULES:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            (PKG / (m + suffix)).unlink(missing_ok=True)
    tmp = PKG / f"_build.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"modules": {}}) + "\n", encoding="utf-8")
    os.replace(tmp, PKG / "_build.json")


def _source_hash(module: str) -> str:
    # the same function the runtime check uses (compiled.py imports nothing of the package)
    import importlib.util

    spec = importlib.util.spec_from_file_location("_diplowatch_build_check", PKG / "compiled.py")
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    return check.source_hash(PKG, module)


def extensions() -> list:
    """The compiled modules, declared from their .py sources; Cython turns them into C only when
    build_ext runs (setup.py also runs for metadata, several times per install)."""
    from setuptools import Extension

    if os.environ.get("DIPLOWATCH_PURE_PYTHON", "").strip().lower() not in ("", "0", "false", "no"):
        print("setup.py: DIPLOWATCH_PURE_PYTHON is set: not compiling the extractor", file=sys.stderr)
        _no_build()
        return []
    return [Extension(f"streams.extraction.{m}", [f"streams/extraction/{m}.py"],
                      extra_compile_args=["-O3", "-g0"]) for m in MODULES]


class OptionalBuildExt(build_ext):
    """Cythonizes and compiles in parallel; a missing Cython or a compiler failure is a warning
    (pure Python runs), and the sources' hashes of what was built go to _build.json beside the
    compiled modules."""

    def initialize_options(self):
        super().initialize_options()
        self.parallel = os.cpu_count() or 1

    def run(self):
        if not self.extensions:
            _no_build()
            return
        try:
            from Cython.Build import cythonize
        except ImportError:
            _warn("Cython is not installed")
            _no_build()
            return
        try:
            # force: the C files are regenerated every time (a build runs only when a source,
            # a .pxd or this file changed, and the directives are not in the C files' timestamps)
            generated = cythonize(self.extensions, compiler_directives=DIRECTIVES, force=True,
                                  nthreads=os.cpu_count() or 1, quiet=True)
            c_sources = {e.name: e.sources for e in generated}
            for e in self.extensions:  # keep setuptools' own Extension objects (finalized already)
                e.sources = c_sources[e.name]
            super().run()
            built = [e.name.rsplit(".", 1)[1] for e in self.extensions]
        except Exception as e:  # Cython or C errors must not leave the project uninstallable
            _warn(f"compiling the extractor failed ({e})")
            _no_build()
            return
        self._write_manifest(built)

    def copy_file(self, infile, outfile, *args, **kwargs):
        """Editable installs copy each module into the source tree: written beside it and renamed
        over it, never rewritten in place (a process that has the old module mapped, a test run in
        the same checkout, would crash on a file truncated under it)."""
        tmp = f"{outfile}.{os.getpid()}.tmp"
        shutil.copyfile(infile, tmp)
        shutil.copymode(infile, tmp)
        os.replace(tmp, outfile)
        return outfile, True

    def _write_manifest(self, built):
        record = json.dumps({"modules": {m: _source_hash(m) for m in built}}, indent=1, sort_keys=True)
        targets = {PKG / "_build.json"}  # editable/in-place installs import from the source tree
        if self.extensions:
            targets.add(Path(self.get_ext_fullpath(self.extensions[0].name)).parent / "_build.json")
        for t in targets:
            t.parent.mkdir(parents=True, exist_ok=True)
            tmp = t.with_name(f"{t.name}.{os.getpid()}.tmp")
            tmp.write_text(record + "\n", encoding="utf-8")
            os.replace(tmp, t)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
