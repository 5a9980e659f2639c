"""One Aho-Corasick automaton over every surface form the extractor looks for.

Forms come from data files only: country names, demonyms, capitals and metonyms
(``knowledge/country_aliases.tsv`` plus CLDR names in ar/fa/en via Babel), office holders
(``office_holders.tsv``), news-agency names (``outlets.tsv``), contact cues and titles
(``triggers.tsv``) and topic keywords (``topics.tsv``). All forms are put in the matching form of
``normalise`` and searched in one pass over a normalised sentence; a hit is kept when it sits on word
boundaries, where Arabic proclitics (و ف ب ل ك ال ...) may precede the form and, for country
names, the nisba/Persian adjective endings (ي يه يين يون يان) may follow it.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick

from streams.extraction.clitics import PROCLITIC_SET
from streams.extraction.normalise import normalise
from streams.knowledge import loader

log = logging.getLogger(__name__)


# Arabic proclitic sequences allowed in front of a form (normalised spelling): the one list
PROCLITICS = PROCLITIC_SET
# Endings a country word may carry glued on: those that make it an adjective/demonym (Arabic
# nisba, Persian ی/یی/یان), a plural, and the Persian enclitic pronouns that ZWNJ removal glues on
# ("همتای ایرانی‌ام", my Iranian counterpart; not "-مان"/"-تان"/"-ات": "مجرمان", "قبرستان", "قطرات")
NAME_SUFFIXES = frozenset(["ي", "يه", "يين", "يون", "يان", "يي", "ييان", "ها",
                           "ام", "اش", "شان"])
# Arabic dual endings of a nisba (الأمريكي -> الأمريكيان, الأمريكيتان, الأمريكيتين: "the two
# American officials"); only after a form ending in the nisba's ي, the only place they inflect it
DUAL_SUFFIXES = frozenset(["ان", "تان", "تين"])
ARABIC_SCRIPT = ("\u0600", "\u06ff")
TRIGGER_KINDS = frozenset({"call", "meet", "receive", "visit", "talk"})


class Entry(NamedTuple):
    kind: str        # country | holder | agency | region | cue kinds (call, meet, title, ...) | topic
    value: Any       # alpha-3, Holder, role, (topic, strength) ...
    sub: str         # country: name/demonym/capital/metonym/government/city; cue, topic, region: lang
    match: str       # word | prefix
    cased: str | None  # English proper names: the capitalised original form to verify


@dataclass(frozen=True, slots=True)
class Holder:
    country: str
    role: str
    name: str
    start: str  # ISO date or ""
    end: str    # ISO date or "" (still in office); exclusive: the successor's first day

    def in_office(self, day: str | None) -> bool:
        """Was the holder in office on ``day`` (YYYY-MM-DD)? Unknown day: yes."""
        if not day:
            return True
        return (not self.start or self.start <= day) and (not self.end or day < self.end)


class Mention(NamedTuple):
    start: int      # offsets in the normalised sentence
    end: int
    entries: tuple[Entry, ...]   # what the form is (topic keywords apart, in ``topics``)
    prefix: str     # Arabic proclitics found before the form ("" if none)
    topics: tuple   # (topic, strength) of topic keywords with this form
    kinds: frozenset  # kinds of entries and "topic"
    wstart: int     # start of the word (before the proclitics)
    neglen: int     # -(end - start): longest first when sorting


# Months need a day number (a digit) to make a date, so weekday and relative words ("today",
# "أمس", "دیروز") are the only anchors needed besides digits; short month names (دی، مه، آب)
# would only cost hits inside other words.
_DATE_ANCHORS = frozenset({"weekday", "relative"})










def _is_arabic_script(s: str) -> bool:
    return any(ARABIC_SCRIPT[0] <= c <= ARABIC_SCRIPT[1] for c in s)


def _source_hosts(source: str) -> list[str]:
    """The host names in an article's ``source`` field ("www.x.com/path", "rouz.news
    (republishing mehrnews.com)"), lower case, without "www."."""
    hosts = []
    for token in source.lower().replace("(", " ").replace(")", " ").split():
        host = token.split("/")[0]
        hosts.append(host[4:] if host.startswith("www.") else host)
    return hosts


def government_site(source: str | None) -> bool:
    """Is the article's source a government's own web site (``government_domain``)?"""
    return bool(source) and any(government_domain(h) for h in _source_hosts(source))


_GOV_LABELS = frozenset({"gov", "gob", "gouv", "govt", "go", "gv"})
_CCTLD_CODES = {"uk": "GB"}  # country-code domains that are not the ISO code


