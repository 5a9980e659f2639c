"""Fingerprints of an article: URL key, exact text hash, MinHash signature and its LSH band keys.

All functions are pure and deterministic across processes (no Python ``hash()``, whose seed changes
per process): fingerprints are stored in Faust tables and compared after restarts.

MinHash: datasketch's ``MinHash`` (scheme ``affine32``, 128 permutations) over word 3-shingles of the
matching form of the text (``streams.extraction.normalise.normalise``). datasketch hashes every
input with SHA-1 in a Python loop by default, which costs ~1.5 ms per 4 KB article; we hash each
*word* once with ``zlib.crc32`` (C speed) and combine three consecutive word hashes into a shingle
hash with numpy, then apply datasketch's affine32 permutations to the 32-bit integers (the scheme
mixes them with a murmur finaliser before permuting, so crc32's linearity does not leak into the
permutations). The permutation step is computed here with the same numpy arithmetic instead of a
datasketch MinHash object per text (``minhash_values``: identical values, 2-4x cheaper; datasketch
still provides the permutations and is the reference in the tests).
Measured: ~0.3 ms per 4 KB article in total (bench/bench_detect.py).
"""
from __future__ import annotations

import base64
import hashlib
import re
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from datasketch import MinHash

from streams.extraction.normalise import normalise

NUM_PERM = 128
BANDS = 16          # LSH over the first BANDS x ROWS values: a pair with Jaccard 0.5 becomes a
ROWS = 3            # candidate with p = 0.88, J 0.7 with p = 0.999, J 0.2 with p = 0.12 (then
                    # verified on all NUM_PERM values). Each band is a store key held for the whole
                    # horizon, most of a worker's dedupe state: 16 bands of 3 rows reach the recall
                    # of 32 bands of 4 at J >= 0.5 (better below) with half the keys; the extra
                    # low-J candidates only cost a verification each (bench/README.md).
SHINGLE = 3         # word 3-shingles: one edited word changes 3 shingles, not the whole text
_SEED = 1

# One template MinHash: its permutations are reused (creating them costs more than hashing).
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme="affine32")
_WORD_RE = re.compile(r"\w+")
_MASK32 = np.uint64(0xFFFFFFFF)
_K1 = np.uint64(0x9E3779B1)
_K2 = np.uint64(0x85EBCA77)

# Query parameters that only track the click, never select the page.
_TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "ref_src",
    "cmpid", "ocid", "smid", "spm",
})


def url_key(url: str | None) -> str | None:
    """Canonical form of a URL for duplicate detection, or None when there is no usable URL.

    Lower-cases scheme and host, drops ``www.``, default ports, the fragment, a trailing slash and
    tracking parameters (``utm_*``, ``fbclid`` ...); keeps other parameters sorted (``?id=1&p=2``
    and ``?p=2&id=1`` are the same page). http and https are the same page for a news article, so
    the scheme is dropped from the key."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    if "://" not in url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    scheme = parts.scheme.lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
    ]
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/")


def words(text: str) -> list[str]:
    """Words of the matching form of ``text`` (punctuation dropped)."""
    return _WORD_RE.findall(normalise(text or ""))


def text_hash(text: str, _words: list[str] | None = None) -> str | None:
    """SHA-1 of the normalised word sequence: equal for texts that differ only in spelling
    variants, diacritics, punctuation, case and whitespace. None for empty text."""
    w = words(text) if _words is None else _words
    if not w:
        return None
    return hashlib.sha1(" ".join(w).encode("utf-8")).hexdigest()


# word -> crc32 of its UTF-8 form: news text repeats its vocabulary, and a dict hit is cheaper than
# encoding and hashing the word again
_WORD_HASH: dict[str, int] = {}
_WORD_HASH_MAX = 200_000


def shingle_hashes(ws: list[str]) -> np.ndarray:
    """Distinct 32-bit hashes of the word 3-shingles (1-shingles for texts under 3 words)."""
    if not ws:
        return np.empty(0, dtype=np.uint64)
    cache = _WORD_HASH
    if len(cache) > _WORD_HASH_MAX:
        cache.clear()   # bounded: a long-running worker sees an open vocabulary
    hs = list(map(cache.get, ws))   # (map: cheaper than a Python loop; misses filled below)
    if None in hs:
        for i, h in enumerate(hs):
            if h is None:
                w = ws[i]
                cache[w] = hs[i] = zlib.crc32(w.encode("utf-8"))
    wh = np.array(hs, dtype=np.uint64)
    if len(wh) >= SHINGLE:
        # position-dependent combination: "a b c" and "c b a" get different shingle hashes
        h = ((wh[:-2] * _K1) ^ (wh[1:-1] * _K2) ^ (wh[2:] * np.uint64(0x27D4EB2F))) & _MASK32
    else:
        h = wh
    return _distinct(h)


def _distinct(h: np.ndarray) -> np.ndarray:
    """``np.unique(h)`` (sorted distinct values) for a 1-d array: sort and keep each first of a
    run; for the few hundred values of an article this is cheaper than np.unique's general path."""
    h = np.sort(h)
    keep = np.empty(h.size, dtype=bool)
    keep[:1] = True
    np.not_equal(h[1:], h[:-1], out=keep[1:])
    return h[keep]


