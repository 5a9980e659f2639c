"""Who acts in a sentence: state actors with their country, role and name.

Input is the gazetteer's hits over one normalised sentence. Output is a ``SentenceFacts``: the actor
slots (country may be unknown: "the foreign minister" with no country word), the cues in order, the
places (venues) and the topics. Rules, in order of strength:

* an office holder named in the text (Blinken, البوسعيدي) -> the holder's country, when a holder
  of that name was in office on the reference date (names shared by two countries need the date);
* a title attached to a country word: "وزير الخارجية المغربي", "وزیر خارجه مجارستان",
  "Moroccan Foreign Minister", "Foreign Minister of Oman"; chains "وزرای خارجه ایران و عمان";
* "counterpart" + demonym: "نظيره الأمريكي", "همتای عمانی", "his Iranian counterpart";
* a bare country name or capital standing for its government ("قطر وأمريكا تبحثان",
  "Washington and Tehran") is a weak actor, used only near a contact trigger;
* "our country" after a title (کشورمان، بلادنا) is the outlet's home country;
* a title with no country word is an actor of unknown country (filled later from the article's
  home country or the paragraph's subject).

Country words after a place preposition (in/في/در, the clitic ب, "visit to") are venues, not actors.
Demonyms used as plain adjectives ("the Israeli aggression") are never actors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import attrgetter

from streams.extraction.gazetteer import TRIGGER_KINDS, Entry, Gazetteer, Holder, Mention
from streams.extraction.clitics import PERSIAN_PROCLITICS

CONTACT_TRIGGERS = TRIGGER_KINDS  # call, meet, receive, visit, talk
# Arabic proclitic sequences that contain the preposition ب ("in") or ل ("to") before a place.
_IN_PREFIXES = frozenset({"ب", "وب", "فب", "بال", "وبال", "فبال"})
_TO_PREFIXES = frozenset({"ل", "ول", "فل", "لل", "ولل", "فلل"})
_OBJECT_PREFIXES = frozenset({"", "ال"})  # a direct object: no preposition glued on
_BREAKS = frozenset(",;:()[]\"|")
_BREAK_RE = re.compile("[" + re.escape("".join(sorted(_BREAKS))) + "]")
_TITLE_WINDOW = 7     # words between a title and its country word (Arabic long titles)
_EN_TITLE_WINDOW = 4
_CHAIN_WORDS = frozenset({"و", "وال", "and", "&", "-", "the"})  # "وال": "and the" (الروسي والتركي); "the UAE"
_ARTICLES = frozenset({"the", "a"})
# words between an English title and its country on the right: "Emir of Qatar", "ministers from
# Syria, Iran and Russia", "a delegation from Cyprus" (not after a verb or a comma: "returning from")
_EN_OF = frozenset({"of", "the", "for", "'s", "from", "two", "three", "four", "both"})  # "of the three Baltic states"
# words between plural counterparts and their countries on the right ("his counterparts from the
# UAE", "همتایان خود از امارات", "نظرائه في الإمارات")
_COUNTERPART_OF = frozenset({"from", "of", "in", "the", "از", "خود", "خويش", "در", "من", "في"})
_COUNTERPART_GAP = 3
# The word sets below are compared with normalised words (normalise: "إلى" is "الي", "لدى" "لدي").
_IN_WORDS = frozenset({"in", "at", "في", "در", "here"})
_OFFICIALS_GAP = 5  # words from unnamed officials to their "in" ("senior civilian and military officials in")
_TO_WORDS = frozenset({"to", "into", "in", "at", "الي", "في", "به", "در", "leaving", "left", "visiting", "visited", "visits",
                       "وارد", "عازم", "visit", "زار", "زارت", "زارا", "زاروا", "وزار", "وزارت"})
# "left for X" names the destination; "leaving Tehran for Canberra" does not (X follows another place)
_LEAVE_FOR = frozenset({"left", "leaves", "leave", "leaving", "departed", "departs", "headed", "heading", "bound"})
_POSTED_TO = frozenset({"to", "in", "لدي", "في", "الي", "در", "به", "نزد"})
# cue kinds (of phenomena.py) that open another event's phrase: a title takes no country past them
_VOID_CUES = frozenset({"future", "expect", "negation", "denial", "purpose"})


@dataclass(slots=True)
class Slot:
    pos: int
    end: int
    country: str | None
    role: str | None
    name: str | None
    strength: int      # 3 holder / title+country, 2 counterpart+country, 1 bare name, 0 unknown
    kind: str          # holder | title | counterpart | bare | implicit


@dataclass(slots=True)
class Cue:
    kind: str
    value: str | None
    pos: int
    end: int
    lang: str


@dataclass(slots=True)
class Place:
    country: str
    pos: int
    form_kind: str     # capital | name | ...
    after_trigger: bool
    destination: bool = False  # "visit to X", "زيارته لـX": the host of a visit


@dataclass(slots=True)
class SentenceFacts:
    norm: str
    slots: list[Slot] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    topics: set[tuple[str, str]] = field(default_factory=set)
    agencies: list[tuple[int, str]] = field(default_factory=list)
    posted_to: list[str] = field(default_factory=list)  # countries ambassadors are posted to
    hosted_at: int | None = None  # "X hosted talks ...": X hosts an event, it is not a party
    groups: list[frozenset] = field(default_factory=list)  # members of each group name ("الكوريتين")
    named: list[tuple[int, int]] = field(default_factory=list)  # spans of the country, title and holder words

    cue_kinds: frozenset = frozenset()  # kinds of ``cues``, set once the cues are complete

    def has(self, kind: str) -> bool:
        return kind in self.cue_kinds

    @property
    def triggers(self) -> list[Cue]:
        return [c for c in self.cues if c.kind in CONTACT_TRIGGERS]


def _select(mentions: list[Mention]) -> tuple[list[Mention], set[tuple[str, str]]]:
    """Longest-leftmost non-overlapping mentions; topic keywords are collected apart (they never
    compete with actors)."""
    topics: set[tuple[str, str]] = set()
    cands = []
    for m in mentions:
        if m.topics:
            topics.update(m.topics)
        if m.entries:
            cands.append(m)
    cands.sort(key=_by_word_then_longest)
    out: list[Mention] = []
    last_end = -1
    for m in cands:
        if m.wstart >= last_end:
            out.append(m)
            last_end = m.end
        elif out and m.end - m.start > out[-1].end - out[-1].start and m.start <= out[-1].start:
            out[-1] = m
            last_end = m.end
    return out, topics


_by_word_then_longest = attrgetter("wstart", "neglen")


def _words_between(norm: str, a: int, b: int) -> int:
    """Words strictly between two hits (``norm`` has single spaces between words)."""
    if b <= a:
        return 0
    n = norm.count(" ", a, b)
    # the span starts right after a word and ends right before one: spaces - 1 words between
    return max(0, n - 1) if norm[a:a + 1] == " " and norm[b - 1:b] == " " else n


def _has_break(norm: str, a: int, b: int) -> bool:
    return _BREAK_RE.search(norm, a, b) is not None  # one C-level scan, no per-character loop


def prev_word(norm: str, pos: int) -> str:
    """The word before ``pos`` (``norm`` has single spaces between words)."""
    j = pos - 1
    while j >= 0 and norm[j] == " ":
        j -= 1
    return norm[norm.rfind(" ", 0, j + 1) + 1:j + 1]


def glued_before(norm: str, pos: int) -> str:
    """The letters glued before ``pos`` in the same word (Arabic proclitics: "و" of "ويلتقي")."""
    i = pos
    while i > 0 and norm[i - 1].isalnum():
        i -= 1
    return norm[i:pos]


def pick_holder(entries: list[Entry], day: str | None) -> Holder | None:
    """The office holder a name stands for on ``day``: one in office then (a former minister
    quoted in an interview is not a state actor). Unknown day: the name's country if unique."""
    holders = [e.value for e in entries if e.kind == "holder"]
    if day:
        active = [h for h in holders if h.in_office(day)]
        return active[0] if len({h.country for h in active}) == 1 else None
    return holders[0] if len({h.country for h in holders}) == 1 else None


