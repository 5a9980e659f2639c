"""Split a scraped page into body text, "read also" teaser lists and page furniture.

A page is cut into paragraphs (``sentences.paragraph_spans``: lines, with hard-wrapped English
rejoined) and each paragraph becomes a ``Segment`` of kind

* ``boilerplate`` - a line matching a marker of kind ``boilerplate`` (at its start) or
  ``boilerplate_end`` (at its end) in ``streams/knowledge/boilerplate_markers.tsv`` (source lines, share/comment prompts, app prompts,
  tag headings, copyright, wire sign-offs ...), a line without
  letters (emoji, "."), a list of hashtags (also cut off the end of a text line), a dateline or
  byline alone ("عين اليوم – جدة", "زنقة 20 | متابعة"), a date alone ("20 ديسمبر 2023",
  "۱۷ / مهر / ۱۴۰۲ ۲۱:۱۹"), a short numbered breadcrumb ("1. سیاست");
* ``related`` - a heading of kind ``related`` ("إقرأ أيضاً", "مقالات ذات صلة", "بیشتر بخوانید",
  "Read more" ...) and the teaser list after it: headlines, section labels, one-paragraph teasers.
  A related segment always ends the story before it;
* ``body`` - everything else.

The rule after a related marker (the list ends where an article starts): paragraphs are
*headline-like* (short, or without closing punctuation) or *full* (12+ words ending in . ! ? …
، or 25+ words). Headline-like lines are related. A run of two or more full paragraphs (ignoring
boilerplate lines between them) is an article: a second story pasted after "read also" (a
headline, a dateline, paragraphs), so its contacts count. The run, the headline-like line just
before it (the embedded article's title) and everything after it up to the next marker are body.
A single full paragraph between headlines is a teaser (related); a single full paragraph that
ends the page is body unless it is cut off (ends with … or a comma), as teasers are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from streams.extraction.normalise import normalise
from streams.extraction.sentences import paragraph_spans
from streams.extraction.variants import variant_pattern
from streams.knowledge import loader

__all__ = ["Segment", "segment", "body_text"]

BODY, RELATED, BOILERPLATE = "body", "related", "boilerplate"


@dataclass(slots=True)
class Segment:
    text: str    # original text of the paragraph (or part of it)
    kind: str    # "body" | "related" | "boilerplate"
    start: int   # offset of ``text`` in the page text


# ---------------------------------------------------------------------------------------------
# marker patterns: written in normalised spelling, compiled to match the original text

def _first_chars(p: str) -> set[str] | None:
    """The characters a pattern (normalised spelling) can start with; None if it can start with
    anything (or the pattern is too clever to tell)."""
    if not p:
        return None
    c = p[0]
    if c == "(":
        depth = 0
        cuts = []
        j = -1
        i = 0
        while i < len(p):
            ch = p[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    j = i
                    break
            elif ch == "|" and depth == 1:
                cuts.append(i)
            i += 1
        if j < 0 or p[1:2] == "?":
            return None
        bounds = [0] + cuts + [j]
        out: set[str] = set()
        for x, y in zip(bounds, bounds[1:]):
            f = _first_chars(p[x + 1 : y])
            if f is None:
                return None
            out |= f
        if p[j + 1 : j + 2] in ("?", "*"):  # optional group: or whatever follows it
            rest = _first_chars(p[j + 2 :])
            return None if rest is None else out | rest
        return out
    if c == "\\" and p[1:2] and not p[1].isalnum():
        return {p[1]}  # an escaped literal: \( \.
    if c in ".[\\^$|)" or p[1:2] in ("?", "*") or p[1:3] == "{0":
        return None
    return {c}


_FIRST_KEY: dict[str, str] = {}  # first character of a line -> its normalised form
# news uses a few hundred distinct first letters; random Unicode could bring ~140,000 (every \w)
_FIRST_KEY_MAX = 4096


class _MarkerSet:
    """Line-start marker patterns bucketed by the first letter they can match, so a paragraph is
    tried only against the few patterns that can start with its first letter (one regex of all
    ~70 patterns costs ~6 µs per paragraph; a bucket well under 1 µs)."""

    # leading spaces, bullets, emoji and punctuation before a marker are skipped
    LEAD = r"[^\w#\\]*?"
    _FIRST_RE = re.compile(r"[^\w#\\]*([\w#\\])")

    def __init__(self, patterns: list[str]):
        firsts = [_first_chars(p) for p in patterns]
        keys = set().union(*(f for f in firsts if f))

        def build(ps: list[str]) -> re.Pattern | None:
            if not ps:
                return None
            return re.compile(self.LEAD + "(?:" + "|".join(
                f"(?:{variant_pattern(p)})" for p in ps) + ")", re.I)

        self.any = build([p for p, f in zip(patterns, firsts) if f is None])
        self.buckets = {k: build([p for p, f in zip(patterns, firsts) if f is None or k in f])
                        for k in keys}
        # patterns that start with punctuation ("©", "\(c\)") can match inside the skipped lead;
        # a line whose lead holds such a character is tried against all patterns
        self.all = build(patterns)
        self.lead_keys = frozenset(k for k in keys if not (k.isalnum() or k in "#\\"))

    def match(self, text: str, a: int, b: int) -> re.Match | None:
        m = self._FIRST_RE.match(text, a, b)
        if m is None:  # no letter at all ("©"): rare, try everything
            return self.all.match(text, a, b) if self.all is not None else None
        if m.start(1) > a and self.lead_keys and any(
                c in self.lead_keys for c in text[a:m.start(1)]):
            return self.all.match(text, a, b) if self.all is not None else None
        ch = m.group(1)
        key = _FIRST_KEY.get(ch)
        if key is None:
            if len(_FIRST_KEY) >= _FIRST_KEY_MAX:
                _FIRST_KEY.clear()   # bounded on an endless stream of odd text
            key = _FIRST_KEY[ch] = normalise(ch)[:1]
        rx = self.buckets.get(key, self.any)
        return rx.match(text, a, b) if rx is not None else None


@lru_cache(maxsize=1)
def _markers() -> tuple[_MarkerSet, _MarkerSet, re.Pattern | None]:
    related: list[str] = []
    boiler: list[str] = []
    ends: list[str] = []
    for m in loader.load_boilerplate_markers():  # kinds checked by the loader
        try:
            re.compile(variant_pattern(m.pattern))
        except re.error as e:
            raise loader.KnowledgeError(f"{loader.BOILERPLATE_FILE}:{m.line}: bad pattern {m.pattern!r}: {e}") from None
        {"related": related, "boilerplate": boiler, "boilerplate_end": ends}[m.kind].append(m.pattern)
    # line-end patterns: one regex searched over a line's last characters only (a ".{0,120}X$"
    # written as a line-start pattern would be retried at every length on every line)
    end_re = re.compile("(?:" + "|".join(f"(?:{variant_pattern(p)})" for p in ends) + r")\s*$",
                        re.I) if ends else None
    return _MarkerSet(related), _MarkerSet(boiler), end_re


# ---------------------------------------------------------------------------------------------
# paragraph features

_LETTER_RE = re.compile(r"[^\W\d_]")
_NONSPACE_RE = re.compile(r"\S+")
_TAIL_PUNCT = frozenset(".,\u060c\u061b;:!")
_MAX_MARKER_LINE = 300  # characters; no marker line is longer, so longer lines skip the regexes
# boilerplate_end patterns are searched in the last 80 characters of lines of up to 16 words
# (credits and captions are short, and a regex search pays for every character it tries)
_END_WINDOW = 80
_END_WORDS = 16
_NUMBERED_RE = re.compile(r"[\d\u0660-\u0669\u06f0-\u06f9]+[.)\-]\s*\S+(?:\s+\S+)?$")
_SEPARATORS = (" - ", " \u2013 ", " \u2014 ", " | ", "- ", "\u2013 ", "\u2014 ")
_CLOSERS = "\"'\u201d\u2019\u00bb)]*"
_FULL_END = ".!?\u061f\u2026\u060c,\u06d4"
_CUT_END = "\u2026\u060c,"
_DATE_FILLER = frozenset(
    "gmt utc am pm ساعت الساعه ساعه م ه هـ ق ش ميلادي هجري شمسي قمري ماه روز يوم "
    "الموافق موافق th st nd rd".split()
)
_ORDINAL_RE = re.compile(r"^\d+(?:st|nd|rd|th)$")


def _hashtag_tail(text: str, a: int, b: int) -> int | None:
    """Start of a run of two or more hashtags (then only punctuation) ending text[a:b], or None.
    Walks the words backwards: a regex for "(#tag\\s*){2,}$" re-scans the run from every '#' and is
    quadratic on long tag runs that do not reach the end."""
    words = [(m.start(), m.group()) for m in _NONSPACE_RE.finditer(text, a, b)]
    k = len(words)
    while k and all(c in _TAIL_PUNCT for c in words[k - 1][1]):
        k -= 1
    start = None
    tags = 0
    while k and words[k - 1][1].startswith("#") and len(words[k - 1][1]) > 1:
        k -= 1
        tags += 1
        start = words[k][0]
    return start if tags >= 2 else None


def _words(text: str, a: int, b: int) -> int:
    """Word count from separators (two C-level counts, no split); runs of spaces overcount a
    little, which none of the thresholds (6 ... 30 words) is sensitive to."""
    return text.count(" ", a, b) + text.count("\n", a, b) + 1


def _end_char(text: str, a: int, b: int) -> str:
    while b > a and text[b - 1] in _CLOSERS:
        b -= 1
    return text[b - 1] if b > a else ""


def _is_full(text: str, a: int, b: int, nwords: int) -> bool:
    """A paragraph of full sentences rather than a headline or label."""
    return nwords >= 25 or (nwords >= 12 and _end_char(text, a, b) in _FULL_END)


def _is_cut(text: str, a: int, b: int) -> bool:
    """Teasers are cut off: they end with an ellipsis or a comma."""
    tail = text[max(a, b - 3) : b]
    return _end_char(text, a, b) in _CUT_END or tail.endswith("...")


@lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    from streams.extraction.date_vocab import date_vocabulary_words

    return frozenset(date_vocabulary_words()) | _DATE_FILLER


def _is_date_only(text: str, a: int, b: int, nwords: int) -> bool:
    """"20 ديسمبر 2023", "۱۷ / مهر / ۱۴۰۲ ۲۱:۱۹", "یکشنبه 3 فروردین 1404": a dateline alone."""
    if nwords > 9:
        return False
    s = text[a:b]
    if not any(ch.isdigit() for ch in s):
        return False
    words = _date_words()
    for tok in re.split(r"[\W_]+", normalise(s)):
        if not tok or tok.isdigit() or tok in words or _ORDINAL_RE.match(tok):
            continue
        return False
    return True


def _generic_boilerplate(text: str, a: int, b: int, nwords: int) -> bool:
    if b - a <= 2 or not _LETTER_RE.search(text, a, b):
        return True  # "x", emoji, ".", "###"
    if nwords <= 6 and _end_char(text, a, b) not in _FULL_END:
        s = text[a:b] + " "
        if any(sep in s for sep in _SEPARATORS):
            return True  # dateline / byline alone: "عين اليوم – جدة", "زنقة 20 | متابعة"
        if nwords <= 3 and _NUMBERED_RE.match(s.strip()):
            return True  # breadcrumb "1. سیاست"
    return _is_date_only(text, a, b, nwords)


# ---------------------------------------------------------------------------------------------

def _related_marker(text: str, a: int, b: int, nwords: int, rel: _MarkerSet) -> str | None:
    """None, or "heading" (the line is a related-list heading) or "inline" (heading followed by
    a headline on the same line: "اقرأ أيضا: ...")."""
    if nwords > 20:
        return None
    m = rel.match(text, a, b)
    if m is None:
        return None
    rest = text[m.end() : b].strip(" \t:|-\u2013\u2014.\u060c,\u200f\u200e")
    if not rest:
        return "heading"
    if text[m.end() : b].lstrip()[:1] in (":", "|", "-", "\u2013", "\u2014"):
        return "inline"
    return None  # the words merely start a sentence ("Related to this, ...")


def segment(text: str, lang: str | None = None) -> list[Segment]:
    """Segments of ``text`` in page order (see the module docstring). ``lang`` is accepted for
    callers that know it; the markers of all languages are tried, as pages mix them."""
    if not text:
        return []
    rel_re, boil_re, end_re = _markers()
    paras = paragraph_spans(text)
    kinds: list[str] = []
    info: list[tuple[int, int, int]] = []  # a, b, nwords
    # pass 1: per-paragraph classification, and related regions
    in_related = False
    region: list[int] = []  # indices of candidate paragraphs in the current related region
    pieces: list[Segment] = []
    tails: dict[int, int] = {}  # paragraph index -> start of a trailing hashtag run

    def close_region() -> None:
        _resolve_related(text, region, kinds, info)
        region.clear()

    for idx, (a, b) in enumerate(paras):
        nwords = _words(text, a, b)
        info.append((a, b, nwords))
        has_hash = text.find("#", a, b) >= 0
        if nwords > 30 and not has_hash and _LETTER_RE.search(text, a, b):
            # fast path: a paragraph this long is no marker, dateline or furniture line
            kinds.append(BODY)
            if in_related:
                region.append(idx)
            continue
        if has_hash:
            t = _hashtag_tail(text, a, b)
            if t is not None:
                if t <= a or not _LETTER_RE.search(text, a, t):
                    kinds.append(BOILERPLATE)
                    continue
                tails[idx] = t
                b = t
                while b > a and text[b - 1].isspace():
                    b -= 1
                info[idx] = (a, b, _words(text, a, b))
                nwords = info[idx][2]
        short = b - a <= _MAX_MARKER_LINE
        marker = _related_marker(text, a, b, nwords, rel_re) if short else None
        if marker is not None:
            if in_related:
                close_region()
            in_related = True
            # the heading itself is related, not furniture: it tells callers that the story
            # before it has ended (an article pasted after it is a story of its own)
            kinds.append(RELATED)
            continue
        if short and nwords <= 30 and (
                boil_re.match(text, a, b)
                or end_re is not None and nwords <= _END_WORDS
                and end_re.search(text, max(a, b - _END_WINDOW), b)):
            kinds.append(BOILERPLATE)
            continue
        if _generic_boilerplate(text, a, b, nwords):
            kinds.append(BOILERPLATE)
            continue
        kinds.append(BODY)
        if in_related:
            region.append(idx)
    if in_related:
        close_region()

    for idx, (a, b) in enumerate(paras):
        pa, pb, _ = info[idx]
        pieces.append(Segment(text[pa:pb], kinds[idx], pa))
        if idx in tails:
            t = tails[idx]
            pieces.append(Segment(text[t:b].rstrip(), BOILERPLATE, t))
    return pieces


def _resolve_related(text: str, region: list[int], kinds: list[str],
                     info: list[tuple[int, int, int]]) -> None:
    """Decide related vs body for the non-boilerplate paragraphs after a related marker."""
    full = [_is_full(text, *info[i]) for i in region]
    n = len(region)
    j = 0
    while j < n:
        if not full[j]:
            kinds[region[j]] = RELATED
            j += 1
            continue
        k = j
        while k < n and full[k]:
            k += 1
        run = k - j
        last = k == n
        a, b, _ = info[region[k - 1]]
        if run >= 2 or (last and not _is_cut(text, a, b)):
            # an article: its title (the headline-like line just before) and the rest are body
            if j > 0 and not full[j - 1]:
                kinds[region[j - 1]] = BODY
            for i in region[j:]:
                kinds[i] = BODY
            return
        for i in region[j:k]:
            kinds[i] = RELATED
        j = k


def body_text(text: str, lang: str | None = None) -> str:
    """The body segments of ``text`` joined with newlines."""
    return "\n".join(s.text for s in segment(text, lang) if s.kind == BODY)