@dataclass(frozen=True, slots=True)
class Signature:
    """MinHash signature of a text and the size of its shingle set (for containment estimates)."""
    values: np.ndarray   # uint32[NUM_PERM]
    size: int            # number of distinct shingles

    def band_keys(self) -> list[str]:
        """LSH band keys ``"<band>:<hash>"``: two texts share a key when they agree on all
        ROWS values of that band."""
        b = self.values.tobytes()   # uint32: ROWS * 4 bytes per band
        n = ROWS * 4
        blake = hashlib.blake2b
        return [f"{i}:{blake(b[i * n:(i + 1) * n], digest_size=8).hexdigest()}" for i in range(BANDS)]

    def jaccard(self, other: "Signature") -> float:
        """MinHash estimate of the Jaccard similarity of the two shingle sets."""
        return float(np.count_nonzero(self.values == other.values)) / NUM_PERM

    def containment_in(self, other: "Signature") -> float:
        """Estimated share of this text's shingles found in ``other`` (|A∩B| / |A|), from the
        Jaccard estimate and both set sizes: |A∩B| = J/(1+J) * (|A|+|B|)."""
        j = self.jaccard(other)
        if self.size == 0:
            return 0.0
        inter = j / (1.0 + j) * (self.size + other.size)
        return min(1.0, inter / self.size)

    def encode(self) -> str:
        """Compact JSON-safe form (base64 of the little-endian uint32 values + size)."""
        return f"{self.size}:" + base64.b64encode(self.values.astype("<u4").tobytes()).decode("ascii")

    @classmethod
    def decode(cls, s: str) -> "Signature":
        size, b64 = s.split(":", 1)
        values = np.frombuffer(base64.b64decode(b64), dtype="<u4").astype(np.uint32)
        return cls(values=values, size=int(size))


# datasketch's affine32 permutations (a odd, b) for our seed, as uint32 rows
_PERM_A = np.asarray(_TEMPLATE.permutations[0], dtype=np.uint32)
_PERM_B = np.asarray(_TEMPLATE.permutations[1], dtype=np.uint32)
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def minhash_values(h: np.ndarray) -> np.ndarray:
    """datasketch ``MinHash(scheme="affine32").update_batch`` over the 32-bit values ``h``, without
    building a MinHash object per text (its argument checks and Python list round trip cost more
    than the arithmetic): murmur3 finaliser, then ``a * h + b`` with uint32 wrap-around per
    permutation, minimum over the inputs. Identical values (tests/unit/duplicates/test_deduplicator.py
    compares it with datasketch)."""
    s1, m1, s2, m2, s3 = _FMIX
    hv = h.astype(np.uint32)
    hv ^= hv >> s1
    hv *= m1
    hv ^= hv >> s2
    hv *= m2
    hv ^= hv >> s3
    return (hv[:, None] * _PERM_A + _PERM_B).min(axis=0)


def signature(text: str, _words: list[str] | None = None) -> Signature | None:
    """MinHash signature of ``text`` (None when the text has no words)."""
    h = shingle_hashes(words(text) if _words is None else _words)
    if h.size == 0:
        return None
    return Signature(values=minhash_values(h), size=int(h.size))


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Everything the deduplicator looks up for one article, computed once (one normalisation)."""
    exact: tuple[tuple[str, str], ...]    # (kind, store key) for id, url, text
    sig: Signature | None
    band_store_keys: tuple[str, ...]      # the deduplicator's store keys of the LSH bands
                                          # ("band:<band>:<hash>", Signature.band_keys)


def fingerprints(article_id: str, url: str | None, text: str) -> Fingerprints:
    w = words(text)
    exact = [("id", f"id:{article_id}")]
    u = url_key(url)
    if u:
        exact.append(("url", f"url:{u}"))
    th = text_hash(text, w)
    if th:
        exact.append(("text", f"text:{th}"))
    sig = signature(text, w)
    bands = tuple(["band:" + b for b in sig.band_keys()]) if sig is not None else ()
    return Fingerprints(tuple(exact), sig, bands)
