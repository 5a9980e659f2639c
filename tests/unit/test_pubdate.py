"""A published_at that cannot be a publication time is treated as absent and counted, in the
worker's validate stage and in ``extract`` alike (streams.pubdate)."""
from __future__ import annotations

from datetime import date

import orjson
import pytest

from streams import metrics
from streams.pipeline.serde import Origin
from streams.pipeline.validate import ValidateStage
from streams.pubdate import IN_FUTURE, NOT_GREGORIAN, drop_implausible, implausible

TODAY = date(2024, 11, 11)


@pytest.mark.parametrize("value, reason", [
    ("1403-08-21", NOT_GREGORIAN),            # Solar Hijri, written as ISO
    ("1445-05-09T10:00:00Z", NOT_GREGORIAN),  # Lunar Hijri
    ("2099-01-01", IN_FUTURE),
    ("2024-11-13", IN_FUTURE),
    ("2024-11-12", None),                     # tomorrow: a time zone ahead
    ("2024-11-11T23:10:00+03:30", None),
    ("1987-03-02", None),                     # old, but a real publication date
    ("2019-05", None),
    (None, None),
    ("not a date", None),                     # unparseable: the schema's business, not this one's
])
def test_implausible(value, reason):
    assert implausible(value, TODAY) == reason


def test_drop_sets_the_field_to_null_and_says_why():
    a = {"id": "x", "published_at": "1403-08-21"}
    assert drop_implausible(a, TODAY) == NOT_GREGORIAN and a["published_at"] is None
    b = {"id": "y", "published_at": "2024-11-10"}
    assert drop_implausible(b, TODAY) is None and b["published_at"] == "2024-11-10"


def _ignored(reason: str) -> float:
    return metrics.REGISTRY.get_sample_value("diplowatch_published_at_ignored_total", {"reason": reason})


@pytest.mark.parametrize("value, reason", [("1403-08-21", NOT_GREGORIAN), ("2099-01-01", IN_FUTURE)])
def test_validate_passes_the_article_on_without_the_date_and_counts_it(value, reason):
    stage = ValidateStage(max_bytes=100_000, max_text_chars=50_000)
    before = _ignored(reason)
    raw = orjson.dumps({"id": "a1", "text": "The ministers met in Muscat.", "published_at": value})
    [out] = stage.handle(raw, Origin("articles", 0, 7, 0, b"a1"), now=1.7e9)
    assert out.value.kind == "article"
    assert out.value.article["published_at"] is None
    assert _ignored(reason) == before + 1


def test_extract_does_not_date_contacts_by_a_hijri_published_at(tmp_path):
    from tests.cli import run

    article = {"id": "h1", "lang": "en", "published_at": "1403-08-21",
               "text": "The Foreign Minister of Oman held a phone call with the Foreign Minister of Iran today."}
    code, out, err = run(["extract"], orjson.dumps(article) + b"\n")
    assert code == 0
    [contact] = [orjson.loads(line) for line in out.splitlines()]
    assert contact["countries"] == ["IRN", "OMN"] and contact["date"] is None
    assert contact["published_at"] is None
    assert "published_at treated as absent: 1 with a year before 1900" in err
