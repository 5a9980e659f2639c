"""Contact triggers in a sentence: which of them report a contact that happened, and its mode.

A trigger (call, meet, receive, visit, talk) is void when the phenomena's filters say so
(``phenomena``: planned, denied, not a consultation). The mode follows PLOVER
CONSULT: a phone/remote cue wins; an organisation or summit meeting is multilateral; otherwise a
meeting is a visit when it takes place in one of the two countries (that one hosts), third-party
when the venue is a third country or a conference; a single conversation with nothing else
deciding ("در گفت‌وگو با", "during a conversation with": triggers.tsv's talk words of value
"conversation", not plural, not a numbered round) is a call; otherwise a visit by default (an
in-person bilateral).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter

from streams.extraction.actors import CONTACT_TRIGGERS, Cue, SentenceFacts
from streams.extraction.normalise import normalise
from streams.extraction.phenomena import (GATHERINGS, commented_topic, framed_by_void, message_act, modality,
                                          named_as, negation, planned_before, questioned, same_clause,
                                          speech_act, statement_act)
from streams.knowledge.loader import load_left_out_aliases, load_triggers

_PLACE_WINDOW = 8  # words between a meeting trigger and the place it happened


@dataclass(slots=True)
class ModeDecision:
    mode: str
    visitor: str | None
    host: str | None
    explicit: bool       # decided by a cue (phone, venue, summit, receive/visit) not by default
    strength: int = 1    # 2: a mode cue (phone, summit, joint meeting); 1: venue/direction; 0: default


def _words(norm: str, a: int, b: int) -> int:
    return len(norm[a:b].split()) if b > a else 0


def live_triggers(facts: SentenceFacts) -> list[Cue]:
    """Contact triggers of the sentence that report a contact that took place: the phenomena's
    filters (``phenomena``: speech act, modality, negation) void the others."""
    if speech_act(facts):
        return []
    out = []
    voided = False
    void_summit: int | None = None
    words = [t for t in facts.cues if t.kind in CONTACT_TRIGGERS]
    topics = {t.pos for t in words if commented_topic(facts, t)}
    if len(topics) == len({t.pos for t in words}):
        topics = set()  # no other contact word: the comment's own rules apply (commented_event)
    for t in facts.cues:
        if t.pos in topics:
            continue  # "talked by phone about the negotiations with Iran": the topic of the call
        if t.kind not in CONTACT_TRIGGERS:
            if t.kind in GATHERINGS and void_summit is None and (modality(facts, t) or negation(facts, t)):
                void_summit = t.end  # "plans to have a summit with Xi ... during his state visit"
            continue
        # a planned or cancelled summit voids what follows it in its own clause only ("Days after
        # the cancelled summit, the secretary of state discussed ...": another contact)
        void_here = voided or (void_summit is not None and same_clause(facts, void_summit, t.pos))
        if t.kind == "talk" and (void_here or planned_before(facts, t)):
            continue  # "will travel to meet ... to discuss ... negotiations": same planned event
        if void_here and framed_by_void(facts, t):
            continue  # "will hold a meeting ... during a visit to Qatar": the same event
        if questioned(facts, t):
            continue  # asked about, not reported
        if named_as(facts, t):
            continue  # "called Putin a “killer”": a name given, no call
        if modality(facts, t) or negation(facts, t) or message_act(facts, t) or statement_act(facts, t):
            voided = True
        elif t.kind == "receive" and (event := _hosted_event(facts, t)) is not None:
            # "Kazakhstan hosted rounds of talks on Syria", "استضافت عمان محادثات بين ...": the
            # host (before the event word, either side of the verb) stages it, is not a party
            facts.hosted_at = event.pos
        else:
            out.append(t)
    return out


def _hosted_event(facts: SentenceFacts, t: Cue) -> Cue | None:
    """The event (talks, a meeting, a summit) a receiving verb takes as its object, if any:
    then the verb means hosting an event, not receiving a guest."""
    return next((c for c in facts.cues if c.kind in ("talk", "meet", "summit", "conference")
                 and t.end <= c.pos and _words(facts.norm, t.end, c.pos) <= 3), None)


@lru_cache(maxsize=1)
def _summit_words() -> frozenset[str]:
    """The one-word summit cues of triggers.tsv ("summit", "قمه"), normalised."""
    return frozenset(normalise(c.form) for c in load_triggers() if c.kind == "summit" and " " not in c.form)


def _names_summit(trigger_text: str) -> bool:
    """Does a trigger's text name a summit ("held a summit", "عقد قمة")?"""
    return not _summit_words().isdisjoint(trigger_text.split())


