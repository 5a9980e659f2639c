"""The phenomena that make a report of a meeting not a contact, one named filter each, over the
candidates of one sentence (its triggers, actor slots and pairs). Each has its cue words per
language in ``streams/knowledge/cues/<lang>/<list>.txt`` (loaded by ``streams.knowledge.loader``,
found by the gazetteer's automaton as cues of the kind ``loader.CUE_LISTS`` names), and unit tests
in Arabic, Persian and English (``tests/unit/extraction/test_phenomena.py``). No rule here is
keyed to an article, an outlet or a name.

* ``modality``: the contact is planned, scheduled, expected, proposed or conditional ("will visit",
  "is to meet", "من المقرر أن", "سيلتقي", "يعتزم", "خواهد"; ``modality.txt``), dated ahead ("next
  week", "الأسبوع المقبل", "هفته آینده"; ``future_time.txt``), the purpose of a trip ("to meet",
  "للقاء", "برای دیدار"; ``purpose.txt``) or of a departure ("left for Muscat to meet ...",
  ``departure.txt``), still ahead of the sentence's own event ("before his meeting with", "قبل
  لقائه", "پیش از دیدار"; ``prior.txt``), or announced by a Persian present form right after its noun ("سفر
  می‌کند", ``announcement.txt``): the trigger is void. Talks after a planned trigger, and a
  visit framing it ("... during a visit to", ``during.txt``), belong to the same planned event.
  An expectation or proposal ("is also expected to", "proposed", "يتوقع أن", "اقترح", "انتظار
  می‌رود", ``expectation.txt``) voids the contact after it in its clause, not one before it nor
  the meeting "during" which it was made; an appeal ("called for", "urged", "ناشد", "خواستار
  مذاکره", ``appeal.txt``) voids only the talks it calls for, a few words on. A planned or
  cancelled summit voids the visit framing it and the talks after it in its own clause
  (``triggers.live_triggers``). ``onward_trip``: a departure with a destination, joined to a
  contact reported before it ("visited Saudi Arabia and then left for Ankara to meet ..."),
  opens a trip of its own whose actors and places are not that contact's.
* ``negation``: the contact is denied, cancelled, refused or did not happen ("did not meet",
  ``negation.txt``; "denied", "no truth to reports", "نفى", "تکذیب", ``denial.txt``): the trigger
  is void. ``excluded``: a country a tour "does not include" ("ولا تتضمن", ``exclusion.txt``) is no
  party, nor the place a traveller came from ("arriving from", "قادما من", "پس از ترک",
  ``origin.txt``). ``void_arguments``: the actors after the "between"/"with" of a void contact
  word ("to discuss a possible summit between ...") are its parties, not the held contact's.
* ``speech_act``: interviews and invitations are not consultations: the sentence reports no
  contact (``speech_act.txt``); ``questioned``: a trigger inside the question a sentence ends
  with ("?", "؟") is void; ``named_as``: English "called X "..."" gives X a name, it phones
  nobody; ``message_act``: a receiving, calling or talking verb whose object
  is a written message, cable or letter reports that message (``message.txt``), a receiving
  verb whose object is aid, weapons or money a delivery (``goods.txt``);
  ``statement_act``: a visit or talks welcomed, condemned or praised in a statement are its
  object, not a contact of the speaker (``statement.txt``), and so is a thing a Persian receive
  verb takes with از ("از توافق ... استقبال کرد", welcomed the agreement); a trigger word in another
  sense ("so-called", "وسائل الاتصال", "شماره تماس", ``other_sense.txt``) is no trigger: the
  longer form wins the gazetteer's longest-match selection (``actors._select``).
  ``commented_topic``: talks named right after "about" ("درباره"، "حول") beside another contact
  word are its topic, not a contact (unless they are the speaker's own).
* ``actor_type``: officials of international organisations act for no state
  (``organisation.txt``, applied where titles take their country: ``actors._attach_title``);
  former officials, the opposition, business delegations and private persons neither
  (``non_state.txt``): such actors are dropped.
* ``gathering_scope``: a small named group (a trilateral, counterparts met together) gives every
  pair; a large gathering (a summit in a sentence naming five or more countries) gives no pair for its list
  of members, only the first party's meetings with the others when one party is the subject;
  several subjects of a visit or call visit or call each of its objects, coordinated subjects
  meeting an official are one meeting of the three; unnamed officials, ambassadors or leaders of
  several states met by a party are met one by one; otherwise the first party meets each other one.
* ``attachment``: a third country after a word opening a new clause is not a party of the
  contact before it (``clause.txt``), unless a later trigger opens a contact of its own there.
  Unnamed officials with no country of their own take the states after "in" ("met senior
  officials in Jordan and Iraq", ``officials.txt``, applied in ``actors._attach_title``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations
from operator import attrgetter

from streams.extraction.actors import CONTACT_TRIGGERS, Cue, SentenceFacts, Slot, glued_before, prev_word
from streams.extraction.normalise import normalise
from streams.knowledge import loader

_VOID_WINDOW = {"ar": 10, "en": 8}  # words between a future/negation cue and its trigger
_VOID_WINDOW_FA = 15  # Persian (SOV): "قرار است" opens the clause, the verb closes it
_FUTURE_BACK_FA = 20  # Persian: words between a meeting's noun and the future auxiliary closing its clause
_AFTER_TIME = 3       # words between a trigger and a time ahead after it ("يلتقي نظيره ... المقبل")
_PURPOSE_GAP = 1      # words between a purpose cue and the meeting it introduces
_GUEST_GAP = 2        # Persian: words after از before its actor that make the object a thing
_APPEAL_GAP = {"ar": 5}  # words between an appeal and the talks it calls for ("urged direct
                         # talks"; Arabic puts the subject between: "ناشد وزير الخارجية ... بعقد")
_DEPARTURE_SPAN = 15  # words between a departure and its purpose
_NONSTATE_GAP = 2     # words between a non-state cue and the actor it describes
_MESSAGE_GAP = 4      # words between a receiving/calling verb and the message it takes ("the ... Freedom Award")
_LARGE_GATHERING = 5  # countries named: a summit of this many is a large gathering
_MESSAGE_VERBS = frozenset({"receive", "call", "talk"})
_NAMING_VERBS = frozenset({"call", "called", "calls", "calling"})  # English: "called X "..."" names X
_NAMING_WORDS = 4     # words between a naming verb and the quotation it names its object with
_NAMING_SPAN = 80     # characters looked at after it
_MODALITY_KINDS = frozenset({"future", "expect", "appeal", "future_time", "purpose", "prior", "announce",
                             "departure"})
_NEGATION_KINDS = frozenset({"negation", "reject", "denial"})
_EVENTS = frozenset({"visit", "meet", "talk", "summit", "conference"})
_POSSESSIVES = frozenset({"his", "her", "their", "its", "our", "my"})
_EXCLUDED_GAP = 3     # words between an exclusion cue and the country it excludes ("a visit to")
_VOID_ARG_GAP = 5     # words between a void contact word and its "between"/"with" ("قمة مرتقبة محتملة بين")
GATHERINGS = frozenset({"summit", "conference"})  # gathering words (triggers.live_triggers reads it too)
_PREMODIFIED = frozenset({"future", "expect", "negation", "denial"})  # cues a premodified void noun follows
_PREMODIFIER_SPAN = 4  # words between such a cue and the noun ("ahead of the Trump-Zelenskyy meeting")
_ARG_WORDS = frozenset({"between", "with", "بين", "مع", "ميان", "با"})
_FRAME_GAP = 4        # words between "during" and the visit it names ("during his four-day state visit")
_ORIGIN_GAP = 1       # words between an origin cue and the place ("arriving from neighbouring Jordan")
_OR_AND = frozenset({"and", "or", "nor", "و", "او", "ولا", "يا"})
_IN_PERSON = frozenset({"meet", "receive", "visit"})
_PARTY_VERBS = frozenset({"meet", "receive", "visit", "call"})
_LEADERS = frozenset({"head_of_state", "head_of_government"})
_COMMENT_GAP = 1      # words between a comment cue and the contact word ("عن الزيارة التي")
_COMMENT_GAP_EN = 5   # English: "on the Saudi crown prince's visit"
_POSSESSIVES = frozenset({"his", "her", "their", "its", "my", "our"})
# pronoun endings on an Arabic or Persian contact word (after the match): زيارته، لقائهم، سفرش (a
# lone ه is the folded ta marbuta of زيارة)
_POSSESSIVE_SUFFIXES = frozenset({"ها", "هم", "هما", "يه", "يها", "يهم", "ش", "شان", "اش"})
# words of plural and dual titles (normalised): "وزراء", "وزيرا خارجية", "سفراء", "روسای جمهور",
# "نخست وزیران"; English plurals end in -s
_PLURAL_TITLES = frozenset({"وزراء", "وزراي", "وزيران", "وزيرا", "وزيري", "قاده", "سران", "رهبران", "روساء", "روساي",
                            "زعماء", "سفراء", "سفراي", "سفيران", "وسطاء", "الوسطاء", "ميانجيگران", "نمايندگان",
                            "ممثلي", "ممثلو", "مبعوثي", "مبعوثو", "مقامات", "مسيولان", "مسوولي", "مسوولو"})
_NOT_PLURAL = frozenset({"affairs", "arms"})


def _words(norm: str, a: int, b: int) -> int:
    return len(norm[a:b].split()) if b > a else 0


def _window(b: Cue) -> int:
    """Words a cue before a trigger reaches over in its clause."""
    return _VOID_WINDOW_FA if b.lang == "fa" else _VOID_WINDOW.get(b.lang, 8)


# a short aside between commas that does not end a clause (a closed list: "officials said" does)
_PARENTHETICAL = re.compile(r", ?(?:inter alia|among other things|in particular|notably|also|in addition|"
                            r"على وجه الخصوص|من بين أمور أخرى|أيضا|كذلك|خصوصا|از جمله|همچنین|به ویژه) ?,")


def _cut(span: str) -> bool:
    """Does a clause end inside ``span`` (a comma, or a colon opening a quotation)?"""
    return "," in span or ":" in span


def _in_scope(b: Cue, t: Cue, norm: str) -> bool:
    """Is trigger ``t`` in the scope of the modality or negation cue ``b``? Before it in the same
    clause (Persian negation only right before its noun: "هیچ دیداری"); in Arabic a future verb
    right after the noun ("لقاء ثلاثي سيعقد"); in Persian the auxiliary after the verb's object
    ("... دیدار خواهد کرد") or the negated verb right after its noun ("دیدار نکرد"); or the
    trigger word itself is the cue's form ("سيلتقي"). A comma or a colon (a quotation opens:
    "در تماس با همتای عراقی: ... ادامه خواهیم داد") ends the clause."""
    window = _window(b)
    if b.lang == "fa" and b.kind == "negation":
        window = 0
    if b.pos <= t.pos and _words(norm, b.end, t.pos) <= window and not _cut(_PARENTHETICAL.sub(" ", norm[b.end:t.pos])):
        return True   # (a short aside between commas does not end the clause: "will, inter alia, meet")
    if b.lang == "ar" and t.end <= b.pos and _words(norm, t.end, b.pos) <= 2 \
            and not _cut(norm[t.end:b.pos]) and not (
                b.kind in _NEGATION_KINDS and any(w in _RELATIVE for w in norm[t.end:b.pos].split())):
        return True  # a cancellation not through a relative clause ("الاجتماع الذي تأجل مرتين عقد")
    after = _FUTURE_BACK_FA if b.kind == "future" else _VOID_WINDOW_FA if b.kind == "reject" else 2
    if b.lang == "fa" and t.end <= b.pos and _words(norm, t.end, b.pos) <= after \
            and not _cut(norm[t.end:b.pos]) \
            and not (b.kind == "future" and _past_between(norm, t.pos, b.pos)):
        return True
    return b.pos < t.end and t.pos < b.end


@lru_cache(maxsize=None)
def text_words(kind: str, lang: str | None = None) -> frozenset[str]:
    """The normalised forms of a list read as words of the text (loader.TEXT_WORD_LISTS), of one
    language when ``lang`` is given (Arabic "من" is "from", Persian "من" is "I")."""
    return frozenset(normalise(c.form) for c in loader.load_cues() if c.kind == kind and lang in (None, c.lang))


def _past_between(norm: str, a: int, b: int) -> bool:
    """A past-tense verb closes the trigger's clause between offsets a and b ("دیدار کرد و ...
    هفته آینده"): a future cue after it is another clause's."""
    past = text_words("past")
    for w in norm[a:b].split():
        if w in past:
            return True
    return False


