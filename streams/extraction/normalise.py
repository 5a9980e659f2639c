"""Text normalisation for matching Arabic, Persian and English news text.

``normalise`` produces a *matching form*: it is not length-preserving, so evidence is always quoted
from the original sentence (``split_sentences``), never from the normalised string.

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
``str.replace`` and keeps the full table for rare characters (~20 µs per 1 KB, see below). camel's
``simple_word_tokenize`` costs ~900 µs per 1 KB, so ``tokens`` does the same split with one regex.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable

# camel-tools' AR_DIAC_CHARSET (fathatan ... sukun, superscript alef). Written out rather than
# imported: importing camel_tools.utils.charsets takes ~0.8 s (it scans all of Unicode to build its
# sets), paid by every worker and test process for nine characters. tests/unit/test_normalise.py
# checks that this set still covers camel's.
AR_DIAC_CHARSET = frozenset("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670")

__all__ = [
    "normalise",
    "normaliser",
    "split_sentences",
    "paragraph_sentences",
    "sentence_spans",
    "paragraph_spans",
    "tokens",
    "strip_clitics",
    "detect_lang",
    "variant_pattern",
]


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
    # every character str.split() treats as whitespace -> plain space (runs collapsed afterwards)
    for c in range(0x3001):
        if chr(c).isspace() and c != 0x20:
            table[c] = " "
    return table


_TABLE = _build_table()
# str.translate with a dict does a Python-level lookup per character (~130 µs per 1 KB Arabic
# article), and each regex scan of a text costs ~7 µs per KB. An ``in`` test is a C scan (~0.1 µs
# per KB), so the characters that actually occur in news text are replaced one by one (``in`` +
# ``str.replace``), and one regex scan looks for everything else (rare marks, presentation forms,
# exotic spaces); only then is the full table applied. ~20 µs per 1 KB article, ~85 µs per 4 KB.
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
    # (which allocates every word) ~3x
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


# ---------------------------------------------------------------------------------------------
# sentences

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
_CLOSERS = "\"'\u201d\u2019\u00bb)]"
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


# ---------------------------------------------------------------------------------------------
# tokens

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


# ---------------------------------------------------------------------------------------------
# clitics

# Arabic proclitic sequences (in normalised spelling), longest first. "لل" is ل + ال with the
# alef dropped, so its stem gets "ال" back as an extra candidate.
_PROCLITICS = (
    "وبال", "فبال", "وكال",
    "وال", "فال", "بال", "كال", "ولل", "فلل",
    "لل", "ال", "وب", "ول", "وك", "فب", "فل", "فك",
    "و", "ف", "ب", "ل", "ك",
)
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
    for p in _PROCLITICS:
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


# ---------------------------------------------------------------------------------------------
# regexes over the original text

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


# ---------------------------------------------------------------------------------------------
# language

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
    # only the spelling variants that matter for the word lists (full normalise costs 3x more)
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
