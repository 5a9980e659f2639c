"""Publication dates, dates stated in the page, and the day a reported contact happened.

The date code is in four parts, one job each: ``date_vocab`` (the vocabulary of
``streams/knowledge/date_words.tsv``: month names of the Gregorian, Solar Hijri and Islamic
calendars in Arabic, Persian and English, weekdays, relative days, "last"/"this" modifiers),
``date_lexer`` (the atoms of a text), ``date_grammar`` (atoms grouped into expressions) and this
module, the resolution of expressions to days against a reference date. Calendar conversion is
convertdate's (``persian``, ``islamic``); no calendar arithmetic here besides adding days to
Gregorian dates.

Decisions:

* ``published_at`` with a time and zone keeps the local date as written (a story published at
  21:19 +03:30 on 9 October is from 9 October in Tehran, whatever the UTC date).
* Expressions next to each other ("أمس الأربعاء 11 أكتوبر الجاري", "امشب (دوشنبه) ۱۷ مهر ماه",
  "today, Saturday") form one group and are resolved together:
  an explicit date wins over everything (a disagreeing weekday is ignored: the day-of-month is
  the more specific statement and weekday slips are the commoner error); otherwise a weekday
  wins over a relative word (the reference date is often a day off - late publication, time
  zones - while the weekday is what the writer stated): the weekday nearest to reference+offset,
  on or before the reference date; a relative word alone gives reference+offset.
* A weekday alone is the latest such day on or before the reference date (0-6 days back); with
  "last"/"الماضي"/"گذشته" it is 1-7 days back.
* A day and month without a year ("December 3", "۱۷ مهر ماه") take the year (Gregorian, Solar
  Hijri or Islamic as named) that puts them on or before the reference date (one day of slack for
  time zones); with "الجاري"/"الحالي"/"جاری" ("of the current month") the reference date's year.
* A relative expression never resolves beyond reference + 1 day ("tomorrow"); a weekday or day
  and month marked as ahead ("الخميس المقبل", "next Monday", "۱۱ مي آتي") resolves to nothing.
* A full date after the reference date + 1 day, or a day and month without a year up to 45 days
  after it ("from May 4 to 6, 2025", "on May 5" in a report of May 3), is ahead: the sentence's
  event has not happened yet (``(None, AHEAD)``; the extractor reports no contact from it).
* A date right after "since"/"until"/"before"/"after", "منذ"/"حتى"/"قبل"/"بعد", "از"/"تا"/"پس از"
  bounds a span ("since 7 October") and is not taken as the event's day.
* Days may be ordinal words: "هفتم اکتبر ۲۰۲۳", "الرابع من يونيو 1967".
* ``أمس الأول`` is read as the day before yesterday (its usual Gulf/Levantine meaning), like أول أمس.
* With a reference date of month precision only, relative and weekday expressions resolve to that
  month with precision 'month'.
* No date expression in the sentence (and none in ``context``) gives ``(None, 'none')``: the caller
  (extraction core) decides the fallback, e.g. the reference date with a lower precision.
"""
from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from convertdate import islamic, persian

from streams.extraction.date_grammar import GREGORIAN, SOLAR, DateExpr, find_date_expressions
from streams.extraction.date_lexer import DIGITS, to_int
from streams.extraction.date_vocab import date_vocabulary_words

__all__ = [
    "PubDate",
    "DateExpr",
    "parse_published",
    "page_dates",
    "reference_date",
    "resolve_event_date",
    "find_date_expressions",
    "date_vocabulary_words",
]


# convertdate's Solar Hijri calendar finds each year's start from the astronomical March equinox
# (pymeeus), an expensive computation repeated on every conversion. The equinox of a year never
# changes, so the module's own function is memoised; convertdate still does all the
# calendar arithmetic.
if not hasattr(persian.equinox_jd, "cache_info"):
    persian.equinox_jd = lru_cache(maxsize=None)(persian.equinox_jd)


@dataclass(frozen=True, slots=True)
class PubDate:
    date: date
    precision: str  # 'day' | 'month' | 'year'



# ---------------------------------------------------------------------------------------------
# calendars

