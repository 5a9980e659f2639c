"""Country pairs reported by one sentence: who the parties of its contact are, which pairs they
form, each pair's mode and confidence.

Input is a sentence's facts (``actors.analyse``) and its live triggers (``triggers.live_triggers``);
``contacts`` calls ``sentence_contacts`` for each sentence of a story and keeps the story's
subject between them. The rules, in order: the reported words before an English speaker are
dropped (``_drop_reported_content``); the parties are the strong actors, bare country names near a
trigger, "between X and Y", a visit's destination, an envoy's host, the home country for an
untitled subject and the story's subject for a sentence naming one side (``_parties``); then the
pairs (two parties, coordinated subjects, one joint meeting of all, or the first with each other).
"""
from __future__ import annotations

import re
from functools import lru_cache

from streams.extraction.actors import Place, SentenceFacts, Slot, glued_before, prev_word
from streams.extraction.confidence import sentence_features
from streams.extraction.phenomena import (ABOUT_WORDS, AFTER_DAR, actor_type, attachment, commented_event,
                                          excluded, gathering_scope, onward_trip, text_words, void_arguments)
from streams.extraction.triggers import ModeDecision, decide_mode
from streams.records import Actor

_NEAR_TRIGGER = 5        # words: a bare country name counts as an actor this close to a trigger

_STRONG_TRIGGERS = frozenset({"call", "meet", "receive", "visit"})

_WITH_ONLY = frozenset({"with", "مع", "با"})

_BETWEEN = frozenset({"between", "بين", "ميان", "بيان"})

_EVENT_WORDS = frozenset({"summit", "conference", "meet", "talk"})

_CHAIN_FILLERS = frozenset({"and", "the", "و", ","})

_WITH_WORDS = frozenset({"with", "مع", "با", "and", "و"})

# words before a country that make it the topic of the talks, not a party ("talked about Iran")
_ABOUT_SPAN = 4  # words between "about" and the country it makes a topic
_ABOUT_SPAN_FA = 12  # Persian: the topic runs from "درباره" to the verb

# an English speech verb after its speaker ("..., Lavrov said after talks with ...")
_SPEECH_VERBS = ("said", "says", "told", "stated", "added")

_SPEECH_RE = re.compile(r"\b(?:" + "|".join(_SPEECH_VERBS) + r")\b")

_SPEAKER_GAP = 3  # spaces between the speaker and the verb ("Steinmeier, said")

# the actors a list of partners after "with" is made of (not a visit's host, an inferred side)
_NAMED_KINDS = frozenset({"holder", "title", "counterpart", "bare"})
_ENVOY_ROLES = frozenset({"ambassador", "delegation"})
_OWN_WORDS = 3     # words of an actor's own phrase beside its title ("of the Republic of Armenia")
_WITH_REACH = 40   # characters: a trigger this close before the first party ("با دیدار نتانیاهو")


# pair, mode decision, actors, score (chooses the best report), talk only, verb offset, the
# features of the confidence model this sentence gives (confidence.sentence_features)
_Report = tuple[tuple[str, str], ModeDecision, list[Actor], float, bool, int, tuple]