@dataclass(slots=True)
class _Item:
    """One selected mention as an actor candidate, with what the steps of ``analyse`` decide about
    it: whether it names a place (venue), and whether a title or counterpart took its country."""
    cls: str           # holder | country | city | title | counterpart | org | ours
    m: Mention
    payload: object    # Holder (holder), Entry (the others)
    venue: bool = False      # a place: after in/في/در/ب, or the destination of a visit
    word_prep: bool = False  # a place introduced by a separate preposition word ("في قطر")
    city_to: bool = False    # a city a visit goes to ("travels to Jeddah, Saudi Arabia")
    attached: bool = False   # its country was given to a title or counterpart


@dataclass(slots=True)
class _Scan:
    """The sentence as the steps of ``analyse`` see it: the items in text order and the cue
    offsets the attachment rules test against."""
    norm: str
    lang: str
    items: list
    facts: SentenceFacts
    trigger_pos: list
    visit_ends: list
    stateword_ends: set
    object_visit_ends: list


def analyse(norm: str, mentions: list[Mention], day: str | None, lang: str) -> SentenceFacts:
    """Facts of one normalised sentence from its gazetteer hits, in named steps: classify the
    mentions, find the places, extend place lists, attach countries to titles and counterparts,
    and let the bare country names left stand for their governments."""
    if lang == "fa":
        mentions = [m for m in mentions if m.prefix in PERSIAN_PROCLITICS]
    sel, topics = _select(mentions)
    facts = SentenceFacts(norm=norm, topics=topics)
    items = _classify(sel, facts, day, lang)
    scan = _Scan(norm, lang, items, facts,
                 [c.pos for c in facts.cues if c.kind in CONTACT_TRIGGERS],
                 [c.end for c in facts.cues if c.kind == "visit"],
                 {c.end for c in facts.cues if c.kind == "stateword"},
                 [c.end for c in facts.cues if c.kind == "objvisit"])
    _find_places(scan)
    if facts.places:
        _extend_place_lists(scan)
    for i, it in enumerate(items):
        if it.cls == "holder":
            h: Holder = it.payload
            facts.slots.append(Slot(it.m.start, it.m.end, h.country, h.role, h.name, 3, "holder"))
        elif it.cls == "title":
            _attach_title(scan, i)
        elif it.cls == "counterpart":
            _attach_counterpart(scan, i)
    _bare_names(scan)
    facts.slots.sort(key=lambda s: s.pos)
    facts.named = [(it.m.start - len(it.m.prefix), it.m.end) for it in items
                   if it.cls in ("country", "title", "holder", "counterpart")]
    facts.cue_kinds = frozenset(c.kind for c in facts.cues)
    return facts


