"""Record types used everywhere. They follow the JSON Schemas in schemas/ (a test keeps them in step).

Plain dataclasses: the pure core (extraction, dedup, detection) works on these, the Faust layer
serialises them with orjson via ``to_dict``/``from_dict``.
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
        # field through its generic recursion, ~21 us per contact against ~0.7 us here, once per
        # contact in the worker's extract stage
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