def sentence_contacts(facts: SentenceFacts, live: list, home: str | None, subject: str | None,
                      own_voice: bool = False, national: bool = False) -> tuple[list[_Report], str | None]:
    """Pairs reported by one sentence, and the story subject after it. ``own_voice``: the
    article is the home state's own release (a government site), whose unnamed "President" is
    its own on either side of the contact. ``national``: a national news agency's story, where
    the unnamed minister a foreign envoy calls on is the home state's."""
    actor_type(facts)  # former officials, business delegations ...: no actors
    for s in facts.slots:
        if s.kind == "ours" and s.country is None:
            s.country = home  # "وزیر خارجه کشورمان": the home country (unknown: no actor)
    strong = [s for s in facts.slots if s.country and s.strength >= 2]
    next_subject = strong[0].country if strong else subject
    if not live:
        return [], next_subject
    if _drop_reported_content(facts, live):
        strong = [s for s in facts.slots if s.country and s.strength >= 2]
    slots, implicit = _parties(facts, live, strong, home, subject, own_voice, national)
    slots = excluded(facts, slots)
    order: list[str] = []
    for s in slots:
        if s.country not in order:
            order.append(s.country)
    # destinations of one visit ("a trip to Qatar, Iran and Saudi Arabia") meet the visitor,
    # not each other: the visitor leads, and no pair joins two destinations
    dest = {c for c in order if all(s.kind == "host" for s in slots if s.country == c)}
    if dest and len(dest) < len(order):
        order = [c for c in order if c not in dest] + [c for c in order if c in dest]
    if len(order) < 2:
        return [], next_subject
    first = order[0]
    n = len(order)
    joined = _coordinated(facts.norm, slots, order, live)   # the first two joined by and/و
    # "talks between Iran, India and Uzbekistan": the parties listed after "between" meet together,
    # and they are the parties ("Rubio said talks between Oman and Iran are under way": not Rubio)
    between = {b.country for b in _between(facts, live, [])}
    if len(between) >= 2 and len(set(order) - between) > 0 and set(order) & between == between:
        slots = [s for s in slots if s.country in between]
        order = [c for c in order if c in between]
        n = len(order)
        first = order[0]
        joined = _coordinated(facts.norm, slots, order, live)
    listed = n > 2 and set(order) <= between
    pairs, joint = gathering_scope(facts, slots, order, dest, live, n == 2 or joined, joined, listed)
    # the members of one group name ("the three Baltic states", "الكوريتين") meet each other only
    # when the group is all the sentence names
    # (not when it is the other side of a "with": "met with the ministers of the Baltic states")
    groups = [g for g in facts.groups if len(g) < n or all(
        _titled_after_with(facts.norm, s) for s in slots if s.country in g)]
    if groups:
        pairs = [(x, y) for x, y in pairs if not any(x in g and y in g for g in groups)]
    talk_only = all(t.kind == "talk" for t in live)
    strong_trigger = any(t.kind in _STRONG_TRIGGERS for t in live)
    out: list[_Report] = []
    for x, y in pairs:
        pair = (x, y) if x < y else (y, x)
        partner = next((s for s in slots if s.country == (y if x == first else x)), None)
        partner_end = max((s.end for s in slots if partner is not None and s.country == partner.country
                           and s.pos >= partner.pos), default=None)
        decision = decide_mode(facts, pair, first, live, n, partner.pos if partner else None, joint, partner_end)
        actors = [_actor(slots, c) for c in pair]
        named_sides = sum(1 for c in pair if any(s.country == c and s.strength >= 2 for s in slots))
        # the verb reporting this pair: the live trigger nearest to the partner (its date is
        # the one next to it when the sentence has two)
        verb = live[0]
        if len(live) > 1 and partner is not None and partner.pos >= 0:
            verb = min(live, key=lambda t: abs(t.pos - partner.pos))
        bare_side = any(all(s.strength <= 1 for s in slots if s.country == c) for c in pair)
        out.append((pair, decision, actors,
                    _confidence(named_sides, decision.explicit, strong_trigger, implicit), talk_only,
                    verb.pos, sentence_features(named_sides, decision.explicit, strong_trigger, implicit,
                                                bare_side, n > 2, talk_only)))
    return out, first