def modality(facts: SentenceFacts, t: Cue) -> bool:
    """Does trigger ``t`` report a contact that is only planned, expected or conditional?"""
    norm = facts.norm
    if _planned_noun(norm, t):
        return True
    if facts.cue_kinds.isdisjoint(_MODALITY_KINDS):
        return False  # most sentences: no cue of the kind at all
    for b in facts.cues:
        kind = b.kind
        if kind == "future":
            if _in_scope(b, t, norm) or _coordinated_future(b, t, norm) or _modal_predicate(facts, b, t):
                return True
        elif kind == "expect":
            # "is also expected to have meetings with", "اقترح عقد لقاء", "انتظار می‌رود ...
            # دیدار کند": the contact after it in its clause is expected or proposed
            if _overlap(b, t) or (b.pos <= t.pos and _words(norm, b.end, t.pos) <= _window(b)
                                  and "," not in norm[b.end:t.pos] and not _during(facts, b.end, t.pos)) \
                    or _modal_predicate(facts, b, t):
                return True
        elif kind == "appeal":
            # "called for an emergency meeting", "ناشد ... عقد": the object of the appeal
            # (a trigger starting before the appeal is not its object: "paid a courtesy call on");
            # "called on X" appeals only with "to" after it ("called on Israel to stop ..."),
            # else it is a courtesy visit ("called on the Prime Minister")
            if _on_without_to(b, norm):
                continue
            if (_overlap(b, t) and b.pos <= t.pos) or (b.end <= t.pos and _words(norm, b.end, t.pos) <= _APPEAL_GAP.get(b.lang, 3)
                                  and not _clause_break(facts, b.end, t.pos)
                                  and not _during(facts, b.end, t.pos)):
                return True
        elif kind == "future_time":
            if _time_ahead(b, t, norm):
                return True
        elif kind == "purpose":
            # "to meet", "للقاء", "برای دیدار": the meeting a trip is for
            if _overlap(b, t) or (b.end <= t.pos and _words(norm, b.end, t.pos) <= _PURPOSE_GAP):
                return True
        elif kind == "prior":
            # "before his meeting with", "قبل لقائه", "پیش از دیدار با": the contact noun right
            # after "before" is ahead of the sentence's own event; a clause between ("before the
            # two leaders met") is left alone, and so is the end of a visit ("before leaving
            # Tokyo at the end of a four-day visit": it was held)
            if b.end <= t.pos and _words(norm, b.end, t.pos) == 0 \
                    and not any(d.kind == "departure" and _overlap(d, t) for d in facts.cues):
                return True
        elif kind == "announce":
            # "سفر می‌کند", "دیدار می‌کنند": a present form right after the noun announces it
            if t.end <= b.pos and _words(norm, t.end, b.pos) <= 1 and "," not in norm[t.end:b.pos]:
                return True
        elif kind == "departure" and (_overlap(b, t) or b.pos <= t.pos):
            # "left Tehran for Muscat to meet ...", "غادر ... متوجها إلى مسقط للقاء ...": the trip
            # is under way; a trigger between the departure and its purpose is the trip itself
            for p in facts.cues:
                if p.kind == "purpose" and p.pos >= t.pos and p.pos > b.pos \
                        and _words(norm, b.end, p.pos) <= _DEPARTURE_SPAN:
                    return True
            # "departed from Sri Lanka today for a three-day official visit to the UAE", "غادر
            # ... متوجها إلى أبوظبي في زيارة رسمية": the visit is the trip just begun
            if t.kind == "visit" and b.end <= t.pos and _words(norm, b.end, t.pos) <= _DEPARTURE_SPAN \
                    and not _cut(norm[b.end:t.pos]) and _trip_frame(norm, t):
                return True
    return False


