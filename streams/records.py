"""Record types used everywhere. They follow the JSON Schemas in schemas/ (a test keeps them in step).

Plain dataclasses: the pure core (extraction, dedup, detection) works on these, the Faust layer
serialises them with orjson via ``to_dict``/``from_dict``.

The public records (``Article``, ``Contact``) are followed by the internal ones that travel between
the stages on the app's own topics (``ValidArticle``, ``Rejected``, ``NewArticle``, ``CopyOf``,
``Expire``; schemas/dedupe_record.schema.json, extract_record.schema.json, expire.schema.json), and
by ``internal_record``, the one place that turns a decoded message into its type.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MODES = ("phone", "visit", "third-party", "multilateral")
DATE_PRECISIONS = ("day", "month", "year", "none")

# CAMEO codes of the consult family (CAMEO 1.1b3, ch. 2: 040-046) a contact can carry; the mapping
# from mode and direction, with its reasons, is cameo_code() and docs/extraction.md ("Codes").
CAMEO_CODES = ("040", "041", "042", "043", "044", "045", "046")
PLOVER_EVENT = "CONSULT"


def cameo_code(mode: str, visitor: str | None, host: str | None) -> str:
    """The CAMEO code of a contact from its PLOVER CONSULT mode and, for a visit, its direction.

    phone -> 041 (discuss by telephone); a visit whose visitor and host are known -> 042 (make a
    visit; CAMEO source = ``visitor``, target = ``host``: 043 "host a visit" is the same event read
    from the host's side, with source and target swapped); third-party (a third country's venue or a
    conference) -> 044 (meet at a "third" location); a visit of unknown direction and a meeting
    inside a multilateral gathering -> 040 (consult, not specified): the text does not say whose
    ground it was on. 045 (mediate) and 046 (negotiate) are never given: the extractor has no cue
    that tells mediation or negotiation from other consultations."""
    if mode == "phone":
        return "041"
    if mode == "visit":
        return "042" if visitor and host else "040"
    if mode == "third-party":
        return "044"
    return "040"


def pair_key(countries: list[str] | tuple[str, str]) -> str:
    """The key of a country pair: ``"IRN-OMN"`` (alpha-3 codes, sorted). Messages of the pair-keyed
    topics (contacts, sources, alerts) and every per-pair table key use it."""
    a, b = sorted(countries)
    return f"{a}-{b}"


@dataclass(slots=True)
class Article:
    id: str
    text: str
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    lang: str | None = None
    title: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Article":
        return cls(
            id=str(d["id"]),
            text=d["text"],
            source=d.get("source"),
            url=d.get("url"),
            published_at=d.get("published_at"),
            lang=d.get("lang"),
            title=d.get("title"),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Actor:
    name: str | None          # as found in the text (or the office holder's canonical name)
    role: str | None          # e.g. "foreign_minister", "head_of_state", "ambassador", "ministry"
    country: str | None       # ISO 3166-1 alpha-3


@dataclass(slots=True)
class Contact:
    article_id: str
    countries: list[str]                  # sorted pair of ISO alpha-3 codes
    mode: str                             # one of MODES
    date: str | None = None               # YYYY-MM-DD of the event, or None
    date_precision: str = "none"          # one of DATE_PRECISIONS
    visitor: str | None = None            # alpha-3, for mode == "visit" where known
    host: str | None = None
    actors: list[Actor] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    evidence: str = ""
    confidence: float = 0.0
    lang: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    cameo: str | None = None              # CAMEO 04x code (cameo_code); None: derived from the mode
    plover: dict[str, str] | None = None  # {"event_type": "CONSULT", "mode": mode}; None: derived

    def __post_init__(self) -> None:
        if self.cameo is None:
            self.cameo = cameo_code(self.mode, self.visitor, self.host)
        if self.plover is None:
            self.plover = {"event_type": PLOVER_EVENT, "mode": self.mode}

    @property
    def pair(self) -> tuple[str, str]:
        return (self.countries[0], self.countries[1])

    def to_dict(self) -> dict[str, Any]:
        # what dataclasses.asdict gives (a test checks it), written out: asdict deep-copies field by
        # field through its generic recursion, many times slower, and this runs once per contact
        # in the worker's extract stage
        return {
            "article_id": self.article_id, "countries": list(self.countries), "mode": self.mode,
            "date": self.date, "date_precision": self.date_precision, "visitor": self.visitor,
            "host": self.host,
            "actors": [{"name": a.name, "role": a.role, "country": a.country} for a in self.actors],
            "topics": list(self.topics), "evidence": self.evidence, "confidence": self.confidence,
            "lang": self.lang, "source": self.source, "url": self.url,
            "published_at": self.published_at, "cameo": self.cameo,
            "plover": dict(self.plover) if self.plover is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Contact":
        actors = [a if isinstance(a, Actor) else Actor(**a) for a in d.get("actors") or []]
        return cls(
            article_id=str(d["article_id"]),
            countries=sorted(d["countries"]),
            mode=d["mode"],
            date=d.get("date"),
            date_precision=d.get("date_precision") or ("day" if d.get("date") else "none"),
            visitor=d.get("visitor"),
            host=d.get("host"),
            actors=actors,
            topics=list(d.get("topics") or []),
            evidence=d.get("evidence") or "",
            confidence=float(d.get("confidence") or 0.0),
            lang=d.get("lang"),
            source=d.get("source"),
            url=d.get("url"),
            published_at=d.get("published_at"),
            cameo=d.get("cameo"),
            plover=dict(d["plover"]) if d.get("plover") else None,
        )


# --- internal records: between the stages, on the app's own topics ------------------------------
#
# Each is a dataclass whose ``kind`` field (first, fixed per type) names it on the wire. orjson
# encodes a dataclass field by field in declaration order, so a record encodes to the same bytes as
# the dict literal the stages wrote before these types existed: a worker reads what its predecessor
# wrote on the internal topics, and the other way round (tests/unit/test_records.py). A
# change of the fields is a change of the wire format and of the schemas in schemas/.
# ``article``, ``origin`` and ``dead_letter`` stay plain dicts: the article as validated against
# schemas/article.schema.json, the origin as ``serde.Origin.as_dict``, the dead letter as
# schemas/dead_letter.schema.json.

class _Internal:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The record as the dict it is encoded from (the same keys, in the same order)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


@dataclass(slots=True, kw_only=True)
class ValidArticle(_Internal):
    """Topic dedupe, from validate: an article that passed validation, with where it was read."""
    kind: str = field(default="article", init=False)
    article: dict[str, Any]
    origin: dict[str, Any]
    in_ts: float                  # its Kafka timestamp on ``articles`` (else validate's clock)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ValidArticle":
        return cls(article=d["article"], origin=d["origin"], in_ts=d.get("in_ts"))


@dataclass(slots=True, kw_only=True)
class Rejected(_Internal):
    """Topic dedupe, from validate: an input message refused, with its dead-letter record (dedupe
    counts it and sends the dead letter: validate keeps no state)."""
    kind: str = field(default="rejected", init=False)
    reason: str                   # a reason code of streams.metrics.DEAD_LETTER_REASONS
    dead_letter: dict[str, Any]
    key: str | None               # the input message's key, for the dead letter's
    origin: dict[str, Any]
    in_ts: float

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Rejected":
        return cls(reason=d["reason"], dead_letter=d["dead_letter"], key=d.get("key"),
                   origin=d["origin"], in_ts=d.get("in_ts"))


@dataclass(slots=True, kw_only=True)
class NewArticle(_Internal):
    """Topic extract, from dedupe: the first copy of an article. ``seq``: [dedupe partition, offset
    of the record dedupe decided it from] (extract skips a record dedupe repeats after a crash);
    ``wm``: the event-time stamp it was given, its input partition's (``origin``) newest
    publication day (docs/pipeline.md, "Event-time watermark")."""
    kind: str = field(default="article", init=False)
    article: dict[str, Any]
    origin: dict[str, Any]
    in_ts: float | None
    seq: list[int | None]
    wm: str | None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "NewArticle":
        return cls(article=d["article"], origin=d["origin"], in_ts=d.get("in_ts"),
                   seq=d.get("seq"), wm=d.get("wm"))


@dataclass(slots=True, kw_only=True)
class CopyOf(_Internal):
    """Topic extract, from dedupe: a copy of the article ``of`` (keyed by it), with the copy's own
    id and outlet fields (``article``: streams.pipeline.dedupe.COPY_FIELDS)."""
    kind: str = field(default="copy", init=False)
    of: str
    dup_kind: str                 # one of streams.duplicates.KINDS
    similarity: float | None
    article: dict[str, Any]
    origin: dict[str, Any]
    in_ts: float | None
    seq: list[int | None]
    wm: str | None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CopyOf":
        return cls(of=d["of"], dup_kind=d.get("dup_kind"), similarity=d.get("similarity"),
                   article=d["article"], origin=d["origin"], in_ts=d.get("in_ts"),
                   seq=d.get("seq"), wm=d.get("wm"))


@dataclass(slots=True, kw_only=True)
class Expire(_Internal):
    """Topics dedupe, extract and sources, from the leader's timer, one per partition: the stage
    reading it drops its partition's state that is older than its bound as of ``now``."""
    kind: str = field(default="expire", init=False)
    now: float                    # the timer's clock, seconds since the epoch

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Expire":
        return cls(now=float(d["now"]))


