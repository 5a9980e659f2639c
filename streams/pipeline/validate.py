"""Stage 1, validate: raw bytes from ``articles`` → a parsed article on the dedupe topic, or a
rejection marker carrying its dead-letter record.

The input topic is read with ``value_serializer="raw"`` and parsed here, so no payload can crash the
worker: oversized, non-UTF-8, non-JSON, non-object and schema-violating messages each get a
dead-letter record with a reason code (streams.metrics), a readable detail and their origin. A
``published_at`` that parses but cannot be a publication time (streams.pubdate) is set to null
and counted; the article goes on.

The stage keeps no state: every input message becomes exactly one message on the dedupe topic
(an article, or a "rejected" marker with the dead-letter record). The dedupe stage counts both
(``in``, dead letters) and emits the dead letter, in the delta records it writes for its messages
anyway, and skips a redelivered message by its input offset mark (streams.pipeline.dedupe). So the
counts stay exact under Kafka's at-least-once delivery without a changelog write here: one record
less per article than a validate-side table would cost.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from streams import metrics
from streams.pipeline.serde import Origin, Out, dead_letter_record
from streams.pubdate import drop_implausible
from streams.records import Rejected, ValidArticle

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
ARTICLE_SCHEMA = SCHEMA_DIR / "article.schema.json"


@lru_cache(maxsize=4)
def article_validator(path: str = str(ARTICLE_SCHEMA)) -> Draft202012Validator:
    """The article JSON Schema, compiled once per process."""
    schema = orjson.loads(Path(path).read_bytes())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@lru_cache(maxsize=4)
def article_fast_check(path: str = str(ARTICLE_SCHEMA)) -> Callable[[Any], Any]:
    """The same schema compiled to Python code by fastjsonschema, an order of magnitude faster than
    jsonschema. It only decides the common case: a document it accepts is valid (it
    implements every keyword the schema uses as jsonschema does); one it rejects is handed to
    jsonschema, which gives the verdict and the readable reason. The two differ on one corner,
    where fastjsonschema is the stricter: ``$`` in a ``pattern`` before a trailing newline (Python's
    ``re.search``, which jsonschema uses, lets "2024-01-02\n" match ``...$``); a property test
    in tests/unit/pipeline/test_validate.py checks the verdicts agree."""
    return fastjsonschema.compile(orjson.loads(Path(path).read_bytes()))


def _accepts(fast_check: Callable[[Any], Any], doc: Any) -> bool:
    try:
        fast_check(doc)
    except Exception:   # JsonSchemaValueException, or anything odd: jsonschema decides
        return False
    return True


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str           # one of metrics.DEAD_LETTER_REASONS
    detail: str
    article_id: str | None = None


def _article_id(doc: Any) -> str | None:
    if isinstance(doc, dict) and isinstance(doc.get("id"), (str, int)):
        return str(doc["id"])[:200]
    return None


def check_article(raw: bytes, *, max_bytes: int, max_text_chars: int,
                  validator: Draft202012Validator | None = None) -> dict[str, Any] | Rejection:
    """The article dict if ``raw`` is an acceptable article record, else the Rejection saying why.
    ``validator``: another schema's validator (jsonschema only); None: the article schema, its
    fast check first (``article_fast_check``)."""
    if raw is None:
        return Rejection(metrics.DL_OTHER, "message without a value (tombstone)")
    if len(raw) > max_bytes:
        return Rejection(metrics.DL_TOO_LARGE, f"{len(raw)} bytes > limit of {max_bytes}")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as uexc:
            return Rejection(metrics.DL_BAD_ENCODING, f"not UTF-8: {uexc}")
        return Rejection(metrics.DL_INVALID_JSON, f"not JSON: {exc}")
    if not isinstance(doc, dict):
        return Rejection(metrics.DL_NOT_OBJECT, f"JSON {type(doc).__name__}, expected an object")
    err = None
    if validator is not None or not _accepts(article_fast_check(), doc):
        err = best_match((validator or article_validator()).iter_errors(doc))
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(record)"
        # a malformed date is the feed's commonest schema fault: give it its own code
        code = metrics.DL_BAD_DATE if where == "published_at" else metrics.DL_SCHEMA
        return Rejection(code, f"{where}: {err.message}"[:500], _article_id(doc))
    text = doc.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejection(metrics.DL_EMPTY_TEXT, "text is empty", _article_id(doc))
    if len(text) > max_text_chars:
        return Rejection(metrics.DL_TOO_LARGE, f"text of {len(text)} characters > limit of "
                                               f"{max_text_chars}", _article_id(doc))
    if doc.get("published_at") is not None:
        reason = drop_implausible(doc)
        if reason is not None:
            metrics.published_at_ignored(reason)
    return doc


class ValidateStage:
    """The decisions of the validate agent (no state: see the module docstring)."""

    def __init__(self, *, max_bytes: int, max_text_chars: int,
                 validator: Draft202012Validator | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_text_chars = max_text_chars
        self.validator = validator   # None: the article schema (check_article)

    def handle(self, raw: bytes | None, origin: Origin, now: float | None = None) -> list[Out]:
        now = time.time() if now is None else now
        result = check_article(raw, max_bytes=self.max_bytes, max_text_chars=self.max_text_chars,
                               validator=self.validator)
        if isinstance(result, Rejection):
            code = metrics.reason_code(result.reason)
            record = dead_letter_record(raw, reason=code, detail=result.detail, origin=origin,
                                        article_id=result.article_id, now=now)
            # keyed by its origin: a redelivery lands on the same dedupe partition (and mark)
            return [Out("dedupe", f"{origin.topic}:{origin.partition}:{origin.offset}",
                        Rejected(reason=code, dead_letter=record,
                                 key=origin.key.decode("utf-8", "replace") if origin.key else None,
                                 origin=origin.as_dict(),
                                 in_ts=origin.timestamp if origin.timestamp else now))]
        return [Out("dedupe", str(result["id"]),
                    ValidArticle(article=result, origin=origin.as_dict(),
                                 in_ts=origin.timestamp if origin.timestamp else now))]


def register(p) -> None:
    """The validate agent on the input topic (``p`` is a streams.app.Pipeline)."""
    from streams.pipeline import agent
    s = p.settings
    stage = ValidateStage(max_bytes=s.max_article_bytes, max_text_chars=s.max_text_chars)

    # messages this process validated since it started (redeliveries included): which worker
    # did validate work, for /pipeline/counts/ — the exact counts are dedupe's
    handled = [0]
    p.readers["validated_here"] = lambda: handled[0]

    def handle(stage, raw, m) -> list[Out]:
        handled[0] += 1
        return stage.handle(raw, Origin(m.topic, m.partition, m.offset, m.timestamp, m.key))

    plug = agent.Stateless(stage, handle)

    @p.app.agent(p.topics["articles"], name="validate")
    async def validate(stream):
        await agent.run(p, stream, "validate", plug, p.agent_batch)
