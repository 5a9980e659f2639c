"""The bars on the shared development corpus (../shared/corpus): pair F1 >= 0.90 and mode and
date accuracy >= 0.90 on matched contacts, for the seeds and for dev. A regression guard for
changes to the extractor or the knowledge files; no rule is keyed to these articles."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.extraction import extract_contacts, extraction_errors
from streams.extraction.evaluate import score

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.mark.skipif(not (CORPUS / "dev.jsonl").exists(), reason="shared corpus not present")
@pytest.mark.parametrize("name", ["seeds", "dev"])
def test_bars_on_the_development_corpus(name):
    arts = [json.loads(l) for l in (CORPUS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    gold = [json.loads(l) for l in (CORPUS / f"{name}.gold.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    before = extraction_errors()
    s = score(gold, [c for a in arts for c in extract_contacts(a)])
    assert extraction_errors() == before
    assert s.f1 >= 0.90, s.as_dict()
    assert s.mode_accuracy >= 0.90, s.as_dict()
    assert s.date_accuracy >= 0.90, s.as_dict()