def government_domain(host: str) -> str | None:
    """The state whose government a web site is (``pmd.gov.lk``, ``mofa.gov.sa``, ``state.gov``):
    a government's own release speaks for that state, so its unnamed "President" is its own.
    None for any other host."""
    parts = host.lower().split(".")
    if len(parts) >= 2 and parts[-1] in ("gov", "mil"):
        return "USA"
    if len(parts) >= 3 and parts[-2] in _GOV_LABELS and len(parts[-1]) == 2 and parts[-1].isalpha():
        return _alpha3(_CCTLD_CODES.get(parts[-1], parts[-1]).upper())
    return None


def _alpha3(alpha2: str) -> str | None:
    import pycountry

    c = pycountry.countries.get(alpha_2=alpha2)
    return c.alpha_3 if c else None


class Gazetteer:
    """The automaton plus the side tables (outlet -> country) the extractor needs."""

    def __init__(self) -> None:
        self._forms: dict[str, list[Entry]] = {}
        self.outlets: dict[str, str] = {}       # outlet domain/name (lower case) -> alpha-3
        self.national: set[str] = set()         # outlets that are national news agencies
        self.government: set[str] = set()       # government sites a domain does not tell (kremlin.ru)
        self.outlet_names: dict[str, str] = {}  # a name an outlet is known by (lower case) -> outlet
        self.holders: list[Holder] = []
        self.n_forms = 0
        self._load()
        self.automaton = ahocorasick.Automaton()
        for key, entries in self._forms.items():
            entries = tuple(dict.fromkeys(entries))
            cased = any(e.cased is not None for e in entries)
            self.automaton.add_word(key, (len(key), entries, cased, *_split_topics(entries),
                                          *_fast_checks(entries)))
        self.automaton.make_automaton()
        # the contact triggers alone: a quick test whether an article can report a contact
        self.triggers = ahocorasick.Automaton()
        for key, entries in self._forms.items():
            if any(e.kind in TRIGGER_KINDS for e in entries):
                self.triggers.add_word(key, (len(key), any(e.match == "prefix" for e in entries)))
        self.triggers.make_automaton()
        self.n_forms = len(self._forms)
        del self._forms

    def has_trigger(self, norm: str) -> bool:
        """Does the normalised text contain a contact trigger word (call, meet, visit ...)?"""
        n = len(norm)
        for end, (length, prefix_match) in self.triggers.iter(norm):
            start = end - length + 1
            if start > 0 and norm[start - 1].isalnum():
                ws = start - 1
                while ws > 0 and norm[ws - 1].isalnum():
                    ws -= 1
                if norm[ws:start] not in PROCLITICS:
                    continue
            if prefix_match or end + 1 >= n or not norm[end + 1].isalnum():
                return True
        return False

    # ---- building -----------------------------------------------------------------------
    def _add(self, form: str, entry: Entry) -> None:
        key = normalise(form)
        if len(key) < 2:
            return
        # An Arabic form written with the article is stored without it: ``find`` accepts ال
        # like any proclitic, so "الأمريكي", "أمريكي" (indefinite), "والأمريكي" and "للأمريكي"
        # (ل + ال, alef dropped) are all one key, found once
        # (only when the original spelling starts with the bare-alef article: "ألباريس" (Albares)
        # and "ألمانيا" normalise to ال... too, but their alef-lam is part of the name)
        # (not a prefix form: "التقى*" is a verb whose alef-lam is its own; stripped, "تقي*" would
        # match "تقييم", "an assessment")
        if key.startswith("ال") and len(key) > 4 and entry.kind != "topic" and entry.match != "prefix" and \
                form.lstrip().startswith("\u0627\u0644"):
            key = key[2:]
        self._forms.setdefault(key, []).append(entry)

    def _add_country(self, a3: str, form: str, kind: str) -> None:
        cased = None
        if form[:1].isascii() and form[:1].isalpha():
            cased = form  # English proper name: verify capitalisation in the original
        self._add(form, Entry("country", a3, kind, "word", cased))
        # an Arabic nisba of several words agrees in definiteness with its noun: listed as the
        # press writes it after a title ("وزير الخارجية الكوري الشمالي"), it is also found after
        # an indefinite noun ("مسؤول كوري شمالي"), without the article on every word
        words = form.split()
        if kind == "demonym" and len(words) > 1 and all(w.startswith("\u0627\u0644") for w in words):
            self._add(" ".join(w[2:] for w in words), Entry("country", a3, kind, "word", None))

    def _load(self) -> None:
        # countries: CLDR names first, then the curated aliases (demonyms, capitals, metonyms)
        from babel import Locale

        for lang in ("ar", "fa", "en"):
            for code, name in Locale(lang).territories.items():
                if len(code) == 2 and code.isalpha():
                    a3 = _alpha3(code)
                    if a3:
                        self._add_country(a3, name, "name")
        for r in loader.load_country_aliases():
            self._add_country(r.country, r.form, r.kind)
        # regions named after a state ("Latin America", "آمریکای لاتین"): listed so that the
        # longest match wins over the state's name inside them; they are neither actors nor venues
        for r in loader.load_regions():
            cased = r.form if r.form[:1].isascii() and r.form[:1].isalpha() else None
            self._add(r.form, Entry("region", None, r.lang, "word", cased))
        for r in loader.load_office_holders():
            names = [r.name_en, r.name_ar, r.name_fa, *r.aliases]
            canonical = r.name_en or next((n for n in names if n), "")
            h = Holder(r.country, r.role, canonical, r.start.isoformat(), r.end.isoformat() if r.end else "")
            self.holders.append(h)
            for n in names:
                if n:
                    cased = n if n[:1].isascii() else None
                    self._add(n, Entry("holder", h, r.role, "word", cased))
        for r in loader.load_outlets():
            a3 = r.country or ""
            if a3:
                self.outlets[r.outlet] = a3
            if r.national:
                self.national.add(r.outlet)
            if r.government:
                self.government.add(r.outlet)
            for n in r.agency_names:
                if a3:
                    self.outlet_names.setdefault(n.lower().removeprefix("the "), r.outlet)
                if n.isascii() and len(n) <= 3:
                    continue  # AP, RT, ONA: fragments of countless English words, and a
                    # dateline's home country matters only for unnamed officials
                self._add(n, Entry("agency", a3, "agency", "word", None))
        for c in loader.load_triggers():
            self._add(c.form, Entry(c.kind, c.value, c.lang, c.match, None))
        for c in loader.load_cues():  # the phenomena's word lists (cues/<lang>/<list>.txt)
            if c.kind not in loader.TEXT_WORD_LISTS:
                self._add(c.form, Entry(c.kind, c.value, c.lang, c.match, None))
        # date anchors (months, weekdays, today/yesterday ...): a sentence without any, and
        # without digits, has no date to resolve (date_words.tsv belongs to the dates module)
        for w in loader.load_date_words():
            if w.kind in _DATE_ANCHORS:
                self._add(w.word, Entry("dateword", None, w.lang, "word", None))
        for t in loader.load_topics():
            self._add(t.form, Entry("topic", (t.topic, t.strength), t.lang, t.match, None))

    # ---- lookup ---------------------------------------------------------------------------
    def outlet_country(self, source: str | None) -> str | None:
        """Home country of an outlet by name or domain (``www.`` and sub-domains tolerated)."""
        if not source:
            return None
        name = self._outlet_name(source)
        if name is not None:
            return self.outlets[name]
        return next(filter(None, map(government_domain, _source_hosts(source.strip().lower()))), None)

    def government_site(self, source: str | None) -> bool:
        """Is the article's source a government's own site: a government domain
        (``government_domain``) or a site outlets.tsv lists with scope ``government``?"""
        return government_site(source) or (bool(source) and self._outlet_name(source) in self.government)

    def national_agency(self, source: str | None) -> bool:
        """Is the outlet a national news agency (outlets.tsv scope ``national``)?"""
        return bool(source) and self._outlet_name(source) in self.national

    def _outlet_name(self, source: str) -> str | None:
        """The listed outlet (with a home country) an article's ``source`` names, if any."""
        s = source.strip().lower()
        if s in self.outlets:
            return s
        # a feed naming the outlet rather than its domain ("Yonhap News Agency", "The Korea Herald")
        named = self.outlet_names.get(s.removeprefix("the "))
        if named is not None:
            return named
        for host in _source_hosts(s):
            parts = host.split(".")
            for i in range(len(parts) - 1):
                cand = ".".join(parts[i:])
                if cand in self.outlets:
                    return cand
        return None

    def find(self, norm: str, original: str = "") -> list[Mention]:
        """All accepted hits in a normalised sentence, in text order (overlaps kept)."""
        if "_" in original:  # hashtags: capitals are checked against the words ("#North_Korea")
            original = original.replace("_", " ")
        return _find(self.automaton, norm, original)


