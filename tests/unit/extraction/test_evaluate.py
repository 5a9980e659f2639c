"""Scoring rules of the corpus README (pair matching per article, optional pairs absorb)."""
from __future__ import annotations

import pytest

from streams.extraction.evaluate import format_errors, format_table, score


def _c(aid, pair, mode="phone", date=None, topics=(), conf=0.5, evidence="ev"):
    return {"article_id": aid, "countries": list(pair), "mode": mode, "date": date,
            "topics": list(topics), "confidence": conf, "evidence": evidence}


GOLD = [
    {"article_id": "a", "contacts": [
        {"countries": ["OMN", "USA"], "mode": "phone", "date": "2025-01-11", "topics": ["gaza"]},
        {"countries": ["IRN", "TUR"], "mode": "phone", "date": None, "topics": [], "optional": True},
        {"countries": ["KHM", "OMN"], "mode": "visit", "date": None, "topics": []},
    ]},
    {"article_id": "neg", "contacts": []},
]


def test_tp_fp_fn_and_optional_absorb():
    preds = [_c("a", ("USA", "OMN"), date="2025-01-11", topics=["gaza"]),  # unsorted pair still matches
             _c("a", ("IRN", "TUR")),        # optional: neither TP nor FP
             _c("neg", ("EGY", "JOR"))]      # negative article: FP
    s = score(GOLD, preds)
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(0.5)
    assert [fn[1] for fn in s.false_negatives] == [("KHM", "OMN")]


def test_duplicates_of_a_pair_count_once():
    preds = [_c("a", ("OMN", "USA"), conf=0.2, mode="visit"), _c("a", ("OMN", "USA"), conf=0.9)]
    s = score(GOLD, preds)
    assert (s.tp, s.fp) == (1, 0)
    assert s.mode_accuracy == 1.0  # the most confident duplicate is scored


def test_date_accuracy_counts_only_gold_dates_and_null_prediction_is_wrong():
    s = score(GOLD, [_c("a", ("OMN", "USA"), date=None, topics=["gaza"]), _c("a", ("KHM", "OMN"), mode="visit")])
    assert s.date_n == 1 and s.date_ok == 0
    assert s.mode_accuracy == 1.0
    assert s.topic_accuracy == 1.0


def test_a_date_where_the_gold_has_none_is_counted_beside_date_accuracy():
    s = score(GOLD, [_c("a", ("OMN", "USA"), date="2025-01-11", topics=["gaza"]),
                     _c("a", ("KHM", "OMN"), mode="visit", date="2025-01-10")])
    assert (s.date_ok, s.date_n) == (1, 1)          # accuracy sees only the gold's dated contact
    assert s.date_extra == 1 and s.as_dict()["date_extra"] == 1
    assert [(m.field, m.gold, m.pred) for m in s.mismatches] == [("date", None, "2025-01-10")]
    assert score(GOLD, [_c("a", ("KHM", "OMN"), mode="visit")]).date_extra == 0


def test_topic_accuracy_both_ways():
    s = score(GOLD, [_c("a", ("OMN", "USA")), _c("a", ("KHM", "OMN"), mode="visit", topics=["gaza"])])
    assert s.topic_ok == 0 and s.tp == 2


def test_predictions_for_articles_outside_gold_are_ignored():
    s = score(GOLD, [_c("zzz", ("OMN", "USA"))])
    assert (s.tp, s.fp, s.fn) == (0, 0, 2)


def test_reports_render():
    s = score(GOLD, [_c("neg", ("EGY", "JOR"), evidence="the evidence sentence")])
    assert "precision" in format_table(s)
    errs = format_errors(s)
    assert "FP EGY-JOR" in errs and "the evidence sentence" in errs and "FN OMN-USA" in errs
    assert set(s.as_dict()) >= {"precision", "recall", "f1", "mode_accuracy", "date_accuracy", "topic_accuracy"}
