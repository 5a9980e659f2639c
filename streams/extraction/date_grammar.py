"""Date grammar: adjacent atoms of the lexer (``date_lexer``) grouped into date expressions
("أمس الأربعاء 11 أكتوبر الجاري", "امشب (دوشنبه) ۱۷ مهر ماه", "today, Saturday"); numbers that
belong to no date (amounts, times) are dropped. ``dates`` resolves the expressions to days.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from streams.extraction.date_lexer import Atom, lex
from streams.extraction.variants import variant_pattern

GREGORIAN, SOLAR, HIJRI = "gregorian", "solar", "hijri"


@dataclass(slots=True)
class DateExpr:
    """One group of adjacent date words in a text."""
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    calendar: str = GREGORIAN
    weekday: int | None = None       # 0 = Monday
    offset: int | None = None        # relative day offset (today 0, yesterday -1 ...)
    modifier: str | None = None      # 'past' | 'current' | 'future'
    bound: bool = False              # after "since", "منذ", "از", "until" ...: not an event day

    @property
    def explicit(self) -> bool:
        return self.month is not None and self.day is not None


# text allowed between two atoms of one expression: separators and filler words
_GAP_RE = re.compile(
    r"[\s,.\-\u2013\u2014/()\[\]«»\"'\u201c\u201d:\u060c\u061b\u200c\u200f\u200e]*"
    r"(?:(?:" + "|".join(variant_pattern(w) for w in (
        "يوم", "روز", "ماه", "شهر", "من شهر", "الموافق", "مصادف با", "برابر با", "في", "در", "من",
    )) + r"|on|the|of|at)(?![^\W\d])"
    r"[\s,.\-\u2013\u2014/()\[\]«»\"'\u201c\u201d:\u060c\u061b\u200c\u200f\u200e]*)*",
    re.I,
)


_MAX_GAP = 24


def _only_gap_between(text: str, end: int, start: int) -> bool:
    """True when text[end:start] is a short run of separators (spaces, commas, "of", …)."""
    if not 0 <= start - end <= _MAX_GAP:
        return False
    m = _GAP_RE.match(text, end, start)
    return m is not None and m.end() == start


def _adjacent(text: str, a: Atom, b: Atom) -> bool:
    return _only_gap_between(text, a.end, b.start)


_MAH = "\u0645\u0627\u0647"  # ماه ("month"), as in "۱۷ مهر ماه"

_MONTH_KINDS = {"month": GREGORIAN, "smonth": SOLAR, "hmonth": HIJRI}


def find_date_expressions(text: str) -> list[DateExpr]:
    """Groups of adjacent date atoms in ``text``, in order. Numbers that belong to no date
    (amounts, times) are dropped."""
    atoms = lex(text)
    exprs: list[DateExpr] = []
    i = 0
    n = len(atoms)

    def adj(k: int) -> bool:
        return k + 1 < n and _adjacent(text, atoms[k], atoms[k + 1])

    def year_at(k: int, cal: str) -> int | None:
        if k < n and atoms[k].kind == "num" and atoms[k].digits == 4:
            y = atoms[k].value
            lo, hi = (1900, 2100) if cal == GREGORIAN else (1300, 1500)
            if lo <= y <= hi:
                return y
        return None

    while i < n:
        at = atoms[i]
        e: DateExpr | None = None
        j = i  # last atom consumed
        if at.kind == "ymd":
            y, mo, d = at.value
            cal = GREGORIAN if 1900 <= y <= 2100 else SOLAR if 1300 <= y <= 1500 else None
            if cal:
                e = DateExpr(at.start, at.end, y, mo, d, cal)
        elif at.kind == "dmy":
            d, mo, y = at.value
            if mo > 12 and d <= 12:
                d, mo = mo, d  # US order
            cal = GREGORIAN if 1900 <= y <= 2100 else SOLAR if 1300 <= y <= 1500 else None
            if cal:
                e = DateExpr(at.start, at.end, y, mo, d, cal)
        elif (at.kind == "ord" or at.kind == "num" and at.digits <= 2) and 1 <= at.value <= 31 \
                and adj(i) and atoms[i + 1].kind in _MONTH_KINDS:
            mon = atoms[i + 1]
            cal = _MONTH_KINDS[mon.kind]
            j = i + 1
            y = year_at(j + 1, cal) if adj(j) else None
            if y is not None:
                j += 1
            ambiguous = mon.digits == 1
            # an ambiguous month word (می، مه ...) needs a year, "ماه" ("month") around it, or
            # a modifier after it ("۱۵ ماه مي جاري")
            if ambiguous and y is None and _MAH not in text[at.end:mon.start] \
                    and _MAH not in text[mon.end:mon.end + 6] \
                    and not (adj(j) and atoms[j + 1].kind == "mod"):
                e = None
            else:
                e = DateExpr(at.start, atoms[j].end, y, mon.value, at.value, cal)
        elif at.kind == "month":
            # English order: "October 11, 2023", "Dec. 19"; or month and year "October 2023"
            nxt = atoms[i + 1] if adj(i) else None
            if nxt is not None and nxt.kind == "num" and nxt.digits <= 2 and 1 <= nxt.value <= 31:
                j = i + 1
                y = year_at(j + 1, GREGORIAN) if adj(j) else None
                if y is not None:
                    j += 1
                if not (at.digits == 1 and y is None):
                    e = DateExpr(at.start, atoms[j].end, y, at.value, nxt.value)
            elif nxt is not None and year_at(i + 1, GREGORIAN) is not None:
                j = i + 1
                e = DateExpr(at.start, nxt.end, nxt.value, at.value, None)
            elif nxt is not None and nxt.kind == "mod" and at.digits == 0:
                j = i + 1
                e = DateExpr(at.start, nxt.end, None, at.value, None, modifier=nxt.value)
        elif at.kind in ("smonth", "hmonth"):
            cal = _MONTH_KINDS[at.kind]
            if adj(i) and year_at(i + 1, cal) is not None:
                j = i + 1
                e = DateExpr(at.start, atoms[j].end, atoms[j].value, at.value, None, cal)
        elif at.kind == "wd":
            e = DateExpr(at.start, at.end, weekday=at.value)
        elif at.kind == "rel":
            e = DateExpr(at.start, at.end, offset=at.value)
        if e is not None:
            if i > 0 and atoms[i - 1].kind == "span" and _adjacent(text, atoms[i - 1], at):
                e.bound = True
            # a trailing modifier: "11 أكتوبر الجاري", "پنجشنبه گذشته", "الأربعاء الماضي"
            if adj(j) and atoms[j + 1].kind == "mod":
                j += 1
                e.modifier = atoms[j].value
                e.end = atoms[j].end
            elif i > 0 and at.kind == "wd" and atoms[i - 1].kind == "mod" \
                    and _adjacent(text, atoms[i - 1], at) and atoms[i - 1].value != "current" \
                    and re.match(r"(?i)last|past|next|coming", text[atoms[i - 1].start:]):
                e.modifier = atoms[i - 1].value  # English "last Wednesday", "next Monday"
                e.start = atoms[i - 1].start
            if exprs and _joinable(text, exprs[-1], e):
                _merge(exprs[-1], e)
            else:
                exprs.append(e)
        i = j + 1
    return exprs


def _joinable(text: str, a: DateExpr, b: DateExpr) -> bool:
    if not _only_gap_between(text, a.end, b.start):
        return False
    # never two explicit dates, two weekdays or two relative words in one group
    return not ((a.explicit and b.explicit) or (a.weekday is not None and b.weekday is not None)
                or (a.offset is not None and b.offset is not None)
                or (a.month is not None and b.month is not None))


def _merge(a: DateExpr, b: DateExpr) -> None:
    a.end = b.end
    for f in ("year", "month", "day", "weekday", "offset", "modifier"):
        if getattr(a, f) is None and getattr(b, f) is not None:
            setattr(a, f, getattr(b, f))
    if b.month is not None:
        a.calendar = b.calendar
