"""bench/heldout_splits.py: a split is scored only as it was frozen (hashes), with well-formed gold,
and the errors of a test split are never printed."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))

import heldout_splits as hs  # noqa: E402

ARTICLE = {"id": "t-1", "lang": "en", "published_at": "2024-03-04", "title": None, "source": None, "url": None,
           "text": "The Iranian Foreign Minister met his Omani counterpart in Muscat on Monday."}
GOLD = {"article_id": "t-1", "contacts": [{"countries": ["IRN", "OMN"], "mode": "visit",
                                           "date": "2024-03-04", "topics": [], "optional": False}]}


def _write(tmp: Path, name: str, rows: list[dict]) -> tuple[Path, str]:
    p = tmp / name
    p.write_bytes(b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows))
    return p, hashlib.sha256(p.read_bytes()).hexdigest()


def _manifest(tmp: Path, role: str, gold_rows=None, tamper: bool = False) -> Path:
    a, ah = _write(tmp, "a.jsonl", [ARTICLE])
    g, gh = _write(tmp, "g.jsonl", gold_rows or [GOLD])
    if tamper:
        g.write_bytes(g.read_bytes().replace(b"OMN", b"QAT"))
    m = tmp / "splits.tsv"
    m.write_text("# comment\nname\tlang\trole\tarticles\tgold\tarticles_sha256\tgold_sha256\tsource\n"
                 f"s1\ten\t{role}\t{a}\t{g}\t{ah}\t{gh}\thand-written\n", encoding="utf-8")
    return m


def test_a_frozen_split_is_scored(tmp_path, capsys):
    assert hs.main(["--manifest", str(_manifest(tmp_path, "test"))]) == 0
    out = capsys.readouterr().out
    assert "| s1 | en | test | 1 | 1 | 1 / 0 / 0 | 1.000 | 1.000 | **1.000** |" in out


def test_a_changed_split_is_refused(tmp_path, capsys):
    assert hs.main(["--manifest", str(_manifest(tmp_path, "test", tamper=True))]) == 2
    assert "changed after it was frozen" in capsys.readouterr().err


@pytest.mark.parametrize("contact, message", [
    ({"countries": ["IRN"], "mode": "visit"}, "two different ISO alpha-3 codes"),
    ({"countries": ["IRN", "omn"], "mode": "visit"}, "two different ISO alpha-3 codes"),
    ({"countries": ["IRN", "OMN"], "mode": "meeting"}, "is not one of"),
    ({"countries": ["IRN", "OMN"], "mode": "visit", "date": "4 March"}, "YYYY-MM-DD or null"),
])
def test_malformed_gold_is_refused_with_a_message(tmp_path, capsys, contact, message):
    gold = [{"article_id": "t-1", "contacts": [contact]}]
    assert hs.main(["--manifest", str(_manifest(tmp_path, "test", gold))]) == 2
    assert message in capsys.readouterr().err


def test_errors_are_listed_for_dev_splits_only(tmp_path, capsys):
    miss = [{"article_id": "t-1", "contacts": [{"countries": ["IRN", "QAT"], "mode": "visit"}]}]
    assert hs.main(["--manifest", str(_manifest(tmp_path, "dev", miss)), "--errors"]) == 0
    assert "FN IRN-QAT" in capsys.readouterr().out
    (tmp_path / "t").mkdir()
    assert hs.main(["--manifest", str(_manifest(tmp_path / "t", "test", miss)), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "FN IRN-QAT" not in out and "errors not listed" in out


def test_a_test_split_without_hashes_is_refused(tmp_path, capsys):
    m = _manifest(tmp_path, "test")
    m.write_text(m.read_text(encoding="utf-8").replace("\ten\ttest\t", "\ten\ttest\t", 1)
                 .rsplit("\t", 3)[0] + "\t-\t-\thand-written\n", encoding="utf-8")
    assert hs.main(["--manifest", str(m)]) == 2
    assert "has no recorded SHA-256" in capsys.readouterr().err
