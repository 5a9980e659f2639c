"""The bars on the shared development corpus (../shared/corpus): pair F1 >= 0.90 and mode and
date accuracy >= 0.90 on matched contacts, for the seeds and for dev. A regression guard for
changes to the extractor or the knowledge files; no rule is keyed to these articles."""
from __future__ import annotations


import pytest

from streams.extraction import extract_contacts, extraction_errors
from streams.extraction.evaluate import score

from tests.corpus import corpus_records


@pytest.mark.parametrize("name", ["seeds", "dev"])
def test_bars_on_the_development_corpus(name):
    arts = corpus_records(f"{name}.jsonl")
    gold = corpus_records(f"{name}.gold.jsonl")
    before = extraction_errors()
    s = score(gold, [c for a in arts for c in extract_contacts(a)])
    assert extraction_errors() == before
    assert s.f1 >= 0.90, s.as_dict()
    assert s.mode_accuracy >= 0.90, s.as_dict()
    assert s.date_accuracy >= 0.90, s.as_dict()