def _parties(facts: SentenceFacts, live: list, strong: list[Slot], home: str | None,
             subject: str | None, own_voice: bool = False, national: bool = False) -> tuple[list[Slot], bool]:
    """The actor slots taking part in the sentence's contact (in text order), and whether one
    side was inferred (home country, story subject) rather than named."""
    norm = facts.norm
    trig_pos = [(t.pos, t.end) for t in live]
    first_trigger = min(t.pos for t in live)

    def near_trigger(s: Slot, limit: int = _NEAR_TRIGGER) -> bool:
        # words between the slot and a trigger (spaces - 1; ``norm`` has single spaces)
        return any(norm.count(" ", min(s.end, tp), max(s.pos, te)) - 1 <= limit for tp, te in trig_pos)

    lang = live[0].lang   # the language of the sentence's triggers
    persian = lang == "fa"

    def bare_actor(s: Slot) -> bool:
        # a bare name acts as a subject ("قطر وأمريكا تبحثان") or a partner ("talks with Turkey"),
        # never as the topic of the talks ("discussed the war between Israel and Hamas")
        word_start = s.pos - len(glued_before(norm, s.pos))
        if _on_border(norm, word_start, lang):
            return False  # "على الحدود مع العراق", "on the border with Iraq": a place
        if s.pos < first_trigger and near_trigger(s) and not any(
                ch in ",;:" for ch in norm[s.end:first_trigger]):
            # "با کوشنر درباره ایران گفتگو کرد", "درباره تشدید حملات علیه ایران": a name a few
            # words after "about" is (in) the topic
            before = norm[:word_start].split()[-(_ABOUT_SPAN_FA if persian else _ABOUT_SPAN) - 1:]
            # Persian puts the whole topic between "درباره" and its verb ("درباره روابط دوجانبه،
            # جنگ در ایران و غزه و پیمان دفاعی ترکیه، پاکستان و عربستان گفت‌وگو کردند"), unless a
            # "با" after it names the partner
            return not any(w in ABOUT_WORDS and (w not in AFTER_DAR or before[i - 1] == "در")
                           and (not persian or "با" not in before[i:])
                           for i, w in enumerate(before) if i)
        return near_trigger(s, 3) and prev_word(norm, word_start) in _WITH_WORDS

    strong = commented_event(facts, strong, live)
    onward = onward_trip(facts, live)
    if onward is not None:
        # an onward trip's actors and places are not the reported contact's
        a, b = onward
        strong = [s for s in strong if not a <= s.pos < b]
        facts.places = [p for p in facts.places if not a <= p.pos < b]
    slots = list(strong)
    if len({s.country for s in strong}) < 2:
        slots += [s for s in facts.slots if s.country and s.strength == 1 and bare_actor(s)]
        slots += _between(facts, live, slots)
    # a planned or denied event's own parties go before the host of a visit is looked for
    slots = void_arguments(facts, slots, live)
    slots = commented_event(facts, slots, live)
    if onward is not None:
        slots = [s for s in slots if not onward[0] <= s.pos < onward[1]]
    if facts.hosted_at is not None:
        # the host of an event ("Oman hosted talks between ...") is its venue, not a party
        hosts = [s for s in facts.slots if s.country and s.pos < facts.hosted_at]
        slots = [s for s in slots if s.pos > facts.hosted_at]
        if hosts:
            facts.places.append(Place(hosts[-1].country, hosts[-1].pos, "name", True))
    if any(t.kind == "visit" for t in live) and (len({s.country for s in excluded(facts, slots)}) < 2
                                                 or _joint_visitors(norm, slots, live)):
        # "a visit to Brazil", "زيارته لسلطنة عمان": the destination hosts the visit — the live
        # visit's, not a void one's ("تأتي قبيل زيارة مرجحة لطهران": the visit word nearest
        # before the place is the one it is the destination of); several visitors named on one
        # side of the visit word visit it together ("yesterday's visit to Kyiv by the leaders of
        # France, Germany, Romania and Italy")
        visits = [c for c in facts.cues if c.kind == "visit"]
        live_at = {t.pos for t in live}
        named = {s.country for s in slots}
        slots += [Slot(p.pos, p.pos, p.country, None, None, 1, "host")
                  for p in facts.places if p.destination and p.form_kind != "demonym"
                  and p.country not in named and _of_live_visit(norm, p.pos, visits, live_at, persian)]
    if facts.posted_to and slots and all(s.role == "ambassador" for s in slots) and not (
            home in {s.country for s in slots}
            and any(s.country is None and s.kind == "title" and s.role != "ambassador" for s in facts.slots)):
        # "X met the Australian ambassador in Iran": an envoy's unnamed host is his host state —
        # unless the envoys are the outlet's own and an unnamed official of their own state
        # receives them ("ambassadors of Pakistan to Morocco and Switzerland met the President")
        slots += [Slot(len(norm), len(norm), c, None, None, 1, "host") for c in facts.posted_to]
    # an actor without a country word is the home country's when it is the sentence's subject
    # ("العمانية: تلقى وزير الخارجية اتصالا من ..."), not when it is the other side; in a
    # government's own release on either side ("... paid a courtesy call on President X")
    first_known = len(norm) if own_voice else min((s.pos for s in slots), default=len(norm))
    unknown = [s for s in facts.slots if s.country is None and s.kind == "title" and s.pos < first_known]
    implicit = False
    if unknown and home and home not in {s.country for s in slots}:
        # in a government's own release an unnamed envoy is more likely a foreign one
        u = next((s for s in unknown if s.role != "ambassador"), unknown[0]) if own_voice else unknown[0]
        slots.append(Slot(u.pos, u.end, home, u.role, None, 0, "implicit"))
        implicit = True
    elif (national or own_voice) and home and slots and home not in {s.country for s in slots} and \
            all(s.role in _ENVOY_ROLES for s in slots) and (hosts := [
                s for s in facts.slots if s.country is None and s.kind == "title" and s.role not in _ENVOY_ROLES]):
        # foreign envoys or a delegation calling on an unnamed minister in a national news
        # agency's story ("French Ambassador Galey called on Power Minister Leghari"): the home
        # state's (a newspaper's story may be about anywhere)
        u = hosts[0]
        slots.append(Slot(u.pos, u.end, home, u.role, None, 0, "implicit"))
        implicit = True
    countries = {s.country for s in slots}
    if len(countries) == 1 and subject and subject not in countries and not unknown and \
            all(s.pos > first_trigger or _after_with(norm, s) or _named_after_titled(norm, s, slots) for s in slots) and \
            (any(t.kind in _STRONG_TRIGGERS for t in live) or
             any(s.strength >= 2 and _titled_after_with(norm, s) for s in slots)):
        # "He also met the Japanese FM", "Discussed with Prime Minister Modi": the other side
        # is the story's subject (talks count with a titled partner after "with")
        slots.append(Slot(-1, -1, subject, None, None, 0, "implicit"))
        implicit = True
    elif len(countries) >= 2 and not implicit and not unknown and _all_after_with(norm, slots, lang) and \
            not any(t.pos < min(s.pos for s in slots) < t.pos + _WITH_REACH and _with_before(norm, t.pos)
                    for t in live):
        # "وی با رئیس‌جمهور اتریش، نخست وزیر فیجی و ... دیدار کرد", "He also met with the
        # presidents of France and Lebanon": a list of partners of someone not named here; they
        # meet the story's subject, not each other
        if not subject or subject in countries:
            return [], implicit
        slots.append(Slot(-1, -1, subject, None, None, 0, "implicit"))
        implicit = True
    slots.sort(key=lambda s: s.pos)
    if all(s.kind == "host" for s in slots):
        # "nationals who travelled to Iraq and Syria": destinations without a visitor
        return [], implicit
    return attachment(facts, slots, [t.pos for t in live]), implicit


