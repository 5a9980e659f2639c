"""The Cython-compiled extractor (setup.py) against the plain Python one, and the guard that keeps a
stale build from running (streams/extraction/compiled.py)."""
from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from streams.extraction import compiled, extract_contacts, extractor_build
from tests.corpus import corpus_path

from tests.paths import FIXTURES, ROOT
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _fake_build(d: Path, modules: dict[str, str]) -> None:
    """A package dir with ``.py`` files and empty stand-ins for their compiled modules, recorded
    in the manifest as built from their current sources."""
    for name, text in modules.items():
        (d / f"{name}.py").write_text(text, encoding="utf-8")
        (d / f"{name}{SUFFIX}").write_bytes(b"")
    rec = {m: compiled.source_hash(d, m) for m in modules}
    (d / compiled.MANIFEST).write_text(json.dumps({"modules": rec}), encoding="utf-8")


def test_a_build_matching_its_sources_is_not_stale(tmp_path):
    _fake_build(tmp_path, {"a": "x = 1\n", "b": "y = 2\n"})
    (tmp_path / "plain.py").write_text("z = 3\n")  # never compiled: not a concern
    assert compiled.compiled_modules(tmp_path) == ["a", "b"]
    assert compiled.stale_modules(tmp_path) == []


def test_an_edited_py_or_pxd_makes_its_module_stale(tmp_path):
    _fake_build(tmp_path, {"a": "x = 1\n", "b": "y = 2\n"})
    (tmp_path / "a.py").write_text("x = 10\n")
    assert compiled.stale_modules(tmp_path) == ["a"]
    (tmp_path / "b.pxd").write_text("cdef int y\n")  # a new .pxd changes what b compiles to
    assert compiled.stale_modules(tmp_path) == ["a", "b"]


def test_a_build_without_its_record_is_stale(tmp_path):
    _fake_build(tmp_path, {"a": "x = 1\n"})
    (tmp_path / compiled.MANIFEST).unlink()
    assert compiled.stale_modules(tmp_path) == ["a"]
    (tmp_path / compiled.MANIFEST).write_text("not json")
    assert compiled.stale_modules(tmp_path) == ["a"]


def test_the_pure_python_finder_loads_the_py_file(tmp_path):
    _fake_build(tmp_path, {"mod": "VALUE = 'from the .py'\n"})
    finder = compiled._PurePythonFinder("pkg_under_test", tmp_path, ["mod"])
    spec = finder.find_spec("pkg_under_test.mod")
    assert spec.origin == str(tmp_path / "mod.py")
    assert finder.find_spec("pkg_under_test.other") is None


def test_the_installed_build_is_not_stale():
    built = compiled.compiled_modules(compiled.HERE)
    if not built and os.environ.get("CI") and not os.environ.get(compiled.ENV):
        # a failed build falls back to pure Python on purpose (the project stays installable),
        # which a run of the suite on a clean clone must not take for success: Cython refusing a
        # module (a closure in a cpdef function) would otherwise go unnoticed
        pytest.fail("CI: no compiled extractor was built (scripts/bootstrap.sh printed why)")
    if not built:
        pytest.skip("no compiled extractor in this checkout (pure Python only)")
    stale = compiled.stale_modules(compiled.HERE)
    assert not stale, (f"the compiled extractor is older than its sources ({', '.join(stale)}); the "
                       "pure-Python modules run instead. Rebuild: scripts/bootstrap.sh")


def _contacts(paths: list[Path]) -> list[bytes]:
    out = []
    for p in paths:
        for line in p.read_bytes().splitlines():
            if line.strip():
                out += [orjson.dumps(c.to_dict()) for c in extract_contacts(orjson.loads(line))]
    return out


_PURE_RUN = """
import sys, orjson
from pathlib import Path
from streams.extraction import extract_contacts, extractor_build
assert extractor_build()[0] == "pure", extractor_build()
for p in sys.argv[1:]:
    for line in Path(p).read_bytes().splitlines():
        if line.strip():
            for c in extract_contacts(orjson.loads(line)):
                sys.stdout.buffer.write(orjson.dumps(c.to_dict()) + b"\\n")
"""


def test_compiled_and_pure_python_extractors_give_identical_contacts():
    mode, why = extractor_build()
    if mode != "compiled":
        pytest.skip(f"the compiled extractor is not running here ({why})")
    paths = [corpus_path("dev.jsonl"), corpus_path("seeds.jsonl"), FIXTURES / "burst_stream.jsonl"]
    env = dict(os.environ, DIPLOWATCH_PURE_PYTHON="1")
    pure = subprocess.run([sys.executable, "-c", _PURE_RUN, *map(str, paths)], cwd=ROOT, env=env,
                          capture_output=True, check=True, timeout=240).stdout.splitlines()
    fast = _contacts(paths)
    assert len(fast) > 100  # the corpus reports contacts: the comparison is not vacuous
    assert fast == pure


def test_the_compiled_build_accepts_what_the_python_code_accepts():
    # setup.py compiles with annotation_typing off: with it, Cython would reject None for
    # ``text: str`` where the Python code returns a value (the dedup core calls normalise too)
    from streams.extraction.langid import detect_lang
    from streams.extraction.normalise import normalise

    assert normalise(None) == ""
    assert detect_lang(None) == "en"
