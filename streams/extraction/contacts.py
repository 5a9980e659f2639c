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
from typing import Any, Callable

from streams.extraction import boilerplate, dates
from streams.extraction.actors import CONTACT_TRIGGERS, analyse, pick_holder
from streams.extraction.confidence import probability, vector
from streams.extraction.gazetteer import Mention, gazetteer
from streams.extraction.langid import detect_lang
from streams.extraction.normalise import normalise, normaliser
from streams.extraction.sentences import paragraph_sentences
from streams.extraction.topics import assign, paragraph_topics
from streams.extraction.pairs import sentence_contacts
from streams.extraction.phenomena import actor_type
from streams.extraction.triggers import ModeDecision, live_triggers, multilateral_summit, sidelines_of_gathering
from streams.knowledge.loader import KnowledgeError
from streams.records import Actor, Article, Contact

log = logging.getLogger(__name__)

MAX_SENTENCE = 1500      # characters: longer "sentences" (lists, markup) are cut into pieces
_DATELINE_CHARS = 40     # an agency name this close to a paragraph's start is its dateline
# a place, an agency in brackets and a dash or colon open a paragraph: "CAIRO (Reuters) -",
# "ISLAMABAD, Feb 27 (APP):", "دبي، الإمارات العربية المتحدة (CNN)--"
_DATELINE_RE = re.compile(r"[^()]{2,60}?\([^()]{2,25}\) ?(?:--|-|—|–|:)")
_DATELINE_KEEP = frozenset({"agency", "holder", "title"})
_DIGIT_RE = re.compile(r"\d")
_ACTOR_KINDS = frozenset({"country", "holder", "title", "counterpart"})
_TITLED = frozenset({"holder", "title"})
_ARABIC_RE = re.compile("[\u0600-\u06ff]")
_TRIGGER_CHUNK = 2000   # characters normalised at a time when looking for any trigger
_DATE_CONTEXT = 300     # characters of the paragraph around a sentence searched for its date
_NEIGHBOUR_CHARS = 600   # characters of a neighbour paragraph searched for a date
_MAX_REF_LOOKUPS = 8     # per article: each scans the page's dates (bounded cost on huge pages)




@dataclass(slots=True)
class _Candidate:
    pair: tuple[str, str]
    decision: ModeDecision
    actors: list[Actor]
    evidence: str
    paragraph: int
    segment: int
    score: float          # agreeing cues (pairs._confidence): chooses the pair's best report
    talk_only: bool = False
    paragraph_text: str = ""
    ref: tuple[str | None, str] = (None, "none")
    dated: tuple[bool, bool] = (True, True)   # date words in (sentence, paragraph)
    topics: set[str] = field(default_factory=set)
    verb_at: int | None = None    # offset of the contact verb in ``evidence`` (approximate)
    # a paragraph without any date word: the previous, this and the next body paragraph
    # ("... said on Wednesday ..." / "He was speaking during a visit to Tehran ...")
    neighbours: str | None = None
    features: tuple = ()  # the sentence's features of the confidence model

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
    """Every diplomatic contact the article reports, one per country pair. Never raises on any
    article; raises ``KnowledgeError`` when the knowledge base cannot be loaded."""
    global _errors
    try:
        return _extract(article)
    except KnowledgeError:
        raise  # a missing or malformed knowledge file is no article's fault: it stops the worker
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
    own_voice: bool                 # the outlet is the home state's government (Gazetteer.government_site)
    national: bool                  # the outlet is a national news agency (gazetteer.national_agency)
    local_refs: bool                # paragraphs may carry their own date line
    normalise: Callable[[str], str]  # ``normalise`` for the article's sentences
    lookups: int = 0


def explain(article: Article | dict[str, Any]) -> list[tuple[Contact, tuple[float, ...]]]:
    """``extract_contacts`` with each contact's feature vector of the confidence model
    (``confidence.FEATURES`` order): for fitting and inspecting the model
    (bench/fit_confidence.py). Raises what ``_extract`` raises."""
    return _extract(article, with_features=True)


def _extract(article: Article | dict[str, Any], with_features: bool = False) -> list:
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
        own_voice=gaz.government_site(a.source),
        national=gaz.national_agency(a.source),
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
    return _merge(a, lang, candidates, with_features)