_NOUN_PHRASE_WORDS = frozenset({"with", "his", "her", "its", "their", "the", "of", "مع", "ب"})
# the possibility verbs a predicate starts with ("could produce"; not "will be remembered as
# historic", "would have been unthinkable": said of a meeting that was held)
_MODAL_VERBS = frozenset({"could", "may", "might", "قد"})
_NOUN_PHRASE_SPAN = 6  # words of a contact noun's own phrase before its modal predicate


def _last_words(norm: str, pos: int, n: int) -> list[str]:
    """The last ``n`` words before offset ``pos`` (split from the right: the sentence before them
    is not split)."""
    return norm[:pos].rsplit(None, n)[-n:]


def _planned_noun(norm: str, t: Cue) -> bool:
    """Is the contact noun ``t`` followed by a planning participle, right after it or after a
    comma ("the meeting scheduled between", "The visit, scheduled from June 11", "الزيارة،
    المقررة", "دیدار برنامه‌ریزی‌شده")?"""
    i = t.end
    while i < len(norm) and norm[i] not in " ,":
        i += 1  # to the end of the noun's word ("الزياره")
    words = norm[i:i + 40].lstrip(" ,").split(" ", 1)
    return bool(words) and words[0].rstrip(",.") in text_words("postnom", t.lang)


def _trip_frame(norm: str, t: Cue) -> bool:
    """Is the visit noun ``t`` the object of a trip frame ("for a three-day official visit",
    "في زيارة رسمية", "برای سفری"): one of trip_frame's words among the four words before it?"""
    frame = text_words("frame", t.lang)
    return any(w in frame for w in _last_words(norm, t.pos, 4))


def _modal_predicate(facts: SentenceFacts, b: Cue, t: Cue) -> bool:
    """A contact noun that is the subject of a modal or future predicate ("his meeting with his
    North Korean counterpart could produce ...", "لقاءه بنظيره الكوري الشمالي قد ينجم عنه"): the
    cue follows the noun's own phrase — nothing between them but its partners and "with"/"his"
    (Persian puts its modal before the verb, which modality's other rules read)."""
    norm = facts.norm
    if b.lang == "fa" or not t.end <= b.pos or _cut(norm[t.end:b.pos]) \
            or _words(norm, t.end, b.pos) > _NOUN_PHRASE_SPAN:
        return False
    if norm[b.pos:b.end].split(" ", 1)[0] not in _MODAL_VERBS:
        return False
    # the words of the partners: their slots and the country words naming them ("north korean")
    named = [(s.pos, s.end) for s in facts.slots if s.country] + facts.named
    at = norm.find(" ", t.end)   # past the rest of the noun's word ("لقاءه")
    while 0 <= at < b.pos:
        start = at + 1
        end = norm.find(" ", start)
        end = b.pos if end < 0 or end > b.pos else end
        word = norm[start:end]
        if word and word not in _NOUN_PHRASE_WORDS and not any(a < end and start < z for a, z in named):
            return False
        at = end if end < b.pos else -1
    return True


def _coordinated_future(b: Cue, t: Cue, norm: str) -> bool:
    """A verb joined by "and" to a future verb before it shares its future, however far: in Arabic
    an imperfect verb after "و", across a comma ("سيزور موسكو في 14 أيار، ويلتقي نظيره الروسي");
    in English a bare verb right after "and" or after "and" and a parenthesis between commas
    ("will present decorations and, together with X, meet ...") in the same sentence."""
    if b.pos >= t.pos:
        return False
    if b.lang == "ar":
        return norm.startswith("س", b.pos) and glued_before(norm, t.pos) == "و" \
            and norm[t.pos:t.pos + 1] in ("ي", "ت")
    if b.lang != "en" or norm[t.pos:].split(" ", 1)[0] not in text_words("bare"):
        return False
    between = norm[b.end:t.pos]
    if any(ch in between for ch in ".;:?!"):
        return False
    before = between.rstrip().rstrip(",").rstrip()
    if before.endswith(" and"):
        return True
    # "and, together with X, meet": a parenthesis between commas after "and"
    head, comma, _ = before.rpartition(",")
    return bool(comma) and head.rstrip().endswith(" and")


_TO_WORDS = 8  # words after "called on" within which "to" makes it an appeal


def _on_without_to(b: Cue, norm: str) -> bool:
    """An English appeal ending in "on"/"upon" with no "to" in the words after it."""
    if b.lang != "en" or not norm[b.pos:b.end].endswith((" on", " upon")):
        return False
    return "to" not in norm[b.end:].split()[:_TO_WORDS]


def _during(facts: SentenceFacts, a: int, b: int) -> bool:
    """A "during" word between offsets a and b ("proposed during his meeting with"): the
    trigger after it is the held event the proposal was made in."""
    return facts.has("during") and any(c.kind == "during" and a <= c.pos < b for c in facts.cues)


def _overlap(b: Cue, t: Cue) -> bool:
    return b.pos < t.end and t.pos < b.end


def _time_ahead(b: Cue, t: Cue, norm: str) -> bool:
    """A time ahead sets the time of what follows it in the sentence ("وتشهد العاصمة اليوم وغدا
    جولة مباحثات ...، كما يلتقي ..."), and dates a trigger just before it ("يلتقي نظيره العماني
    الأسبوع المقبل"; not across a comma or a Persian past verb). A contact reported before it
    ("met on Monday and will meet again next week") is not its."""
    if b.pos <= t.pos:
        return True
    # Persian puts the time before the verb that closes the clause ("سفر عراقچی به اسلام‌آباد
    # برای روزهای آینده پیش‌بینی می‌شود"): its window is the clause's
    reach = _VOID_WINDOW_FA if b.lang == "fa" else _AFTER_TIME
    return _words(norm, t.end, b.pos) <= reach and "," not in norm[t.end:b.pos] \
        and not _past_between(norm, t.pos, b.pos)


