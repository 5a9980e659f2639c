"""Whether an article's ``published_at`` can be a publication time at all.

Feeds give dates that parse but cannot be right: a Solar or Lunar Hijri date written in ISO form
("1403-08-21" is 11 November 2024), a year like 2099 from a broken template. Taken at face value
they misdate every contact of the article, or push it out of every window. Such a value is treated
as absent (the extractor then dates contacts from the text, or leaves them undated) and counted
with its reason: ``diplowatch_published_at_ignored_total{reason}`` in the worker, a line in the
summary of ``extract``. What holds: a publication date is a Gregorian date from 1900 on and at
most one day after the clock's today (a day of slack for time zones). A value that does not parse
is not judged here: the article schema rejects it (dead letter ``bad_date``).
"""
from __future__ import annotations

from datetime import date, timedelta

NOT_GREGORIAN = "not_gregorian"   # a year before 1900: another calendar's year, or a typo
IN_FUTURE = "in_future"           # after tomorrow
REASONS = (NOT_GREGORIAN, IN_FUTURE)
DESCRIBED = {NOT_GREGORIAN: "a year before 1900 (another calendar?)", IN_FUTURE: "a day in the future"}
FIRST_YEAR = 1900


def implausible(published_at: str | None, today: date | None = None) -> str | None:
    """The reason ``published_at`` cannot be a publication time, or None when it can (or is
    absent, or does not parse)."""
    from streams.extraction.dates import parse_published

    pub = parse_published(published_at)
    if pub is None:
        return None
    if pub.date.year < FIRST_YEAR:
        return NOT_GREGORIAN
    if pub.date > (today or date.today()) + timedelta(days=1):
        return IN_FUTURE
    return None


def drop_implausible(article: dict, today: date | None = None) -> str | None:
    """Set ``article["published_at"]`` to None when it cannot be a publication time; return the
    reason, or None when the article is left as it was."""
    reason = implausible(article.get("published_at"), today)
    if reason is not None:
        article["published_at"] = None
    return reason
