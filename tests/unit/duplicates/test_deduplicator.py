"""Deduplicator: each verdict kind, expiry, bounded state; fingerprints."""
from __future__ import annotations

import json

import pytest

from streams.duplicates import Deduplicator, signature, text_hash, url_key
from streams.duplicates import fingerprints as fp
from streams.records import Article
from tests.corpus import corpus_path, corpus_records

WIRE = (
    "The foreign minister of Oman received a phone call on Tuesday from his Iranian counterpart, "
    "during which they discussed bilateral relations and the latest developments in the region, "
    "including the situation in Yemen and efforts to reach a political settlement. The two "
    "ministers also reviewed preparations for the upcoming meeting of the joint economic "
    "committee in Muscat next month and stressed the importance of dialogue between the "
    "countries of the region to preserve security and stability."
)
OTHER = (
    "The national football team beat its rival two goals to nil in a friendly match played in "
    "the capital on Friday evening, the coach praised the young players and said the squad "
    "would travel to Europe for a training camp before the qualifiers begin in the spring."
)
DAY = 86400.0


def art(i, text=WIRE, url=None):
    return Article(id=i, text=text, url=url)


def test_url_key_normalises_tracking_case_www_and_slash():
    a = url_key("HTTPS://WWW.Example.COM/news/123/?utm_source=tw&utm_medium=x&fbclid=abc&id=7")
    b = url_key("http://example.com/news/123?id=7")
    assert a == b == "example.com/news/123?id=7"
    assert url_key("https://example.com/news/124") != b
    assert url_key(None) is None and url_key("not a url") is None


def test_text_hash_ignores_spelling_variants_punctuation_and_space():
    assert text_hash("أجرى اتصالاً هاتفياً،  اليوم.") == text_hash("اجرى اتصالا هاتفيا اليوم")
    assert text_hash("A call.") != text_hash("A visit.")
    assert text_hash("   ") is None


@pytest.mark.parametrize("kind", ["id", "url", "text", "near"])
def test_each_kind(kind):
    d = Deduplicator({}, horizon_seconds=DAY)
    assert d.check_and_remember(art("a", url="https://x.com/a"), 0).kind is None
    if kind == "id":
        dup = art("a", text=OTHER)
    elif kind == "url":
        dup = art("b", text=OTHER, url="http://www.x.com/a/?utm_campaign=z")
    elif kind == "text":
        dup = art("b", text=WIRE.upper().replace(",", " ,"))
    else:
        # syndicated copy: new dateline, a sentence dropped, a boilerplate line added
        edited = "MUSCAT (Agency) - " + WIRE.replace(" next month", "") + " Follow us on X."
        dup = art("b", text=edited)
    v = d.check_and_remember(dup, 10)
    assert v.kind == kind and v.original_id == "a"
    if kind == "near":
        assert 0.5 <= v.similarity < 1.0


def test_unrelated_article_is_new_and_check_is_read_only():
    store = {}
    d = Deduplicator(store, horizon_seconds=DAY)
    d.check_and_remember(art("a"), 0)
    n = len(store)
    assert d.check(art("b", text=OTHER), 1).kind is None
    assert len(store) == n  # check alone writes nothing
    assert d.check_and_remember(art("b", text=OTHER), 1).kind is None


def test_copy_of_a_copy_points_at_the_original():
    d = Deduplicator({}, horizon_seconds=DAY)
    d.check_and_remember(art("a"), 0)
    d.check_and_remember(art("b", text=WIRE + " Extra line one."), 1)
    v = d.check_and_remember(art("c", text=WIRE + " Extra line one."), 2)
    assert v.kind == "text" and v.original_id == "a"


def test_entries_beyond_horizon_are_ignored_then_expired():
    store = {}
    d = Deduplicator(store, horizon_seconds=DAY)
    d.check_and_remember(art("a", url="https://x.com/a"), 0)
    assert d.check(art("b", url="https://x.com/a"), DAY - 1).kind == "url"
    assert d.check(art("b", url="https://x.com/a"), DAY + 1).kind is None
    assert d.check(art("a"), DAY + 1).kind is None
    deleted = d.expire(DAY + 1)
    assert deleted > 0 and store == {}