def sidelines_of_gathering(facts: SentenceFacts) -> bool:
    """"On the sidelines of" a gathering that is no conference: a multilateral meeting. Not of a
    visit ("در حاشیه این بازدید", "on the sidelines of the visit"): that stays the visit."""
    if not facts.has("sidelines") or facts.has("conference"):
        return False
    for s in facts.cues:
        if s.kind == "sidelines":
            nxt = min((c for c in facts.cues if c.pos >= s.end and c.kind in CONTACT_TRIGGERS),
                      key=attrgetter("pos"), default=None)
            if nxt is None or nxt.kind != "visit":
                return True
    return False


def multilateral_summit(facts: SentenceFacts, n_countries: int) -> bool:
    """Is the sentence's summit a gathering (three or more states named, or an organisation's)
    rather than a summit of two leaders ("قمة ترامب وكيم", "the inter-Korean summit": a bilateral
    meeting, its mode decided by the venue)?"""
    return n_countries >= 3 or facts.has("org") or \
        len({s.country for s in facts.slots if s.country}) >= 3


_ROUNDS = frozenset({"round", "rounds", "دور", "دوره", "جوله", "جولات"})
_ROUND_GAP = 3  # words between "round" and the talks it numbers ("در دور پنجم گفت‌وگوهای سیاسی")


def _conversation(norm: str, c: Cue) -> bool:
    """Is talk word ``c`` one conversation (triggers.tsv's value "conversation"), not a series of
    talks: not a Persian plural (گفت‌وگوهای سیاسی) and not a numbered round ("the fifth round of
    political conversations", "در دور پنجم گفت‌وگوهای")?"""
    if c.value != "conversation" or norm.startswith("ها", c.end):
        return False
    return not any(w in _ROUNDS for w in norm[:c.pos].split()[-_ROUND_GAP - 1:])


def _held_summit(facts: SentenceFacts) -> bool:
    """Does the sentence name a summit that is neither planned nor cancelled ("who called off the
    summit with the North Korean leader, discussed ..." names none)?"""
    return any(c.kind == "summit" and not (modality(facts, c) or negation(facts, c)) for c in facts.cues)


def _place_country(facts: SentenceFacts, p, pair: tuple[str, str]) -> str:
    """The country of a meeting's place; a form that is also a capital left out of the aliases
    for being another state's name (left_out_aliases.tsv: "عمان" is Oman and, unvowelled,
    Amman) is that capital's when its state is a party and the named state is not ("استقبل
    العاهل الأردني في عمان ...": Jordan hosts)."""
    if p.country in pair:
        return p.country
    word = facts.norm[p.pos:].split(" ", 1)[0]
    return next((c for c in _capital_homographs().get(word, ()) if c in pair), p.country)


@lru_cache(maxsize=1)
def _capital_homographs() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for r in load_left_out_aliases():
        if r.kind == "capital" and r.form:
            form = normalise(r.form)
            out[form] = out.get(form, ()) + (r.country,)
    return out