def framed_by_void(facts: SentenceFacts, t: Cue) -> bool:
    """Is trigger ``t`` the frame of the event before it ("will hold a meeting ... during a
    working visit to Qatar", "خلال زيارة", "در جریان سفر")? Called once an earlier trigger (or
    summit word, in its clause) of the sentence was found planned or denied: the frame shares
    its fate."""
    if not facts.has("during"):
        return False
    norm = facts.norm
    for b in facts.cues:
        if b.kind == "during" and b.end <= t.pos and _words(norm, b.end, t.pos) <= _FRAME_GAP:
            return True
    return False


def planned_before(facts: SentenceFacts, t: Cue) -> bool:
    """Is there a modality cue anywhere before ``t`` ("will travel to meet ... to discuss ...":
    talks after it belong to the same planned event)?"""
    if not facts.has("future"):
        return False
    for b in facts.cues:
        if b.kind == "future" and b.pos < t.pos:
            return True
    return False


def negation(facts: SentenceFacts, t: Cue) -> bool:
    """Does trigger ``t`` report a contact that is denied, cancelled or did not happen?"""
    if facts.cue_kinds.isdisjoint(_NEGATION_KINDS):
        return False
    norm = facts.norm
    for b in facts.cues:
        if b.kind == "negation":
            if _in_scope(b, t, norm) or _cancelled_after(b, t, norm) or _cancelled_object(facts, b, t):
                return True
        elif b.kind == "reject":
            # "رفض استقبال", "refused to meet"; but "جددتا رفضهما ... خلال لقاء": what was
            # rejected during a meeting, not the meeting
            if _in_scope(b, t, norm) and not _during(facts, b.end, t.pos):
                return True
        elif b.kind == "denial" and _denied(b, t, norm) and not _during(facts, b.end, t.pos):
            return True
    return False


_RELATIVE = frozenset({"الذي", "التي", "اللذين", "اللتين", "الذين"})
_SUBJECT_SPAN = 4  # words of a contact noun's own phrase before the verb that cancels it
# Persian closes the clause with that verb, after the traveller and the destination ("سفر وزیر امور
# خارجه ایران به عمان به تعویق افتاد")
_SUBJECT_SPAN_FA = 8
# words that end a contact noun's own phrase before a cancellation: a conjunction, the Persian
# object marker, a relative pronoun, a preposition opening the talks' topic ("talks on the
# terminated deal", "عقد الاجتماع الذي تأجل مرتين", "روادید ... را لغو کردند")
_NOT_SUBJECT = frozenset({"and", "و", "را", "that", "which", "who", "الذي", "التي", "اللذين", "كه",
                          "on", "over", "about", "to", "of", "علي", "حول", "بشان", "درباره", "پيرامون", "براي"})


_REFLEXIVE = frozenset({"خود", "خويش"})
_OBJECT_PREPOSITIONS = frozenset({"به", "با"})
_OBJECT_PHRASE = 3   # words after "به"/"با" in the phrase a cancelled contact noun heads
_CAUSE_SPAN = 8      # words between را and the cancelling verb ("را به دلیل تداوم حملات ... متوقف می‌کند")


def _cancelled_object(facts: SentenceFacts, b: Cue, t: Cue) -> bool:
    """Persian puts a cancelled contact before the verb as its object, marked by را ("سفر خود به
    سوئیس را لغو کرد", "دیدار با همتای سوئیسی را به تعویق انداخت"): the trigger heads the phrase
    before را — nothing between them but a reflexive and one short "به"/"با" phrase naming a party
    or a place (not "دیدار با همتای X روادید مقامات را لغو کرد": the visas are what is cancelled) — and
    the cancellation follows را in the same clause (no "and", no past verb between)."""
    norm = facts.norm
    if b.lang != "fa" or not t.end <= b.pos:
        return False
    head_end = norm.find(" ", t.end)   # past a suffix glued to the noun ("سفرش")
    ra = norm.find(" را ", head_end) if head_end >= 0 else -1
    if ra < 0 or ra >= b.pos or _words(norm, ra + 3, b.pos) > _CAUSE_SPAN or _cut(norm[t.end:b.pos]) \
            or "و" in norm[ra + 3:b.pos].split() or _past_between(norm, ra + 3, b.pos):
        return False   # another verb's clause between را and the cue
    words = norm[head_end:ra].split()
    if words and words[0] in _REFLEXIVE:
        words = words[1:]
    if not words:
        return True
    if words[0] not in _OBJECT_PREPOSITIONS or not 1 < len(words) <= _OBJECT_PHRASE + 1:
        return False
    return any(head_end <= s.pos < ra and s.country for s in facts.slots) or \
        any(head_end <= p.pos < ra for p in facts.places)


def _cancelled_after(b: Cue, t: Cue, norm: str) -> bool:
    """A cancellation closing the clause whose subject is the contact noun ("all trade talks with
    Canada are terminated", "المحادثات مع كندا ألغيت", "مذاکرات با کانادا لغو شد"): the cue a
    few words after it, no comma between and none of ``_NOT_SUBJECT`` (then the noun is not what
    is cancelled)."""
    if not t.end <= b.pos:
        return False
    if _after_word(norm, t):
        return False  # "after a call with X, the attack was stopped": a time, not the subject
    between = norm[t.end:b.pos]
    words = between.split()
    span = _SUBJECT_SPAN_FA if b.lang == "fa" else _SUBJECT_SPAN
    return _words(norm, t.end, b.pos) <= span and not _cut(between) \
        and not any(w in _NOT_SUBJECT for w in words)


def _after_word(norm: str, t: Cue) -> bool:
    """Is the contact noun ``t`` (or the noun it qualifies: "پس از گفت‌وگوی تلفنی") right after
    "after" ("following the talks", "بعد لقائه", "پس از دیدار")? Three words back."""
    words = _last_words(norm, t.pos, 3)
    after = text_words("after", t.lang)
    return any(w in after for w in words) or any(" ".join(words[i:i + 2]) in after for i in range(len(words) - 1))


def _denied(b: Cue, t: Cue, norm: str) -> bool:
    """A denial before the trigger in its clause ("denied reports of a call", "نفت ... إجراء
    اتصال"), or after it: right after it in Arabic and English ("the meeting was denied"),
    anywhere in the clause in Persian, whose denial verb closes it ("خبر تماس ... را تکذیب کرد")."""
    if _overlap(b, t):
        return True
    window = _window(b)
    if b.pos <= t.pos:
        return _words(norm, b.end, t.pos) <= window and "," not in norm[b.end:t.pos]
    after = _VOID_WINDOW_FA if b.lang == "fa" else 2
    return _words(norm, t.end, b.pos) <= after and "," not in norm[t.end:b.pos]