def _to_gregorian(cal: str, y: int, m: int, d: int) -> date | None:
    try:
        if cal == GREGORIAN:
            return date(y, m, d)
        conv = persian if cal == SOLAR else islamic
        if not (1 <= m <= 12 and 1 <= d <= 31):
            return None
        g = conv.to_gregorian(y, m, d)
        if tuple(conv.from_gregorian(*g)) != (y, m, d):
            return None  # day beyond the month's end
        return date(*g)
    except (ValueError, OverflowError):
        return None


def _year_of(cal: str, ref: date) -> int:
    if cal == GREGORIAN:
        return ref.year
    conv = persian if cal == SOLAR else islamic
    return conv.from_gregorian(ref.year, ref.month, ref.day)[0]


# ---------------------------------------------------------------------------------------------
# published_at

_PUB_RE = re.compile(
    r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?"
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?\s*$",
    re.I,
)


def parse_published(published_at: str | None) -> PubDate | None:
    """ISO date or date-time (any zone; the local date as written), month only ("2019-05"),
    year only, compact "20231009", or an RFC 2822 feed date. None when absent or unreadable."""
    if not published_at or not isinstance(published_at, str):
        return None
    s = published_at.strip().translate(DIGITS)
    m = _PUB_RE.match(s)
    if m is None and re.fullmatch(r"\d{8}", s):
        m = _PUB_RE.match(f"{s[:4]}-{s[4:6]}-{s[6:]}")
    try:
        if m is not None:
            y = int(m.group(1))
            if m.group(3):
                return PubDate(date(y, int(m.group(2)), int(m.group(3))), "day")
            if m.group(2):
                return PubDate(date(y, int(m.group(2)), 1), "month")
            return PubDate(date(y, 1, 1), "year")
        dt = email.utils.parsedate_to_datetime(s)
        return PubDate(dt.date(), "day")
    except (ValueError, TypeError, IndexError, OverflowError):
        return None


# ---------------------------------------------------------------------------------------------
# dates stated in the page

def page_dates(text: str) -> list[tuple[date, str, int]]:
    """Complete dates stated in ``text`` - with a year, any calendar - as (Gregorian date,
    precision 'day' | 'month', offset in text), in text order."""
    return [(d, p, off) for d, p, off, _ in _page_dates(text)]


# The extractor asks for the dates of one page several times (its reference date, whether it
# has any, the date line nearest to each paragraph with a contact): each call parsed every year
# window of the page again. The last few pages' results are kept (a tuple: never changed).
@lru_cache(maxsize=4)
def _page_dates(text: str) -> tuple[tuple[date, str, int, bool], ...]:
    """page_dates with a fourth field: the date bounds a span ("since 7 October 2023")."""
    out: list[tuple[date, str, int, bool]] = []
    if not text:
        return ()
    for e in _year_windows(text):
        if e.year is None or e.month is None:
            continue
        if e.day is not None:
            d = _to_gregorian(e.calendar, e.year, e.month, e.day)
            if d is not None:
                out.append((d, "day", e.start, e.bound))
        elif e.calendar == GREGORIAN and 1 <= e.month <= 12:
            out.append((date(e.year, e.month, 1), "month", e.start, e.bound))
        else:
            d = _to_gregorian(e.calendar, e.year, e.month, 1)
            if d is not None:
                out.append((d, "month", e.start, e.bound))
    return tuple(out)


_YEAR_RE = re.compile(r"\d{4}")  # \d: ASCII, Arabic-Indic and Persian digits
_WINDOW_BEFORE = 60


def _year_windows(text: str) -> list[DateExpr]:
    """Date expressions around the four-digit numbers of ``text`` - every complete date has a
    year - so long articles are scanned only where a date can be."""
    spans: list[list[int]] = []
    for m in _YEAR_RE.finditer(text):
        y = to_int(m.group())
        if not (1300 <= y <= 1500 or 1900 <= y <= 2100):
            continue
        a = text.rfind(" ", 0, max(0, m.start() - _WINDOW_BEFORE)) + 1
        b = text.find(" ", m.end() + 1)
        b = len(text) if b < 0 else b
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    out: list[DateExpr] = []
    for a, b in spans:
        for e in find_date_expressions(text[a:b]):
            e.start += a
            e.end += a
            out.append(e)
    return out


_TOP = 400  # characters of the page treated as its header (dateline area)
_NEAR = 1500
_DATELINE_WORDS = 10


