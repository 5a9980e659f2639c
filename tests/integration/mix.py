"""Inputs for the pipeline's live-broker tests (helpers, no tests): the accounting mix of valid
articles, copies of every kind and garbage with what must come of it, and distinct articles made of
real corpus sentences."""
from __future__ import annotations

import random
import re
import uuid

import orjson

from streams.extraction import extract_contacts
from tests.corpus import corpus_lines


def dev() -> dict[str, bytes]:
    """The dev corpus lines by article id."""
    return {orjson.loads(x)["id"]: x for x in corpus_lines("dev.jsonl")}


def seeds() -> list[bytes]:
    return corpus_lines("seeds.jsonl")


MAX_BYTES = 64 * 1024
NEW_AFTER_RESTART = "en-reuters21578-10048"   # in no copy group of dev.copies.json


def _doc(line: bytes) -> dict:
    return orjson.loads(line)


def build_mix() -> tuple[list[bytes], dict]:
    """The input mix and what must come of it."""
    uid = uuid.uuid4().hex[:6]
    seed1 = _doc(seeds()[1])
    en016 = _doc(dev()["en-016"])
    valid_first = seeds() + [dev()["en-tt-442816"], dev()["en-016"]]
    copies = [
        dev()["en-tt-442849"], dev()["en-tt-442906"],                                  # near (agency story edited)
        orjson.dumps({**seed1, "id": f"repost-{uid}", "source": "repost.example", "url": None}),  # text
        seeds()[0], seeds()[2], seeds()[3],                                               # id (sent twice)
        orjson.dumps({"id": f"other-{uid}", "text": "Page moved. " * 20, "source": "arabnews.com",
                      "url": en016["url"] + "?utm_source=feed#top"}),                # url
    ]
    garbage = {
        "invalid_json": b'{"id": "broken", "text": "unterminated',
        "bad_encoding": b'{"id": "latin1", "text": "caf\xe9 \xe0 Tehran"}',
        "not_object": b'["an", "array"]',
        "schema": b'{"id": "no-text", "title": "only a title"}',
        "too_large": orjson.dumps({"id": "huge", "text": "x" * (MAX_BYTES + 100)}),
        "empty_text": b'{"id": "empty", "text": "  \\n\\t "}',
        "bad_date": b'{"id": "when", "text": "some text", "published_at": "yesterday"}',
    }
    # interleave so that garbage sits between valid records
    mix = valid_first[:3] + list(garbage.values())[:4] + valid_first[3:] + copies + list(garbage.values())[4:]
    expected = {
        "in": len(mix), "processed": len(valid_first), "dead_letter": len(garbage),
        "duplicates": {"near": 2, "text": 1, "id": 3, "url": 1},
        "dead_letters": dict.fromkeys(garbage, 1),
        "garbage": garbage,
        "contacts": [c for line in valid_first for c in extract_contacts(_doc(line))],
    }
    expected["duplicate"] = sum(expected["duplicates"].values())
    return mix, expected


def distinct_articles(n: int, seed: int = 11) -> list[bytes]:
    """n distinct articles of 6-10 real corpus sentences each (no two are copies of each other)."""
    rng = random.Random(seed)
    pool: dict[str, list[str]] = {}
    for line in dev().values():
        a = orjson.loads(line)
        for s in re.split(r"(?<=[.!?؟])\s+|\n+", a["text"]):
            if 40 <= len(s.strip()) <= 500:
                pool.setdefault(a.get("lang") or "en", []).append(s.strip())
    langs = sorted(pool)
    uid = uuid.uuid4().hex[:6]
    return [orjson.dumps({"id": f"mid-{uid}-{i}", "text": " ".join(rng.sample(pool[langs[i % len(langs)]],
                                                                              rng.randint(6, 10))),
                          "source": f"s{i % 7}.example", "published_at": "2024-03-01"})
            for i in range(n)]