def excluded(facts: SentenceFacts, slots: list[Slot]) -> list[Slot]:
    """The parties without the countries a trip or meeting "does not include" ("a tour that does
    not include a visit to Israel", "ولا تتضمن جولة ... إسرائيل", "به جز اسرائیل"): the first
    actor within a few words after an exclusion cue, and those chained to it by and/or; and
    without the place a traveller came from ("arriving from Amman", "قادما من عمان", "پس از ترک
    بغداد"): the actor right after an origin cue, alone."""
    if not facts.has("exclude") and not facts.has("origin"):
        return slots
    cuts = [c for c in facts.cues if c.kind == "exclude" or c.kind == "origin"]
    norm = facts.norm
    out = set()
    for c in cuts:
        # every actor of the sentence, not only the parties (a bare name is no party, but it is
        # what the cue excludes), and the parties the sentence gave no slot (a visit's host)
        pool = [s for s in facts.slots if s.country] + [s for s in slots if s.kind == "host"]
        after = sorted((s for s in pool if s.pos >= c.end), key=_slot_pos)
        origin = c.kind == "origin"
        if not after or _words(norm, c.end, after[0].pos) > (_ORIGIN_GAP if origin else _EXCLUDED_GAP) \
                or _clause_break(facts, c.end, after[0].pos):
            continue
        last = after[0]
        out.add(id(last))
        if origin:
            continue   # "from Amman and Riyadh" is rare; "from Amman to Riyadh" is a route
        for s in after[1:]:
            gap = norm[last.end:s.pos].replace(",", " ").split()
            if len(gap) > 1 or not all(w in _OR_AND or (w.startswith("و") and len(w) <= 3) for w in gap):
                break
            out.add(id(s))
            last = s
    return [s for s in slots if id(s) not in out]


def commented_event(facts: SentenceFacts, slots: list[Slot], live: list[Cue]) -> list[Slot]:
    """The parties without the speaker of a comment on someone else's contact: when every live
    trigger comes a few words after a comment cue ("Gargash on the Saudi crown prince's visit to
    Britain", "قرقاش عن زيارة ولي عهد السعودية لبريطانيا", "درباره سفر ولیعهد عربستان به
    بریتانیا"), the actors before the cue speak about the contact and take no part in it; not
    when the contact is the speaker's own ("his visit", "زيارته", "سفرش")."""
    comments = [c for c in facts.cues if c.kind == "comment"]
    if not comments or not live or not slots:
        return slots
    norm = facts.norm
    first = min(live, key=_cue_pos)
    gap = _COMMENT_GAP_EN if comments[0].lang == "en" else _COMMENT_GAP
    cue = next((c for c in reversed(comments) if c.end <= first.pos
                and _words(norm, c.end, first.pos) <= gap), None)
    if cue is None or _possessive(norm, first) or _predicate(norm, first):
        return slots
    return [s for s in slots if s.pos < 0 or s.pos >= cue.end]


# Persian light verbs that make a contact noun the sentence's predicate ("درباره غزه گفتگو
# کردند": they talked about Gaza), not the object of "about" ("درباره سفر ولیعهد")
_LIGHT_VERBS = frozenset({"كرد", "كردند", "كرده", "كردهاند", "كند", "كنند", "ميكند", "ميكنند", "نمود", "نمودند",
                          "داشت", "داشتند", "داشتهاند"})


def _predicate(norm: str, t: Cue) -> bool:
    """Is contact word ``t`` followed by a Persian light verb, i.e. the verb of its clause?"""
    nxt = norm[t.end:].split(None, 1)[:1]
    return bool(nxt) and nxt[0].rstrip(".,:;") in _LIGHT_VERBS


# words that make what follows them the topic ("talked about Iran"; pairs._parties reads them too)
ABOUT_WORDS = frozenset({"about", "regarding", "concerning", "درباره", "مورد", "پيرامون", "خصوص", "حول", "بشان", "ازاء"})
AFTER_DAR = frozenset({"مورد", "خصوص"})   # "در مورد", "در خصوص" (not "در این مورد": "in this case")
# words between a contact noun and its "with" that make it the speaker's own ("دیدار هفته گذشته خود
# با", "اتصال هاتفي أجراه مع", "talks he held with")
_OWN = frozenset({"خود", "خويش", "اجراه", "اجرته", "عقده", "عقدها", "he", "she", "they", "his", "her", "their"})


def commented_topic(facts: SentenceFacts, t: Cue) -> bool:
    """Is contact word ``t`` what "about" right before it names ("spoke by phone about the state of
    the negotiations with Iran", "درباره وضعیت مذاکرات با ایران ... تماس تلفنی داشتند", "بحثا
    هاتفيا حول المفاوضات مع إيران")? Then, beside another contact word, it is the topic of that
    contact, not a contact of its own — unless it is the speaker's own ("his visits", "دیدار هفته
    گذشته خود با", "اتصال هاتفي أجراه مع")."""
    norm = facts.norm
    if not any(w in norm for w in ABOUT_WORDS) or _possessive(norm, t):
        return False
    before = _last_words(norm, t.pos, _COMMENT_GAP + 2)
    if not any(w in ABOUT_WORDS and (w not in AFTER_DAR or (k > 0 and before[k - 1] == "در"))
               for k, w in enumerate(before) if k >= len(before) - _COMMENT_GAP - 1):
        return False
    if any(ch in ",;:" for ch in " ".join(before[-_COMMENT_GAP - 1:])):
        return False
    after = norm[t.end:].split()[:_VOID_ARG_GAP]
    for w in after:
        if w in _OWN:
            return False
        if w in _ARG_WORDS:
            break
    return True


def _possessive(norm: str, t: Cue) -> bool:
    """Is the contact word the speaker's own: "his visit", "زيارته", "لقائه", "سفرش"?"""
    if prev_word(norm, t.pos) in _POSSESSIVES:
        return True
    end = norm.find(" ", t.end)
    rest = norm[t.end:len(norm) if end < 0 else end].rstrip(".,:;")
    return rest in _POSSESSIVE_SUFFIXES or (rest[:1] == "ت" and rest[1:] in _POSSESSIVE_SUFFIXES | {"ه"})