@dataclass(slots=True, kw_only=True)
class Heartbeat(_Internal):
    """Topic extract, from dedupe (one per extract partition, after each ``Expire`` dedupe reads),
    then topic sources and, as an empty record with the same headers, contacts, from extract (one
    per partition): the stamps of dedupe partition ``dedupe`` at that point of its output, per
    input partition (``stamps``: input partition -> the stamp its next record will have at least),
    so an aggregate partition learns that the paths that send it nothing have passed them
    (docs/pipeline.md, "Event-time watermark"). ``wm`` is the least of them (shown, not used);
    a heartbeat of a version without ``stamps`` has None there and moves no path."""
    kind: str = field(default="heartbeat", init=False)
    now: float                    # the timer's clock of the Expire it follows
    wm: str | None                # the least of ``stamps`` (None: no dated article yet)
    dedupe: int                   # the dedupe partition it comes from
    stamps: dict[str, str] | None = None   # input partition (its number as text) -> its stamp
    idle: list[int] | None = None          # the input partitions dedupe counts as idle

    @property
    def in_ts(self) -> float:
        return self.now

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Heartbeat":
        stamps = d.get("stamps")
        return cls(now=float(d["now"]), wm=d.get("wm"), dedupe=int(d.get("dedupe") or 0),
                   stamps={str(k): str(v) for k, v in stamps.items()} if isinstance(stamps, dict)
                   else None, idle=d.get("idle"))


InternalRecord = ValidArticle | Rejected | NewArticle | CopyOf | Expire | Heartbeat

# the kinds each internal topic carries (by the stage-level topic name of streams.pipeline.topics)
TOPIC_RECORDS: dict[str, dict[str, type]] = {
    "dedupe": {"article": ValidArticle, "rejected": Rejected, "expire": Expire},
    "extract": {"article": NewArticle, "copy": CopyOf, "expire": Expire, "heartbeat": Heartbeat},
    # beside the contacts a first copy's contact re-issues for a copy (a contact dict + copy_of)
    "sources": {"expire": Expire, "heartbeat": Heartbeat},
}


def internal_record(topic: str, d: dict[str, Any]) -> InternalRecord | dict[str, Any] | None:
    """The record a decoded message of stage-level ``topic`` is: its internal type by ``kind``; a
    dict without ``kind`` (a contact, on contacts and sources) as it is; None for a kind the topic
    does not carry (ignored by the stages, as a record of a newer version would be)."""
    kind = d.get("kind")
    if kind is None:
        return d
    cls = TOPIC_RECORDS[topic].get(kind)
    return None if cls is None else cls.from_dict(d)
