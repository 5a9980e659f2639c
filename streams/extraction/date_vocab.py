"""Date vocabulary: the month names (Gregorian, Solar Hijri, Islamic), weekdays, relative days,
modifiers, ordinals and span words of ``streams/knowledge/date_words.tsv``, keyed by their
normalised spelling, for the lexer (``date_lexer``) and dateline detection (``boilerplate``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from streams.extraction.normalise import normalise
from streams.knowledge import loader

# words that are also common ordinary words (May, می "-ing", مه "fog", آب "water", صفر "zero",
# ماي): as month names only with a year after them or "ماه" ("month")
AMBIGUOUS = frozenset(normalise(w) for w in ("می", "مه", "آب", "صفر", "ماي", "اوت"))


# atom kinds used by the parser, from the vocabulary kinds
ATOM_KIND = {"relative": "rel", "weekday": "wd", "solar_month": "smonth",
              "hijri_month": "hmonth", "month": "month", "modifier": "mod", "ordinal": "ord",
              "not_event": "span"}


@dataclass(frozen=True)
class Vocab:
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
def vocab() -> Vocab:
    words: dict[str, list[tuple[str, object, bool]]] = {}
    first: set[str] = set()
    max_tokens = 1
    partial: set[str] = set()
    for w in loader.load_date_words():  # kinds and numeric values checked by the loader
        word = w.word
        val: object = w.value
        entry = (ATOM_KIND[w.kind], val, w.lang == "en")
        lst = words.setdefault(_key(word), [])
        if entry not in lst:
            lst.append(entry)
        parts = normalise(word).split()
        first.add(parts[0])
        for j in range(1, len(parts)):
            partial.add("".join(parts[:j]))
        max_tokens = max(max_tokens, len(parts))
    return Vocab(words, frozenset(first), frozenset(partial), max_tokens)


def date_vocabulary_words() -> set[str]:
    """All normalised single words of the date vocabulary (for dateline detection)."""
    words: set[str] = set()
    for w in loader.load_date_words():
        words.update(normalise(w.word).split())
    return words