_OTHER_SCRIPT_LANG = {"fa": "ar"}


def _classify(sel: list[Mention], facts: SentenceFacts, day: str | None, lang: str = "") -> list:
    """The selected mentions as items in text order (holder, country, city, title, counterpart,
    org, ours); the cues and agency datelines go to ``facts``. In Persian text a cue word of the
    Arabic lists is not a cue (Persian "مقابله با" is "confronting", Arabic "مقابلة" a meeting);
    Arabic text keeps the Persian lists, whose words it shares more often than not."""
    other = _OTHER_SCRIPT_LANG.get(lang)
    items: list[_Item] = []
    for m in sel:
        kinds = m.kinds  # the mention's entry kinds, precomputed per form by the gazetteer
        if "agency" in kinds:  # "العمانية:" is a demonym and the agency's dateline
            facts.agencies.append((m.start, _last(m.entries, "agency").value))
        if "holder" in kinds:
            h = pick_holder([e for e in m.entries if e.kind == "holder"], day)
            if h is not None:
                items.append(_Item("holder", m, h))
                continue
        if "country" in kinds:
            c = _last(m.entries, "country")
            if c.sub == "group":
                # "the two Koreas", "الكوريتين": one country item for each member, in one place
                members = {e.value: e for e in m.entries if e.kind == "country" and e.sub == "group"}
                items.extend(_Item("country", m, e) for e in members.values())
                facts.groups.append(frozenset(members))
                continue
            # a city (Geneva, Jeddah) is only ever a venue: never an actor, never a title's country
            items.append(_Item("city" if c.sub == "city" else "country", m, c))
            continue
        if "title" in kinds:
            items.append(_Item("title", m, _last(m.entries, "title")))
        for e in m.entries:
            if e.kind not in ("title", "agency", "country", "holder", "topic", "region") and e.sub != other:
                facts.cues.append(Cue(e.kind, e.value, m.start, m.end, e.sub))
                if e.kind == "counterpart":
                    items.append(_Item("counterpart", m, e))
                elif e.kind in ("org", "ours"):
                    items.append(_Item(e.kind, m, e))
    items.sort(key=_item_start)
    return items


def _item_start(it: _Item) -> int:
    return it.m.start


