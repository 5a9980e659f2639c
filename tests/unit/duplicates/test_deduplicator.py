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


def _full_scan_expire(store: dict, now: float, horizon: float) -> int:
    """What expiry must do: every key of the store checked (the reference for the schedule)."""
    from streams.duplicates.deduplicator import _ids, _ts
    deleted = 0
    for key in list(store):
        entry = store[key]
        if key.startswith("band:"):
            old = _ids(entry)
            ids = [x for x in old if now - x[1] <= horizon]
            if not ids:
                del store[key]
                deleted += 1
            elif len(ids) != len(old):
                store[key] = [v for x in ids for v in x]
        elif now - (_ts(entry) or 0.0) > horizon:
            del store[key]
            deleted += 1
    return deleted


class _Rebuilt(dict):
    """A store whose content can be replaced wholesale, as DeltaLogStore's rebuild on a partition
    assignment does (``generation`` counts the rebuilds)."""
    generation = 0


@pytest.mark.parametrize("seed", range(6))
def test_the_expiry_schedule_deletes_exactly_what_a_full_scan_deletes(seed):
    # arrival times out of order, rewrites of expired keys, stories copied (shared band buckets,
    # the bucket cap), horizons shorter and longer than a slot, and a rebuild of the store midway
    import random
    from streams.duplicates.deduplicator import SLOT_SECONDS
    rng = random.Random(seed)
    horizon = rng.choice([20.0, SLOT_SECONDS * 2.5, 900.0])
    stories = [f"{OTHER} story {k} " * 3 for k in range(12)]
    store, ref = _Rebuilt(), {}
    d = Deduplicator(store, horizon_seconds=horizon)
    r = Deduplicator(ref, horizon_seconds=horizon)
    t = 0.0
    for i in range(400):
        t += rng.uniform(0, horizon / 8)
        now = t - rng.uniform(0, horizon / 4)            # late arrivals
        text = rng.choice(stories) + (f" extra {i}" if rng.random() < 0.5 else "")
        a = art(f"a{rng.randrange(150)}", text=text, url=f"https://x.com/{rng.randrange(200)}")
        assert d.check_and_remember(a, now) == r.check_and_remember(a, now)
        if rng.random() < 0.15:
            at = t + rng.uniform(0, horizon / 10)
            assert d.expire(at) == _full_scan_expire(ref, at, horizon)
            assert dict(store) == ref
        if i == 200:
            # the store rebuilt from its changelog after a rebalance, with entries the schedule
            # never saw written (another worker's, for the partition it handed over)
            handed = {}
            o = Deduplicator(handed, horizon_seconds=horizon)
            for j in range(30):
                o.check_and_remember(art(f"o{j}", text=f"{WIRE} handed over {j % 7}",
                                         url=f"https://y.com/{j}"), t - rng.uniform(0, horizon))
            content = {**json.loads(json.dumps(dict(store))), **handed}
            store.clear()
            store.update(content)
            store.generation += 1
            ref.update(handed)
    assert d.expire(t + horizon) == _full_scan_expire(ref, t + horizon, horizon)
    assert dict(store) == ref
    assert d.expire(t + 2 * horizon + SLOT_SECONDS) == _full_scan_expire(
        ref, t + 2 * horizon + SLOT_SECONDS, horizon) and store == ref == {}


def test_a_pass_reads_only_the_keys_written_before_the_cutoff():
    class Counting(dict):
        reads = 0

        def get(self, key, default=None):
            Counting.reads += 1
            return super().get(key, default)
    store = Counting()
    d = Deduplicator(store, horizon_seconds=DAY)
    for i in range(50):
        d.check_and_remember(art(f"a{i}", text=f"{OTHER} story number {i} " * 3), i * 3600.0)
    d.expire(0.0)   # the first pass schedules the store it finds (one scan)
    Counting.reads = 0
    assert d.expire(DAY + 2 * 3600.0 + 1) > 0   # the first three articles' keys have expired
    assert 0 < Counting.reads <= 3 * 20
    assert all(v[1] >= 3 * 3600.0 for k, v in store.items() if not k.startswith("band:"))
