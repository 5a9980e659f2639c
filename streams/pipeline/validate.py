"""Stage 1, validate: raw bytes from ``articles`` → a parsed article on the dedupe topic, or a dead letter.

The input topic is read with ``value_serializer="raw"`` and parsed here, so no payload can crash the
worker: oversized, non-UTF-8, non-JSON, non-object and schema-violating messages each become a
dead letter with a reason code (streams.metrics), a readable detail and their origin.

Accounting: the stage keeps per input partition the next offset it has not yet handled, together
with its counts, in one table value (one changelog write per message). A message redelivered after
a crash or rebalance (offset below that mark) is skipped, so ``in`` and the dead-letter counts stay
exact under Kafka's at-least-once delivery.
"""
from __future__ import annotations

import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from streams import metrics
from streams.pipeline.serde import Origin, Out, dead_letter_record

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
ARTICLE_SCHEMA = SCHEMA_DIR / "article.schema.json"


@lru_cache(maxsize=4)
def article_validator(path: str = str(ARTICLE_SCHEMA)) -> Draft202012Validator:
    """The article JSON Schema, compiled once per process."""
    schema = orjson.loads(Path(path).read_bytes())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


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
    """The article dict if ``raw`` is an acceptable article record, else the Rejection saying why."""
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
    v = validator or article_validator()
    err = best_match(v.iter_errors(doc))
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
    return doc


class ValidateStage:
    """The decisions of the validate agent over a plain mapping (a Faust table in the worker)."""

    def __init__(self, accounting: MutableMapping, *, max_bytes: int, max_text_chars: int,
                 validator: Draft202012Validator | None = None) -> None:
        self.accounting = accounting
        self.max_bytes = max_bytes
        self.max_text_chars = max_text_chars
        self.validator = validator or article_validator()

    @staticmethod
    def account_key(origin: Origin) -> str:
        return f"validate:{origin.topic}:{origin.partition}"

    def handle(self, raw: bytes | None, origin: Origin, now: float | None = None) -> list[Out]:
        key = self.account_key(origin)
        acc = self.accounting.get(key) or {"next_offset": 0, "in": 0, "dead_letter": {}}
        if origin.offset < acc["next_offset"]:
            return []   # redelivered: handled (and counted) before
        now = time.time() if now is None else now
        metrics.article_in()
        acc = {**acc, "next_offset": origin.offset + 1, "in": acc["in"] + 1}
        result = check_article(raw, max_bytes=self.max_bytes, max_text_chars=self.max_text_chars,
                               validator=self.validator)
        if isinstance(result, Rejection):
            code = metrics.dead_letter(result.reason)
            dl = dict(acc["dead_letter"])
            dl[code] = dl.get(code, 0) + 1
            acc["dead_letter"] = dl
            out = Out("dead_letter", origin.key.decode("utf-8", "replace") if origin.key else None,
                      dead_letter_record(raw, reason=code, detail=result.detail, origin=origin,
                                         article_id=result.article_id, now=now))
        else:
            out = Out("dedupe", str(result["id"]),
                      {"kind": "article", "article": result, "origin": origin.as_dict(),
                       "in_ts": origin.timestamp if origin.timestamp else now})
        self.accounting[key] = acc   # one write: the changelog gets counts and mark together
        return [out]


def register(p) -> None:
    """The validate agent on the input topic (``p`` is a streams.app.Pipeline)."""
    s = p.settings
    stage = ValidateStage(p.tables["accounting"], max_bytes=s.max_article_bytes,
                          max_text_chars=s.max_text_chars)

    @p.app.agent(p.topics["articles"], name="validate")
    async def validate(stream):
        async for event in stream.events():
            m = event.message
            origin = Origin(m.topic, m.partition, m.offset, m.timestamp, m.key)
            with metrics.observe_stage("validate"):
                outs = stage.handle(event.value, origin)
            await p.send(outs)
