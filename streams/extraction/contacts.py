"""Orchestration: one article in, the diplomatic contacts it reports out.

    body segments (boilerplate) -> paragraphs -> sentences
      -> gazetteer hits (one automaton) -> actors, cues, places (actors.py)
      -> live triggers and mode (triggers.py) -> country pairs
      -> event date (dates.py), topics (topics.py) -> one contact per pair (best evidence)

A pair needs a contact trigger that reports a held contact and two state actors of different
countries in the same sentence. An actor whose country the sentence does not say ("the foreign
minister") belongs to the article's home country (agency dateline such as "العمانية:", or the
outlet); a sentence naming only one country ("He met the Japanese FM") takes the subject of the
previous sentences of the story as the other side.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Callable

from streams.extraction import boilerplate, dates
from streams.extraction.actors import (CONTACT_TRIGGERS, Place, SentenceFacts, Slot, analyse, pick_holder,
                                       prev_word)
from streams.extraction.gazetteer import Mention, gazetteer
from streams.extraction.normalise import detect_lang, normalise, normaliser, paragraph_sentences
from streams.extraction.topics import assign, paragraph_topics
from streams.extraction.triggers import ModeDecision, decide_mode, live_triggers
from streams.records import Actor, Article, Contact

log = logging.getLogger(__name__)

MAX_SENTENCE = 1500      # characters: longer "sentences" (lists, markup) are cut into pieces
_NEAR_TRIGGER = 5        # words: a bare country name counts as an actor this close to a trigger
_DATELINE_CHARS = 40     # an agency name this close to a paragraph's start is its dateline
_DIGIT_RE = re.compile(r"\d")
_ACTOR_KINDS = frozenset({"country", "holder", "title", "counterpart"})
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_TRIGGER_CHUNK = 2000   # characters normalised at a time when looking for any trigger
_DATE_CONTEXT = 300     # characters of the paragraph around a sentence searched for its date
_NEIGHBOUR_CHARS = 600   # characters of a neighbour paragraph searched for a date
_MAX_REF_LOOKUPS = 8     # per article: each scans the page's dates (bounded cost on huge pages)
_IN_PERSON = frozenset({"meet", "receive", "visit"})
_STRONG_TRIGGERS = frozenset({"call", "meet", "receive", "visit"})
_WITH_ONLY = frozenset({"with", "مع", "با"})
_BETWEEN = frozenset({"between", "بين", "ميان", "بيان"})
_CHAIN_FILLERS = frozenset({"and", "the", "و", ","})
_WITH_WORDS = frozenset({"with", "مع", "با", "and", "و"})
# an English speech verb after its speaker ("..., Lavrov said after talks with ...")
_SPEECH_VERBS = ("said", "says", "told", "stated", "added")
_SPEECH_RE = re.compile(r"\b(?:" + "|".join(_SPEECH_VERBS) + r")\b")
_SPEAKER_GAP = 3  # spaces between the speaker and the verb ("Steinmeier, said")


def _clitic(norm: str, pos: int) -> str:
    """Letters glued before ``pos`` in the same word (Arabic proclitics)."""
    i = pos
    while i > 0 and norm[i - 1].isalnum():
        i -= 1
    return norm[i:pos]


@dataclass(slots=True)
class _Candidate:
    pair: tuple[str, str]
    decision: ModeDecision
    actors: list[Actor]
    evidence: str
    paragraph: int
    segment: int
    confidence: float
    talk_only: bool = False
    paragraph_text: str = ""
    ref: tuple[str | None, str] = (None, "none")
    dated: tuple[bool, bool] = (True, True)   # date words in (sentence, paragraph)
    topics: set[str] = field(default_factory=set)
    verb_at: int | None = None    # offset of the contact verb in ``evidence`` (approximate)
    # a paragraph without any date word: the previous, this and the next body paragraph
    # ("... said on Wednesday ..." / "He was speaking during a visit to Tehran ...")
    neighbours: str | None = None

    def event_date(self, lang: str, cache: dict) -> tuple[str | None, str]:
        """Resolved only for the reports that end up chosen (dates are the costly part), once
        per sentence and verb of the article (several pairs often come from one sentence)."""
        in_sentence, in_paragraph = self.dated
        context = self.paragraph_text if in_paragraph else self.neighbours
        if context is None:
            return None, "none"  # no month, weekday, "today", digit ...: nothing to resolve
        key = (self.evidence, self.ref, context, self.verb_at if in_sentence else None)
        if key not in cache:
            cache[key] = _event_date(self.evidence, self.ref[0], self.ref[1], lang, context,
                                     self.verb_at if in_sentence else None, in_paragraph)
        return cache[key]


_errors = 0


def extraction_errors() -> int:
    """How many articles made the extractor fail (logged, returned []): should stay 0."""
    return _errors


def extract_contacts(article: Article | dict[str, Any]) -> list[Contact]:
    """Every diplomatic contact the article reports, one per country pair. Never raises."""
    global _errors
    try:
        return _extract(article)
    except Exception:  # last-resort guard: counted and logged, the stream must go on
        _errors += 1
        log.exception("extractor failed on article %r", _article_id(article))
        return []


def _article_id(article: Any) -> str:
    if isinstance(article, Article):
        return article.id
    if isinstance(article, dict):
        return str(article.get("id", ""))
    return ""


def _as_article(article: Article | dict[str, Any]) -> Article | None:
    if isinstance(article, Article):  # fields of any type: checked like a dict's, not mutated
        article = {k: getattr(article, k) for k in ("id", "text", "source", "url", "published_at",
                                                     "lang", "title")}
    if isinstance(article, dict):
        text = article.get("text")
        a = Article(
            id=str(article.get("id", "")),
            text=text if isinstance(text, str) else "",
            source=_str_or_none(article.get("source")),
            url=_str_or_none(article.get("url")),
            published_at=_str_or_none(article.get("published_at")),
            lang=_str_or_none(article.get("lang")),
            title=_str_or_none(article.get("title")),
        )
        return a
    return None


def _str_or_none(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _sentences(paragraph: str) -> list[str]:
    """Sentences of a body paragraph (one of the segmenter's: not cut into lines again). A
    paragraph with line breaks is hard-wrapped text that the segmenter joined (wire copy), so
    its line ends are not sentence ends."""
    if "\n" in paragraph:
        paragraph = paragraph.replace("\r", "").replace("\n", " ")
    out = []
    for s in paragraph_sentences(paragraph):
        while len(s) > MAX_SENTENCE:
            cut = s.rfind(" ", 0, MAX_SENTENCE)
            cut = cut if cut > 0 else MAX_SENTENCE
            out.append(s[:cut])
            s = s[cut:].lstrip()
        if s:
            out.append(s)
    return out


@dataclass(slots=True)
class _Context:
    """What the whole article tells about each sentence: language, reference date, home."""
    article: Article
    lang: str
    ref: tuple[str | None, str]     # reference day (ISO) and its precision
    day: str | None                 # the day office holders are looked up on
    home: str | None                # outlet's / dateline agency's country
    local_refs: bool                # paragraphs may carry their own date line
    normalise: Callable[[str], str]  # ``normalise`` for the article's sentences
    lookups: int = 0


def _extract(article: Article | dict[str, Any]) -> list[Contact]:
    a = _as_article(article)
    if a is None or not (a.text.strip() or (a.title or "").strip()):
        return []
    gaz = gazetteer()
    # the article's normaliser serves the trigger test and then every sentence: which characters
    # need replacing is decided once per article (normalise_piece(x) == normalise(x) for pieces)
    norm_piece = normaliser(a.text + "\n" + (a.title or ""))
    if not _may_report_contact(gaz, a.title or "", norm_piece) and \
            not _may_report_contact(gaz, a.text, norm_piece):
        return []  # no call/meet/visit/talks word anywhere: most news, decided in one pass
    sample = a.text if a.text.strip() else (a.title or "")
    lang = a.lang if a.lang in ("ar", "fa", "en") and _lang_plausible(a.lang, sample) else detect_lang(sample)
    ref = _reference(a.published_at, a.text)
    dated_feed = _has_day(a.published_at)
    ctx = _Context(
        article=a, lang=lang, ref=ref,
        day=ref[0] if ref[1] in ("day", "month") else None,
        home=gaz.outlet_country(a.source),
        # without a day from the feed, paragraphs look for their own date line (a second
        # article pasted into the page carries its own) when the page states any day at all
        local_refs=not dated_feed and any(p == "day" for _, p, _ in dates.page_dates(a.text)),
        normalise=norm_piece,
    )
    stories = _stories(a.text, lang)
    if a.title and a.title.strip():  # the headline opens the first story
        if stories:
            stories[0].insert(0, (0, a.title.strip()))
        else:
            stories.append([(0, a.title.strip())])
    candidates: list[_Candidate] = []
    for seg_no, paragraphs in enumerate(stories):
        candidates.extend(_story_candidates(ctx, seg_no, paragraphs))
    return _merge(a, lang, candidates)


def _story_candidates(ctx: _Context, seg_no: int, paragraphs: list[tuple[int, str]]) -> list[_Candidate]:
    """Reports of contacts in one story, with the story's mode context and topics applied."""
    gaz = gazetteer()
    para_topics: list[set[str]] = []
    para_dated: list[bool] = []      # per paragraph: any date word or digit
    contact_paras: list[int] = []
    subject: str | None = None       # the story's last acting country (pronoun carry-over)
    cands: list[_Candidate] = []
    story_modes: set[str] = set()    # modes the story's cues speak for (phone, summit ...)
    # The gazetteer's hits of every sentence of the story first, then the analysis: the
    # automaton (several MB) stays in the CPU caches for the whole run of look-ups instead of
    # being evicted by the analysis between two sentences (a few per cent of the time).
    found = [[(s_no, sentence, norm, gaz.find(norm, sentence))
              for s_no, sentence in enumerate(_sentences(paragraph))
              if (norm := ctx.normalise(sentence))]
             for _, paragraph in paragraphs]
    for p_no, (p_offset, paragraph) in enumerate(paragraphs):
        p_ref: tuple[str | None, str] | None = None
        p_dated = False
        p_cands: list[_Candidate] = []
        found_topics: set[tuple[str, str]] = set()
        for s_no, sentence, norm, mentions in found[p_no]:
            kinds = frozenset().union(*[m.kinds for m in mentions])
            s_dated = "dateword" in kinds or _DIGIT_RE.search(norm) is not None
            p_dated = p_dated or s_dated
            if kinds.isdisjoint(CONTACT_TRIGGERS) or kinds.isdisjoint(_ACTOR_KINDS):
                # no contact trigger, or nobody to have the contact (most sentences)
                subject, ctx.home = _skim(mentions, s_no, ctx.day, subject, ctx.home, found_topics)
                continue
            facts = analyse(norm, mentions, ctx.day, ctx.lang)
            found_topics |= facts.topics
            if s_no == 0:
                for pos, country in facts.agencies:
                    if pos <= _DATELINE_CHARS and country:
                        ctx.home = country
            live = live_triggers(facts)
            new, subject = _sentence_contacts(facts, live, ctx.home, subject)
            if live:  # cues of sentences reporting something that happened
                if facts.has("summit") or (facts.has("sidelines") and not facts.has("conference")):
                    story_modes.add("multilateral")
                if facts.has("conference"):
                    story_modes.add("third-party")
                if facts.has("call"):
                    story_modes.add("phone")
            if not new:
                continue
            if p_ref is None:
                p_ref = _paragraph_reference(ctx, p_offset)
            scale = len(sentence) / len(norm)  # norm offsets -> sentence offsets (near enough)
            for pair, decision, actors, conf, talk_only, verb in new:
                p_cands.append(_Candidate(pair, decision, actors, sentence, p_no, seg_no,
                                          conf, talk_only, paragraph, p_ref, (s_dated, False),
                                          verb_at=round(verb * scale)))
            contact_paras.append(p_no)
        for c in p_cands:  # the paragraph's date words are known only now
            c.dated = (c.dated[0], p_dated)
        cands.extend(p_cands)
        para_dated.append(p_dated)
        para_topics.append(paragraph_topics(found_topics, ctx.ref[0]))
    for c in cands:
        if not c.dated[1]:
            c.neighbours = _neighbours(paragraphs, para_dated, c.paragraph)
    for c in cands:
        if not c.decision.explicit:
            c.decision = _story_mode(c, story_modes)
        elif c.decision.mode == "third-party" and "multilateral" in story_modes:
            # a meeting abroad during a summit the story reports: organisation context
            c.decision = ModeDecision("multilateral", None, None, True)
    owned = assign(para_topics, contact_paras)
    story_topics = set().union(*para_topics) if para_topics else set()
    for c in cands:
        # a contact in the headline/lead sums up the story: it carries the story's topics
        c.topics = story_topics if c.paragraph == 0 else owned.get(c.paragraph, set())
    return cands


def _neighbours(paragraphs: list[tuple[int, str]], dated: list[bool], p: int) -> str | None:
    """Date context for a paragraph without any date word: the dated ones of the previous and
    next body paragraphs around it (their ends nearest to it; parsing dates costs), or None."""
    before = paragraphs[p - 1][1][-_NEIGHBOUR_CHARS:] if p > 0 and dated[p - 1] else ""
    after = paragraphs[p + 1][1][:_NEIGHBOUR_CHARS] if p + 1 < len(paragraphs) and dated[p + 1] else ""
    if not before and not after:
        return None
    return "\n".join((before, paragraphs[p][1], after))


def _may_report_contact(gaz, text: str, norm_piece: Callable[[str], str] = normalise) -> bool:
    """Is there a contact trigger word anywhere? Checked in overlapping chunks, so an article
    about a contact (trigger near the top) costs little and one without costs one pass."""
    step = _TRIGGER_CHUNK
    for i in range(0, len(text), step):
        if gaz.has_trigger(norm_piece(text[max(0, i - 60):i + step])):
            return True
    return False


def _paragraph_reference(ctx: _Context, p_offset: int) -> tuple[str | None, str]:
    """The reference date for a paragraph: the article's, or without a day from the feed, the
    page's date line nearest to the paragraph (bounded number of page scans per article)."""
    if ctx.local_refs and p_offset > 0 and ctx.lookups < _MAX_REF_LOOKUPS:
        ctx.lookups += 1
        return _reference(ctx.article.published_at, ctx.article.text, p_offset)
    return ctx.ref


def _lang_plausible(lang: str, text: str) -> bool:
    """The feed's language tag, unless the script says otherwise (feeds mislabel)."""
    arabic_script = _ARABIC_RE.search(text, 0, 400) is not None
    return arabic_script == (lang in ("ar", "fa"))


def _skim(mentions: list[Mention], s_no: int, day: str | None, subject: str | None,
          home: str | None, found_topics: set[tuple[str, str]]) -> tuple[str | None, str | None]:
    """What a sentence without a contact trigger contributes: topic keywords, an agency
    dateline (first sentence of a paragraph), and a named office holder as the story's subject."""
    holder_seen = False
    for m in mentions:
        if m.topics:
            found_topics.update(m.topics)
        if "agency" in m.kinds and s_no == 0 and m.start <= _DATELINE_CHARS:
            home = next((e.value for e in m.entries if e.kind == "agency" and e.value), home)
        if not holder_seen and "holder" in m.kinds:
            h = pick_holder(list(m.entries), day)
            if h is not None:
                subject, holder_seen = h.country, True
    return subject, home


_Report = tuple[tuple[str, str], ModeDecision, list[Actor], float, bool, int]


def _sentence_contacts(facts: SentenceFacts, live: list, home: str | None, subject: str | None
                       ) -> tuple[list[_Report], str | None]:
    """Pairs reported by one sentence, and the story subject after it."""
    for s in facts.slots:
        if s.kind == "ours" and s.country is None:
            s.country = home  # "وزیر خارجه کشورمان": the home country (unknown: no actor)
    strong = [s for s in facts.slots if s.country and s.strength >= 2]
    next_subject = strong[0].country if strong else subject
    if not live:
        return [], next_subject
    if _drop_reported_content(facts, live):
        strong = [s for s in facts.slots if s.country and s.strength >= 2]
    slots, implicit = _parties(facts, live, strong, home, subject)
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
    # one meeting of them all: a summit, "trilateral", or "met his Russian and Turkish
    # counterparts" (in person; phone calls with several counterparts are separate calls)
    joint = facts.has("summit") or facts.has("joint") or (
        _counterpart_group(slots, facts.norm) and not facts.has("separate") and not facts.has("call")
        and any(t.kind in _IN_PERSON for t in live))
    if n == 2 or _coordinated(facts.norm, slots, order):
        # two parties; or "بوتين ونتنياهو ناقشا ... خطة ترامب": the coordinated subjects
        pairs = [(order[0], order[1])]
    elif joint:
        pairs = [p for p in combinations(order, 2) if not (p[0] in dest and p[1] in dest)]
    else:
        pairs = [(first, other) for other in order[1:]]
    talk_only = all(t.kind == "talk" for t in live)
    strong_trigger = any(t.kind in _STRONG_TRIGGERS for t in live)
    out: list[_Report] = []
    for x, y in pairs:
        pair = (x, y) if x < y else (y, x)
        partner = next((s for s in slots if s.country == (y if x == first else x)), None)
        decision = decide_mode(facts, pair, first, live, n, partner.pos if partner else None, joint)
        actors = [_actor(slots, c) for c in pair]
        named_sides = sum(1 for c in pair if any(s.country == c and s.strength >= 2 for s in slots))
        # the verb reporting this pair: the live trigger nearest to the partner (its date is
        # the one next to it when the sentence has two)
        verb = live[0]
        if len(live) > 1 and partner is not None and partner.pos >= 0:
            verb = min(live, key=lambda t: abs(t.pos - partner.pos))
        out.append((pair, decision, actors,
                    _confidence(named_sides, decision.explicit, strong_trigger, implicit), talk_only,
                    verb.pos))
    return out, first


def _parties(facts: SentenceFacts, live: list, strong: list[Slot], home: str | None,
             subject: str | None) -> tuple[list[Slot], bool]:
    """The actor slots taking part in the sentence's contact (in text order), and whether one
    side was inferred (home country, story subject) rather than named."""
    norm = facts.norm
    trig_pos = [(t.pos, t.end) for t in live]
    first_trigger = min(t.pos for t in live)

    def near_trigger(s: Slot, limit: int = _NEAR_TRIGGER) -> bool:
        # words between the slot and a trigger (spaces - 1; ``norm`` has single spaces)
        return any(norm.count(" ", min(s.end, tp), max(s.pos, te)) - 1 <= limit for tp, te in trig_pos)

    def bare_actor(s: Slot) -> bool:
        # a bare name acts as a subject ("قطر وأمريكا تبحثان") or a partner ("talks with Turkey"),
        # never as the topic of the talks ("discussed the war between Israel and Hamas")
        if s.pos < first_trigger and near_trigger(s) and not any(
                ch in ",;:" for ch in norm[s.end:first_trigger]):
            return True
        return near_trigger(s, 3) and prev_word(norm, s.pos - len(_clitic(norm, s.pos))) in _WITH_WORDS

    slots = list(strong)
    if len({s.country for s in strong}) < 2:
        slots += [s for s in facts.slots if s.country and s.strength == 1 and bare_actor(s)]
        slots += _between(facts, live, slots)
    if facts.hosted_at is not None:
        # the host of an event ("Oman hosted talks between ...") is its venue, not a party
        hosts = [s for s in facts.slots if s.country and s.pos < facts.hosted_at]
        slots = [s for s in slots if s.pos > facts.hosted_at]
        if hosts:
            facts.places.append(Place(hosts[-1].country, hosts[-1].pos, "name", True))
    if len({s.country for s in slots}) < 2 and any(t.kind == "visit" for t in live):
        # "a visit to Brazil", "زيارته لسلطنة عمان": the destination hosts the visit
        slots += [Slot(p.pos, p.pos, p.country, None, None, 1, "host")
                  for p in facts.places if p.destination and p.form_kind != "demonym"]
    if facts.posted_to and slots and all(s.role == "ambassador" for s in slots):
        # "X met the Australian ambassador in Iran": an envoy's unnamed host is his host state
        slots += [Slot(len(norm), len(norm), c, None, None, 1, "host") for c in facts.posted_to]
    # an actor without a country word is the home country's when it is the sentence's subject
    # ("العمانية: تلقى وزير الخارجية اتصالا من ..."), not when it is the other side
    first_known = min((s.pos for s in slots), default=len(norm))
    unknown = [s for s in facts.slots if s.country is None and s.kind == "title" and s.pos < first_known]
    implicit = False
    if unknown and home and home not in {s.country for s in slots}:
        u = unknown[0]
        slots.append(Slot(u.pos, u.end, home, u.role, None, 0, "implicit"))
        implicit = True
    countries = {s.country for s in slots}
    if len(countries) == 1 and subject and subject not in countries and not unknown and \
            all(s.pos > first_trigger or _after_with(norm, s) for s in slots) and \
            any(t.kind in _STRONG_TRIGGERS for t in live):
        # "He also met the Japanese FM": the other side is the story's subject
        slots.append(Slot(-1, -1, subject, None, None, 0, "implicit"))
        implicit = True
    slots.sort(key=lambda s: s.pos)
    if all(s.kind == "host" for s in slots):
        # "nationals who travelled to Iraq and Syria": destinations without a visitor
        return [], implicit
    if len({s.country for s in slots}) > 2:
        # a third country in another clause ("، وذلك على ضوء دعوة الرئيس الأميركي") is not a party
        breaks = [c.pos for c in facts.cues if c.kind == "clause" and c.pos > first_trigger]
        if breaks:
            slots = [s for s in slots if s.pos < breaks[0]]
    return slots, implicit


def _between(facts: SentenceFacts, live: list, taken: list[Slot]) -> list[Slot]:
    """"talks between Iran and the United States", "محادثات بين إيران والولايات المتحدة": bare
    names right after a trigger's "between" are the parties (not "the war between X and Y")."""
    norm = facts.norm
    out: list[Slot] = []
    bare = [s for s in facts.slots if s.country and s.strength == 1 and s not in taken]
    for t in live:
        rest = norm[t.end:].split(" ", 3)
        words = [w for w in rest[:3] if w]
        if not words or words[0] not in _BETWEEN and not (len(words) > 1 and words[1] in _BETWEEN):
            continue
        chain_end = t.end
        for s in bare:
            if s.pos < t.end:
                continue
            gap = [w for w in norm[chain_end:s.pos - len(_clitic(norm, s.pos))].split()
                   if w not in _BETWEEN and w not in _CHAIN_FILLERS]
            if gap:
                break
            out.append(s)
            chain_end = s.end
    return out


def _after_with(norm: str, s: Slot) -> bool:
    """Is the slot the object of "with" (با وزیر خارجه ژاپن، مع وزير خارجية اليابان)? Then the
    sentence's subject is someone already named (Persian puts the verb last)."""
    return prev_word(norm, s.pos - len(_clitic(norm, s.pos))) in _WITH_ONLY or _clitic(norm, s.pos) == "ب"


def _actor(slots: list[Slot], country: str) -> Actor:
    """The best description of a side: a named office holder, else a title, else the country."""
    mine = [s for s in slots if s.country == country]
    best = max(mine, key=lambda s: (s.name is not None, s.role is not None), default=None)
    return Actor(best.name if best else None, best.role if best else None, country)


def _confidence(named_sides: int, explicit_mode: bool, strong_trigger: bool, inferred: bool) -> float:
    """How many independent cues agree that this is a contact between these two countries:
    each side named by an office holder/title/counterpart (0-2), a cue deciding the mode, a
    trigger that means contact by itself (call/meet/receive/visit, not just "discussed");
    a side inferred from context costs. 0.35 with no cue, 0.75 with all; ``_merge`` adds a date
    (+0.1) and repeated reports of the pair (+0.05 each)."""
    cues = named_sides + int(explicit_mode) + int(strong_trigger)
    return 0.35 + 0.08 * cues - (0.1 if inferred else 0.0)


_PLURAL_TITLES = ("وزراء", "وزرای", "قاده", "سران")


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


def _coordinated(norm: str, slots: list[Slot], order: list[str]) -> bool:
    """Are the first two actors joined by and/و ("Putin and Netanyahu", "بوتين ونتنياهو")?"""
    b = next((s for s in slots if s.country == order[1] and s.pos >= 0), None)
    if b is None:
        return False
    before = [s for s in slots if s.country == order[0] and 0 <= s.pos and s.end <= b.pos]
    if not before:
        return False
    a = before[-1]
    between = norm[a.end:b.pos].split()
    return between in (["و"], ["and"]) or (not between and _clitic(norm, b.pos) == "و")


def _story_mode(c: _Candidate, story_modes: set[str]) -> ModeDecision:
    """Mode of a report whose sentence has no mode cue ("they discussed ..."), from the story:
    talks in a story about phone calls were by phone; a meeting in a story about a summit or
    an organisation's meeting is multilateral, one at a conference third-party."""
    if c.talk_only and "phone" in story_modes:
        return ModeDecision("phone", None, None, False, 0)
    if "multilateral" in story_modes:
        return ModeDecision("multilateral", None, None, False, 0)
    if "third-party" in story_modes:
        return ModeDecision("third-party", None, None, False, 0)
    return c.decision


def _merge(a: Article, lang: str, candidates: list[_Candidate]) -> list[Contact]:
    """One contact per pair: the most confident report, the mode an explicit cue decided,
    the date any report of the pair gave, the topics of all its reports."""
    by_pair: dict[tuple[str, str], list[_Candidate]] = {}
    for c in candidates:
        by_pair.setdefault(c.pair, []).append(c)
    out = []
    date_cache: dict = {}
    for pair, cands in by_pair.items():
        best = max(cands, key=lambda c: (c.decision.strength, c.confidence, -c.segment, -c.paragraph))
        date, precision = best.event_date(lang, date_cache)
        if not date:  # another report of the same pair in the same story may say when
            for c in cands:
                if c is not best and c.segment == best.segment:
                    date, precision = c.event_date(lang, date_cache)
                    if date:
                        break
        topics = set()
        for c in cands:
            topics |= c.topics
        # confidence: cues that agreed (see _sentence_contacts), a date, repeated reports
        conf = min(0.99, best.confidence + (0.1 if date else 0.0) + 0.05 * (len(cands) - 1))
        out.append(Contact(
            article_id=a.id, countries=list(pair), mode=best.decision.mode,
            date=date, date_precision=precision if date else "none",
            visitor=best.decision.visitor if best.decision.mode == "visit" else None,
            host=best.decision.host if best.decision.mode == "visit" else None,
            actors=best.actors, topics=sorted(topics), evidence=best.evidence.strip(),
            confidence=round(conf, 2), lang=lang, source=a.source, url=a.url,
            published_at=a.published_at,
        ))
    return out


# ---- collaborators: boilerplate segmentation and dates ----

def _stories(text: str, lang: str) -> list[list[tuple[int, str]]]:
    """The article's stories as lists of (offset, body paragraph). A related-articles list ends
    a story (an article pasted after "read also" is a story of its own); furniture does not."""
    stories: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for seg in boilerplate.segment(text, lang):
        if seg.kind == "body":
            if seg.text.strip():
                current.append((seg.start, seg.text))
        elif seg.kind == "related" and current:
            stories.append(current)
            current = []
    if current:
        stories.append(current)
    return stories


def _has_day(published_at: str | None) -> bool:
    p = dates.parse_published(published_at)
    return p is not None and p.precision == "day"


def _reference(published_at: str | None, text: str, at: int | None = None) -> tuple[str | None, str]:
    ref, precision = dates.reference_date(published_at, text, at)
    if ref is None:
        return None, "none"
    return (ref.isoformat() if hasattr(ref, "isoformat") else str(ref)), precision


def _event_date(sentence: str, ref_day: str | None, ref_precision: str, lang: str,
                paragraph: str, near: int | None = None, bounded: bool = True) -> tuple[str | None, str]:
    """The sentence's event date (``dates.resolve_event_date``; its paragraph, or its
    neighbour paragraphs, as context; the expression nearest to the verb ``near``)."""
    ref = dt.date.fromisoformat(ref_day) if ref_day else None
    # the context is the paragraph around the sentence (bounded: parsing dates costs); a
    # one-sentence paragraph is no extra context
    context = None
    if len(paragraph) > len(sentence) + 2:
        i = paragraph.find(sentence)
        context = paragraph if i < 0 or not bounded else \
            paragraph[max(0, i - _DATE_CONTEXT):i + len(sentence) + _DATE_CONTEXT]
    date, precision = dates.resolve_event_date(sentence, ref, ref_precision, lang, context, near)
    return (date, precision) if date else (None, "none")