def _story_candidates(ctx: _Context, seg_no: int, paragraphs: list[tuple[int, str]]) -> list[_Candidate]:
    """Reports of contacts in one story, with the story's mode context and topics applied."""
    gaz = gazetteer()
    para_topics: list[set[str]] = []
    para_dated: list[bool] = []      # per paragraph: any date word or digit
    contact_paras: list[int] = []
    # the story's last acting country (pronoun carry-over); a government's own release speaks of
    # its own state until it names another ("Telephone conversation with President of China")
    subject: str | None = ctx.home if ctx.own_voice else None
    cands: list[_Candidate] = []
    story_modes: set[str] = set()    # modes the story's cues speak for (phone, summit ...)
    # The gazetteer's hits of every sentence of the story first, then the analysis: the
    # automaton (several MB) stays in the CPU caches for the whole run of look-ups instead of
    # being evicted by the analysis between two sentences (a few per cent of the time).
    found = [[(s_no, sentence, norm, _off_dateline(norm, gaz.find(norm, sentence)) if s_no == 0
               else gaz.find(norm, sentence))
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
                if subject is None and p_no == 0 and s_no == 0 and not kinds.isdisjoint(_TITLED):
                    # the headline or lead names who speaks or acts ("Address by the President
                    # of Ukraine"): the subject of "I spoke with ...", "Discussed with ..."
                    subject = _lead_subject(analyse(norm, mentions, ctx.day, ctx.lang))
                continue
            facts = analyse(norm, mentions, ctx.day, ctx.lang)
            found_topics |= facts.topics
            if s_no == 0:
                for pos, country in facts.agencies:
                    if pos <= _DATELINE_CHARS and country:
                        ctx.home = country
            live = live_triggers(facts)
            new, subject = sentence_contacts(facts, live, ctx.home, subject, ctx.own_voice, ctx.national)
            if live:  # cues of sentences reporting something that happened
                if (facts.has("summit") and multilateral_summit(facts, 0)) or \
                        sidelines_of_gathering(facts):
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
            for pair, decision, actors, score, talk_only, verb, feats in new:
                p_cands.append(_Candidate(pair, decision, actors, sentence, p_no, seg_no,
                                          score, talk_only, paragraph, p_ref, (s_dated, False),
                                          verb_at=round(verb * scale), features=feats))
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


def _off_dateline(norm: str, mentions: list[Mention]) -> list[Mention]:
    """A paragraph's dateline ("WASHINGTON (Reuters) -", "دبي، الإمارات العربية المتحدة (CNN)--")
    says where the report was filed: its place names are neither parties nor venues (its agency
    still names the home state)."""
    d = _DATELINE_RE.match(norm)
    if d is None:
        return mentions
    end = d.end()
    return [m for m in mentions if m.start >= end or "country" not in m.kinds
            or not m.kinds.isdisjoint(_DATELINE_KEEP)]


def _lead_subject(facts) -> str | None:
    """The first state actor a story's opening sentence names with a title or office holder."""
    actor_type(facts)
    return next((sl.country for sl in facts.slots if sl.country and sl.strength >= 2), None)


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


def _merge(a: Article, lang: str, candidates: list[_Candidate], with_features: bool = False) -> list:
    """One contact per pair: the most confident report, the mode an explicit cue decided,
    the date any report of the pair gave, the topics of all its reports."""
    by_pair: dict[tuple[str, str], list[_Candidate]] = {}
    for c in candidates:
        by_pair.setdefault(c.pair, []).append(c)
    out = []
    date_cache: dict = {}
    for pair, cands in by_pair.items():
        best = max(cands, key=lambda c: (c.decision.strength, c.score, -c.segment, -c.paragraph))
        date, precision = best.event_date(lang, date_cache)
        ahead = precision == dates.AHEAD
        if not date:  # another report of the same pair in the same story may say when
            for c in cands:
                if c is not best and c.segment == best.segment:
                    date, precision = c.event_date(lang, date_cache)
                    if date:
                        break
        if ahead and not date and all(c.event_date(lang, date_cache)[1] == dates.AHEAD for c in cands):
            continue  # every report dates it after the article: planned ("from May 4 to 6" on May 3)
        if not date:
            precision = "none"
        topics = set()
        for c in cands:
            topics |= c.topics
        # confidence: the probability of the model of confidence.py over the best report's
        # features, its date, the pair's other reports, the headline and the language
        x = vector(best.features, bool(date), len(cands), best.segment == 0 and best.paragraph == 0, lang)
        conf = probability(x)
        contact = Contact(
            article_id=a.id, countries=list(pair), mode=best.decision.mode,
            date=date, date_precision=precision if date else "none",
            visitor=best.decision.visitor if best.decision.mode == "visit" else None,
            host=best.decision.host if best.decision.mode == "visit" else None,
            actors=best.actors, topics=sorted(topics), evidence=best.evidence.strip(),
            confidence=round(conf, 2), lang=lang, source=a.source, url=a.url,
            published_at=a.published_at,
        )
        out.append((contact, x) if with_features else contact)
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
    return (date, precision) if date or precision == dates.AHEAD else (None, "none")
