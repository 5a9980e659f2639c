"""Knowledge fails loudly: one loader and one format for every file of streams/knowledge/; a
missing file or a malformed row stops the extractor at start-up with the file and line named."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from streams.knowledge import loader as kb

from tests.paths import ROOT


@pytest.mark.parametrize("parse, header, row, message", [
    (kb.parse_triggers, "lang\tkind\tvalue\tmatch\tform", "en\tmeeet\t-\tword\tmet",
     "f.tsv:3: kind must be one of"),
    (kb.parse_triggers, "lang\tkind\tvalue\tmatch\tform", "de\tmeet\t-\tword\ttraf",
     "f.tsv:3: lang must be one of"),
    (kb.parse_triggers, "lang\tkind\tvalue\tmatch\tform", "en\tmeet\t-\tsuffix\tmet",
     "f.tsv:3: match must be one of"),
    (kb.parse_triggers, "lang\tkind\tvalue\tmatch\tform", "en\tmeet\t-\tword\t",
     "f.tsv:3: empty form"),
    (kb.parse_triggers, "lang\tkind\tvalue\tmatch", "en\tmeet\t-\tword",
     "f.tsv:2: header must be"),
    (kb.parse_topics, "topic\tlang\tstrength\tmatch\tform", "gaza\tar\tstrongest\tword\tغزه",
     "f.tsv:3: strength must be one of"),
    (kb.parse_date_words, "lang\tkind\tvalue\tword", "fa\tweekday\tMonday\tدوشنبه",
     "f.tsv:3: value of a weekday must be a number"),
    (kb.parse_date_words, "lang\tkind\tvalue\tword", "fa\tseason\t1\tبهار",
     "f.tsv:3: kind must be one of"),
    (kb.parse_boilerplate_markers, "lang\tkind\tpattern", "ar\tfooter\tاقرا ايضا",
     "f.tsv:3: kind must be one of"),
    (kb.parse_triggers, "lang\tkind\tvalue\tmatch\tform", "en\tmeet\t-\tword\tmet\textra",
     "f.tsv:3: 6 fields, expected 5"),
])
def test_malformed_rows_name_the_file_and_line(parse, header, row, message):
    text = f"# a comment\n{header}\n{row}\n"
    with pytest.raises(kb.KnowledgeError) as err:
        parse(text, "f.tsv")
    assert message in str(err.value)


def test_every_file_has_a_header_row_and_loads():
    assert len(kb.load_triggers()) > 400
    assert {c.kind for c in kb.load_triggers()} <= kb.TRIGGER_KINDS
    cues = kb.load_cues()
    for name, kind in kb.CUE_LISTS.items():  # every list has cues (load_cues reads every language)
        assert any(c.kind == kind for c in cues), name
    assert len(kb.load_topics()) > 20
    assert len(kb.load_date_words()) > 300
    assert len(kb.load_boilerplate_markers()) > 50


def test_cue_lists_are_word_lists_with_an_optional_trailing_star():
    cues = kb.parse_cue_list("# comment\nform\nwill\nسيلتق*\n", "ar", "future", "cues/ar/modality.txt")
    assert [(c.form, c.match, c.line) for c in cues] == [("will", "word", 3), ("سيلتق", "prefix", 4)]
    with pytest.raises(kb.KnowledgeError, match=r"cues/ar/modality.txt:2: a cue is a word"):
        kb.parse_cue_list("form\nس*يلتق\n", "ar", "future", "cues/ar/modality.txt")
    with pytest.raises(kb.KnowledgeError, match=r"cues/ar/modality.txt:1: header must be"):
        kb.parse_cue_list("will\n", "ar", "future", "cues/ar/modality.txt")


def test_missing_file_is_an_error_naming_it():
    with pytest.raises(kb.KnowledgeError, match=r"no_such_file\.tsv: missing"):
        kb._package_text("no_such_file.tsv")


def _copy_package(tmp_path: Path) -> Path:
    """The package's Python sources and knowledge files, without compiled modules."""
    dst = tmp_path / "streams"
    shutil.copytree(ROOT / "streams", dst, ignore=shutil.ignore_patterns(
        "*.so", "*.c", "_build.json", "__pycache__", "*.pyc"))
    return dst


def _build_gazetteer(tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DIPLOWATCH_PURE_PYTHON": "1"}
    return subprocess.run(
        [sys.executable, "-c", "from streams.extraction.gazetteer import gazetteer; gazetteer()"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ["triggers.tsv", "country_aliases.tsv", "date_words.tsv",
                                  "cues/fa/negation.txt"])
def test_gazetteer_refuses_to_start_without_a_knowledge_file(tmp_path, name):
    pkg = _copy_package(tmp_path)
    (pkg / "knowledge" / name).unlink()
    run = _build_gazetteer(tmp_path)
    assert run.returncode != 0
    assert f"KnowledgeError: {name}: missing" in run.stderr


def test_gazetteer_refuses_a_malformed_row_with_its_line(tmp_path):
    pkg = _copy_package(tmp_path)
    path = pkg / "knowledge" / "triggers.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + ["en\tmet\t-\tword\tgreeted"]) + "\n", encoding="utf-8")
    run = _build_gazetteer(tmp_path)
    assert run.returncode != 0
    assert f"KnowledgeError: triggers.tsv:{len(lines) + 1}: kind must be one of" in run.stderr


def test_boilerplate_refuses_a_bad_pattern_with_its_line(tmp_path):
    pkg = _copy_package(tmp_path)
    path = pkg / "knowledge" / "boilerplate_markers.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + ["en\trelated\tread (also"]) + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DIPLOWATCH_PURE_PYTHON": "1"}
    run = subprocess.run([sys.executable, "-c", "from streams.extraction import boilerplate; "
                          "boilerplate.segment('x', 'en')"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert f"KnowledgeError: boilerplate_markers.tsv:{len(lines) + 1}: bad pattern" in run.stderr


def test_extractor_raises_instead_of_returning_nothing_without_knowledge(tmp_path):
    """extract_contacts swallows errors an article causes; a missing knowledge file is not one:
    it is raised (and load_knowledge, which the worker calls first, raises it at start-up)."""
    pkg = _copy_package(tmp_path)
    (pkg / "knowledge" / "office_holders.tsv").unlink()
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DIPLOWATCH_PURE_PYTHON": "1"}
    for code in ("from streams.extraction import load_knowledge; load_knowledge()",
                 "from streams.extraction import extract_contacts; extract_contacts("
                 "{'id': 'a', 'text': 'Blinken met Lavrov in Geneva.', 'lang': 'en'})"):
        run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode != 0
        assert "KnowledgeError: office_holders.tsv: missing" in run.stderr
