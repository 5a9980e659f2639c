"""Publication dates, dates stated in the page, and the day a reported contact happened.

Vocabulary (month names of the Gregorian, Solar Hijri and Islamic calendars in Arabic, Persian and
English, weekdays, relative days, "last"/"this" modifiers) lives in
``streams/knowledge/date_words.tsv``. Calendar conversion is convertdate's (``persian``,
``islamic``); no calendar arithmetic here besides adding days to Gregorian dates.

Words are looked up in their normalised spelling (so أ/ا, ة/ه, ی/ي, ک/ك, ZWNJ and both digit sets
all match) while offsets point into the text as given.

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
from importlib import resources

from convertdate import islamic, persian

from streams.extraction.normalise import normalise, variant_pattern

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

GREGORIAN, SOLAR, HIJRI = "gregorian", "solar", "hijri"

# convertdate's Solar Hijri calendar finds each year's start from the astronomical March equinox
# (pymeeus), ~50 ms per Gregorian year and recomputed on every conversion. The equinox of a year
# never changes, so the module's own function is memoised; convertdate still does all the
# calendar arithmetic.
if not hasattr(persian.equinox_jd, "cache_info"):
    persian.equinox_jd = lru_cache(maxsize=None)(persian.equinox_jd)


@dataclass(frozen=True, slots=True)
class PubDate:
    date: date
    precision: str  # 'day' | 'month' | 'year'


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


# ---------------------------------------------------------------------------------------------
# vocabulary

# words that are also common ordinary words (May, می "-ing", مه "fog", آب "water", صفر "zero",
# ماي): as month names only with a year after them or "ماه" ("month")
_AMBIGUOUS = frozenset(normalise(w) for w in ("می", "مه", "آب", "صفر", "ماي", "اوت"))


# atom kinds used by the parser, from the vocabulary kinds
_ATOM_KIND = {"relative": "rel", "weekday": "wd", "solar_month": "smonth",
              "hijri_month": "hmonth", "month": "month", "modifier": "mod", "ordinal": "ord",
              "not_event": "span"}


@dataclass(frozen=True)
class _Vocab:
    # normalised word(s) without spaces -> list of (atom kind, value, is_english)
    words: dict[str, list[tuple[str, object, bool]]]
    first: frozenset[str]  # normalised first words of all entries
    # keys of the first 1..n-1 words of the multi-word entries: a word sequence that is none of
    # these cannot grow into an entry ("the" + "foreign" ...), so the lookahead stops
    partial: frozenset[str]
    max_tokens: int  # longest entry, in tokens


def _key(word: str) -> str:
    return normalise(word).replace(" ", "")


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    words: dict[str, list[tuple[str, object, bool]]] = {}
    first: set[str] = set()
    max_tokens = 1
    partial: set[str] = set()
    text = resources.files("streams.knowledge").joinpath("date_words.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, kind, value, word = line.split("\t")
        if lang == "lang":
            continue
        if kind not in _ATOM_KIND:
            raise ValueError(f"date_words.tsv: unknown kind {kind!r}")
        val: object = value if kind in ("modifier", "not_event") else int(value)
        entry = (_ATOM_KIND[kind], val, lang == "en")
        lst = words.setdefault(_key(word), [])
        if entry not in lst:
            lst.append(entry)
        parts = normalise(word).split()
        first.add(parts[0])
        for j in range(1, len(parts)):
            partial.add("".join(parts[:j]))
        max_tokens = max(max_tokens, len(parts))
    return _Vocab(words, frozenset(first), frozenset(partial), max_tokens)


def date_vocabulary_words() -> set[str]:
    """All normalised single words of the date vocabulary (for dateline detection)."""
    words: set[str] = set()
    text = resources.files("streams.knowledge").joinpath("date_words.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) == 4 and parts[0] != "lang":
                words.update(normalise(parts[3]).split())
    return words


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _int(s: str) -> int:
    return int(s.translate(_DIGITS))


# Tokens are the whitespace-separated words of the text with surrounding punctuation stripped;
# only numbers and words that can start a vocabulary entry get an offset and a closer look. An
# alternation regex over the whole vocabulary costs ~1 µs per character of text and a word-by-word
# regex tokenizer ~0.5 µs; str.split plus set look-ups is several times cheaper.
_PUNCT = ".,:;!?()[]{}<>«»\"'\u201c\u201d\u2018\u2019\u060c\u061b\u061f\u2026-\u2013\u2014/|*#@\u200f\u200e"
_ORDINAL_SUFFIX_RE = re.compile(r"(?<=\d)(?:st|nd|rd|th)$")
_GLUED_RE = re.compile(r"^([0-9\u0660-\u0669\u06f0-\u06f9]+)([^\W\d_].*)$")
_NUMERIC_RE = re.compile(r"^[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[/.\-][0-9\u0660-\u0669\u06f0-\u06f9]+){0,2}$")
_KEY_CACHE: dict[str, str] = {}
_LONGEST_WORD = 14


def _token_key(tok: str) -> str:
    k = _KEY_CACHE.get(tok)
    if k is None:
        if len(_KEY_CACHE) > 200_000:
            _KEY_CACHE.clear()  # bound memory on an endless stream
        k = _KEY_CACHE[tok] = normalise(tok)
    return k


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
# "اليوم الـ53" (day 53), "اليوم الثاني" (the second day): not "today"
_NOT_TODAY_RE = re.compile(
    r"\s*\u0627\u0644\u0640*\s*[\d\u0660-\u0669\u06f0-\u06f9]"
    r"|\s+(?:الثاني|الثالث|الأول|الاول|التالي|العالمي|الوطني|الدولي)"
)
_MAH = "\u0645\u0627\u0647"  # ماه ("month"), as in "۱۷ مهر ماه"
# Monday in Persian is also the name of Tajikistan's capital
_DUSHANBE = normalise("دوشنبه")
_PLACE_BEFORE_RE = re.compile(r"(?:در|شهر|به|پایتخت|پايتخت|فرودگاه)\s+$")


@dataclass(slots=True)
class _Atom:
    kind: str
    value: object
    start: int
    end: int
    digits: int = 0   # for "num": number of digits; for months: 1 if ambiguous (needs a year)


def _locate(text: str, raw: str, cursor: int) -> int:
    """Offset of the whitespace-separated token ``raw`` at or after ``cursor``."""
    a = text.find(raw, cursor)
    while a > cursor and not text[a - 1].isspace():
        a = text.find(raw, a + 1)
    return a


# Whitespace tokens that can never start a date atom (most words of any text: not a number,
# not the first word of a vocabulary entry), remembered so that each is judged once per process
# rather than stripped, normalised and looked up again in every sentence (``_atoms`` spent most
# of its time on such tokens).
_NOT_DATE: set[str] = set()
_NOT_DATE_MAX = 200_000


def _not_date(tok: str) -> None:
    if len(_NOT_DATE) > _NOT_DATE_MAX:
        _NOT_DATE.clear()  # bound memory on an endless stream
    _NOT_DATE.add(tok)


def _atoms(text: str) -> list[_Atom]:
    v = _vocab()
    words, first, partial, max_tokens = v.words, v.first, v.partial, v.max_tokens
    out: list[_Atom] = []
    raw = text.split()
    n = len(raw)
    cursor = 0
    i = 0
    not_date = _NOT_DATE
    while i < n:
        t = raw[i]
        if t in not_date:
            i += 1
            continue
        core = t.strip(_PUNCT)
        if not core:
            _not_date(t)
            i += 1
            continue
        if core[0].isdigit():
            num = _ORDINAL_SUFFIX_RE.sub("", core)
            g = _GLUED_RE.match(core) if num == core else None
            if g is not None:
                num = g.group(1)
            if not _NUMERIC_RE.match(num):
                _not_date(t)
                i += 1
                continue
            pos = _locate(text, t, cursor)
            if pos < 0:
                i += 1
                continue
            cursor = pos + len(t)
            a = pos + t.find(core)
            b = a + (len(num) if g is not None else len(core))  # "13th" up to the suffix's end
            i += 1
            seps = [c for c in num if c in "/.-"]
            if len(seps) == 2:
                parts = re.split(r"[/.\-]", num)
                vals = tuple([_int(x) for x in parts])  # a list: no closure in the compiled _atoms
                if len(parts[0]) == 4:
                    out.append(_Atom("ymd", vals, a, b))
                elif len(parts[2]) == 4:
                    out.append(_Atom("dmy", vals, a, b))
            elif not seps and len(num) <= 4 and not (
                    (a > 0 and text[a - 1] in ":,") or text[a + len(num):a + len(num) + 1] == ":"):
                out.append(_Atom("num", _int(num), a, b, len(num)))
            if g is not None:  # "21ژوئيه": the glued word is a token of its own
                raw[i - 1] = g.group(2)
                cursor = a + len(num)
                i -= 1
            continue
        if len(core) > _LONGEST_WORD:
            _not_date(t)
            i += 1
            continue
        key = _token_key(core)
        clitic = False
        if key not in first:
            if key[:1] in ("\u0648", "\u0641") and key[1:] in first:
                clitic = True
            else:
                _not_date(t)
                i += 1
                continue
        pos = _locate(text, t, cursor)
        if pos < 0:
            i += 1
            continue
        a = pos + t.find(core)
        cursor = pos + len(t)
        # longest entry from here; later words must follow with no punctuation in between
        found = None
        found_key = ""
        last = i
        k_key = key[1:] if clitic else key
        tail_clean = t.endswith(core)
        for k in range(i, min(n, i + max_tokens)):
            if k > i:
                if not tail_clean or k_key not in partial:
                    break
                nxt = raw[k].strip(_PUNCT)
                if not nxt or not raw[k].startswith(nxt):
                    break
                k_key += _token_key(nxt)
                tail_clean = raw[k].endswith(nxt)
            hit = words.get(k_key)
            if hit is not None:
                found, last, found_key = hit, k, k_key
        if found is None:
            i += 1
            continue
        if last > i:
            end_tok = raw[last].strip(_PUNCT)
            pos2 = _locate(text, raw[last], cursor)
            end = pos2 + raw[last].find(end_tok) + len(end_tok)
            cursor = pos2 + len(raw[last])
        else:
            end = a + len(core)
        for kind, val, english in found:
            if kind == "month" and english and not text[a].isupper():
                continue  # "may", "march" as verbs
            if kind == "rel" and val == 0 and _NOT_TODAY_RE.match(text, end):
                continue
            if kind == "wd" and found_key == _DUSHANBE and _PLACE_BEFORE_RE.search(text, max(0, a - 12), a):
                continue  # "در دوشنبه", "شهر دوشنبه": Dushanbe, the city, not Monday
            atom = _Atom(kind, val, a, end)
            if kind in ("smonth", "hmonth", "month"):
                atom.digits = 1 if found_key in _AMBIGUOUS else 0
                if kind == "month" and english and text[end:end + 1] == ".":
                    atom.end = end + 1
            out.append(atom)
            break
        i = last + 1
    return out


def _only_gap_between(text: str, end: int, start: int) -> bool:
    """True when text[end:start] is a short run of separators (spaces, commas, "of", …)."""
    if not 0 <= start - end <= _MAX_GAP:
        return False
    m = _GAP_RE.match(text, end, start)
    return m is not None and m.end() == start


def _adjacent(text: str, a: _Atom, b: _Atom) -> bool:
    return _only_gap_between(text, a.end, b.start)


_MONTH_KINDS = {"month": GREGORIAN, "smonth": SOLAR, "hmonth": HIJRI}


def find_date_expressions(text: str) -> list[DateExpr]:
    """Groups of adjacent date atoms in ``text``, in order. Numbers that belong to no date
    (amounts, times) are dropped."""
    atoms = _atoms(text)
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
    s = published_at.strip().translate(_DIGITS)
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
        y = _int(m.group())
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

def _resolve(e: DateExpr, ref: date | None, prec: str) -> tuple[str | None, str]:
    day_ref = ref if prec == "day" else None
    if e.modifier == "future" and e.year is None:
        return None, "none"  # "الخميس المقبل", "next Monday", "۱۱ مي آتي": not yet happened
    if e.explicit:
        if e.year is not None:
            d = _to_gregorian(e.calendar, e.year, e.month, e.day)
            return (d.isoformat(), "day") if d else (None, "none")
        if ref is None:
            return None, "none"
        limit = (day_ref or _period_end(ref, prec)) + timedelta(days=1)
        y0 = _year_of(e.calendar, limit)
        if e.modifier == "current":  # "11 أكتوبر الجاري": this month, even if still ahead
            d = _to_gregorian(e.calendar, _year_of(e.calendar, ref), e.month, e.day)
            if d is not None:
                return d.isoformat(), "day"
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
        for e in exprs:
            if e.bound:
                continue
            d, p = _resolve(e, ref, prec)
            if d is not None:
                return d, p
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
                if d is not None:
                    return d, p
    except (ValueError, OverflowError):
        pass  # dates out of range near year 1 / 9999 on garbage input
    return None, "none"
