"""The API's answers, pure: parameters checked against the OpenAPI document (streams/api/openapi.json,
the one source of the parameter rules), counts and contacts read from a plain mapping laid out as
the ``windows`` table, and the partition that holds a pair. No Faust here: streams/api/routes.py
calls these with the table's dict and sends what they return.

Table layout read (streams.detection.counts, streams.pipeline.aggregate): the key
``"<partition>|AAA-BBB|<topic>|YYYY-MM-DD"`` holds ``{contact_key: entry}`` of one event day; the
partition's own keys ``"<partition>|~expired"`` (days before it were dropped),
``"<partition>|watermark"`` (newest day counted) and ``"<partition>|coverage"`` (earliest day
counted). A pair's keys all live on the partition its contacts are produced to: Kafka's default
partitioner (murmur2 of the pair as raw bytes) over the contacts topic's partitions.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

ALL_TOPICS = "*"   # streams.detection.counts.ALL_TOPICS (imported lazily there: keep this module light)
MAX_COUNT_DAYS = 3660     # one counts request: ten years of days
MAX_CONTACT_DAYS = 366    # one contacts request: a year of days
# keys of a partition's own state in the windows table (streams.pipeline.aggregate / alert)
EXPIRED, WATERMARK, COVERAGE = "~expired", "watermark", "coverage"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^[+-]?\d{1,12}$")


class BadRequest(ValueError):
    """A request the API refuses with 400; ``str(exc)`` is the message sent."""


# -- the document ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _template() -> str:
    return resources.files("streams.api").joinpath("openapi.json").read_text(encoding="utf-8")


def document(topics: Iterable[str]) -> dict[str, Any]:
    """The OpenAPI document with the topic enum filled: ``*`` and ``topics`` (the loaded knowledge's)."""
    doc = json.loads(_template())
    enum = [ALL_TOPICS] + sorted(set(topics) - {ALL_TOPICS})
    for name in ("Topic", "TopicFilter"):
        doc["components"]["schemas"][name]["enum"] = enum
    return doc


def _resolve(doc: Mapping[str, Any], obj: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in obj:
        node: Any = doc
        for part in obj["$ref"].lstrip("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def _inline(doc: Mapping[str, Any], schema: Any) -> Any:
    """``schema`` with its $refs replaced by what they point to (the parameter schemas are small)."""
    if isinstance(schema, Mapping):
        schema = _resolve(doc, schema)
        return {k: _inline(doc, v) for k, v in schema.items() if k not in ("nullable", "example")}
    if isinstance(schema, list):
        return [_inline(doc, v) for v in schema]
    return schema


class Operation:
    """One GET operation's query parameters, from the document: names, required, schemas."""

    def __init__(self, doc: Mapping[str, Any], path: str) -> None:
        op = doc["paths"][path]["get"]
        self.path = path
        self.params: dict[str, tuple[bool, dict[str, Any], str]] = {}
        for p in op.get("parameters", ()):
            p = _resolve(doc, p)
            schema = _inline(doc, p["schema"])
            hint = p.get("description", "")
            if "example" in p:
                hint = f"{hint}, e.g. {p['example']}" if hint else f"e.g. {p['example']}"
            self.params[p["name"]] = (bool(p.get("required")), schema, hint)
        self._validators = {
            name: jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
            for name, (_, schema, _) in self.params.items()}

    def parse(self, query: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """The parameters of a query string (name, value pairs, as given) converted to their types,
        defaults filled; BadRequest naming the first parameter that is missing, repeated, unknown or
        wrong, and why."""
        given: dict[str, str] = {}
        for name, value in query:
            if name not in self.params:
                known = ", ".join(self.params) or "none"
                raise BadRequest(f"unknown parameter {name!r} (parameters of {self.path}: {known})")
            if name in given:
                raise BadRequest(f"parameter {name!r} given more than once")
            given[name] = value
        out: dict[str, Any] = {}
        for name, (required, schema, hint) in self.params.items():
            if name not in given:
                if required:
                    raise BadRequest(f"missing parameter {name!r} ({hint})")
                out[name] = schema.get("default")
                continue
            value = _convert(name, given[name], schema)
            errors = sorted(self._validators[name].iter_errors(value), key=lambda e: e.path)
            if errors:
                raise BadRequest(f"parameter {name}={given[name]!r}: {_why(errors[0], schema)}"
                                 + (f" ({hint})" if hint else ""))
            out[name] = value
        return out


def _convert(name: str, raw: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not _INT.match(raw.strip()):
            raise BadRequest(f"parameter {name}={raw!r}: not an integer")
        return int(raw)
    if kind == "boolean":
        low = raw.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise BadRequest(f"parameter {name}={raw!r}: not a boolean (true or false)")
    return raw


def _why(error: jsonschema.ValidationError, schema: Mapping[str, Any]) -> str:
    if error.validator == "enum":
        return "not one of " + ", ".join(str(v) for v in error.validator_value)
    if error.validator == "pattern":
        return f"does not match {error.validator_value}"
    if error.validator == "format" and error.validator_value == "date":
        return "not a calendar day (YYYY-MM-DD)"
    if error.validator in ("minimum", "maximum"):
        return f"must be {'at least' if error.validator == 'minimum' else 'at most'} {error.validator_value}"
    return error.message


# -- parameters beyond the schemas --------------------------------------------------------------
def country_name(code: str) -> str | None:
    """The English short name of an alpha-3 code (pycountry: ISO 3166-1, or a historic code)."""
    import pycountry
    c = pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code)
    if c is None:
        return None
    return getattr(c, "common_name", None) or c.name


def pair_of(raw: str) -> str:
    """The pair as the tables key it ("AAA-BBB", codes sorted); BadRequest for a code that is not
    a country the project knows or for a pair of one country."""
    from streams.knowledge.loader import is_valid_country
    a, _, b = raw.partition("-")
    for code in (a, b):
        if not is_valid_country(code):
            raise BadRequest(f"pair {raw!r}: {code} is not an ISO 3166-1 alpha-3 country code")
    if a == b:
        raise BadRequest(f"pair {raw!r}: a pair is two different countries")
    return "-".join(sorted((a, b)))


def countries(pair: str) -> list[dict[str, str]]:
    return [{"code": c, "name": country_name(c) or c} for c in pair.split("-")]


def day_range(start: str | None, end: str | None, max_days: int | None = None) -> tuple[int | None, int | None]:
    """Ordinals of ``start``..``end``; BadRequest when start is after end or the range is longer
    than ``max_days``."""
    a = date.fromisoformat(start).toordinal() if start else None
    b = date.fromisoformat(end).toordinal() if end else None
    if a is not None and b is not None:
        if a > b:
            raise BadRequest(f"from={start} is after to={end}")
        if max_days is not None and b - a + 1 > max_days:
            raise BadRequest(f"from={start} to={end} is {b - a + 1} days; at most {max_days} in one request")
    return a, b


# -- routing ------------------------------------------------------------------------------------
def partition_of(pair: str, partitions: int) -> int:
    """The partition of the contacts topic (and so of the windows and episodes tables) that holds
    ``pair``: what the producer's default partitioner (aiokafka DefaultPartitioner, Kafka's
    murmur2) gives for the pair as the key's raw bytes, as the extract stage sends them."""
    from aiokafka.partitioner import murmur2
    return ((murmur2(pair.encode("utf-8")) & 0x7FFFFFFF) % partitions)


def owner_of(metadata: Mapping[str, Mapping[str, Iterable[int]]], topic: str, partition: int) -> str | None:
    """The URL of the worker holding ``partition`` of the changelog ``topic``, from Faust's
    assignor's table metadata ({worker URL: {topic: [partitions]}}); None when nobody does."""
    for url, topics in metadata.items():
        if partition in (topics.get(topic) or ()):
            return url
    return None


# -- reading the windows table ------------------------------------------------------------------
def _iso(o: int) -> str:
    return date.fromordinal(o).isoformat()


def retention(windows: Mapping[str, Any], partition: int, retain_days: int) -> dict[str, Any]:
    """What partition ``partition`` keeps: days before ``retained_from`` were dropped."""
    p = f"{partition}|"

    def day(key: str) -> str | None:
        v = windows.get(p + key)
        return v if isinstance(v, str) and _DAY.match(v) else None
    return {"retain_days": retain_days, "retained_from": day(EXPIRED), "latest_day": day(WATERMARK),
            "coverage_from": day(COVERAGE)}


def daily(windows: Mapping[str, Any], partition: int, pair: str, topic: str, a: int, b: int,
          retained_from: str | None) -> list[tuple[int, int | None]]:
    """(ordinal, distinct contacts) per day from ``a`` to ``b``; None for a day no longer kept."""
    prefix = f"{partition}|{pair}|{topic}|"
    keep = date.fromisoformat(retained_from).toordinal() if retained_from else None
    out = []
    get = windows.get
    for o in range(a, b + 1):
        if keep is not None and o < keep:
            out.append((o, None))
            continue
        v = get(prefix + _iso(o))
        out.append((o, len(v) if isinstance(v, Mapping) else 0))
    return out


def buckets(days: list[tuple[int, int | None]], granularity: str) -> list[dict[str, Any]]:
    """Daily counts grouped by day or by ISO week (Monday to Sunday, cut at the range's ends).
    A contact is counted on one day only (its key holds the day), so a week's distinct contacts
    are the sum of its days'."""
    out: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    for o, n in days:
        d = date.fromordinal(o)
        if granularity == "day" or cur is None or d.weekday() == 0:
            cur = {"start": d.isoformat(), "end": d.isoformat(), "count": None, "days": 0,
                   "days_retained": 0}
            if granularity == "week":
                y, w, _ = d.isocalendar()
                cur["week"] = f"{y:04d}-W{w:02d}"
            out.append(cur)
        cur["end"] = d.isoformat()
        cur["days"] += 1
        if n is not None:
            cur["days_retained"] += 1
            cur["count"] = (cur["count"] or 0) + n
    return out


def counts(windows: Mapping[str, Any], partition: int, pair: str, topic: str, start: str, end: str,
           granularity: str, retain_days: int) -> dict[str, Any]:
    """The answer of /api/v1/counts for a pair held on ``partition`` of ``windows``."""
    a, b = day_range(start, end, MAX_COUNT_DAYS)
    kept = retention(windows, partition, retain_days)
    days = daily(windows, partition, pair, topic, a, b, kept["retained_from"])  # type: ignore[arg-type]
    return {
        "pair": pair, "countries": countries(pair), "topic": topic, "granularity": granularity,
        "from": start, "to": end, "total": sum(n for _, n in days if n),
        "buckets": buckets(days, granularity), "retention": kept, "partition": partition,
    }


def _strings(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else []


def contact_entry(key: str, day: str, v: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "contact_key": key, "day": day, "mode": v.get("mode") if isinstance(v.get("mode"), str) else None,
        "evidence": str(v.get("evidence") or ""), "topics": _strings(v.get("topics")),
        "date_inferred": bool(v.get("date_inferred")),
        "first_seen": str(v["first_seen"]) if v.get("first_seen") else None,
        "sources": _strings(v.get("sources")), "urls": _strings(v.get("urls")),
        "article_ids": _strings(v.get("article_ids")),
    }


def contacts(windows: Mapping[str, Any], partition: int, pair: str, topic: str, start: str, end: str,
             limit: int, retain_days: int) -> dict[str, Any]:
    """The answer of /api/v1/contacts: the contacts of the range, oldest day first (by key within
    a day), at most ``limit`` of them."""
    a, b = day_range(start, end, MAX_CONTACT_DAYS)
    kept = retention(windows, partition, retain_days)
    prefix = f"{partition}|{pair}|{topic}|"
    found: list[dict[str, Any]] = []
    total = 0
    for o in range(a, b + 1):   # type: ignore[arg-type]
        day = _iso(o)
        bucket = windows.get(prefix + day)
        if not isinstance(bucket, Mapping):
            continue
        for key in sorted(bucket):
            v = bucket[key]
            if not isinstance(v, Mapping):
                continue
            total += 1
            if len(found) < limit:
                found.append(contact_entry(str(key), day, v))
    return {"pair": pair, "countries": countries(pair), "topic": topic, "from": start, "to": end,
            "count": total, "truncated": total > len(found), "contacts": found, "retention": kept,
            "partition": partition}
