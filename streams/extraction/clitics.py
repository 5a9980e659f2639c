"""Arabic proclitics and the suffixes that turn a name into a demonym: the one list of proclitic
sequences the gazetteer (which hits may stand behind a proclitic) and lookups by stem
(``strip_clitics``) share.
"""
from __future__ import annotations

__all__ = ["PERSIAN_PROCLITICS", "PROCLITICS", "PROCLITIC_SET", "strip_clitics"]

# Arabic proclitic sequences (in normalised spelling), longest first. "لل" is ل + ال with the
# alef dropped, so its stem gets "ال" back as an extra candidate.
PROCLITICS = (
    "وبال", "فبال", "وكال",
    "وال", "فال", "بال", "كال", "ولل", "فلل",
    "لل", "ال", "وب", "ول", "وك", "فب", "فل", "فك",
    "و", "ف", "ب", "ل", "ك",
)
PROCLITIC_SET = frozenset(PROCLITICS)
# Persian writes its prepositions apart ("به ایران", "با عمان"); a conjunction glued to the next
# word ("وایران") and the article of an Arabic name ("فهرست العراقیه") are the only ones of its
# press. A hit behind any other letter is inside a word ("کاتن" is not ک + آتن).
PERSIAN_PROCLITICS = frozenset({"", "و", "ال"})
# Suffixes worth stripping for lookup: Persian plural/ezafe/adjective (های، ها، ای، ی) and the
# Arabic nisba endings (عماني، عمانيه، عمانيين، عمانيون) that turn a demonym back into a name.
_SUFFIXES = ("هاي", "ها", "اي", "يين", "يون", "يه", "ي")
_MIN_STEM = 3


def strip_clitics(token: str) -> list[str]:
    """Lookup candidates for a normalised token: the token itself and the forms without Arabic
    proclitics (و ف ب ل ك ال وال بال لل ...) and without Persian/nisba suffixes (ها، های، ی، يه ...),
    longest first. Candidates shorter than three letters are not produced."""
    out: dict[str, None] = {token: None}
    stems = [token]
    for p in PROCLITICS:
        if token.startswith(p) and len(token) - len(p) >= _MIN_STEM:
            stem = token[len(p):]
            stems.append(stem)
            out[stem] = None
            if p.endswith("لل"):
                out["ال" + stem] = None
            elif p.endswith("ال") and len(p) > 2:
                out["ال" + stem] = None
    # suffixes come off up to twice: ايرانيها -> ايراني -> ايران
    for _ in range(2):
        nxt = []
        for s in stems:
            for suf in _SUFFIXES:
                if s.endswith(suf) and len(s) - len(suf) >= _MIN_STEM:
                    cut = s[: -len(suf)]
                    if cut not in out:
                        out[cut] = None
                        nxt.append(cut)
        stems = nxt
    return sorted(out, key=len, reverse=True)
