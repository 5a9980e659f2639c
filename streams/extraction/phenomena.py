"""The phenomena that make a report of a meeting not a contact, one named filter each, over the
candidates of one sentence (its triggers, actor slots and pairs). Each has its cue words per
language in ``streams/knowledge/cues/<lang>/<list>.txt`` (loaded by ``streams.knowledge.loader``,
found by the gazetteer's automaton as cues of the kind ``loader.CUE_LISTS`` names), and unit tests
in Arabic, Persian and English (``tests/unit/test_phenomena.py``). No rule here is keyed to an
article, an outlet or a name.

* ``modality``: the contact is planned, scheduled, expected, proposed or conditional ("will visit",
  "is to meet", "من المقرر أن", "سيلتقي", "يعتزم", "خواهد"): the trigger is void
  (``modality.txt``).
* ``negation``: the contact is denied, cancelled, refused or did not happen ("did not meet",
  "نفى", "تکذیب"): the trigger is void (``negation.txt``).
* ``speech_act``: interviews and invitations are not consultations: the sentence reports no
  contact (``speech_act.txt``).
* ``gathering_scope``: a small named group (a trilateral, counterparts met together) gives every
  pair; otherwise the first party meets each other one.
* ``attachment``: a third country after a word opening a new clause is not a party of the
  contact before it (``clause.txt``).
* actor type: officials of international organisations act for no state (``organisation.txt``,
  applied where titles are attached to countries: ``actors._attach_title``).
"""
from __future__ import annotations

from itertools import combinations

from streams.extraction.actors import Cue, SentenceFacts, Slot

_VOID_WINDOW = {"ar": 10, "en": 8}  # words between a future/negation cue and its trigger
_VOID_WINDOW_FA = 15  # Persian (SOV): "قرار است" opens the clause, the verb closes it
_IN_PERSON = frozenset({"meet", "receive", "visit"})
_PLURAL_TITLES = ("وزراء", "وزرای", "قاده", "سران")


def _words(norm: str, a: int, b: int) -> int:
    return len(norm[a:b].split()) if b > a else 0


def _in_scope(b: Cue, t: Cue, norm: str) -> bool:
    """Is trigger ``t`` in the scope of the modality or negation cue ``b``? Before it in the same
    clause (Persian negation only right before its noun: "هیچ دیداری"); in Arabic a future verb
    right after the noun ("لقاء ثلاثي سيعقد"); in Persian the auxiliary after the verb's object
    ("... دیدار خواهد کرد") or the negated verb right after its noun ("دیدار نکرد"); or the
    trigger word itself is the cue's form ("سيلتقي")."""
    window = _VOID_WINDOW_FA if b.lang == "fa" else _VOID_WINDOW.get(b.lang, 8)
    if b.lang == "fa" and b.kind == "negation":
        window = 0
    if b.pos <= t.pos and _words(norm, b.end, t.pos) <= window and "," not in norm[b.end:t.pos]:
        return True
    if b.lang == "ar" and t.end <= b.pos and _words(norm, t.end, b.pos) <= 2 \
            and "," not in norm[t.end:b.pos]:
        return True
    after = _VOID_WINDOW_FA if b.kind == "future" else 2
    if b.lang == "fa" and t.end <= b.pos and _words(norm, t.end, b.pos) <= after \
            and "," not in norm[t.end:b.pos]:
        return True
    return b.pos < t.end and t.pos < b.end


def modality(facts: SentenceFacts, t: Cue) -> bool:
    """Does trigger ``t`` report a contact that is only planned, expected or conditional?"""
    for b in facts.cues:
        if b.kind == "future" and _in_scope(b, t, facts.norm):
            return True
    return False


def planned_before(facts: SentenceFacts, t: Cue) -> bool:
    """Is there a modality cue anywhere before ``t`` ("will travel to meet ... to discuss ...":
    talks after it belong to the same planned event)?"""
    for b in facts.cues:
        if b.kind == "future" and b.pos < t.pos:
            return True
    return False


def negation(facts: SentenceFacts, t: Cue) -> bool:
    """Does trigger ``t`` report a contact that is denied, cancelled or did not happen?"""
    for b in facts.cues:
        if b.kind == "negation" and _in_scope(b, t, facts.norm):
            return True
    return False


def speech_act(facts: SentenceFacts) -> bool:
    """Is the sentence about something that is not a consultation (an interview, an invitation;
    summonses, sport and private visits: the ``noncontact`` cues of triggers.tsv)?"""
    return facts.has("noncontact") or facts.has("speech")


def gathering_scope(facts: SentenceFacts, slots: list[Slot], order: list[str], dest: set[str],
                    live: list[Cue], coordinated: bool) -> tuple[list[tuple[str, str]], bool]:
    """The pairs of a sentence's parties (``order``: countries in text order, the visitor first)
    and whether they met together: two parties or coordinated subjects ("بوتين ونتنياهو") give
    one pair; one meeting of them all (a summit, a trilateral, "met his Russian and Turkish
    counterparts" in person) gives every pair but none between two destinations of one trip;
    otherwise the first party meets each of the others."""
    joint = facts.has("summit") or facts.has("joint") or (
        _counterpart_group(slots, facts.norm) and not facts.has("separate") and not facts.has("call")
        and any(t.kind in _IN_PERSON for t in live))
    if len(order) == 2 or coordinated:
        return [(order[0], order[1])], joint
    if joint:
        return [p for p in combinations(order, 2) if not (p[0] in dest and p[1] in dest)], joint
    return [(order[0], other) for other in order[1:]], joint


def _counterpart_group(slots: list[Slot], norm: str) -> bool:
    """"met his Russian and Turkish counterparts", "the energy ministers of Russia, Qatar and
    Venezuela met": one meeting of all of them (a plural title over several countries)."""
    groups: dict[int, set[str]] = {}
    for s in slots:
        if not s.country:
            continue
        if s.kind == "counterpart" or (s.kind == "title" and _plural_title(norm[s.pos:s.end])):
            groups.setdefault(s.pos, set()).add(s.country)
    return any(len(g) >= 2 for g in groups.values())


def _plural_title(title: str) -> bool:
    return title.endswith("s") or title.startswith(_PLURAL_TITLES)


def attachment(facts: SentenceFacts, slots: list[Slot], first_trigger: int) -> list[Slot]:
    """The parties once a third country in another clause ("، وذلك على ضوء دعوة الرئيس
    الأميركي") is dropped: with more than two countries, none after the first clause word that
    follows the trigger."""
    if len({s.country for s in slots}) > 2:
        breaks = [c.pos for c in facts.cues if c.kind == "clause" and c.pos > first_trigger]
        if breaks:
            return [s for s in slots if s.pos < breaks[0]]
    return slots