_JOINT_GAP = 2  # words other than "and"/commas between two visitors of one joint visit


def _joint_visitors(norm: str, slots: list[Slot], live: list) -> bool:
    """Do several states' officials, named in one list ("the leaders of France, Germany, Romania
    and Italy"), all stand on one side of the one live visit word (they make the visit together),
    not on both (a visitor before it, the people met after it) nor apart ("Howe's mission was to
    brief Shultz on Thatcher's visit")?"""
    visits = [t for t in live if t.kind == "visit"]
    if len(visits) != 1 or len(live) != 1 or len({s.country for s in slots}) < 2 or \
            any(s.strength < 2 for s in slots):
        return False
    v = visits[0]
    if not (all(s.pos >= v.end for s in slots) or all(s.end <= v.pos for s in slots)):
        return False
    ordered = sorted(slots, key=_slot_pos)
    return all(len([w for w in norm[a.end:b.pos].replace(",", " ").split() if w not in _CHAIN_FILLERS]) <= _JOINT_GAP
               for a, b in zip(ordered, ordered[1:]) if b.pos > a.end)


def _of_live_visit(norm: str, pos: int, visits: list, live_at: set[int], persian: bool) -> bool:
    """Is the visit word nearest before offset ``pos`` a live trigger (or is there none before it)?
    A Persian trip verb right after its destination ("به لبنان سفر کرد") is the one it belongs to."""
    after = [c for c in visits if c.pos > pos and norm.count(" ", pos, c.pos) <= 2] if persian else []
    if after:
        return min(after, key=lambda c: c.pos).pos in live_at
    before = [c for c in visits if c.pos < pos]
    return not before or max(before, key=lambda c: c.pos).pos in live_at


def _between(facts: SentenceFacts, live: list, taken: list[Slot]) -> list[Slot]:
    """"talks between Iran and the United States", "محادثات بين إيران والولايات المتحدة": bare
    names right after a trigger's "between" are the parties (not "the war between X and Y")."""
    norm = facts.norm
    out: list[Slot] = []
    bare = [s for s in facts.slots if s.country and s.strength == 1 and s not in taken]
    modifiers = text_words("modifier")
    # "the Republic of" before a name in the list ("جمهوری هند و جمهوری ازبکستان")
    statewords = {norm[c.pos:c.end] for c in facts.cues if c.kind == "stateword"}
    for t in live:
        # from the end of the trigger's word (a prefix form: "رایزنی" in "رایزنی‌های")
        end = norm.find(" ", t.end)
        end = len(norm) if end < 0 else end
        words = [w for w in norm[end:].split(" ", 5)[:5] if w]
        # words describing the talks may stand first ("المشاورات السياسية بين")
        m = 0
        while m < min(2, len(words)) and words[m] in modifiers:
            m += 1
        if m < len(words) and words[m] in _BETWEEN:
            k = m
        elif len(words) > 1 and words[1] in _BETWEEN:
            # an event word may stand before "between" ("اجتماع قمة بين الكوريتين"), not another
            # noun ("تبادل أسرى بين": a prisoner exchange between ...)
            k = 1
            if not any(c.kind in _EVENT_WORDS and end < c.pos < end + len(words[0]) + 1 for c in facts.cues):
                continue
        else:
            continue
        chain_end = end + len(" ".join(words[:k + 1])) + 1
        for s in bare:
            if s.pos < t.end:
                continue
            gap = [w for w in norm[chain_end:s.pos - len(glued_before(norm, s.pos))].split()
                   if w not in _BETWEEN and w not in _CHAIN_FILLERS and w not in statewords]
            if gap:
                break
            if s not in out:
                out.append(s)
            chain_end = s.end
    return out