def _on_dateline(text: str, off: int) -> bool:
    """A date on a short line of its own ("۱۷ / مهر / ۱۴۰۲ ۲۱:۱۹", "تاريخ النشر: 13th, October
    2023 GMT") is the page's date; one inside a sentence ("since March 21, 2019") is not."""
    a = text.rfind("\n", 0, off) + 1
    b = text.find("\n", off)
    if b < 0:
        b = len(text)
    return len(text[a:b].split()) <= _DATELINE_WORDS


def reference_date(published_at: str | None, text: str | None,
                   at: int | None = None) -> tuple[date | None, str]:
    """Anchor for relative expressions: published_at if it gives a day; else a date stated near
    the top of the page (on a short line of its own in the first 400 characters); else, when
    ``at`` (an offset in ``text``) is given, the page date nearest to it within 1,500 characters
    (for a second article pasted into the page, whose own date line is further down); else
    whatever published_at gives (month or year precision); else (None, 'none'). Page dates that
    bound a span ("since 7 October 2023") are never used, and when published_at gives a month or
    year only page dates inside it are."""
    pub = parse_published(published_at)
    if pub is not None and pub.precision == "day":
        return pub.date, "day"
    text = text or ""
    # day-precision dates that are not span bounds ("since 7 October 2023"), inside what
    # published_at says (its month or year) when it says anything
    dates = [(d, off) for d, p, off, bound in _page_dates(text) if p == "day" and not bound]
    if pub is not None and pub.precision == "month":
        dates = [(d, off) for d, off in dates if (d.year, d.month) == (pub.date.year, pub.date.month)]
    elif pub is not None:
        dates = [(d, off) for d, off in dates if d.year == pub.date.year]
    top = [d for d, off in dates if off < _TOP and _on_dateline(text, off)]
    if top:
        return top[0], "day"
    if at is not None:
        near = [(abs(off - at), d) for d, off in dates if abs(off - at) <= _NEAR]
        if near:
            return min(near)[1], "day"
    if pub is not None:
        return pub.date, pub.precision
    return None, "none"


# ---------------------------------------------------------------------------------------------
# event dates

AHEAD = "ahead"   # precision of a date after the report's day (+1 for time zones): not yet happened
_AHEAD_DAYS = 45  # a day and month without a year up to this many days after the report is ahead


def _resolve(e: DateExpr, ref: date | None, prec: str) -> tuple[str | None, str]:
    day_ref = ref if prec == "day" else None
    if e.modifier == "future" and e.year is None:
        return None, "none"  # "الخميس المقبل", "next Monday", "۱۱ مي آتي": not yet happened
    if e.explicit:
        limit = (day_ref or _period_end(ref, prec)) + timedelta(days=1) if ref is not None else None
        past = e.modifier == "past"  # "on May 20 last year": never ahead
        if e.year is not None:
            d = _to_gregorian(e.calendar, e.year, e.month, e.day)
            if d is not None and day_ref is not None and d > limit and not past:
                return None, AHEAD  # "from May 4 to 6, 2025" in a report of May 3: not yet
            return (d.isoformat(), "day") if d else (None, "none")
        if ref is None:
            return None, "none"
        y0 = _year_of(e.calendar, limit)
        if e.modifier == "current":  # "11 أكتوبر الجاري": this month, even if still ahead
            d = _to_gregorian(e.calendar, _year_of(e.calendar, ref), e.month, e.day)
            if d is not None:
                return d.isoformat(), "day"
        if day_ref is not None and not past:
            # a day and month a few weeks after the report ("meets ... on May 5" on May 3) is
            # this year's, still ahead, not last year's
            d = _to_gregorian(e.calendar, y0, e.month, e.day)
            if d is not None and limit < d <= day_ref + timedelta(days=_AHEAD_DAYS):
                return None, AHEAD
        for y in (y0, y0 - 1):
            d = _to_gregorian(e.calendar, y, e.month, e.day)
            if d is not None and d <= limit:
                return d.isoformat(), "day"
        return None, "none"
    if e.month is not None:  # month (and year) without a day
        if e.year is not None:
            d = _to_gregorian(e.calendar, e.year, e.month, 1)
            return (d.isoformat(), "month") if d else (None, "none")
        if ref is None:
            return None, "none"
        limit = day_ref or _period_end(ref, prec)
        y0 = _year_of(e.calendar, limit)
        for y in (y0, y0 - 1):
            d = _to_gregorian(e.calendar, y, e.month, 1)
            if d is not None and d <= limit:
                return d.isoformat(), "month"
        return None, "none"
    if e.weekday is None and e.offset is None:
        return None, "none"
    if ref is None:
        return None, "none"
    if day_ref is None:
        # only the month is known: the event is (about) in it
        if prec == "month":
            return date(ref.year, ref.month, 1).isoformat(), "month"
        return None, "none"
    if e.weekday is not None:
        target = day_ref + timedelta(days=e.offset or 0)
        back = (day_ref.weekday() - e.weekday) % 7
        if e.modifier == "past" and back == 0:
            back = 7
        best = day_ref - timedelta(days=back)
        if e.offset is not None:
            # nearest such weekday to reference+offset, never after the reference date
            for cand in (best, best - timedelta(days=7)):
                if abs((cand - target).days) < abs((best - target).days):
                    best = cand
        return best.isoformat(), "day"
    off = min(e.offset, 1)
    return (day_ref + timedelta(days=off)).isoformat(), "day"


