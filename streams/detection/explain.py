"""Alerts that explain themselves: a sentence saying what is unusual, with country names, and the
group an alert belongs to (the all-topics and per-topic alerts of one pair and week show the same
evidence, so the status page shows them once).

Pure functions of an alert's numbers; country names are CLDR's short English names (Babel, as the
gazetteer uses them: "Russia", "Iran", "South Korea"), else pycountry's (historic codes), else the
code itself.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from streams.detection.counts import ALL_TOPICS
from streams.detection.labels import iso_week


@lru_cache(maxsize=1024)
def country_name(code: str, lang: str = "en") -> str:
    """Short CLDR name of an ISO alpha-3 code in ``lang`` ("IRN" -> "Iran"; in "ar" "إيران", in
    "fa" "ایران"), else pycountry's English name (historic codes), else the code."""
    try:
        import pycountry
        from babel import Locale
    except ImportError:
        return code
    c = pycountry.countries.get(alpha_3=code)
    if c is not None:
        try:
            name = Locale.parse(lang).territories.get(c.alpha_2)
        except (ValueError, TypeError):   # an unknown language tag: English
            name = Locale("en").territories.get(c.alpha_2)
        if name:
            return name
    c = c or pycountry.historic_countries.get(alpha_3=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


def group_id(pair: str, started: str) -> str:
    """``AAA-BBB|YYYY-Www``: the pair and the ISO week its episode started. The all-topics and the
    per-topic episodes of one burst start in the same week (the same contacts cross both
    thresholds), so they share it."""
    return f"{pair}|{iso_week(started)}"


def _day(d: str) -> str:
    x = date.fromisoformat(d)
    return f"{x.day} {x.strftime('%B')} {x.year}"


def _num(x: float) -> str:
    if x >= 10:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{x:.2f}".rstrip("0").rstrip(".") if x >= 0.01 else "almost 0"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(*, pair: list[str] | tuple[str, str], topic: str, window_start: str, window_end: str,
            window_days: int, observed: int, expected: float, history_contacts: int,
            history_days: int, history_weeks: int, p_value: float, sources: int, articles: int,
            status: str = "new", count_unit: str = "contacts",
            reports: tuple[int, float] | None = None) -> str:
    """One or two sentences saying what is unusual, e.g. "Iran and Saudi Arabia: 3 distinct contacts
    in the 7 days to 5 January 2016, against about 0.23 a week over the previous 12 weeks ...".
    ``expected`` is the window's expected count; the weekly rate is derived from it.
    ``count_unit`` "days": the counts are days with a contact. ``reports`` (the window's distinct
    reports and their expected number): the window fired on its reports, and p is theirs."""
    a, b = (country_name(c) for c in pair)
    noun = "contact" if topic == ALL_TOPICS else f"{topic}-related contact"
    weekly = expected * 7.0 / window_days
    if history_days >= history_weeks * 7:
        base = f"against about {_num(weekly)} a week over the previous {history_weeks} weeks"
    else:   # the system has observed the pair for less than the full baseline
        base = (f"against about {_num(weekly)} a week expected from the "
                f"{_plural(history_days, 'day')} observed before ({_plural(history_contacts, 'contact')})")
    head = "Still growing: " if status == "update" else ""
    p = f"{p_value:.1g}" if p_value >= 1e-4 else f"{p_value:.0e}"
    if count_unit == "days":
        counted = f"{_plural(observed, 'day')} with a {noun}"
    else:
        counted = _plural(observed, "distinct " + noun)
    chance = f"Chance of this many at the usual rate: p = {p}."
    if reports is not None:
        chance = (f"Unusually reported: {_plural(reports[0], 'report')} against about "
                  f"{_num(reports[1] * 7.0 / window_days)} a week usually; chance of this many: p = {p}.")
    return (f"{head}{a} and {b}: {counted} in the {window_days} days to {_day(window_end)}, {base}; reported by "
            f"{_plural(sources, 'outlet')} in {_plural(articles, 'article')}. {chance}")


def explain(alert: dict[str, Any], params: Any, reports: tuple[int, float] | None = None) -> str:
    """``summary`` from an alert record (streams.detection.SpikeDetector) and its SpikeParams;
    ``reports``: (distinct reports, expected) of a window that fired on its reports."""
    ev = alert.get("evidence") or ()
    sources = {s for e in ev for s in (e.get("sources") or ())}
    articles = {x for e in ev for x in (e.get("article_ids") or ())}
    hist = alert.get("history") or {}
    return summary(pair=alert["pair"], topic=alert["topic"], window_start=alert["window_start"],
                   window_end=alert["window_end"], window_days=params.window_days,
                   observed=alert["observed"], expected=alert["expected"],
                   history_contacts=int(hist.get("contacts", 0)), history_days=int(hist.get("days", 0)),
                   history_weeks=params.history_weeks, p_value=alert["p_value"],
                   sources=len(sources), articles=len(articles), status=alert["status"],
                   count_unit=getattr(params, "count_unit", "contacts"), reports=reports)


__all__ = ["country_name", "explain", "group_id", "summary"]
