"""Where the tests find things: the project root, its fixtures, and the shared data beside the
project (``../shared``: the corpus and the ICEWS events, referenced, never copied into the repo).

Every test reads these names instead of counting ``Path(__file__).parents``, so a test file can
move between packages without its paths changing meaning.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SCHEMAS = ROOT / "schemas"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
EVENTS = SHARED / "events"
