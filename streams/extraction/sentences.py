"""Sentences and paragraphs of a text, as offsets into the text as given (evidence is quoted from
the original, never from the normalised form).

Paragraphs are the non-blank lines, with the wrapped lines of hard-wrapped English wire copy joined
back (``paragraph_spans``); inside a paragraph sentences end at . ! ? ؟ ۔ followed by a space and
at bullets, not after abbreviations ("U.S.", "Mr."), inside decimals or at a headline's "..".
"""
from __future__ import annotations

import re

__all__ = ["split_sentences", "paragraph_sentences", "sentence_spans", "paragraph_spans"]

# Abbreviations that end with a dot but rarely end a sentence (English news usage).
_ABBREV = frozenset(
    """mr mrs ms dr prof gen lt col maj capt cmdr adm sgt sen rep gov pres st jr sr mt ft
    inc ltd co corp bros vs etc approx dept est fig jan feb mar apr jun jul aug sep sept
    oct nov dec e.g i.e a.m p.m u.s u.k u.n""".split()
)

_ACRONYMS = frozenset("u.s u.k u.n".split())
_SENTENCE_STARTERS = frozenset(
    """The He She It They We I But And In On At A An This That These Those His Her Their Its Our
    According Meanwhile However Also Earlier Later After Before During While When Speaking""".split()
)
_NEXT_WORD_RE = re.compile(r"\s+([A-Z][a-z]*)\b")

# Candidate boundary characters, found with one cheap character-class scan; each hit is then
# judged in Python (far faster than an alternation regex tried at every position).
_TERMINALS = ".!?\u061f\u06d4\u2026"
_BULLETS = "\u2022\u25cf\u25aa\u25e6\u2023\u2043"
_CANDIDATE_RE = re.compile("[" + re.escape(_TERMINALS + _BULLETS) + "]")
_CLOSERS = "\"'\u201d\u2019\u00bb)]*"  # "*": a section break glued to the end (".*** The")
_WORD_BEFORE_RE = re.compile(r"([^\s\"'(\[\u201c\u00ab]*)$")


def _is_abbreviation(text: str, dot_pos: int) -> bool:
    """True if the '.' at dot_pos closes an abbreviation (U.S., Mr., Gen.) rather than a sentence."""
    if dot_pos >= 2 and text[dot_pos - 1] > "\u024f" and text[dot_pos - 1].isalpha() \
            and text[dot_pos - 2].isalpha():
        return False  # a non-Latin word of 2+ letters (most Arabic/Persian sentence ends): the
        # abbreviations are Latin and the initials single letters
    m = _WORD_BEFORE_RE.search(text, max(0, dot_pos - 12), dot_pos)
    word = m.group(1) if m else ""
    if not word:
        return False
    low = word.lower()
    if low in _ABBREV and low not in _ACRONYMS:
        return True
    # initials and dotted acronyms: "U.S", "J", "U.N"; Arabic title abbreviations "د." (Dr),
    # "م." (Eng.), "أ." (Prof.): a single letter before the dot
    last = word.rsplit(".", 1)[-1]
    if not (len(last) == 1 and last.isalpha() and not ("a" <= last <= "z")):
        return False
    # "... relations with the U.S. He said": a dotted acronym followed by a word that starts
    # sentences ends the sentence after all (an initial, "Joseph R. Biden", is followed by a name)
    if "." in word:
        m = _NEXT_WORD_RE.match(text, dot_pos + 1, dot_pos + 24)
        if m and m.group(1) in _SENTENCE_STARTERS:
            return False
    return True