def void_arguments(facts: SentenceFacts, slots: list[Slot], live: list[Cue]) -> list[Slot]:
    """The parties without the arguments of a void event: a contact word the phenomena voided
    (planned, denied ...) followed within a few words by "between" or "with" takes the actors
    after that word, up to a clause break or the next live trigger ("met Kim ... to discuss a
    possible summit between Kim and the US president", "لمناقشة قمة مرتقبة محتملة بين كيم
    والرئيس الأميركي", "دیدار احتمالی میان ..."): they are the parties of the void event, not
    of the contact the sentence reports. Not the purpose of a live visit: "went to Paris to meet
    Sarkozy" ("برای دیدار و گفت‌وگو با ... به پاریس رفت") names the host of the visit. English
    also names them before the noun: the actors between the cue that voids it and the noun ("ahead
    of the Zelenskyy meeting") are cut too. A verb form of verb_forms.tsv (سيزور) is a void word."""
    visit = any(t.kind == "visit" for t in live)
    purposes = [c for c in facts.cues if c.kind == "purpose"] if visit else []
    live_at = {t.pos for t in live}
    norm = facts.norm
    cut: set[int] = set()
    for t in facts.cues:
        if t.pos in live_at or not (t.kind in CONTACT_TRIGGERS or t.value in CONTACT_TRIGGERS
                                    or t.kind in GATHERINGS and (modality(facts, t) or negation(facts, t))):
            continue   # a summit word is no trigger: its arguments go only when it is planned or denied;
            # a verb form of verb_forms.tsv (سيزور، لم يلتق) is a contact verb voided by its particle
        if any(c.pos <= t.pos and _words(norm, c.end, t.pos) <= _PURPOSE_GAP for c in purposes):
            continue
        if t.lang == "en":
            # English names a void event's parties before its noun too ("ahead of the
            # Trump-Zelenskyy meeting"): the actors between the cue that voids it and the noun
            for c in facts.cues:
                if c.kind in _PREMODIFIED and c.end <= t.pos and _words(norm, c.end, t.pos) <= _PREMODIFIER_SPAN \
                        and not _cut(norm[c.end:t.pos]):
                    for s in slots:
                        if c.end <= s.pos < t.pos:
                            cut.add(id(s))
        if t.kind in CONTACT_TRIGGERS or t.value in CONTACT_TRIGGERS:
            _coordinated_void(facts, t, live, slots, cut)
        words = norm[t.end:].split(None, _VOID_ARG_GAP + 1)[:_VOID_ARG_GAP + 1]
        k = next((i for i, w in enumerate(words) if w in _ARG_WORDS), None)
        if k is None:
            continue
        start = t.end + len(" ".join(words[:k + 1])) + 1
        if _clause_break(facts, t.end, start):
            continue
        stop = min([p for p in live_at if p > t.end] + [len(norm)])
        for s in slots:
            if start <= s.pos < stop and not _clause_break(facts, start, s.pos):
                cut.add(id(s))
    if live and "en" in {t.lang for t in live}:
        # English puts the future or the negation before its verb as one cue ("will meet",
        # "did not meet"): after a held trigger and a conjunction or comma, it opens the void clause
        for c in facts.cues:
            if c.kind in _COORDINATED_VOID and any(h.end <= c.pos and _join_offsets(norm, h.end, c.pos) for h in live):
                _coordinated_void(facts, c, live, slots, cut, opened=True)
    return [s for s in slots if id(s) not in cut] if cut else slots


_COORDINATED_VOID = frozenset({"future", "expect", "negation"})


def _join_offsets(norm: str, a: int, b: int) -> list[int]:
    """Where a conjunction or a comma stands between offsets a and b."""
    return [at for at, w in _word_offsets(norm, a, b) if w in _JOINS or w.endswith(",")]


def _coordinated_void(facts: SentenceFacts, t: Cue, live: list[Cue], slots: list[Slot], cut: set[int],
                      opened: bool = False) -> None:
    """A planned or denied contact verb after a held one ("met the Spanish envoy on Monday and will
    meet the Belgian envoy on Tuesday", "التقى ... سفير إسبانيا وسيلتقي سفير بلجيكا", "على أن
    يلتقي"): the actors of its own clause are its parties, not the held contact's. Arabic and
    English name them after the verb, up to the next held trigger; Persian before it, after the
    conjunction or comma that follows the held verb ("... دیدار کرد و ... با سفیر بلژیک دیدار
    خواهد کرد"). ``opened``: ``t`` is the English cue that opens such a clause ("and will meet")."""
    before = [h for h in live if h.end <= t.pos]
    if not before or not (opened or t.value in CONTACT_TRIGGERS or modality(facts, t) or negation(facts, t)):
        return
    norm = facts.norm
    held = max(before, key=attrgetter("end"))
    if t.lang == "fa":
        joins = _join_offsets(norm, held.end, t.pos)
        if not joins:
            return
        a, b = joins[-1], t.pos
    else:
        a = t.end
        b = min([h.pos for h in live if h.pos > t.end] + [len(norm)])
    for s in slots:
        if a <= s.pos < b:
            cut.add(id(s))


_JOINS = frozenset({",", ";", "and", "then", "و", "ثم", "سپس", "بعد"})  # a later trip's clause or conjunction
_DESTINATION_EN = frozenset({"for", "to"})
_DESTINATION_SPAN = 3  # words between an English departure and its "for" ("left Muscat for Doha")


def _word_offsets(norm: str, a: int, b: int) -> list[tuple[int, str]]:
    """The words of ``norm[a:b]`` with their offsets in ``norm``."""
    out = []
    at = a
    for w in norm[a:b].split():
        at = norm.find(w, at)
        out.append((at, w))
        at += len(w)
    return out


def _destination(facts: SentenceFacts, b: Cue) -> int | None:
    """Where departure ``b`` names its destination: English "for"/"to" after it ("left for Ankara",
    "left Muscat for Doha", "headed to"), Arabic إلى right after it ("متجها إلى تركيا"; not
    "توجه بالشكر إلى"), Persian a place right after it ("عازم آنکارا", "راهی تهران"; not "راهی
    برای") or "به مقصد" before it. None: a departure with no destination is no onward trip."""
    norm = facts.norm
    if norm[b.pos:b.end].endswith((" to", " for")):
        return b.end
    if b.lang == "en":
        return next((at for at, w in _word_offsets(norm, b.end, len(norm))[:_DESTINATION_SPAN + 1]
                     if w in _DESTINATION_EN), None)
    nxt = norm.find(" ", b.end)
    if b.lang == "ar":
        word = norm[b.end:].split(None, 1)[:1]
        return b.end + 1 if word == ["الي"] else None
    after = b.end + 1
    if any(after <= p.pos <= after + 1 for p in facts.places) or any(
            after <= s.pos <= after + 1 for s in facts.slots):
        return b.end
    dest = norm.rfind("به مقصد", 0, b.pos)
    return dest if dest >= 0 and nxt != -1 else None


def onward_trip(facts: SentenceFacts, live: list[Cue]) -> tuple[int, int] | None:
    """The span of an onward trip: a departure with a destination, joined by a comma or a
    conjunction to a contact reported before it, opens a trip of its own ("visited Saudi Arabia
    on Tuesday and then left for Ankara to meet Turkish officials", "يقوم بزيارة للسعودية، ومن
    المتوقع أن يغادرها متجها إلى تركيا للاجتماع بالجانب التركي", "به عربستان سفر کرد و قرار است
    برای دیدار با مقامات ترکیه عازم آنکارا شود"): the actors and places from its destination (in
    Persian, whose clause ends with the departure: from the conjunction) to the next contact word
    (or the end of the sentence) are that trip's, not the reported contact's. The traveller and
    the place left stay ("left Muscat for Doha"; "غادر الرئيس الإيراني العاصمة القطرية متوجها
    إلى مسقط"); a departure in another sense has no destination ("توجه بالشكر"، "talks that
    left both sides optimistic", "راهی برای")."""
    if not facts.has("departure"):
        return None
    norm = facts.norm
    for b in facts.cues:
        if b.kind != "departure":
            continue
        before = [t for t in live if t.end <= b.pos]
        if not before:
            continue
        last = max(t.end for t in before)
        joins = [last + k for k, ch in enumerate(norm[last:b.pos]) if ch in ",;"]
        joins += [at for at, w in _word_offsets(norm, last, b.pos) if w in _JOINS]
        if b.lang == "ar" and glued_before(norm, b.pos) == "و":
            joins.append(b.pos)
        if not joins:
            continue  # "after meeting X in Muscat, left for Doha" without a join: the same trip
        dest = _destination(facts, b)
        if dest is None:
            continue
        start = max(joins) if b.lang == "fa" else dest
        end = min([t.pos for t in live if t.pos >= b.end] + [len(norm)])
        return start, end
    return None