def _find_places(scan: _Scan) -> None:
    """Places: a country word after "in"/في/در, after the clitic ب, or "visit to"/ل after a visit."""
    norm = scan.norm
    facts = scan.facts
    for it in scan.items:
        cls, m, payload = it.cls, it.m, it.payload
        if cls != "country" and cls != "city":
            continue
        start = m.start
        prefix = m.prefix
        wstart = start - len(prefix)
        pw = prev_word(norm, wstart)
        sub = payload.sub
        by_adjective = sub == "demonym"
        # a form that is a name and a nisba ("السعودية": Saudi Arabia, Saudi (fem.)) is the name
        # after a preposition ("إلى السعودية") or as a trip verb's object ("زار ... السعودية")
        if by_adjective and any(e.kind == "country" and e.sub == "name" for e in m.entries) and (
                prefix in _IN_PREFIXES or prefix in _TO_PREFIXES or pw in _IN_WORDS or pw in _TO_WORDS
                or _object_of_visit(scan, prefix, wstart)):
            by_adjective = False
            sub = "name"
        if by_adjective:
            # "visiting Brazilian President": an adjective is never a place, except the one that
            # names a capital by its state ("in the Omani capital", "إلى العاصمة العمانية")
            cap = _capital_by_adjective(norm, m, wstart, pw)
            if cap is None:
                continue
            wstart, prefix, pw = cap
            sub = "capital"
        elif pw in _ARTICLES:  # "visit to the Soviet Union"
            wstart -= len(pw) + 1
            pw = prev_word(norm, wstart)
        # "بمملكة كمبوديا", "لسلطنة عمان": the preposition sits on the state word before the name
        if wstart - 1 in scan.stateword_ends:
            prefix = _clitic_of(pw)
            wstart -= len(pw) + 1
            pw = prev_word(norm, wstart)
        anchor = wstart if by_adjective else start
        if pw == "of" and prev_word(norm, wstart - 3) == "capital":
            wstart -= 3  # "the Saudi capital of Riyadh"
            pw = "capital"
        if pw == "capital":  # "in the Iraqi capital Baghdad": the preposition is before "the"
            w = wstart - len(pw) - 1
            adj = prev_word(norm, w)
            w -= len(adj) + 1
            if prev_word(norm, w) in _ARTICLES:
                w -= len(prev_word(norm, w)) + 1
                wstart = anchor = w
                pw = prev_word(norm, wstart)
        is_in = prefix in _IN_PREFIXES or pw in _IN_WORDS
        near_visit = any(0 <= _words_between(norm, ve, anchor) <= 3 or _visitors_between(scan, ve, anchor)
                         for ve in scan.visit_ends if ve <= start)
        is_to = near_visit and (prefix in _TO_PREFIXES or prefix in _IN_PREFIXES or pw in _TO_WORDS or (
            pw == "for" and prev_word(norm, wstart - 4) in _LEAVE_FOR))  # "left for Saudi Arabia"
        # a trip verb that takes its destination as object, with the visitor between them
        # (Arabic's verb-subject-object: "زار وزير الخارجية الإيراني الرياض", object_visit.txt)
        is_to = is_to or (not by_adjective and _object_of_visit(scan, prefix, wstart))
        # Persian puts the destination before its trip verb ("به کی‌یف سفر کردند"), when that trip
        # is the sentence's first contact word (not "دیدار کرد و سپس به دوحه رفت": an onward trip)
        is_to = is_to or (scan.lang == "fa" and pw == "به" and not any(tp < start for tp in scan.trigger_pos)
                          and _trip_word_after(scan, m, "visit"))
        # ... and with از before a trip word that takes its object so ("از ریاض دیدن کرد")
        is_to = is_to or (scan.lang == "fa" and pw == "از" and _trip_word_after(scan, m, "objvisit"))
        if is_in or is_to:
            it.venue = True
            if pw in _IN_WORDS or pw in _TO_WORDS:
                it.word_prep = True
            after = any(tp < start for tp in scan.trigger_pos)
            # a city's country is where the meeting was, not a host taking part ("visit to Geneva")
            facts.places.append(Place(payload.value, start, sub, after, is_to and cls == "country"))
            if is_to and cls == "city":
                it.city_to = True


def _trip_word_after(scan: _Scan, m: Mention, kind: str) -> bool:
    """Is a cue of ``kind`` (a trip word) at most one word after the place ``m`` (Persian puts the
    destination before its trip verb)?"""
    return any(c.kind == kind and c.pos >= m.end and _words_between(scan.norm, m.end, c.pos) <= 1
               for c in scan.facts.cues)


def _object_of_visit(scan: _Scan, prefix: str, wstart: int) -> bool:
    """Is the word at ``wstart`` the object of a trip verb with only its visitor between them
    (Arabic's verb-subject-object: "زار وزير الخارجية الإيراني الرياض", object_visit.txt)?"""
    if prefix not in _OBJECT_PREFIXES or not scan.object_visit_ends:
        return False
    # right after the visitor's name, title or nisba, and no place before it on the way
    if not any(it.m.end == wstart - 1 and it.cls in ("country", "title", "holder") and not it.venue
               for it in scan.items):
        return False
    return any(ve <= wstart and _visitors_between(scan, ve, wstart)
               and not any(it.venue and ve <= it.m.start < wstart for it in scan.items)
               for ve in scan.object_visit_ends)


