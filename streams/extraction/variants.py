"""Regexes written in normalised spelling turned into regexes over the original text
(``variant_pattern``): each Arabic-script letter accepts its spelling variants and the marks
that may sit between letters.
"""
from __future__ import annotations

import re

__all__ = ["variant_pattern"]

_VARIANTS = {
    "\u0627": "\u0627\u0623\u0625\u0622\u0671\u0672\u0673\u0675",
    "\u064a": "\u064a\u0649\u06cc\u0626\u06d0\u06cd",
    "\u0647": "\u0647\u0629\u06c0\u06d5\u06be\u06c1\u06c2\u06c3",
    "\u0643": "\u0643\u06a9\u06aa",
    "\u0648": "\u0648\u0624\u0676",
}
for _d in range(10):
    _VARIANTS[str(_d)] = str(_d) + chr(0x0660 + _d) + chr(0x06F0 + _d)
# what may sit between the letters of a word in the original: diacritics, tatweel, ZWNJ/ZWJ
_IGNORABLE = "[\u064b-\u065f\u0670\u0640\u200c\u200d]*"


def variant_pattern(pattern: str) -> str:
    """Turn a regex written in normalised spelling into one that matches the original text:
    each Arabic-script letter also accepts its spelling variants and may be followed by
    diacritics, tatweel or ZWNJ; a space accepts any run of spaces/ZWNJ (or none, since Persian
    writes برچسب‌ها and برچسب ها alike). Use with re.IGNORECASE for Latin."""
    out: list[str] = []
    in_class = False
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "{" and not in_class:
            j = pattern.find("}", i)
            if j > 0 and re.fullmatch(r"\{\d*(?:,\d*)?\}", pattern[i : j + 1]):
                out.append(pattern[i : j + 1])  # a quantifier: its digits stay ASCII
                i = j + 1
                continue
        if in_class:
            if c == "]":
                in_class = False
                out.append(c)
            else:
                out.append(re.escape(_VARIANTS[c]) if c in _VARIANTS else c)
        elif c == "[":
            in_class = True
            out.append(c)
            if i + 1 < n and pattern[i + 1] == "^":
                out.append("^")
                i += 1
        elif c == " ":
            out.append("[\\s\u200c]*")
        elif "\u0600" <= c <= "\u06ff" or c.isdigit():
            cls = _VARIANTS.get(c, c)
            body = "[" + re.escape(cls) + "]" if len(cls) > 1 else re.escape(c)
            out.append("(?:" + body + (_IGNORABLE if not c.isdigit() else "") + ")")
        else:
            out.append(c)
        i += 1
    return "".join(out)
