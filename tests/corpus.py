"""The one way tests reach the shared data beside the project (``../shared``, see tests/paths.py).

The shared corpus and events are part of the project's test setup (CI runs with ``../shared``
beside the checkout), so a missing file fails the test that needs it, naming the path; it is
never a skip, which would let a run pass tests it did not do. Nothing here reads a file at import
time: a missing corpus fails the tests that use it, not the collection of the whole suite.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from tests.paths import CORPUS, EVENTS, SHARED


def shared_path(path: Path) -> Path:
    """``path`` (under ../shared); fails the calling test if it does not exist."""
    if not path.exists():
        pytest.fail(f"shared data not found: {path} (the shared corpus and events are expected at "
                    f"{SHARED}, beside the project)", pytrace=False)
    return path


def corpus_path(name: str) -> Path:
    """``../shared/corpus/<name>``; fails the calling test if it does not exist."""
    return shared_path(CORPUS / name)


def events_path(name: str) -> Path:
    """``../shared/events/<name>``; fails the calling test if it does not exist."""
    return shared_path(EVENTS / name)


@functools.cache
def _lines(path: Path) -> tuple[bytes, ...]:
    return tuple(line for line in path.read_bytes().splitlines() if line.strip())


def corpus_lines(name: str) -> list[bytes]:
    """The non-empty lines of ``../shared/corpus/<name>`` (read once per session)."""
    return list(_lines(corpus_path(name)))


def corpus_records(name: str) -> list[dict]:
    """The JSON records of ``../shared/corpus/<name>``, one per non-empty line."""
    return [json.loads(line) for line in corpus_lines(name)]


def corpus_article(name: str, article_id: str) -> dict:
    """The article record ``article_id`` of ``../shared/corpus/<name>`` (KeyError if not there)."""
    for d in corpus_records(name):
        if d["id"] == article_id:
            return d
    raise KeyError(article_id)