def _capital_by_adjective(norm: str, m: Mention, wstart: int, pw: str) -> tuple[int, str, str] | None:
    """A state's adjective that names its capital: "the Omani capital" (English puts it before
    the word), "العاصمة العمانية" (Arabic after it, with the preposition glued to the capital word:
    "بالعاصمة الأردنية"). The start, proclitic and preceding word of the whole phrase, or None."""
    if norm.startswith(" capital", m.end) and pw in _ARTICLES:
        w = wstart - len(pw) - 1
        return w, "", prev_word(norm, w)
    if pw.endswith("العاصمه") and m.prefix in ("", "ال"):
        w = wstart - len(pw) - 1
        return w, _clitic_of(pw), prev_word(norm, w)
    return None


def _visitors_between(scan: _Scan, a: int, b: int) -> bool:
    """Are the words between a visit word and a place only the names and titles of its visitors,
    the words joining them and the trip's day, and at most two more ("وصل قادة فرنسا وألمانيا
    ورومانيا وإيطاليا إلى كييف", "رهبران فرانسه، آلمان، رومانی و ایتالیا ... به کی‌یف", "وصل وزير
    الخارجية السوري مساء الإثنين إلى مسقط")?"""
    norm = scan.norm
    while a < b and norm[a].isalnum():
        a += 1  # the rest of the verb's word ("وصلت": the cue is وصل)
    if b <= a:
        return False
    named = [it for it in scan.items if it.cls in ("country", "title", "holder") and a <= it.m.start < b]
    if not named:
        return False
    spans = [(it.m.start - len(it.m.prefix), it.m.end) for it in named]
    # the day of the trip between them is no word of another clause ("وصل ... مساء الإثنين إلى")
    spans += [(c.pos, c.end) for c in scan.facts.cues if c.kind == "dateword" and a <= c.pos < b]
    loose = [w for w in norm[a:b].replace(",", " ").split() if w not in _CHAIN_WORDS]
    covered = sum(1 for x, y in spans for _ in norm[x:y].split())
    return len(loose) - covered <= 2


def _extend_place_lists(scan: _Scan) -> None:
    """A list of places: "travelled to Qatar, Iran and Saudi Arabia", "met in Doha and Riyadh" —
    each name chained to a place is a place too (not an actor), unless it starts a new actor
    ("... in Cairo and Egypt's foreign minister", "... and Saudi King Salman")."""
    norm = scan.norm
    items = scan.items
    facts = scan.facts
    first_place = {p.pos: p for p in facts.places}
    for i in range(1, len(items)):
        it = items[i]
        cls, m, payload = it.cls, it.m, it.payload
        before = items[i - 1]
        if (cls != "country" and cls != "city") or payload.sub == "demonym" or it.venue \
                or not before.venue:
            continue
        head = first_place.get(before.m.start)
        gap = norm[before.m.end:m.start - len(m.prefix)]
        between = gap.replace(",", " ").split()
        if head is None or not (between or "," in gap or m.prefix == "و") or not all(w in _CHAIN_WORDS for w in between):
            continue
        if norm.startswith("'s", m.end) or (i + 1 < len(items) and items[i + 1].cls in ("title", "holder")
                                            and _words_between(norm, m.end, items[i + 1].m.start) <= 1):
            continue
        it.venue = True
        if before.word_prep:
            it.word_prep = True
        # "to Jeddah, Saudi Arabia": the country that names a destination city's state
        to_city = before.city_to and "," in gap and not between \
            and before.payload.value == payload.value
        place = Place(payload.value, m.start, payload.sub, head.after_trigger,
                      (head.destination or to_city) and cls == "country")
        facts.places.append(place)
        first_place[m.start] = place


def _country_chain(scan: _Scan, j: int) -> list[int]:
    """Country items starting at j joined by و/and/commas."""
    items = scan.items
    chain = [j]
    k = j
    while k + 1 < len(items) and items[k + 1].cls == "country":
        words = _chain_link(scan.norm, items, k + 1)
        # glued ("وعمان") or adjacent with nothing between, or joined by chain words
        if words is not None and (words or items[k + 1].m.prefix in ("و", "")):
            chain.append(k + 1)
            k += 1
        else:
            break
    return chain


