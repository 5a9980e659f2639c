"""The extractor is total: any input gives a list (never an exception), memory stays flat."""
from __future__ import annotations

import gc
import random
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.extraction import extract_contacts, extraction_errors
from streams.records import MODES, Article, Contact

from tests.corpus import corpus_records
# words the extractor reacts to, so random texts reach the deep code paths
VOCAB = ("وزير الخارجية العماني نظيره الأمريكي اتصالا هاتفيا استقبل بالقاهرة في اليوم أمس سيلتقي "
         "وزیر خارجه ایران همتای عمانی تلفنی گفت‌وگو کرد دیدار خواهد دیروز در تهران "
         "Foreign Minister of Oman met the Iranian counterpart in Tehran today will visit Blinken "
         "Zarif summit sidelines phone call UN envoy Gaza Hamas , . : ؛ ، \n \n\n 17 مهر 1402 "
         "October 11 Wednesday الأربعاء Read also: إقرأ أيضاً").split(" ")

_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(result):
    assert isinstance(result, list)
    for c in result:
        assert isinstance(c, Contact)
        assert c.mode in MODES and len(c.countries) == 2 and c.countries == sorted(c.countries)
        assert c.countries[0] != c.countries[1]
        assert 0.0 <= c.confidence <= 1.0


@_settings
@given(st.text())
def test_random_unicode_text(text):
    before = extraction_errors()
    _check(extract_contacts({"id": "r", "text": text}))
    assert extraction_errors() == before


@_settings
@given(st.lists(st.sampled_from(VOCAB), max_size=200).map(" ".join),
       st.one_of(st.none(), st.sampled_from(["2023-10-11", "2023-10", "2019", "garbage", "2023-02-30",
                                             "1402-07-17", "0001-01-01", "9999-12-31T23:59:59Z"])),
       st.one_of(st.none(), st.sampled_from(["ar", "fa", "en", "xx", ""])),
       st.one_of(st.none(), st.text(max_size=30)))
def test_random_texts_of_trigger_words(text, published_at, lang, source):
    before = extraction_errors()
    _check(extract_contacts({"id": "r", "text": text, "published_at": published_at, "lang": lang,
                             "source": source, "title": text[:80]}))
    assert extraction_errors() == before


@_settings
@given(st.dictionaries(st.sampled_from(["id", "text", "title", "source", "published_at", "lang", "url"]),
                       st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers()),
                                 st.dictionaries(st.text(), st.integers()))))
def test_random_records(d):
    before = extraction_errors()
    _check(extract_contacts(d))
    assert extraction_errors() == before


@pytest.mark.parametrize("text", ["", " ", "\n" * 10_000, "." * 100_000, "و" * 50_000])
def test_degenerate_texts(text):
    assert extract_contacts({"id": "d", "text": text}) == []


def test_huge_text_is_handled_in_bounded_time():
    rnd = random.Random(7)
    words = []
    size = 0
    while size < 2_000_000:
        w = rnd.choice(VOCAB)
        words.append(w)
        size += len(w.encode()) + 1
    text = " ".join(words)
    before = extraction_errors()
    t0 = time.perf_counter()
    _check(extract_contacts({"id": "huge", "text": text, "published_at": None}))
    assert time.perf_counter() - t0 < 60
    assert extraction_errors() == before


def test_memory_does_not_grow_with_articles():
    arts = corpus_records("dev.jsonl")
    for a in arts:  # warm up: lazy tables and bounded caches fill once
        extract_contacts(a)
    gc.collect()
    tracemalloc.start()
    try:
        for a in arts:
            extract_contacts(a)
        gc.collect()
        first = tracemalloc.get_traced_memory()[0]
        for _ in range(3):
            for i, a in enumerate(arts):
                extract_contacts(dict(a, id=f"{a['id']}-{_}-{i}"))
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # 384 more articles may not keep more than ~256 KB alive (no per-article state kept)
    assert after - first < 256 * 1024, (first, after)


def test_line_start_cache_stays_bounded_on_odd_letters():
    """Each distinct first letter of a short line is remembered with its normalised form; text
    in ever new scripts (or random Unicode) must not grow that memory without limit."""
    from streams.extraction import boilerplate

    letters = [chr(c) for c in range(0x4E00, 0x4E00 + 3 * boilerplate._FIRST_KEY_MAX)]  # CJK: all \w
    for i in range(0, len(letters), 200):
        boilerplate.segment("\n".join(f"{ch} x" for ch in letters[i:i + 200]))
    assert 0 < len(boilerplate._FIRST_KEY) <= boilerplate._FIRST_KEY_MAX


@_settings
@given(st.builds(Article, id=st.one_of(st.text(), st.integers()), text=st.one_of(st.none(), st.text(), st.integers()),
                 source=st.one_of(st.none(), st.text(), st.integers()), published_at=st.one_of(st.none(), st.text()),
                 lang=st.one_of(st.none(), st.text(max_size=3)), title=st.one_of(st.none(), st.text(), st.integers())))
def test_article_records_with_odd_field_types(article):
    before = extraction_errors()
    snapshot = article.to_dict()
    _check(extract_contacts(article))
    assert extraction_errors() == before
    assert article.to_dict() == snapshot  # the caller's record is left alone