def _all_after_with(norm: str, slots: list[Slot], lang: str | None = None) -> bool:
    """Are all the parties named ones after one "with" (the first of them titled right after
    it), none of them a name after a comma ("In a meeting with German FM Maas, Zarif said":
    the subject after a fronted phrase)?"""
    named = [s for s in slots if s.kind in _NAMED_KINDS]
    if len({s.country for s in named}) < 2 or len(named) < len(slots):
        return False
    first = min(named, key=_slot_pos)
    if first.pos < 0 or first.strength < 2 or not (_titled_after_with(norm, first) or _after_partner_cue(norm, first, lang)):
        return False
    # a later party that speaks or is a name after a comma is the subject of the sentence
    return not any(b.kind == "holder" and "," in norm[a.end:b.pos] or _speaks(norm, b)
                   for a, b in zip(named, named[1:]))


def _speaks(norm: str, s: Slot) -> bool:
    """Is the slot followed by a speech verb ("Kenya's foreign minister said")?"""
    m = _SPEECH_RE.search(norm, s.end)
    return m is not None and norm.count(" ", s.end, m.start()) <= _SPEAKER_GAP


def _named_after_titled(norm: str, s: Slot, slots: list[Slot]) -> bool:
    """Is the slot a holder's name right after its own title, the object of "with" ("با رئیس
    جمهور لهستان آندری دودا")?"""
    return s.kind == "holder" and any(
        t.country == s.country and t.end < s.pos and norm.count(" ", t.end, s.pos) <= 2 and _after_with(norm, t)
        for t in slots if t is not s)


def _on_border(norm: str, at: int, lang: str | None) -> bool:
    """Is the word at ``at`` the country of "the border with" (cues/<lang>/border.txt)?"""
    w = prev_word(norm, at)
    return w in _WITH_WORDS and prev_word(norm, at - len(w) - 1) in text_words("border", lang)


def _with_before(norm: str, at: int) -> bool:
    """Is the word before ``at`` "with" ("با دیدار نتانیاهو و ترامپ": with the meeting of, whose
    parties are the meeting's own)?"""
    return prev_word(norm, at) in _WITH_ONLY


def _slot_pos(s: Slot) -> int:
    return s.pos


def _after_with(norm: str, s: Slot) -> bool:
    """Is the slot the object of "with" (با وزیر خارجه ژاپن، مع وزير خارجية اليابان)? Then the
    sentence's subject is someone already named (Persian puts the verb last)."""
    glued = glued_before(norm, s.pos)
    return prev_word(norm, s.pos - len(glued)) in _WITH_ONLY or glued == "ب"


_TITLE_SPAN = 3  # words of a title between "with" and the holder's name ("with prime minister modi")


def _titled_after_with(norm: str, s: Slot) -> bool:
    """Is the slot the object of "with", possibly after its title ("with Prime Minister Modi",
    "مع رئيس الوزراء مودي", "با نخست وزیر مودی")?"""
    if _after_with(norm, s):
        return True
    words = norm[:max(0, s.pos)].split()[-(_TITLE_SPAN + 1):]
    return any(w in _WITH_ONLY for w in words)


def _after_partner_cue(norm: str, s: Slot, lang: str | None) -> bool:
    """Is the slot, possibly after its title, right after a phrase whose following list is the
    other side of the contact (cues/<lang>/partner.txt: "talked to", "met", "التقى كلا من")?
    In English only after a pronoun subject ("He talked to ..."; not "Riyadh hosted talks
    between ...", "The Pope received ...": a subject named there is no partner of the list)."""
    words = norm[:max(0, s.pos)].split()[-(_TITLE_SPAN + _PARTNER_WORDS + _PRONOUN_GAP):]
    for phrase in _partner_phrases(lang):
        n = len(phrase)
        for i in range(len(words) - n, -1, -1):
            if tuple(words[i:i + n]) == phrase and len(words) - i - n <= _TITLE_SPAN:
                return lang != "en" or not _EN_PRONOUNS.isdisjoint(words[max(0, i - _PRONOUN_GAP):i])
    return False