def _posted_to(scan: _Scan, it: _Item) -> None:
    """An ambassador's host country ("Iran's ambassador to Australia"): neither his country nor
    an actor nor a venue."""
    it.attached = True
    it.venue = False
    scan.facts.posted_to.append(it.payload.value)


def _title_country_right(scan: _Scan, i: int, role: str) -> tuple[list[int], bool, bool]:
    """The country items a title takes on its right ("وزير الخارجية المغربي", "Foreign Minister of
    Oman", chains "وزرای خارجه ایران و عمان"), and whether it is an organisation's or "our
    country's" title instead: (found, org, ours)."""
    norm = scan.norm
    items = scan.items
    m = items[i].m
    window = _EN_TITLE_WINDOW if scan.lang == "en" else _TITLE_WINDOW
    for j in range(i + 1, len(items)):
        itj = items[j]
        cj, mj, pj = itj.cls, itj.m, itj.payload
        if _has_break(norm, m.end, mj.start) or _words_between(norm, m.end, mj.start) > window:
            break
        if scan.lang == "en" and not _of_phrase(norm[m.end:mj.start]) and not (
                cj == "country" and role == "ambassador"):
            break  # English titles take "of X" on the right ("Emir of Qatar"), not "and the US"
        if any(m.end <= tp < mj.start for tp in scan.trigger_pos):
            break
        if any(c.kind == "origin" and m.end <= c.pos < mj.start for c in scan.facts.cues):
            break  # "الوزير ... قادما من الأردن": where he came from, not his country
        if any(c.kind in _VOID_CUES and m.end <= c.pos < mj.start for c in scan.facts.cues):
            break  # "Qatari officials ahead of the Iran-Oman meeting": another event's parties
        if cj == "org":
            return [], True, False  # "UN envoy", "المبعوث الأممي", "الأمين العام لـ..."
        if cj == "ours":
            return [], False, True  # "وزیر امور خارجه کشورمان": the outlet's own country
        if cj == "country":
            if role == "ambassador" and prev_word(norm, mj.start - len(mj.prefix)) in _POSTED_TO:
                _posted_to(scan, itj)  # "Iran's ambassador to Australia"
                continue
            if itj.venue and (pj.sub == "capital" or itj.word_prep):
                break  # "وزراء الخارجية ... في فلسطين": a place, not the title's country
            if scan.lang == "en" and not _of_phrase(norm[m.end:mj.start]):
                break
            found = _country_chain(scan, j)
            nxt_j = found[-1] + 1
            if role == "ambassador" and nxt_j < len(items) and items[nxt_j].cls == "country":
                mk = items[nxt_j].m
                if _words_between(norm, items[found[-1]].m.end, mk.start) <= 1 and \
                        prev_word(norm, mk.start - len(mk.prefix)) in _POSTED_TO | _IN_WORDS:
                    # "سفير استراليا في ايران", "ambassador of Australia to Iran"
                    _posted_to(scan, items[nxt_j])
            return found, False, False
        if cj in ("title", "counterpart"):
            break
        if cj == "holder":
            break  # the holder gives its own country
    return [], False, False


def _title_country_left(scan: _Scan, i: int) -> list[int]:
    """The country items before a title (English word order): "Moroccan Foreign Minister",
    "Iran's foreign minister", "the Egyptian and Jordanian foreign ministers"."""
    norm = scan.norm
    items = scan.items
    m = items[i].m
    before = items[i - 1]
    mj = before.m
    gap = norm[mj.end:m.start].strip()
    # English: up to two modifiers between a demonym and the title ("Egyptian Assistant Foreign
    # Minister", "Russian energy ministers")
    if not (gap in ("", "'s", "'", "s") or (
            scan.lang == "en" and _modifies_title(before, gap) and len(gap.split()) <= 2
            and not _has_break(norm, mj.end, m.start)
            and not any(mj.end <= tp < m.start for tp in scan.trigger_pos))):
        return []
    found = [i - 1]
    k = i - 1
    while k > 0 and items[k - 1].cls == "country" and not items[k - 1].venue:
        words = _chain_link(norm, items, k)
        if words is None:
            break
        if not words and "," in norm[items[k - 1].m.end:items[k].m.start] and (
                items[k].payload.sub != "demonym" or items[k - 1].payload.sub != "demonym"
                or (k == i - 1 and k > 1 and _and_link(norm, items, k - 1))):
            break  # a comma joins adjectives ("Russian, Iranian, Syrian ministers"), not a
            # clause end ("... of Syria, Russian Foreign Minister said") or a closed list
            # ("Saudi Arabia and Oman, Kenya's")
        k -= 1
        found.append(k)
    return found