def _slot_pos(s: Slot) -> int:
    return s.pos


def _clause_break(facts: SentenceFacts, a: int, b: int) -> bool:
    """A comma, semicolon or a clause-opening word between offsets a and b."""
    seg = facts.norm[a:b]
    if "," in seg or ";" in seg:
        return True
    return any(c.kind == "clause" and a <= c.pos < b for c in facts.cues)


def same_clause(facts: SentenceFacts, a: int, b: int) -> bool:
    """Are offsets a and b in one clause (no comma, semicolon or clause-opening word between)?"""
    return not _clause_break(facts, a, b)


def speech_act(facts: SentenceFacts) -> bool:
    """Is the sentence about something that is not a consultation (an interview, an invitation;
    summonses, sport and private visits: the ``noncontact`` cues of triggers.tsv)?"""
    return facts.has("noncontact") or facts.has("speech")


def questioned(facts: SentenceFacts, t: Cue) -> bool:
    """Is trigger ``t`` inside the question a sentence ends with ("Where will Trump meet Kim?",
    "أين يلتقي ترامب كيم؟")? A report before a colon is not ("X meets Y: what did they
    discuss?")."""
    norm = facts.norm
    if not norm.rstrip(' "\')»').endswith("?"):
        return False
    return not any(ch in norm[t.end:] for ch in ":;")


def named_as(facts: SentenceFacts, t: Cue) -> bool:
    """Does the English call verb ``t`` name someone rather than phone them ("called Kim Jong-un
    "little rocket man"", "called Putin a “killer”"): a quotation opens a few words after it, its
    object between, no comma? (Arabic and Persian name with other verbs, وصف and خواند, not with
    their call words.)"""
    norm = facts.norm
    if t.kind != "call" or norm[t.pos:t.end] not in _NAMING_VERBS:
        return False
    q = norm.find('"', t.end, t.end + _NAMING_SPAN)
    if q < 0:
        return False
    between = norm[t.end:q]
    # a quoted purpose is no name ("called Putin "to discuss peace"")
    return 0 < len(between.split()) <= _NAMING_WORDS and not _cut(between) and not norm.startswith("to ", q + 1)


def message_act(facts: SentenceFacts, t: Cue) -> bool:
    """Does trigger ``t`` receive, send or discuss a written message ("received a written message
    from", "تلقى برقية تهنئة", "تسلم رسالة خطية") rather than a visitor or a call? A *call* of
    condolence is a contact; a cable of condolence is not."""
    if t.kind == "visit" and facts.has("goods"):
        # "چهار محموله دارویی از آلمان به ایران وارد شد", "an aid shipment arrived in Gaza": the
        # goods are what arrived when no official comes before the verb to be its subject
        norm = facts.norm
        if any(s.strength >= 2 and 0 <= s.pos < t.pos for s in facts.slots):
            return False
        return any(b.kind == "goods" and b.end <= t.pos and _words(norm, b.end, t.pos) <= _window(b)
                   and "," not in norm[b.end:t.pos] for b in facts.cues)
    if t.kind not in _MESSAGE_VERBS or not (facts.has("message") or facts.has("goods")):
        return False
    norm = facts.norm
    for b in facts.cues:
        if (b.kind == "message" or (b.kind == "goods" and t.kind == "receive")) and (_overlap(b, t) or (
                t.end <= b.pos and _words(norm, t.end, b.pos) <= _MESSAGE_GAP
                and "," not in norm[t.end:b.pos])):
            return True
    return False


def statement_act(facts: SentenceFacts, t: Cue) -> bool:
    """Is trigger ``t`` the object of a statement about a contact ("condemned the visit of",
    "رحب بزيارة", "سفر ... را محکوم کرد") or a welcoming verb whose object is an event ("welcomed
    the visit of", "welcomed the talks") rather than a guest? Persian gives the welcomed or
    received with از before the verb: a thing there ("از توافق میان واشنگتن و تهران استقبال
    کرد", welcomed the agreement) is no guest."""
    if t.kind == "receive" and t.lang == "fa" and _welcomed_thing(facts, t):
        return True
    if not facts.has("statement"):
        return False
    norm = facts.norm
    for b in facts.cues:
        if b.kind != "statement":
            continue
        if _overlap(b, t):
            for e in facts.cues:
                if e.kind in _EVENTS and t.end <= e.pos and _words(norm, t.end, e.pos) <= _MESSAGE_GAP \
                        and _event_object(facts, b.end, e):
                    return True
        elif b.end <= t.pos and _words(norm, b.end, t.pos) <= _MESSAGE_GAP and "," not in norm[b.end:t.pos] \
                and _event_object(facts, b.end, t):
            return True
        elif b.lang == "fa" and t.end <= b.pos and _words(norm, t.end, b.pos) <= _VOID_WINDOW_FA \
                and "," not in norm[t.end:b.pos]:
            return True  # Persian: "سفر ... را محکوم کرد", the verb closes the clause
    return False


def _welcomed_thing(facts: SentenceFacts, t: Cue) -> bool:
    """Is the از-object of the Persian receive verb ``t`` a thing: the first actor after the
    last "از" of its clause comes two words or more after it ("از توافق میان واشنگتن")? A guest
    follows از at once or after an honorific ("از وزیر خارجه ایران", "از آقای عراقچی"); a pronoun
    ("از وی") names no actor and stays a guest."""
    norm = facts.norm
    i = norm.rfind(" از ", 0, t.pos)
    if i < 0 or _cut(norm[i:t.pos]):
        return False
    start = i + len(" از ")
    first = min((s.pos for s in facts.slots if start <= s.pos < t.pos), default=None)
    return first is not None and _words(norm, start, first) >= _GUEST_GAP


def _event_object(facts: SentenceFacts, a: int, e: Cue) -> bool:
    """Is the event word ``e`` after a statement verb (ending at ``a``) the statement's object: not
    the speaker's own ("praised his meeting with"), not a participle before a person ("welcomed
    visiting Danish Foreign Minister", "his visiting Chinese counterpart")?"""
    norm = facts.norm
    if any(w in _POSSESSIVES for w in norm[a:e.pos].split()):
        return False
    return not any(e.end <= s.pos and _words(norm, e.end, s.pos) <= 1 for s in facts.slots)


def actor_type(facts: SentenceFacts) -> None:
    """Drop the actors that act for no state: within two words of a non-state cue ("former
    Iranian foreign minister", "وزير الخارجية الإيراني الأسبق", "وزیر خارجه سابق ایران", "a
    Turkish business delegation", "هیئت تجاری ترکیه"), with no trigger or comma between.
    (Officials of international organisations get no actor in ``actors._attach_title``.)"""
    if not facts.has("nonstate"):
        return
    cues = [c for c in facts.cues if c.kind == "nonstate"]
    norm = facts.norm
    triggers = [c.pos for c in facts.cues if c.kind in CONTACT_TRIGGERS]

    def describes(c: Cue, s: Slot) -> bool:
        a, b = (c.end, s.pos) if c.end <= s.pos else (s.end, c.pos) if s.end <= c.pos else (0, 0)
        if a == b == 0:
            return True  # overlapping
        # not across "and" ("با اسرائیل و حزب‌الله": Israel and Hezbollah are two sides)
        return _words(norm, a, b) <= _NONSTATE_GAP and "," not in norm[a:b] \
            and not any(a <= tp < b for tp in triggers) and _OR_AND.isdisjoint(norm[a:b].split())

    facts.slots = [s for s in facts.slots if s.pos < 0 or not any(describes(c, s) for c in cues)]