def test_store_is_bounded_by_horizon():
    store = {}
    d = Deduplicator(store, horizon_seconds=10)
    sizes = []
    for i in range(60):
        d.check_and_remember(art(f"a{i}", text=f"{OTHER} story number {i} " * 3), float(i))
        d.expire(float(i))
        sizes.append(len(store))
    # only the articles of the last 10 seconds stay: size stops growing
    assert max(sizes[30:]) <= max(sizes[:12]) + 50
    assert all(v[1] >= 59 - 10 for k, v in store.items() if not k.startswith("band:"))


def test_values_are_plain_json_and_reassigned():
    class Recording(dict):
        writes = 0

        def __setitem__(self, k, v):
            Recording.writes += 1
            json.dumps(v)  # Faust table values must serialise
            super().__setitem__(k, v)

    store = Recording()
    d = Deduplicator(store, horizon_seconds=DAY)
    d.check_and_remember(art("a"), 0)
    assert Recording.writes == len(store) == 3 + fp.BANDS   # id, text, sig and one key a band
    for key in d.keys_for(art("a")):
        assert key in store


def test_signature_jaccard_estimate_is_close():
    s1, s2 = signature(WIRE), signature(WIRE.replace("Tuesday", "Monday"))
    assert s1.jaccard(s1) == 1.0
    assert 0.7 < s1.jaccard(s2) < 1.0
    assert signature(OTHER).jaccard(s1) < 0.2


def test_dev_corpus_no_false_merges_and_most_copies_caught():
    arts = [Article.from_dict(a) for a in corpus_records("dev.jsonl")]
    groups = json.loads(corpus_path("dev.copies.json").read_text(encoding="utf-8"))
    group_of = {i: n for n, g in enumerate(groups) for i in g}
    d = Deduplicator({}, horizon_seconds=30 * DAY)
    flagged = 0
    for a in arts:
        v = d.check_and_remember(a, 0.0)
        if v.kind:
            flagged += 1
            assert group_of.get(a.id, -1) == group_of.get(v.original_id, -2), (a.id, v)
    assert flagged >= 14


def test_shortened_repost_is_a_copy_but_an_extended_version_is_not():
    extra = (" In a separate development, the foreign minister of Qatar met the Turkish ambassador in "
             "Doha to discuss regional cooperation, trade between the two countries, investment in "
             "energy projects and the preparations for a visit of the Turkish president next spring.")
    long_text = WIRE + extra
    short_text = WIRE.split(". ")[0] + "."   # only the first sentence of the wire
    d = Deduplicator({}, horizon_seconds=DAY)
    d.check_and_remember(art("long", text=long_text), 0)
    v = d.check_and_remember(art("short", text=short_text), 1)
    assert v.kind == "near" and v.original_id == "long" and v.similarity < 0.5   # by containment
    d2 = Deduplicator({}, horizon_seconds=DAY)
    d2.check_and_remember(art("short", text=short_text), 0)
    # the longer text holds news the short one did not: not a copy
    assert d2.check_and_remember(art("long", text=long_text), 1).kind is None


def test_minhash_values_are_datasketchs_affine32_signature():
    # the hand-rolled vectorised MinHash must give datasketch's values exactly: stored signatures
    # and LSH bands stay comparable, and dedupe decisions do not change
    import numpy as np
    from datasketch import MinHash

    from streams.duplicates import fingerprints as fp
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 50, 400, 3000):
        h = np.unique(rng.integers(0, 2**32, n, dtype=np.uint64))
        m = MinHash(num_perm=fp.NUM_PERM, seed=1, scheme="affine32",
                    permutations=fp._TEMPLATE.permutations, hashfunc=int)
        m.update_batch(h.tolist())
        assert np.array_equal(np.asarray(m.hashvalues, dtype=np.uint32), fp.minhash_values(h))
    text = "Iran's foreign minister met his Omani counterpart in Muscat on Monday."
    h = fp.shingle_hashes(fp.words(text))
    m = MinHash(num_perm=fp.NUM_PERM, seed=1, scheme="affine32",
                permutations=fp._TEMPLATE.permutations, hashfunc=int)
    m.update_batch(h.tolist())
    assert np.array_equal(fp.signature(text).values, np.asarray(m.hashvalues, dtype=np.uint32))