def _attach_title(scan: _Scan, i: int) -> None:
    """The slot(s) of a title: with the country it is attached to (right or left), "our
    country's", an organisation's (no slot), named by the office holder right after it (the
    holder's slot), or of unknown country."""
    norm = scan.norm
    items = scan.items
    facts = scan.facts
    m = items[i].m
    role = items[i].payload.value
    found, org, ours = _title_country_right(scan, i, role)
    if i > 0 and items[i - 1].cls == "org" and _words_between(norm, items[i - 1].m.end, m.start) <= 1:
        org = True  # "UN Secretary-General", "EU foreign policy chief"
    if org:
        return
    if ours:
        facts.slots.append(Slot(m.start, m.end, None, role, None, 3, "ours"))
        return
    if "both" in m.kinds and not (found and _words_between(norm, m.end, items[found[0]].m.wstart) == 0):
        return  # a dual title is an official of the nisba right after it ("الرئيسان الروسي
        # والتركي"); alone ("ناقش الوزيران") it refers back to two already named: no new slot
    if not found and i > 0 and items[i - 1].cls == "country" and not items[i - 1].venue:
        found = _title_country_left(scan, i)
    if not found and "officials" in m.kinds:
        found = _officials_in(scan, i)
    if found:
        for j in found:
            items[j].attached = True
            items[j].venue = False
            facts.slots.append(Slot(m.start, m.end, items[j].payload.value, role, None, 3, "title"))
        return
    nxt = items[i + 1] if i + 1 < len(items) else None
    # "وزير الخارجية بدر البوسعيدي": the name right after the title gives the country
    named = nxt is not None and nxt.cls == "holder" and \
        _words_between(norm, m.end, nxt.m.start) <= 3 and \
        not any(m.end <= tp < nxt.m.start for tp in scan.trigger_pos)
    if not named:
        facts.slots.append(Slot(m.start, m.end, None, role, None, 0, "title"))


def _officials_in(scan: _Scan, i: int) -> list[int]:
    """The countries after "in" that a plural title of unnamed officials (cues/<lang>/
    officials.txt) with no country of its own serves: "met senior officials in Jordan, Saudi
    Arabia and Iraq", "التقى كبار المسؤولين في الأردن والسعودية"; they are no venue."""
    items = scan.items
    if i + 1 >= len(items) or items[i + 1].cls != "country":
        return []
    m, mj = items[i].m, items[i + 1].m
    # the title's own modifiers may come between ("مقام‌های ارشد غیرنظامی و نظامی در بحرین")
    words = scan.norm[m.end:mj.start - len(mj.prefix)].split()
    if not words or words[-1] not in _IN_WORDS or len(words) > _OFFICIALS_GAP \
            or _has_break(scan.norm, m.end, mj.start) \
            or any(m.end <= tp < mj.start for tp in scan.trigger_pos):
        return []
    found = _country_chain(scan, i + 1)
    _not_places(scan, found)
    return found


def _not_places(scan: _Scan, found: list[int]) -> None:
    """The country items ``found`` name whose officials or counterparts they are: drop the places
    already read from them ("in Jordan" is no venue there)."""
    starts = {scan.items[j].m.start for j in found}
    scan.facts.places[:] = [p for p in scan.facts.places if p.pos not in starts]


def _attach_counterpart(scan: _Scan, i: int) -> None:
    """"counterpart" + demonym: "نظيره الأمريكي", "همتای عمانی", "his Iranian counterpart", "his
    Russian and Turkish counterparts"; without one, a counterpart of unknown country."""
    norm = scan.norm
    items = scan.items
    m = items[i].m
    found: list[int] = []
    english_before = scan.lang == "en" and _demonym_before(norm, items, i)
    if i + 1 < len(items) and items[i + 1].cls == "country" and not english_before and \
            _words_between(norm, m.end, items[i + 1].m.start) <= 1 and \
            not _has_break(norm, m.end, items[i + 1].m.start):
        found = _country_chain(scan, i + 1)
    elif i + 1 < len(items) and items[i + 1].cls == "country" and \
            _counterparts_from(norm, _word_end(norm, m.end), items[i + 1].m.start - len(items[i + 1].m.prefix)) and \
            not any(m.end <= tp < items[i + 1].m.start for tp in scan.trigger_pos) and not english_before:
        # "his counterparts from the UAE, Kuwait and Qatar", "همتایان خود از امارات، کویت و
        # قطر", "نظرائه في الإمارات والكويت": the countries of the counterparts, not places
        found = _country_chain(scan, i + 1)
        _not_places(scan, found)
    elif i > 0 and items[i - 1].cls == "country" and \
            _words_between(norm, items[i - 1].m.end, m.start) <= 1:
        found = [i - 1]
        k = i - 1
        while k > 0 and items[k - 1].cls == "country" and _chain_link(norm, items, k) is not None:
            k -= 1
            found.append(k)
    for j in found:
        items[j].attached = True
        items[j].venue = False
        scan.facts.slots.append(Slot(m.start, m.end, items[j].payload.value, None, None, 2, "counterpart"))
    if not found:
        scan.facts.slots.append(Slot(m.start, m.end, None, None, None, 0, "counterpart"))