def gathering_scope(facts: SentenceFacts, slots: list[Slot], order: list[str], dest: set[str],
                    live: list[Cue], coordinated: bool, joined: bool = False,
                    listed: bool = False) -> tuple[list[tuple[str, str]], bool]:
    """The pairs of a sentence's parties (``order``: countries in text order, the visitor first)
    and whether they met together: two parties or coordinated subjects ("بوتين ونتنياهو") give
    one pair; one meeting of them all (a summit, a trilateral, "met his Russian and Turkish
    counterparts" in person) gives every pair but none between two destinations of one trip;
    several subjects before a visit or call verb visit or call each party after it ("the envoys
    of Egypt and Japan paid courtesy calls on the President": separate calls; "A and B met C" is
    one meeting of three); otherwise the first party meets each of the others. ``listed``: the
    parties are all named in one list after "between" ("consultations between Iran, India and
    Uzbekistan"): one meeting of them all."""
    joint = listed or facts.has("summit") or facts.has("joint") or (
        _counterpart_group(slots, facts, order) and not facts.has("separate") and not facts.has("call")
        and any(t.kind in _IN_PERSON for t in live))
    if joined and facts.has("separate"):
        # "A and B held separate meetings with C", "در دیدارهایی جداگانه با": each with the
        # others, not with each other
        return [(c, o) for c in order[:2] for o in order[2:]], joint
    if len(order) == 2:
        return [(order[0], order[1])], joint
    verb = min(live, key=_cue_pos)
    before = [c for c in order if any(s.country == c and 0 <= s.pos < verb.pos for s in slots)]
    after = [c for c in order if c not in before]
    titles = {(s.pos, s.end) for s in slots if s.country in order}
    if not joint and 3 <= len(order) < _LARGE_GATHERING and len(titles) == 1 and \
            _plural_title(facts.norm[slice(*next(iter(titles)))]):
        # one plural title names them all, and no one else takes part ("the foreign ministers of
        # Egypt, Jordan and Algeria discussed ...", "بحث وزراء خارجية مصر والأردن والجزائر",
        # "وزیران خارجه مصر، اردن و الجزایر ... گفتگو کردند"): they met together
        joint = True
    if not (facts.has("summit") or facts.has("joint")) and len(before) >= 2 and after and \
            verb.kind in ("visit", "call"):
        # "the envoys of Egypt and Japan paid courtesy calls on the President": each subject
        # with each object, none between the subjects
        return [(b, a) for b in before for a in after], joint
    if joined and verb.kind == "meet" and ((len(before) >= 2 and after) or all(
            any(s.country == c and s.strength >= 2 for s in slots) for c in order[2:])):
        # "Zelensky and Netanyahu met President Trump", "التقى A وB الرئيس C", "دیدار A و B با
        # رئیس‌جمهور C": one meeting of the three, in any order of verb and subjects, when the
        # third is an official (a bare name after coordinated subjects is the topic: "بوتين
        # ونتنياهو بحثا الوضع في إيران")
        return list(combinations(order, 2)), joint
    if coordinated:
        return [(order[0], order[1])], joint
    named = {s.country for s in facts.slots if s.country}
    if joint and not facts.has("joint") and len(named) >= _LARGE_GATHERING and \
            not any(g >= named for g in facts.groups):
        # a large gathering (a summit, or the leaders of five states or more: "اجتماع المجلس
        # ... بمشاركة قادة روسيا، كازاخستان، بيلاروس، قيرغيزستان، وأرمينيا"): its list of members
        # or attendees is not a contact; a subject meeting the others there ("X met counterparts
        # from A, B, C, D at the summit") is. A small group known by its name ("the leaders of
        # the G5 Sahel", country_aliases.tsv kind group) is one meeting of all its members.
        first = min(t.pos for t in live)
        before = {s.country for s in slots if 0 <= s.pos < first}
        if before == {order[0]}:
            return [(order[0], other) for other in order[1:]], joint
        return [], joint
    if joint:
        return [p for p in combinations(order, 2) if not (p[0] in dest and p[1] in dest)], joint
    return [(order[0], other) for other in order[1:]], joint


def _cue_pos(c: Cue) -> int:
    return c.pos


def _counterpart_group(slots: list[Slot], facts: SentenceFacts, order: list[str]) -> bool:
    """"met his Russian and Turkish counterparts", "the energy ministers of Russia, Qatar and
    Venezuela met": one meeting of all of them (a plural title over several countries)."""
    norm = facts.norm
    unnamed = {c.pos for c in facts.cues if c.kind == "officials"}
    groups: dict[int, set[str]] = {}
    for s in slots:
        if not s.country:
            continue
        # the ambassadors of several states are received one by one ("received the ambassadors
        # of Qatar, Cuba and Kyrgyzstan", "با سفرای عمان و قطر دیدار کرد"), and a leader meets
        # other leaders, or unnamed officials of several states, one by one ("met the presidents
        # of France and Lebanon", "met senior officials in Jordan and Iraq"): not one meeting
        # (as the subject, "the leaders of Russia, Turkey and Iran met", they are one)
        if s.kind == "title" and (s.role == "ambassador" or (s.role in _LEADERS or s.pos in unnamed) and any(
                o.country and o.pos < s.pos and o.country != s.country for o in slots)):
            continue
        if s.kind == "counterpart" or (s.kind == "title" and _plural_title(norm[s.pos:s.end])):
            groups.setdefault(s.pos, set()).add(s.country)
    # the group and one other party (who met them); in a longer list of partners ("met the
    # president of Austria, the prime minister of Fiji, ... the presidents of Turkey and Iraq")
    # the group is one more item of the list
    return any(len(g) >= 2 and len(set(order) - g) <= 1 for g in groups.values())


def _plural_title(title: str) -> bool:
    """A plural or dual title: an English word in -s ("foreign ministers", "ministers of foreign
    affairs"; not "affairs" itself), an Arabic or Persian plural word."""
    return any(w in _PLURAL_TITLES or (w.endswith("s") and w not in _NOT_PLURAL) for w in title.split())


def attachment(facts: SentenceFacts, slots: list[Slot], triggers: list[int]) -> list[Slot]:
    """The parties once a third country in another clause ("، وذلك على ضوء دعوة الرئيس
    الأميركي") is dropped: with more than two countries, none after the first clause word that
    follows the first trigger (``triggers``: the live triggers' offsets), unless a later trigger
    opens a contact of its own between that word and it ("visited Egypt at a time when ..., and
    he visited Saudi Arabia")."""
    if len({s.country for s in slots}) > 2:
        first_trigger = min(triggers)
        breaks = [c.pos for c in facts.cues if c.kind == "clause" and c.pos > first_trigger]
        if breaks:
            cut = breaks[0]
            # a later meeting, visit or call opens a contact of its own; talks are often the
            # subject of the new clause ("while talks between Israel and Qatar continued")
            later = [c.pos for c in facts.cues if c.pos in triggers and c.kind in _PARTY_VERBS]
            return [s for s in slots if s.pos < cut or any(cut < t < s.pos for t in later)]
    return slots
