"""Where the tests find the shared corpus (../shared/corpus beside the project; referenced, never
copied) and one article of it by id."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_article(name: str, article_id: str) -> dict:
    """The article record ``article_id`` of ``CORPUS/name`` (skips the test if the corpus is absent)."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus not found at {path}")
    for line in path.open(encoding="utf-8"):
        d = json.loads(line)
        if d["id"] == article_id:
            return d
    raise KeyError(article_id)