_PARTNER_WORDS = 5  # words of the longest partner phrase ("التقى مرتين كلا من")
_PRONOUN_GAP = 2    # words between an English pronoun subject and its verb ("he also met", "she has met")
_EN_PRONOUNS = frozenset({"he", "she", "they", "i", "we"})


@lru_cache(maxsize=None)
def _partner_phrases(lang: str | None) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({tuple(w.split()) for w in text_words("partner", lang)}, key=len, reverse=True))


def _actor(slots: list[Slot], country: str) -> Actor:
    """The best description of a side: a named office holder, else a title, else the country."""
    mine = [s for s in slots if s.country == country]
    best = max(mine, key=lambda s: (s.name is not None, s.role is not None), default=None)
    return Actor(best.name if best else None, best.role if best else None, country)


def _confidence(named_sides: int, explicit_mode: bool, strong_trigger: bool, inferred: bool) -> float:
    """The report's score, which chooses the best report of a pair (``contacts._merge``): how
    many independent cues agree that this is a contact between these two countries: each side
    named by an office holder/title/counterpart (0-2), a cue deciding the mode, a trigger that
    means contact by itself (call/meet/receive/visit, not just "discussed"); a side inferred
    from context costs. The contact's ``confidence`` is the probability of ``confidence.py``."""
    cues = named_sides + int(explicit_mode) + int(strong_trigger)
    return 0.35 + 0.08 * cues - (0.1 if inferred else 0.0)


def _drop_reported_content(facts: SentenceFacts, live: list) -> bool:
    """"<what was said>, Lavrov said on Friday after talks with ...": the countries of the
    reported words before the speaker are what was talked about, not parties; the contact is the
    speaker's, reported after the speech verb. English only (the speaker precedes the verb)."""
    norm = facts.norm
    first = min(t.pos for t in live)
    # most sentences (all Arabic and Persian ones) have none of the verbs: C-level substring
    # tests instead of the word-boundary regex tried at every position
    for w in _SPEECH_VERBS:
        if norm.find(w, 0, first) >= 0:
            break
    else:
        return False
    verb = None
    for m in _SPEECH_RE.finditer(norm, 0, first):
        verb = m
    if verb is None:
        return False
    at = verb.start()
    speaker = max((s for s in facts.slots if s.country and s.strength >= 2 and s.end <= at),
                  key=lambda s: s.end, default=None)
    if speaker is None or norm.count(" ", speaker.end, at) > _SPEAKER_GAP:
        return False
    cut = norm.rfind(",", 0, speaker.pos)
    if cut < 0:
        return False
    facts.slots = [s for s in facts.slots if s.pos > cut]
    facts.places = [p for p in facts.places if p.pos > cut]
    return True


def _coordinated(norm: str, slots: list[Slot], order: list[str], live: list) -> bool:
    """Are the first two actors joined by and/و ("Putin and Netanyahu", "بوتين ونتنياهو")?"""
    b = next((s for s in slots if s.country == order[1] and s.pos >= 0), None)
    if b is None:
        return False
    before = [s for s in slots if s.country == order[0] and 0 <= s.pos and s.end <= b.pos]
    if not before:
        return False
    a = before[-1]
    between = norm[a.end:b.pos].split()
    if between in (["و"], ["and"]) or (not between and glued_before(norm, b.pos) == "و"):
        return True
    # the actors' own words around the "and" ("the Armenian prime minister and the Turkmen
    # president", "رئيس وزراء أرمينيا ورئيس تركمانستان"): a few words each side, no comma, no
    # other actor, no verb ("met senior civilian and military officials": the "and" is the
    # object's own)
    joins = [i for i, w in enumerate(between) if w in ("and", "و")]
    return bool(joins) and joins[-1] <= _OWN_WORDS and len(between) - joins[-1] - 1 <= _OWN_WORDS \
        and not any(ch in norm[a.end:b.pos] for ch in ",،;؛:") \
        and not any(a.end <= s.pos < b.pos for s in slots) \
        and not any(a.end <= t.pos < b.pos for t in live)
