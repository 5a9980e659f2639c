"""Date lexer: the atoms of a text (numbers, numeric dates, month names, weekdays, relative
words, modifiers, ordinals, span words) with their offsets in the text as given.

Words are looked up in their normalised spelling (so أ/ا, ة/ه, ی/ي, ک/ك, ZWNJ and both digit sets
all match) in the vocabulary of ``date_vocab``; ``date_grammar`` groups the atoms into expressions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from streams.extraction.date_vocab import AMBIGUOUS, vocab
from streams.extraction.normalise import normalise

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def to_int(s: str) -> int:
    return int(s.translate(DIGITS))


# Tokens are the whitespace-separated words of the text with surrounding punctuation stripped;
# only numbers and words that can start a vocabulary entry get an offset and a closer look.
# str.split plus set look-ups is several times cheaper than an alternation regex over the whole
# vocabulary or a word-by-word regex tokenizer, both of which pay per character of text.
_POSSESSIVE = ("'s", "\u2019s")  # English possessive ending a date word
_SLASHED_WORDS_RE = re.compile(r"^[^\d/]+/[^\d]+$")  # words joined by "/", no digits ("حزيران/يونيو")
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


# "اليوم الـ53" (day 53), "اليوم الثاني" (the second day): not "today"
_NOT_TODAY_RE = re.compile(
    r"\s*\u0627\u0644\u0640*\s*[\d\u0660-\u0669\u06f0-\u06f9]"
    r"|\s+(?:الثاني|الثالث|الأول|الاول|التالي|العالمي|الوطني|الدولي)"
)




# Monday in Persian is also the name of Tajikistan's capital
_DUSHANBE = normalise("دوشنبه")


_PLACE_BEFORE_RE = re.compile(r"(?:در|شهر|به|پایتخت|پايتخت|فرودگاه)\s+$")


@dataclass(slots=True)
class Atom:
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
# rather than stripped, normalised and looked up again in every sentence (``lex`` spent most
# of its time on such tokens).
_NOT_DATE: set[str] = set()


_NOT_DATE_MAX = 200_000


def _not_date(tok: str) -> None:
    if len(_NOT_DATE) > _NOT_DATE_MAX:
        _NOT_DATE.clear()  # bound memory on an endless stream
    _NOT_DATE.add(tok)


def lex(text: str) -> list[Atom]:
    v = vocab()
    words, first, partial, max_tokens = v.words, v.first, v.partial, v.max_tokens
    out: list[Atom] = []
    # "حزيران/يونيو", "آذار/مارس": the Levantine and the Egyptian month names side by side
    raw = []
    for t in text.split():
        if "/" in t and _SLASHED_WORDS_RE.match(t):
            raw.extend([x for x in t.split("/") if x])
        else:
            raw.append(t)
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
                vals = tuple([to_int(x) for x in parts])  # a list: no closure in the compiled atoms
                if len(parts[0]) == 4:
                    out.append(Atom("ymd", vals, a, b))
                elif len(parts[2]) == 4:
                    out.append(Atom("dmy", vals, a, b))
            elif not seps and len(num) <= 4 and not (
                    (a > 0 and text[a - 1] in ":,") or text[a + len(num):a + len(num) + 1] == ":"):
                out.append(Atom("num", to_int(num), a, b, len(num)))
            if g is not None:  # "21ژوئيه": the glued word is a token of its own
                raw[i - 1] = g.group(2)
                cursor = a + len(num)
                i -= 1
            continue
        if core[-2:] in _POSSESSIVE:
            core = core[:-2]   # "yesterday's visit", "Monday's talks": the day itself
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
            atom = Atom(kind, val, a, end)
            if kind in ("smonth", "hmonth", "month"):
                atom.digits = 1 if found_key in AMBIGUOUS else 0
                if kind == "month" and english and text[end:end + 1] == ".":
                    atom.end = end + 1
            out.append(atom)
            break
        i = last + 1
    return out
