"""DIPLOWATCH_KNOWLEDGE_DIR: a folder whose files replace the packaged knowledge files of the same
relative name, read and checked at start. The effect is tested as a user sees it: ``python -m
streams extract`` in a fresh process with the variable set (the loaders are cached per process)."""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from streams.knowledge import loader
from streams.settings import SPECS

from tests.paths import ROOT
PACKAGED = ROOT / "streams" / "knowledge"


def _extract(articles: list[dict], overlay: Path | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != loader.OVERLAY_ENV}
    if overlay is not None:
        env[loader.OVERLAY_ENV] = str(overlay)
    return subprocess.run([sys.executable, "-m", "streams", "extract"], cwd=ROOT, env=env,
                          input="".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles),
                          capture_output=True, text=True, timeout=120)


def _copy(overlay: Path, rel: str, extra: str = "") -> Path:
    """The packaged file copied into the overlay (the overlay replaces whole files), plus rows."""
    path = overlay / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((PACKAGED / rel).read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


DAM = {"id": "dam", "lang": "en", "published_at": "2024-02-01",
       "text": "The Foreign Minister of Egypt held a phone call with the Foreign Minister of Sudan on "
               "Sunday and discussed the Grand Ethiopian Renaissance Dam."}
DENIED = {"id": "refuted", "lang": "en", "published_at": "2023-10-16",
          "text": "The Jordanian foreign ministry refuted reports that Ayman Safadi met US Secretary of "
                  "State Antony Blinken in Amman on Sunday."}


def test_overlay_adds_a_topic_and_a_cue_word(tmp_path):
    before = _extract([DAM, DENIED], None)
    assert before.returncode == 0, before.stderr
    got = {c["article_id"]: c for c in map(json.loads, before.stdout.splitlines())}
    assert got["dam"]["topics"] == [] and "refuted" in got      # packaged: no such topic, no such cue

    _copy(tmp_path, "topics.tsv", "gerd\ten\tstrong\tword\trenaissance dam\n"
                                  "gerd\tar\tstrong\tword\tسد النهضة\ngerd\tfa\tstrong\tword\tسد النهضه\n")
    _copy(tmp_path, "cues/en/denial.txt", "refuted\n")
    after = _extract([DAM, DENIED], tmp_path)
    assert after.returncode == 0, after.stderr
    got = {c["article_id"]: c for c in map(json.loads, after.stdout.splitlines())}
    assert got["dam"]["topics"] == ["gerd"] and got["dam"]["countries"] == ["EGY", "SDN"]
    assert "refuted" not in got                                  # the new denial cue voids it


@pytest.mark.parametrize("rel, row, message", [
    ("topics.tsv", "ukraine\ten\tstrong\twordd\tdonetsk\n", "match must be one of"),
    ("topics.tsv", "Iran Nuclear\ten\tstrong\tword\tarak\n", "a topic name is lowercase"),
    ("topics.tsv", "sudan\ten\tweak\tword\tkhartoum airport\n", "has no start day"),
    ("office_holders.tsv", "EGY\tforeign_minister\tBadr Abdelatty\t\t\t\t2024-07-03\t\tx\tone too many\n",
     "10 fields, expected 9"),
    ("outlets.tsv", "example-news.eg\tEGX\tar\t\tx\n", "not an ISO 3166-1 alpha-3 code"),
])
def test_a_bad_row_stops_extract_with_one_line_naming_file_and_line(tmp_path, rel, row, message):
    path = _copy(tmp_path, rel, row)
    line = len(path.read_text(encoding="utf-8").splitlines())
    r = _extract([DAM], tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"extract: knowledge base: {path}:{line}: ") and message in err


@pytest.fixture
def fresh_loader(monkeypatch):
    """The loader's caches emptied around a test (they hold one process's knowledge base)."""
    def clear():
        for f in vars(loader).values():
            if isinstance(f, functools._lru_cache_wrapper):
                f.cache_clear()
    clear()
    yield monkeypatch
    monkeypatch.delenv(loader.OVERLAY_ENV, raising=False)
    clear()


def test_overlay_replaces_only_the_files_it_has(fresh_loader, tmp_path):
    _copy(tmp_path, "topic_starts.tsv", "syria\t2011-03-15\tstart of the uprising\n")
    fresh_loader.setenv(loader.OVERLAY_ENV, str(tmp_path))
    assert loader.load_all() == ("topic_starts.tsv",)
    assert loader.load_topic_starts()["syria"] == "2011-03-15"
    assert len(loader.load_office_holders()) > 100                # still the packaged file


def test_a_misspelt_file_or_folder_is_an_error_not_silence(fresh_loader, tmp_path):
    (tmp_path / "topic.tsv").write_text("topic\tlang\tstrength\tmatch\tform\n", encoding="utf-8")
    fresh_loader.setenv(loader.OVERLAY_ENV, str(tmp_path))
    with pytest.raises(loader.KnowledgeError, match=r"topic\.tsv: not a knowledge file"):
        loader.load_all()
    fresh_loader.setenv(loader.OVERLAY_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(loader.KnowledgeError, match="not a folder"):
        loader.load_all()


def test_the_setting_is_declared_and_every_knowledge_file_is_listed():
    assert any(s.env == loader.OVERLAY_ENV for s in SPECS)
    on_disk = {p.relative_to(PACKAGED).as_posix() for p in PACKAGED.rglob("*")
               if p.suffix in (".tsv", ".txt")}
    assert set(loader.KNOWLEDGE_FILES) == on_disk


def test_the_worker_stops_on_a_bad_row_before_it_touches_the_broker(tmp_path):
    path = _copy(tmp_path, "cues/fa/negation.txt", "نه*بود*\n")
    line = len(path.read_text(encoding="utf-8").splitlines())
    env = {**os.environ, loader.OVERLAY_ENV: str(tmp_path),
           "DIPLOWATCH_KAFKA_BOOTSTRAP": "127.0.0.1:9"}    # nothing listens: it must not get there
    r = subprocess.run([sys.executable, "-m", "streams", "worker", "--web-port", "16066"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"worker: knowledge base: {path}:{line}: a cue is a word or phrase "
                                "with at most a trailing *, got 'نه*بود*'")