def decide_mode(facts: SentenceFacts, pair: tuple[str, str], subject: str | None,
                live: list[Cue], n_countries: int, partner_pos: int | None = None,
                joint: bool = False, partner_end: int | None = None) -> ModeDecision:
    kinds = {c.kind for c in live}
    a, b = pair
    other = (b if subject == a else a) if subject in pair else None
    in_person = [c for c in live if c.kind in ("meet", "receive", "visit")]
    calls = [c for c in facts.cues if c.kind == "call"]
    if calls and in_person and partner_pos is not None and partner_pos >= 0:
        # "يتصل بالسيسي بعد لقائه ترامب": each partner takes the trigger nearest to it
        nearest = min(calls + in_person, key=lambda c: abs(c.pos - partner_pos))
        if nearest.kind != "call":
            kinds = {c.kind for c in in_person}
            calls = []
    if calls and ("call" in kinds or "talk" in kinds):
        return ModeDecision("phone", None, None, True, 2)
    if facts.has("summit") and _held_summit(facts) and multilateral_summit(facts, n_countries):
        return ModeDecision("multilateral", None, None, True, 2)
    if sidelines_of_gathering(facts):
        return ModeDecision("multilateral", None, None, True, 2)
    first_trigger = min((c.pos for c in live), default=0)
    places = [p for p in facts.places if p.after_trigger or p.pos >= first_trigger] or facts.places
    if joint and n_countries >= 3:
        # a small named group meeting that is no summit ("held a summit" is one): the member in
        # whose country it meets hosts the others ("وزراء خارجية روسيا وإيران وتركيا في موسكو":
        # Russia-Iran a visit), two others meet at a third country's venue (Iran-Turkey); a
        # summit of the group is multilateral; where no place is named, an in-person meeting
        # (the default: multilateral is the corpus README's mode of summits and organisations)
        if any(_names_summit(facts.norm[c.pos:c.end]) for c in live):
            return ModeDecision("multilateral", None, None, True, 2)
        if not places:
            # an organisation's envoy in the group makes it an organisation's meeting ("met his
            # Russian and Turkish counterparts and the UN Special Envoy for Syria")
            if facts.has("org"):
                return ModeDecision("multilateral", None, None, True, 2)
            return ModeDecision("visit", None, None, False, 0)
        host = next((c for p in places if (c := _place_country(facts, p, pair)) in pair), None)
        if host is None:
            return ModeDecision("third-party", None, None, True)
        return ModeDecision("visit", b if host == a else a, host, True)
    if in_person and partner_pos is not None and partner_pos >= 0 and places:
        # the place of this meeting is near the trigger that reports it ("arrived in Israel from
        # Dammam, where he held meetings with ...": Israel is not where the meeting was)
        t = min(in_person, key=lambda c: abs(c.pos - partner_pos))
        # (or near the partner after it: "يلتقي كيم جونغ أون الرئيس الأمريكي دونالد ترامب اليوم في
        # سنغافورة", where the names between the verb and the place are long)
        # (the partner's phrase ends at its last mention: "وزعيم كوريا الشمالية كيم جونغ أون في قمة
        # تاريخية في سنغافورة" counts from the name, not from the title)
        after = partner_pos if partner_end is None else max(partner_pos, partner_end)
        places = [p for p in places if _words(facts.norm, min(p.pos, t.end), max(p.pos, t.pos)) <= _PLACE_WINDOW
                  or t.end <= partner_pos < p.pos and _words(facts.norm, min(after, p.pos), p.pos) <= _PLACE_WINDOW]
    for p in places:
        host = _place_country(facts, p, pair)
        if host in pair:
            return ModeDecision("visit", b if host == a else a, host, True)
    if places:
        return ModeDecision("third-party", None, None, True)
    if facts.has("conference"):
        return ModeDecision("third-party", None, None, True)
    if "receive" in kinds and subject in pair:
        return ModeDecision("visit", other, subject, True)
    if "visit" in kinds and subject in pair:
        return ModeDecision("visit", subject, other, True)
    if kinds == {"talk"} and all(_conversation(facts.norm, c) for c in live):
        # "during a conversation with", "در گفت‌وگو با": a conversation with no meeting, visit or
        # place named is, in today's readouts, held by phone (triggers.tsv's "conversation" words)
        return ModeDecision("phone", None, None, False, 0)
    return ModeDecision("visit", None, None, False, 0)