_BESIDE_WORDS = 12  # words between a date ahead and the contact verb it dates


def _beside(sentence: str, e: DateExpr, near: int) -> bool:
    """Is expression ``e`` in the verb's clause: a few words from offset ``near``, no comma,
    semicolon or "and" clause between ("met ... on Monday and said the elections are on May 30"
    dates the elections, not the meeting)?"""
    a, b = (e.end, near) if e.end <= near else (near, e.start)
    between = sentence[a:b]
    if any(ch in between for ch in ",،;؛:") or len(between.split()) > _BESIDE_WORDS:
        return False
    return not any(w in ("and", "و", "وگفت") for w in between.split())


def _period_end(ref: date, prec: str) -> date:
    if prec == "month":
        nxt = date(ref.year + (ref.month == 12), ref.month % 12 + 1, 1)
        return nxt - timedelta(days=1)
    if prec == "year":
        return date(ref.year, 12, 31)
    return ref


def resolve_event_date(sentence: str, ref: date | None, ref_precision: str,
                       lang: str | None = None,
                       context: str | None = None,
                       near: int | None = None) -> tuple[str | None, str]:
    """(YYYY-MM-DD or None, precision 'day' | 'month' | 'none') of the event in ``sentence``.
    The first date expression group of the sentence decides (see the module docstring) - or, when
    ``near`` (an offset in ``sentence``, e.g. of the contact verb) is given, the group closest to
    it; if the sentence has none, the expression in ``context`` (its paragraph) nearest to the
    sentence is used. No expression at all -> (None, 'none'): the caller picks its fallback.
    ``lang`` is accepted for symmetry; the vocabulary of all three languages is always tried."""
    try:
        prec = ref_precision if ref is not None else "none"
        exprs = find_date_expressions(sentence or "")
        if near is not None:
            exprs.sort(key=lambda x: min(abs(x.start - near), abs(x.end - near)))
        ahead = False
        for e in exprs:
            if e.bound:
                continue
            d, p = _resolve(e, ref, prec)
            if d is not None:
                return d, p
            if p == AHEAD and (near is None or _beside(sentence, e, near)):
                ahead = True
        if ahead:
            # the sentence dates its event (the expression beside the verb) after the report and
            # no other expression of it gives a day
            return None, AHEAD
        if context:
            pos = context.find(sentence) if sentence else -1
            exprs = find_date_expressions(context)
            if pos >= 0:
                exprs.sort(key=lambda x: min(abs(x.start - pos),
                                             abs(x.start - (pos + len(sentence)))))
            for e in exprs:
                if e.bound:
                    continue
                d, p = _resolve(e, ref, prec)
                # a month named in a neighbouring sentence ("took effect in December 2015") dates
                # that sentence's event, not this one's: only a day is borrowed from the context
                if d is not None and p == "day":
                    return d, p
    except (ValueError, OverflowError):
        pass  # dates out of range near year 1 / 9999 on garbage input
    return None, "none"