_new = tuple.__new__


def _find(automaton, norm: str, original: str) -> list[Mention]:
    """``Gazetteer.find``: a module function so that the compiled build can type its loop
    (gazetteer.pxd)."""
    out: list[Mention] = []
    append = out.append
    n = len(norm)
    for end, (length, entries, cased, plain, topics, kinds, cased_forms, has_en,
              tail_mode) in automaton.iter(norm):
        start = end - length + 1
        end += 1
        # left boundary: start of text, a non-letter, or Arabic proclitics from word start
        prefix = ""
        # (most hits follow and precede a space: compared first, the cheapest test)
        if start > 0 and (c := norm[start - 1]) != " " and c.isalnum():
            if c not in _PROCLITIC_ENDS:
                continue
            ws = start - 1
            while ws > 0 and norm[ws - 1].isalnum():
                ws -= 1
            prefix = norm[ws:start]
            if prefix not in PROCLITICS:
                continue
        if end < n and (c := norm[end]) != " " and c.isalnum():
            if not tail_mode:
                continue  # inside a word, and no entry of the form may be
            tail_ok = False
        else:
            tail_ok = True
        if not prefix and not cased and (tail_ok or tail_mode == _ALL_PREFIX):
            # the common case: a whole word (tuple.__new__: NamedTuple's __new__ is slow)
            append(_new(Mention, (start, end, plain, "", topics, kinds, start, start - end)))
            continue
        if prefix[-2:] == "ال" and original and _hamza_article(norm[start:end], original):
            continue  # "ألباريس" normalises to "الباريس": its alef-lam is no article
        if (tail_ok or tail_mode == _ALL_PREFIX) and not (prefix and has_en) and \
                (not cased or not original or _all_in(cased_forms, original)):
            # every entry kept (the checks below, decided per form instead of per entry)
            append(_new(Mention, (start, end, plain, prefix, topics, kinds,
                                  start - len(prefix), start - end)))
            continue
        suffix = ""
        if not tail_ok:
            we = end
            while we < n and norm[we].isalnum():
                we += 1
            suffix = norm[end:we]
        kept = []
        for e in entries:
            if prefix and e.sub == "en":
                continue
            if not tail_ok and e.match != "prefix":
                if not (e.kind == "country" and (suffix in NAME_SUFFIXES or (
                        suffix in DUAL_SUFFIXES and norm[end - 1] == "\u064a"))):
                    continue
            if e.cased is not None and original and e.cased not in original:
                # "US"/"Chad"/"Jordan" as lower-case words are not the country/person (the
                # capitalised form must occur in the sentence)
                continue
            kept.append(e)
        if len(kept) == len(entries):
            append(_new(Mention, (start, end, plain, prefix, topics, kinds,
                                  start - len(prefix), start - end)))
        elif kept:
            k_plain, k_topics, k_kinds = _split_topics(kept)
            append(_new(Mention, (start, end, k_plain, prefix, k_topics, k_kinds,
                                  start - len(prefix), start - end)))
    return out


