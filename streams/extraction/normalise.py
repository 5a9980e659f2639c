"""Text normalisation for matching Arabic, Persian and English news text: the character folding.

``normalise`` produces a *matching form*: it is not length-preserving, so evidence is always quoted
from the original sentence (``sentences.split_sentences``), never from the normalised string. The
other text jobs have modules of their own: sentence and paragraph splitting (``sentences``),
tokens (``tokens``), Arabic proclitics and name suffixes (``clitics``), regexes over the original
spelling (``variants``) and language identification (``langid``).

Decisions (one form for Arabic and Persian spellings, so one gazetteer entry matches both):

* diacritics (camel-tools' ``AR_DIAC_CHARSET`` plus the other combining Arabic marks, incl. the
  combining hamza of Persian ``ۀ``/``هٔ``) and tatweel are removed;
* alef variants أ إ آ ٱ ٲ ٳ ٵ -> ا (as camel's ``normalize_alef_ar``); ى ی ئ -> ي (alef maksura as
  camel's ``normalize_alef_maksura_ar``; Persian yeh; yeh with hamza, because Persian writes both
  رئیس and رییس); ؤ -> و; ة ۀ ە ھ ہ -> ه (teh marbuta as camel's ``normalize_teh_marbuta_ar``);
  ک ڪ -> ك. The Persian-only letters پ چ ژ گ are kept: they never alternate with Arabic letters;
* ZWNJ (U+200C) is *removed*, not turned into a space: Persian writes گفت‌وگو and گفتوگو for the
  same word, and removal makes them equal (the spaced spelling گفت و گو stays three tokens);
  ZWJ, bidi marks and the BOM are removed too;
* Arabic-Indic and Persian digits -> ASCII; Arabic comma/semicolon/question mark and decimal and
  thousands separators -> ASCII punctuation;
* typographic quotes (incl. « » and ‹ ›) -> ``"`` / ``'``, dashes and minus -> ``-``;
* Latin is lower-cased; every run of whitespace (incl. NBSP and thin spaces) becomes one space.

Speed: camel-tools' functions (the reference in the tests) are regex substitutions, one pass each
(dediac_ar ~8 µs, normalize_alef_ar ~7 µs per 1 KB article), and ``str.translate`` with a dict is
~130 µs per 1 KB of Arabic; ``normalise`` replaces the characters that actually occur with C-level
``str.replace`` and keeps the full table for rare characters (~20 µs per 1 KB, see below).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable

# camel-tools' AR_DIAC_CHARSET (fathatan ... sukun, superscript alef). Written out rather than
# imported: importing camel_tools.utils.charsets scans all of Unicode to build its sets, a start-up
# cost every worker and test process would pay for nine characters.
# tests/unit/extraction/test_normalise.py checks that this set still covers camel's.
AR_DIAC_CHARSET = frozenset("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670")

__all__ = ["normalise", "normaliser"]


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}

    def drop(chars):
        for c in chars:
            table[ord(c)] = None

    def to(target: str, chars):
        for c in chars:
            table[ord(c)] = target

    drop(AR_DIAC_CHARSET)
    drop(chr(c) for c in range(0x0610, 0x061B))  # Quranic honorifics and small letters
    drop(chr(c) for c in range(0x064B, 0x0660))  # harakat, maddah/hamza above/below, etc.
    drop(chr(c) for c in range(0x06D6, 0x06EE))  # Quranic annotation marks
    drop("\u0640")  # tatweel
    # invisible format characters: ZWNJ (see module doc), ZWJ, bidi marks, BOM, soft hyphen
    drop("\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
         "\ufeff\u00ad\u061c\u200b\u2060")

    to("\u0627", "\u0623\u0625\u0622\u0671\u0672\u0673\u0675")  # alef variants -> ا
    to("\u064a", "\u0649\u06cc\u0626\u06d0\u06cd")  # ى ی ئ ې ۍ -> ي
    to("\u0648", "\u0624\u0676")  # ؤ -> و
    to("\u0647", "\u0629\u06c0\u06d5\u06be\u06c1\u06c2\u06c3")  # ة ۀ ە ھ ہ -> ه
    to("\u0643", "\u06a9\u06aa")  # ک ڪ -> ك

    for i in range(10):
        table[0x0660 + i] = str(i)  # Arabic-Indic digits
        table[0x06F0 + i] = str(i)  # Extended (Persian/Urdu) digits
    to(",", "\u060c\u066c")  # Arabic comma, Arabic thousands separator
    to(".", "\u066b\u06d4")  # Arabic decimal separator, Urdu full stop
    to(";", "\u061b")
    to("?", "\u061f")
    to("%", "\u066a")

    to('"', "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2036\u301d\u301e\uff02")
    to("'", "\u2018\u2019\u201a\u201b\u2039\u203a\u2032\u2035\u0060\u00b4")
    to("-", "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
    # a hashtag joins its words with underscores ("#كوريا_الشمالية", "#Saudi_Arabia"): a space
    to(" ", "_")
    # every character str.split() treats as whitespace -> plain space (runs collapsed afterwards)
    for c in range(0x3001):
        if chr(c).isspace() and c != 0x20:
            table[c] = " "
    return table


_TABLE = _build_table()
# str.translate with a dict does a Python-level lookup per character, and each regex scan of a
# text is far slower than an ``in`` test, which is a C scan. So the characters that actually occur
# in news text are replaced one by one (``in`` + ``str.replace``), and one regex scan looks for
# everything else (rare marks, presentation forms, exotic spaces); only then is the full table
# applied.
_COMMON = (
    "\u06cc\u0629\u0623\u060c\u0625\u06a9\u0649\u0626\u0622\u200c\u2019\u064b\u00ab"
    "\u00bb\u201d\u201c\u00a0\u0624\u0651\u2013\u064f\u064e\u0650\u0652\u064c\u064d\u0670"
    "\u200f\u200e\u0640\u2014\u2018\u061f\u061b\u0671\u06c0\u0654"
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
    "\n\t\r"
)
_COMMON_PAIRS = tuple((c, _TABLE[ord(c)] or "") for c in dict.fromkeys(_COMMON) if ord(c) in _TABLE)
# Arabic presentation forms (ﻻ, ﺍ ...) only occur in badly converted text; NFKC maps them back to
# letters. They share the rare-character scan.
_PRESENTATION = "\ufb50-\ufdff\ufe70-\ufefe"
_PRESENTATION_RE = re.compile("[" + _PRESENTATION + "]")
_RARE_RE = re.compile(
    "[" + "".join(re.escape(chr(k)) for k in sorted(_TABLE) if chr(k) not in _COMMON)
    + _PRESENTATION + "]"
)


def normalise(text: str) -> str:
    """Matching form of ``text`` (see the module docstring). Idempotent."""
    if not text:
        return ""
    if _RARE_RE.search(text):
        if _PRESENTATION_RE.search(text):
            text = unicodedata.normalize("NFKC", text)
        text = text.translate(_TABLE)
    else:
        for a, b in _COMMON_PAIRS:
            if a in text:
                text = text.replace(a, b)
    text = text.lower()  # cheaper than scanning for capitals first
    # all whitespace is a plain space by now; collapsing runs with replace beats split/join
    # (which allocates every word)
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def normaliser(text: str) -> Callable[[str], str]:
    """``normalise`` specialised for pieces of ``text`` (its sentences, with line breaks turned
    into spaces): whether any rare character occurs, and which of the ~45 common ones do, is
    decided once for the whole text instead of for every sentence (a third of the cost of
    normalising a sentence was scanning it for characters the article does not contain)."""
    if _RARE_RE.search(text):
        return normalise
    pairs = tuple((a, b) for a, b in _COMMON_PAIRS if a in text)

    def normalise_piece(piece: str) -> str:
        for a, b in pairs:
            if a in piece:
                piece = piece.replace(a, b)
        piece = piece.lower()
        while "  " in piece:
            piece = piece.replace("  ", " ")
        return piece.strip(" ")

    return normalise_piece


def _normalise_reference(text: str) -> str:
    """The same mapping done the obvious, slow way (one translate, split/join): the tests check
    ``normalise`` against it."""
    if _PRESENTATION_RE.search(text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.translate(_TABLE).lower().split())
