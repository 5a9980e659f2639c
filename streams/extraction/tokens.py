"""Tokens of a text: the same split as camel-tools' ``simple_word_tokenize`` over the normalised
form. camel's tokenizer costs ~900 µs per 1 KB, so ``tokens`` does the split with one regex.
"""
from __future__ import annotations

import re

from streams.extraction.normalise import normalise

__all__ = ["tokens"]

# Same split as camel's simple_word_tokenize: runs of word characters, and every other
# non-space character as its own token.
_PUNCT_RE = re.compile(r"[^\w\s]")


def tokens(text: str) -> list[str]:
    """Tokens of the normalised text (``normalise`` is idempotent, so normalised input is fine):
    runs of word characters, and each other non-space character as its own token, like camel's
    ``simple_word_tokenize``. Padding punctuation with spaces and splitting is ~1.5x faster than
    ``re.findall`` and ~20x faster than camel's tokenizer."""
    text = normalise(text)
    if _PUNCT_RE.search(text):
        text = _PUNCT_RE.sub(_pad, text)
    return text.split()


def _pad(m: re.Match) -> str:
    return " " + m.group() + " "