def _demonym_before(norm: str, items: list, i: int) -> bool:
    """English puts a counterpart's demonym before it ("his Turkish counterpart in Amman": the
    place after "in" is where they met, not whose counterpart)."""
    return i > 0 and items[i - 1].cls == "country" and _words_between(norm, items[i - 1].m.end, items[i].m.start) <= 1


def _word_end(norm: str, at: int) -> int:
    """The end of the word a (prefix) match ends in ("نظراي" in "نظرايه")."""
    end = norm.find(" ", at)
    return len(norm) if end < 0 else end


def _counterparts_from(norm: str, a: int, b: int) -> bool:
    """Only "from/of/in" words (and "the", a reflexive) between a counterpart and a country:
    "counterparts from the", "همتایان خود از", "نظرائه في"."""
    words = norm[a:b].split()
    return 0 < len(words) <= _COUNTERPART_GAP and not _has_break(norm, a, b) and \
        all(w in _COUNTERPART_OF for w in words)


def _bare_names(scan: _Scan) -> None:
    """Country names and capitals no title took and no preposition made a place stand for their
    governments (weak actors, used near a trigger); demonyms alone never do."""
    for it in scan.items:
        if it.cls != "country" or it.attached or it.venue or it.payload.sub == "demonym":
            continue
        scan.facts.slots.append(Slot(it.m.start, it.m.end, it.payload.value, None, None, 1, "bare"))


def _chain_link(norm: str, items: list, k: int) -> list[str] | None:
    """The words joining item k to item k - 1 when they chain them (و, and, &, -; commas
    dropped; [] when only spaces and commas are between), else None."""
    m = items[k].m
    # an article glued to the name is part of it ("اردن و الجزایر": the Persian name of Algeria)
    end = m.start - len(m.prefix) if m.prefix == "ال" else m.start
    words = norm[items[k - 1].m.end:end].replace(",", " ").split()
    if "the" in words and getattr(items[k].payload, "sub", None) != "name":
        return None  # "the UAE" goes on a list; "Oman, the Omani foreign minister" starts a phrase
    return words if all(w in _CHAIN_WORDS for w in words) else None


def _and_link(norm: str, items: list, k: int) -> bool:
    """Is item k joined to the country item before it by a word ("Saudi Arabia and Oman")?"""
    return items[k - 1].cls == "country" and bool(_chain_link(norm, items, k))


def _modifies_title(item, gap: str) -> bool:
    """A demonym or a bare name directly before a title with modifiers between ("Egyptian
    Assistant Foreign Minister", "US Presidential Envoy"); not a possessive with modifiers
    ("Iran's new ambassador" may be anyone's guest)."""
    return item.payload.sub == "demonym" or (item.payload.sub == "name" and "'" not in gap)


def _last(entries: tuple[Entry, ...], kind: str) -> Entry:
    """The mention's last entry of ``kind`` (the caller knows there is one)."""
    for e in reversed(entries):
        if e.kind == kind:
            return e
    raise KeyError(kind)


def _of_phrase(gap: str) -> bool:
    """English words between a title and its country: "of", "of the", or one noun in an "of"
    chain ("president of the bank of Mexico"); not "and the" (another person)."""
    words = gap.split()
    others = [i for i, w in enumerate(words) if w not in _EN_OF]
    return not others or (len(others) == 1 and others[0] + 1 < len(words) and words[others[0] + 1] == "of")


def _clitic_of(word: str) -> str:
    """The proclitics of an Arabic word in front of a state word (بمملكه -> ب, لسلطنه -> ل)."""
    for stem in ("المملكه", "مملكه", "سلطنه", "دوله", "جمهوريه", "اماره", "العاصمه"):
        if word.endswith(stem):
            return word[: -len(stem)]
    return ""


def find_facts(gaz: Gazetteer, sentence: str, norm: str, day: str | None, lang: str) -> SentenceFacts:
    return analyse(norm, gaz.find(norm, sentence), day, lang)
