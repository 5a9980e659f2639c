"""Language of a text ('ar', 'fa' or 'en') from script and word statistics (``detect_lang``):
feeds mislabel or omit it.
"""
from __future__ import annotations

import re

__all__ = ["detect_lang"]

_LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_PERSIAN_LETTER_RE = re.compile(r"[\u067e\u0686\u0698\u06af]")  # پ چ ژ گ (never Arabic)
_WORD_RE = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]+")
# Frequent function words that exist in only one of the two languages, in normalised spelling.
# Persian: است را می که های برای شد ...; Arabic: في على إلى التي الذي عن ...
_FA_ONLY = frozenset("است را مي كه هاي براي شد شده كرد كند شود نيز دارد اند اين".split())
_AR_ONLY = frozenset("في على الى التي الذي عن هذا هذه قال الذين وفي حيث لم قد ثم منذ".split())
_SAMPLE = 1200  # characters looked at: enough to decide, cheap on long articles


def detect_lang(text: str) -> str:
    """'ar', 'fa' or 'en' from script and word statistics of the first characters.
    Text without Arabic-script words is reported as 'en'."""
    sample = text[:_SAMPLE] if text else ""
    # only the spelling variants that matter for the word lists (a full normalise costs far more)
    words = _WORD_RE.findall(
        sample.replace("\u06cc", "\u064a").replace("\u06a9", "\u0643").replace("\u200c", " ")
        .replace("\u0625", "\u0627").replace("\u0649", "\u064a")
    )
    if not words or len(_LATIN_WORD_RE.findall(sample)) > len(words):
        return "en"
    fa = 2 * len(_PERSIAN_LETTER_RE.findall(sample))
    ar = 0
    for w in words:
        if w in _FA_ONLY:
            fa += 3
        elif w in _AR_ONLY:
            ar += 3
        elif w.startswith("ال") or w.startswith("وال"):
            ar += 1
    if fa == ar:
        # no word evidence (a headline): Persian keyboards type ی and ک, Arabic ones ي, ك and ة
        fa = sample.count("\u06cc") + sample.count("\u06a9")
        ar = sample.count("\u064a") + sample.count("\u0643") + sample.count("\u0629")
    return "fa" if fa > ar else "ar"