_LATIN_LETTER_RE = re.compile(r"[A-Za-z]")
_HARD_END = ".!?\u061f\u06d4\u2026:;\"'\u201d\u2019\u00bb)"


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text's paragraphs: its non-blank lines, except that hard-wrapped English
    text (wire copy and readouts broken at ~70 columns, like Reuters and White House feeds) has
    its wrapped lines joined back into paragraphs. A text counts as hard-wrapped when at least
    three lines, and 30% of all lines, are 40-90 characters of Latin text that stop without
    punctuation and run on into the next line; then a line is joined to the next unless it ends a
    sentence or the next line is indented (Reuters' paragraph mark)."""
    lines: list[tuple[int, int, int, bool]] = []  # start, end (trimmed), raw start, blank before
    pos = 0
    blank = False
    for line in text.split("\n"):  # C-level split and strip: no per-character Python loop
        raw = pos
        pos += len(line) + 1
        core = line.strip()
        if not core:
            blank = bool(lines)
            continue
        a = raw + len(line) - len(line.lstrip())
        lines.append((a, a + len(core), raw, blank))
        blank = False
    if len(lines) < 4:
        return [(a, b) for a, b, _, _ in lines]
    runons = 0
    for i in range(len(lines) - 1):
        a, b, _, _ = lines[i]
        if 40 <= b - a <= 90 and not lines[i + 1][3] and _LATIN_LETTER_RE.search(text, a, b) and (
                text[b - 1] not in _HARD_END
                or text[b - 1] == "." and _is_abbreviation(text, b - 1)):
            runons += 1
    if runons < 3 or runons < 0.3 * len(lines):
        return [(a, b) for a, b, _, _ in lines]
    out: list[tuple[int, int]] = []
    cur_a, cur_b = lines[0][0], lines[0][1]
    for i in range(1, len(lines)):
        a, b, raw, blank_before = lines[i]
        indented = a - raw >= 2 or text[raw] == "\t"
        ends = text[cur_b - 1] in _HARD_END and not (
            text[cur_b - 1] == "." and _is_abbreviation(text, cur_b - 1))  # "... Mr.\nSullivan"
        if blank_before or indented or ends or cur_b - cur_a < 30 \
                and "\n" not in text[cur_a:cur_b]:
            out.append((cur_a, cur_b))
            cur_a = a
        cur_b = b
    out.append((cur_a, cur_b))
    return out


def _is_list_number(text: str, start: int, dot_pos: int) -> bool:
    """"1. سیاست": a number opening the sentence, then a dot, is a list marker."""
    if dot_pos - start > 8:
        return False
    word = text[start:dot_pos].strip()
    return 0 < len(word) <= 3 and word.isdigit()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text`` (whitespace-trimmed, non-empty).
    Paragraphs come from ``paragraph_spans``; inside a paragraph sentences end at . ! ? ؟ ۔
    followed by a space, and at bullets."""
    spans: list[tuple[int, int]] = []
    for pa, pb in paragraph_spans(text):
        _paragraph_spans(text, pa, pb, spans)
    return spans


def _paragraph_spans(text: str, pa: int, pb: int, spans: list[tuple[int, int]]) -> None:
    """Appends the sentence spans of the paragraph text[pa:pb] to ``spans``."""
    search = _CANDIDATE_RE.search
    start = pos = pa
    while True:
        m = search(text, pos, pb)
        if m is None:
            break
        i = m.start()
        c = text[i]
        if c in _BULLETS:
            _add_span(text, start, i, spans)
            start = pos = i + 1
            continue
        # a run of terminal characters, then optional closing quotes/brackets
        j = i + 1
        while j < pb and text[j] in _TERMINALS:
            j += 1
        run = text[i:j]
        k = j
        while j < pb and text[j] in _CLOSERS:
            j += 1
        closed = j > k  # '.”' ends a quotation: never an abbreviation
        pos = j
        if j < pb and not text[j].isspace():
            continue  # "3.5", "U.S.-Morocco", "example.com"
        # ".." or "…" is a headline/ellipsis device ("غزة.. قصف"), not an end; a lone "."
        # after an abbreviation or an initial is not an end either
        if run.startswith("..") or run[0] == "\u2026":
            continue
        if run[0] == "." and len(run) == 1 and not closed and (
                _is_abbreviation(text, i) or _is_list_number(text, start, i)):
            continue
        _add_span(text, start, j, spans)
        start = j
    _add_span(text, start, pb, spans)


def _add_span(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))


def paragraph_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph (as ``split_sentences`` gives them for a text whose only
    paragraph it is, without looking for line structure again): for callers that already cut
    the text into paragraphs."""
    spans: list[tuple[int, int]] = []
    _paragraph_spans(paragraph, 0, len(paragraph), spans)
    return [paragraph[a:b] for a, b in spans]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in the original spelling (split at . ! ? ؟ ۔, paragraph breaks and
    bullets; not after abbreviations such as "U.S." or "Mr.", not inside decimals like 3.5, and not
    at the line ends of hard-wrapped English text)."""
    return [text[a:b] for a, b in sentence_spans(text)]
