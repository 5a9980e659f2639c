"""Bytes in and out of the topics, and the dead-letter record.

Every topic of the pipeline is declared with ``value_serializer="raw"``: the agents get bytes and
(de)serialise them here with orjson. A codec error inside Faust would kill the agent's stream;
a parse error here is just a dead letter.
"""
from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass
from typing import Any

import orjson

from streams.records import pair_key  # noqa: F401 (the key of the pair-keyed topics)

# The dead-letter topic carries the original bytes base64-encoded (4/3 larger). Kafka's default
# message.max.bytes is ~1 MiB, so a payload is carried whole up to 512 KiB and truncated beyond,
# flagged, with the length and hash of the whole and the origin offset to fetch it from.
DEAD_LETTER_CARRY_BYTES = 512 * 1024
PREVIEW_CHARS = 300
# The largest record (key + value) the pipeline hands to the producer: under Faust's
# producer_max_request_size (1,000,000) and the broker's message.max.bytes (1,048,588), with room
# for the record's framing. Stages bound what they write (docs/pipeline.md, "Bounded records").
MAX_RECORD_BYTES = 900_000
# which stage writes to which stage-level topic (for the dead letter of an oversized output)
_WRITER = {"dedupe": "validate", "extract": "dedupe", "contacts": "extract", "sources": "extract",
           "alerts": "alert", "dead_letter": "dedupe"}


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a message was read: enough to find it again on the broker."""
    topic: str
    partition: int
    offset: int
    timestamp: float | None = None   # seconds since the epoch (Kafka's timestamp)
    key: bytes | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset,
                "timestamp": self.timestamp}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Origin":
        return cls(str(d["topic"]), int(d["partition"]), int(d["offset"]), d.get("timestamp"))


def dead_letter_record(raw: bytes | None, *, reason: str, detail: str, origin: Origin,
                       stage: str = "validate", article_id: str | None = None,
                       now: float | None = None,
                       carry_bytes: int = DEAD_LETTER_CARRY_BYTES) -> dict[str, Any]:
    """The dead-letter record (schemas/dead_letter.schema.json) for one input message."""
    data = raw if isinstance(raw, (bytes, bytearray)) else (b"" if raw is None else bytes(raw))
    carried = data[:carry_bytes]
    return {
        "reason": reason,
        "detail": detail[:2000],
        "stage": stage,
        "article_id": article_id,
        "origin": {
            **origin.as_dict(),
            "key_b64": base64.b64encode(origin.key).decode("ascii") if origin.key is not None else None,
        },
        "payload": {
            "b64": base64.b64encode(carried).decode("ascii"),
            "preview": data[: PREVIEW_CHARS * 4].decode("utf-8", errors="replace")[:PREVIEW_CHARS],
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "truncated": len(carried) < len(data),
        },
        "dead_lettered_at": time.time() if now is None else now,
    }


def oversized_output_dead_letter(stage_topic: str, topic: str, key: bytes | None,
                                 value: bytes) -> dict[str, Any]:
    """The dead letter sent instead of an output record over MAX_RECORD_BYTES (the stages bound
    their outputs, so this is a guard: the producer would refuse the record and the event that
    made it would never be acknowledged)."""
    return dead_letter_record(
        value, reason="too_large", stage=_WRITER.get(stage_topic, "dedupe"),
        detail=f"an output record for {topic} of {len(value)} bytes is over the record limit of "
               f"{MAX_RECORD_BYTES} and was not sent (key {(key or b'')[:200]!r})",
        origin=Origin(topic, 0, 0, None, key), carry_bytes=64 * 1024)


def dead_letter_payload(record: dict[str, Any]) -> bytes:
    """The original bytes carried by a dead-letter record (a prefix of them if truncated)."""
    return base64.b64decode(record["payload"]["b64"])


@dataclass(frozen=True, slots=True)
class Out:
    """One message a stage wants sent: ``topic`` is the stage-level name (``dead_letter``, ``dedupe``,
    ``extract``, ``contacts``, ``sources``, ``alerts``), mapped to the configured Kafka topic by the
    agent; ``value`` a public record's dict or an internal record (streams.records: a dataclass,
    which orjson encodes as the dict of its fields); ``partition`` is only set for control records
    addressed to every partition."""
    topic: str
    key: str | None
    value: Any
    partition: int | None = None
    headers: tuple[tuple[str, bytes], ...] | None = None   # Kafka record headers (stamp_headers)


def stamp_headers(watermark: str | None, src: str) -> tuple[tuple[str, bytes], ...]:
    """The headers extract puts on each contact and source record: the event-time stamp its
    article was given by dedupe (``wm``, an ISO day, absent when none yet) and the path it took
    (``src``: "<input partition>.<dedupe partition>.<extract partition>"). Headers, not fields:
    the contact record's schema is the topic's public contract (docs/pipeline.md, "Event-time
    watermark")."""
    hs = [("src", src.encode())]
    if watermark:
        hs.append(("wm", watermark.encode()))
    return tuple(hs)


def vector_headers(stamps: dict[str, str], src: str) -> tuple[tuple[str, bytes], ...]:
    """The headers of a heartbeat extract passes on: ``src`` "<dedupe p>.<extract p>" and
    ``wmv``, the stamp per input partition (JSON), so each path "<input p>.<src>" has passed its
    stamp."""
    return (("src", src.encode()), ("wmv", orjson.dumps(stamps, option=orjson.OPT_SORT_KEYS)))


def read_stamp(headers) -> tuple[str | None, str | None]:
    """(stamp, path) from a record's headers (None, None without them)."""
    wm = src = None
    items = headers.items() if isinstance(headers, dict) else (headers or ())
    for k, v in items:
        if k == "wm" and v:
            wm = v.decode("ascii", "replace")
        elif k == "src" and v:
            src = v.decode("ascii", "replace")
    return wm, src


def read_vector(headers) -> dict[str, str] | None:
    """A heartbeat's paths and their stamps from its headers: {"<input p>.<dedupe p>.<extract p>":
    stamp}; None for a record without ``wmv`` (a heartbeat sent before the per-partition stamps,
    whose path names no input partition)."""
    items = headers.items() if isinstance(headers, dict) else (headers or ())
    src = vec = None
    for k, v in items:
        if k == "src" and v:
            src = v.decode("ascii", "replace")
        elif k == "wmv" and v:
            try:
                vec = orjson.loads(v)
            except orjson.JSONDecodeError:
                return None
    if src is None or not isinstance(vec, dict):
        return None
    return {f"{p}.{src}": str(day) for p, day in vec.items() if isinstance(day, str)}