def _all_in(forms: tuple[str, ...], original: str) -> bool:
    # a loop, not all(<generator>): the compiled _find may not hold a closure
    for f in forms:
        if f not in original:
            return False
    return True


# Normalisation folds أ/آ/إ into ا, so a name beginning with أل/آل/إل ("ألباريس", "آلمان") looks
# like ال + a shorter word ("باريس"). The original sentence tells them apart: checked only for
# hits behind an ال proclitic, and only where the rest of the word is spelled as normalised.
_HAMZA_AL = ("\u0623\u0644", "\u0622\u0644", "\u0625\u0644")


def _hamza_article(rest: str, original: str) -> bool:
    # each occurrence of the rest, then the two letters before it: one C-level search in the
    # common case (the normalised rest is not spelled so in the original) instead of three
    i = original.find(rest, 2)
    while i >= 0:
        if original[i - 2:i] in _HAMZA_AL:
            return True
        i = original.find(rest, i + 1)
    return False


# tail_mode of a form: may a hit end inside a word (before more letters)?
_NO_TAIL, _SOME_TAIL, _ALL_PREFIX = 0, 1, 2
# last letters of the proclitics: a hit glued to any other letter is inside a word
_PROCLITIC_ENDS = frozenset(p[-1] for p in PROCLITICS)


def _fast_checks(entries) -> tuple[tuple[str, ...], bool, int]:
    """Per-form summaries of ``find``'s per-entry checks: (capitalised forms to verify, has an
    English entry (no proclitics), tail_mode: _NO_TAIL when no entry is a prefix match or a
    country (which may take an adjective ending), _ALL_PREFIX when every entry is a prefix match,
    else _SOME_TAIL)."""
    cased_forms = tuple(dict.fromkeys(e.cased for e in entries if e.cased is not None))
    has_en = any(e.sub == "en" for e in entries)
    if all(e.match == "prefix" for e in entries):
        tail_mode = _ALL_PREFIX
    elif any(e.match == "prefix" or e.kind == "country" for e in entries):
        tail_mode = _SOME_TAIL
    else:
        tail_mode = _NO_TAIL
    return cased_forms, has_en, tail_mode


def _split_topics(entries) -> tuple[tuple[Entry, ...], tuple, frozenset]:
    """(entries without topic keywords, topic values, all kinds) of one form."""
    plain = tuple(e for e in entries if e.kind != "topic")
    topics = tuple(e.value for e in entries if e.kind == "topic")
    return plain, topics, frozenset(e.kind for e in entries)






@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built once, ~immutable)."""
    return Gazetteer()
