"""Pure duplicate detection: exact (id, URL, normalised text) and near-duplicate (MinHash + LSH)."""
from streams.duplicates.deduplicator import KINDS, DedupVerdict, Deduplicator
from streams.duplicates.fingerprints import Signature, signature, text_hash, url_key

__all__ = ["KINDS", "DedupVerdict", "Deduplicator", "Signature", "signature", "text_hash", "url_key"]
