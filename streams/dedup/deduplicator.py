"""Deduplicator: is this article one we have already seen (same id, same URL, same text, or a
near-duplicate copy)? State lives in an injected ``MutableMapping`` of plain JSON data so the Faust
layer can back it with a Table (every change is an assignment ``store[key] = value``: Faust only
writes assignments to the changelog).

Store layout (all values carry ``ts`` = first seen, seconds since the epoch):

* ``id:<article id>``    -> {"article": original id, "ts"}
* ``url:<url key>``      -> {"article": original id, "ts"}
* ``text:<sha1>``        -> {"article": original id, "ts"}
* ``sig:<article id>``   -> {"article": original id, "ts", "sig": encoded MinHash signature}
* ``band:<i>:<hash>``    -> {"ts", "ids": [[stored article id, ts], ...]} (at most BUCKET_CAP ids)

Copies are remembered too (their keys point at the original): a later copy that resembles the
second copy more than the first still finds the story. LSH candidates are verified on the stored
signature before a copy is declared "near".
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from streams.dedup import fingerprints as fp
from streams.records import Article

KINDS = ("id", "url", "text", "near")
BUCKET_CAP = 4   # ids kept per LSH bucket: bounded values; the first ids of a story are enough


@dataclass(frozen=True, slots=True)
class DedupVerdict:
    kind: str | None              # None (new article) or one of KINDS
    original_id: str | None = None
    similarity: float | None = None   # 1.0 for exact kinds; estimated Jaccard/containment for "near"

    @property
    def is_duplicate(self) -> bool:
        return self.kind is not None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "original_id": self.original_id, "similarity": self.similarity}


NEW = DedupVerdict(None)


class Deduplicator:
    """Exact and near-duplicate detection over a bounded store.

    ``threshold``: estimated Jaccard similarity of the word 3-shingle sets at or above which an
    LSH candidate is a copy. ``containment``: a candidate whose shingles contain at least this
    share of the *new* article's shingles is a copy too (a shortened repost: everything in it was
    already seen), provided its Jaccard is at least ``min_jaccard_for_containment`` (keeps the
    estimate away from the noise floor of 128 permutations)."""

    def __init__(
        self,
        store: MutableMapping[str, Any],
        horizon_seconds: float = 7 * 86400.0,
        threshold: float = 0.5,
        containment: float = 0.8,
        min_jaccard_for_containment: float = 0.25,
    ) -> None:
        self.store = store
        self.horizon = float(horizon_seconds)
        self.threshold = threshold
        self.containment = containment
        self.min_jaccard_for_containment = min_jaccard_for_containment

    # -- fingerprints -------------------------------------------------------------------------
    @staticmethod
    def fingerprints(article: Article) -> fp.Fingerprints:
        """The article's fingerprints (compute once, pass to ``check``/``remember``)."""
        return fp.fingerprints(article.id, article.url, article.text)

    def keys_for(self, article: Article, fps: fp.Fingerprints | None = None) -> list[str]:
        """Every store key this article reads or writes (id, url, text, sig, band keys): the
        pipeline can route an article to the partition owning its keys if it shards the store."""
        f = fps or self.fingerprints(article)
        return ([k for _, k in f.exact] + [f"sig:{article.id}"] * (f.sig is not None)
                + list(f.band_store_keys))

    def _live(self, entry: Any, now: float) -> bool:
        return isinstance(entry, dict) and now - float(entry.get("ts", 0.0)) <= self.horizon

    # -- the decision -------------------------------------------------------------------------
    def check(self, article: Article, now: float, fps: fp.Fingerprints | None = None,
              _buckets: list[Any] | None = None) -> DedupVerdict:
        """Verdict for ``article`` against what was remembered within the horizon. Read-only."""
        f = fps or self.fingerprints(article)
        for kind, key in f.exact:
            entry = self.store.get(key)
            # a live id entry is a redelivery; other exact keys pointing at this very id are too
            # (caught by the id key first), so only a different article makes a url/text copy
            if self._live(entry, now) and (kind == "id" or entry["article"] != article.id):
                return DedupVerdict(kind, entry["article"], 1.0)
        sig = f.sig
        if sig is None:
            return NEW
        best: DedupVerdict = NEW
        best_score = -1.0
        seen: set[str] = set()
        get = self.store.get
        buckets = _buckets if _buckets is not None else [get(k) for k in f.band_store_keys]
        for bucket in buckets:
            if not self._live(bucket, now):
                continue
            for stored_id, ts in bucket.get("ids", ()):
                if stored_id in seen or stored_id == article.id or now - ts > self.horizon:
                    continue
                seen.add(stored_id)
                entry = self.store.get(f"sig:{stored_id}")
                if not self._live(entry, now):
                    continue
                other = fp.Signature.decode(entry["sig"])
                j = sig.jaccard(other)
                c = sig.containment_in(other)
                if j >= self.threshold or (
                    c >= self.containment and j >= self.min_jaccard_for_containment
                ):
                    score = max(j, c)
                    if score > best_score:
                        best_score = score
                        best = DedupVerdict("near", entry["article"], round(j, 4))
        return best

    def remember(self, article: Article, now: float, original_id: str | None = None,
                 fps: fp.Fingerprints | None = None, _buckets: list[Any] | None = None) -> None:
        """Record ``article``'s fingerprints; ``original_id`` is the story it copies (None: itself).
        Existing live entries are kept (first seen wins), expired ones are overwritten.
        (``_buckets``: the band buckets as ``check`` read them, in ``band_store_keys`` order.)"""
        f = fps or self.fingerprints(article)
        root = original_id or article.id
        for _, key in f.exact:
            if not self._live(self.store.get(key), now):
                self.store[key] = {"article": root, "ts": now}
        if f.sig is None:
            return
        if not self._live(self.store.get(f"sig:{article.id}"), now):
            self.store[f"sig:{article.id}"] = {"article": root, "ts": now, "sig": f.sig.encode()}
        keys = f.band_store_keys
        if _buckets is None:
            _buckets = [self.store.get(k) for k in keys]
        for key, bucket in zip(keys, _buckets):
            if isinstance(bucket, dict):
                old = bucket.get("ids", ())
                if len(old) >= BUCKET_CAP and all(now - x[1] <= self.horizon for x in old):
                    continue   # full of live ids: the story's first copies are there already
                if any(x[0] == article.id for x in old):
                    continue
                ids = [list(x) for x in old if now - x[1] <= self.horizon]
            else:
                ids = []
            ids.append([article.id, now])
            # reassign a fresh dict: Faust tables only persist assignments
            self.store[key] = {"ts": now, "ids": ids}

    def check_and_remember(self, article: Article, now: float) -> DedupVerdict:
        """``check`` then ``remember`` (copies are remembered pointing at their original)."""
        f = self.fingerprints(article)
        # the ~32 band buckets are read once for both (check writes nothing; remember writes the
        # exact and sig keys, never a band key, before it comes to the bands)
        get = self.store.get
        buckets = [get(k) for k in f.band_store_keys]
        verdict = self.check(article, now, f, buckets)
        if verdict.kind == "id":
            return verdict  # the very same article again: nothing new to remember
        self.remember(article, now, verdict.original_id, f, buckets)
        return verdict

    # -- bounded state ------------------------------------------------------------------------
    def expire(self, now: float) -> int:
        """Delete entries older than the horizon; returns how many keys were deleted. Buckets keep
        their live ids (reassigned) and are deleted when none is left."""
        deleted = 0
        for key in list(self.store.keys()):
            entry = self.store.get(key)
            if not isinstance(entry, dict):
                continue
            if key.startswith("band:"):
                ids = [list(x) for x in entry.get("ids", ()) if now - x[1] <= self.horizon]
                if not ids:
                    del self.store[key]
                    deleted += 1
                elif len(ids) != len(entry.get("ids", ())):
                    self.store[key] = {"ts": max(x[1] for x in ids), "ids": ids}
            elif now - float(entry.get("ts", 0.0)) > self.horizon:
                del self.store[key]
                deleted += 1
        return deleted
