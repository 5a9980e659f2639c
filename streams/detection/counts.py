"""Distinct contacts per (pair, topic, event day), over an injected ``MutableMapping`` store.

Key ``"AAA-BBB|<topic>|YYYY-MM-DD"`` (topic ``*`` = all topics, plus one key per topic of the
contact) -> ``{contact_key: {"mode", "evidence", "article_ids", "urls", "sources", "topics",
"date_inferred", "first_seen"}}``. The count of a day is the number of contact keys, so adding the
same contact again (a replay, a copy) changes nothing; a copy's extra source is appended to the
lists but does not count. Contacts land on the day they happened (late ones update that day).

Values are plain JSON data and always reassigned (Faust tables only persist assignments). Lists are
capped at ``max_list`` entries so a contact reported by hundreds of outlets keeps a bounded value.

Watermark stamps (``add(..., stamp=)``, the live pipeline's as-of evaluation, streams.detection.asof):
an entry then also keeps ``stamp``, the least stamp of the reports that counted it, and the stamp
of each of its articles and outlets (``article_stamps``, ``source_stamps``, parallel to
``article_ids`` and ``sources``; a full list keeps the reports of the least stamps). With ``cutoff``
set, every read (the counts, the contacts and their reports) sees only what was stamped at or
before it: since stamps never decrease along a path, once every path passed the cutoff that view
is the same whatever order the reports came in. An entry without a stamp (written before stamps,
or added without one) is always seen.
"""
from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from streams.detection.contact_keys import as_contact, contact_day, contact_key, pair_key
from streams.records import Contact

ALL_TOPICS = "*"
EVIDENCE_CHARS = 400   # evidence text kept per contact (a sentence; bounded)


@dataclass(frozen=True, slots=True)
class AddResult:
    contact_key: str | None       # None: the contact could not be dated and was not counted
    pair: str | None = None       # "AAA-BBB"
    day: str | None = None
    topics: tuple[str, ...] = ()  # the topic buckets it belongs to ("*" first)
    new: bool = False             # a contact not counted before (a count went up)
    changed: bool = False         # anything written (new contact, or a new source/url/article)


@lru_cache(maxsize=8192)
def iso_of(ordinal: int) -> str:
    """ISO day of a proleptic ordinal (cached: the detector reads the same ~90 days again and
    again, and date.isoformat dominated its profile)."""
    return date.fromordinal(ordinal).isoformat()


@lru_cache(maxsize=1024)
def _days(a: int, b: int) -> tuple[str, ...]:
    """ISO days of the ordinals a..b (cached: consecutive evaluations read the same ranges)."""
    return tuple(iso_of(o) for o in range(a, b + 1))


def days_between(start: str, end: str) -> tuple[str, ...]:
    """ISO days from ``start`` to ``end`` inclusive (a cached tuple)."""
    return _days(date.fromisoformat(start).toordinal(), date.fromisoformat(end).toordinal())


def day_range(start: str, end: str) -> Iterator[str]:
    return iter(days_between(start, end))


def bucket_key(pair: str, topic: str, day: str) -> str:
    return f"{pair}|{topic}|{day}"


FEED_KEY = "~feed"   # store key of the running feed totals (PairCounts(feed_totals=True))
REPORT_FIELDS = ("article_ids", "sources")
# the stamps of a stamped entry's reports, parallel to its lists
STAMPS = {"article_ids": "article_stamps", "urls": "url_stamps", "sources": "source_stamps"}


class PairCounts:
    """``inferred_lookback_days``: a contact without its own date is counted on its publication day
    -- unless the same pair and channel already has a contact on one of the days just before, which
    it then joins as another report. Outlets publish the same undated news on consecutive days (and
    copies are re-published later); without this each publication day would make a new contact and
    one event reported over three days would look like a burst.

    ``feed_totals``: also keep, under FEED_KEY, how many distinct contacts were counted and how many
    distinct articles and outlets reported them in all (each contact's lists are capped at
    ``max_list``), so a corroboration threshold can be read in units of this feed's own reporting
    (SpikeParams.reports_per_contact). One more store write per counted contact or report."""

    def __init__(self, store: MutableMapping[str, Any], max_list: int = 20,
                 inferred_lookback_days: int = 2, feed_totals: bool = False) -> None:
        self.store = store
        self.max_list = max_list
        self.inferred_lookback_days = inferred_lookback_days
        self.feed_totals = feed_totals
        # None: every read sees everything; an ISO day: reads see only what was stamped at or
        # before it (set by streams.detection.asof around an as-of evaluation)
        self.cutoff: str | None = None

    # -- writing ------------------------------------------------------------------------------
    def add(self, contact: Contact | dict[str, Any], *, published_at: str | None = None,
            seen_at: str | None = None, stamp: str | None = None) -> AddResult:
        """Count ``contact`` on its event day under "*" and each of its topics. Idempotent.
        ``published_at``: the article's publication date, used when the contact has no full date.
        ``seen_at``: when the system first saw it (kept as ``first_seen``; default: the day).
        ``stamp``: the watermark stamp of the report (module docstring)."""
        c = as_contact(contact)
        key = contact_key(c, published_at)
        if key is None:
            return AddResult(None)
        day, inferred = contact_day(c, published_at)  # type: ignore[misc]
        pair = pair_key(c.countries)
        if inferred:
            key, day = self._known_recent(key, day)
        topics = (ALL_TOPICS,) + tuple(sorted({t for t in c.topics if t and t != ALL_TOPICS}))
        entry = {
            "mode": c.mode,
            "evidence": (c.evidence or "")[:EVIDENCE_CHARS],
            "article_ids": [c.article_id] if c.article_id else [],
            "urls": [c.url] if c.url else [],
            "sources": [c.source] if c.source else [],
            "topics": list(topics[1:]),
            "date_inferred": inferred,
            "first_seen": seen_at or day,
        }
        if stamp is not None:
            entry["stamp"] = stamp
            entry["rep"] = [stamp, c.article_id or ""]
            for f, sf in STAMPS.items():
                entry[sf] = [stamp] * len(entry[f])
        new = changed = False
        for topic in topics:
            n, ch = self._merge(bucket_key(pair, topic, day), key, entry, tally=topic == ALL_TOPICS)
            new |= n
            changed |= ch
        return AddResult(key, pair, day, topics, new, changed)

    def _known_recent(self, key: str, day: str) -> tuple[str, str]:
        """(key, day) of an already counted contact of the same pair and channel on ``day`` or the
        ``inferred_lookback_days`` days before it (the latest one), else ``key``/``day`` unchanged."""
        pair, _, channel = key.split("|")
        d0 = date.fromisoformat(day).toordinal()
        for o in range(d0, d0 - self.inferred_lookback_days - 1, -1):
            k = f"{pair}|{iso_of(o)}|{channel}"
            if k in (self.store.get(bucket_key(pair, ALL_TOPICS, iso_of(o))) or ()):
                return k, iso_of(o)
        return key, day

    def add_source(self, contact_key_: str, *, source: str | None = None, url: str | None = None,
                   article_id: str | None = None, stamp: str | None = None,
                   mode: str | None = None, evidence: str | None = None) -> bool:
        """Record another outlet/URL/article for an already counted contact (the pipeline's path for
        an article found to be a copy; ``stamp``: its stamp; ``mode``, ``evidence``: the contact as
        the copy's record describes it). Returns True when something was added; False when nothing
        new or the contact is unknown. The count never changes; a stamp below the contact's makes
        it seen from there, and a (stamp, article id) below its ``rep`` makes this report the one
        that describes it: with several input partitions a copy can be stamped before the article
        dedupe saw first (another partition's), and the contact is then what the least stamped of
        its reports makes it, whichever of them dedupe saw first."""
        pair, day, _ = contact_key_.split("|")
        star = self.store.get(bucket_key(pair, ALL_TOPICS, day))
        if not star or contact_key_ not in star:
            return False
        extra: dict[str, Any] = {"article_ids": [article_id] if article_id else [],
                                 "urls": [url] if url else [], "sources": [source] if source else []}
        if stamp is not None:
            for f, sf in STAMPS.items():
                extra[sf] = [stamp] * len(extra[f])
            extra["stamp"] = stamp
            if mode is not None:
                extra.update(rep=[stamp, article_id or ""], mode=mode,
                             evidence=(evidence or "")[:EVIDENCE_CHARS])
        changed = False
        for topic in (ALL_TOPICS, *star[contact_key_].get("topics", ())):
            _, ch = self._merge(bucket_key(pair, topic, day), contact_key_, extra, only_existing=True,
                                tally=topic == ALL_TOPICS)
            changed |= ch
        return changed

    def feed(self) -> dict[str, int]:
        """The running feed totals: {"contacts", "article_ids", "sources"} (zeros without
        ``feed_totals``)."""
        return dict(self.store.get(FEED_KEY) or {"contacts": 0, "article_ids": 0, "sources": 0})

    def _tally(self, contacts: int, added: dict[str, int]) -> None:
        if not self.feed_totals or not (contacts or any(added.values())):
            return
        t = self.feed()
        t["contacts"] += contacts
        for f in REPORT_FIELDS:
            t[f] += added.get(f, 0)
        self.store[FEED_KEY] = t

    def _merge(self, bkey: str, ckey: str, entry: dict[str, Any],
               only_existing: bool = False, tally: bool = False) -> tuple[bool, bool]:
        """Add ``entry`` to the bucket; (new contact, anything written). ``tally``: this is the
        all-topics bucket, whose additions the feed totals count (once per contact, not per topic)."""
        bucket = self.store.get(bkey) or {}
        old = bucket.get(ckey)
        if old is None:
            if only_existing:
                return False, False
            new_bucket = dict(bucket)
            new_bucket[ckey] = entry
            self.store[bkey] = new_bucket
            if tally:
                self._tally(1, {f: len(entry.get(f, ())) for f in REPORT_FIELDS})
            return True, True
        merged = dict(old)
        changed = False
        added: dict[str, int] = {}
        for field in ("article_ids", "urls", "sources", "topics"):
            if field not in old and field not in entry:
                continue
            have = list(old.get(field, ()))
            sf = STAMPS.get(field)
            if sf is not None and sf in entry and (sf in old or not have):
                ch, n = self._merge_stamped(merged, old, entry, field, sf)
                changed |= ch
                if n:
                    added[field] = added.get(field, 0) + n
                continue
            for v in entry.get(field, ()):
                if v not in have and len(have) < self.max_list:
                    have.append(v)
                    changed = True
                    added[field] = added.get(field, 0) + 1
            merged[field] = have
        if "stamp" in old and "stamp" in entry and entry["stamp"] < old["stamp"]:
            merged["stamp"] = entry["stamp"]   # an earlier report of it: seen from then on
            changed = True
        if "rep" in old and "rep" in entry and entry["rep"] < old["rep"]:
            # the report of the least (stamp, article id) describes the contact (mode, evidence):
            # the one every run sees first once its stamp is passed, whatever came first here
            merged.update(rep=entry["rep"], mode=entry["mode"], evidence=entry["evidence"])
            changed = True
        if not merged.get("evidence") and entry.get("evidence"):
            merged["evidence"] = entry["evidence"]
            changed = True
        if old.get("date_inferred") and entry.get("date_inferred") is False:
            merged["date_inferred"] = False  # a dated report confirms the inferred day
            changed = True
        if changed:
            new_bucket = dict(bucket)
            new_bucket[ckey] = merged
            self.store[bkey] = new_bucket
            if tally:
                self._tally(0, added)
        return False, changed

    def _merge_stamped(self, merged: dict[str, Any], old: dict[str, Any], entry: dict[str, Any],
                       field: str, sf: str) -> tuple[bool, int]:
        """Merge a stamped report list: a report known already keeps the lesser stamp; a full list
        keeps the ``max_list`` reports of the least (stamp, value), so which reports a cutoff sees
        does not depend on the order they came in. (changed, reports added)."""
        have = list(old.get(field, ()))
        stamps = list(old.get(sf, ()))
        stamps += [""] * (len(have) - len(stamps))   # (an unstamped list: always seen)
        changed = False
        n = 0
        for v, st in zip(entry.get(field, ()), entry.get(sf, ())):
            if v in have:
                i = have.index(v)
                if st < stamps[i]:
                    stamps[i] = st
                    changed = True
            elif len(have) < self.max_list:
                have.append(v)
                stamps.append(st)
                changed = True
                n += 1
            else:
                j = max(range(len(have)), key=lambda i: (stamps[i], have[i]))
                if (st, v) < (stamps[j], have[j]):
                    have[j], stamps[j] = v, st
                    changed = True
        merged[field] = have
        merged[sf] = stamps
        return changed, n

    # -- reading ------------------------------------------------------------------------------
    def visible(self, entry: dict[str, Any]) -> bool:
        """Is ``entry`` seen at the current ``cutoff``?"""
        return self.cutoff is None or (entry.get("stamp") or "") <= self.cutoff

    def _as_of(self, entry: dict[str, Any]) -> dict[str, Any]:
        """``entry`` with only the reports stamped at or before ``cutoff``, each list in the order
        of (stamp, value): the same in every run, whatever order the reports came in."""
        if self.cutoff is None or not any(sf in entry for sf in STAMPS.values()):
            return entry
        out = dict(entry)
        for f, sf in STAMPS.items():
            if sf in entry:
                vs, ss = entry.get(f, ()), entry[sf]
                kept = [((ss[i] if i < len(ss) else ""), v) for i, v in enumerate(vs)]
                out[f] = [v for st, v in sorted(kept) if st <= self.cutoff]
        return out

    def day_count(self, pair: str, topic: str, day: str) -> int:
        bucket = self.store.get(bucket_key(pair, topic, day)) or {}
        if self.cutoff is None:
            return len(bucket)
        return sum(1 for v in bucket.values() if self.visible(v))

    def daily_counts(self, pair: str, topic: str, start: str, end: str) -> list[int]:
        """Distinct contacts per day from ``start`` to ``end`` inclusive."""
        return self.daily_counts_ord(pair, topic, date.fromisoformat(start).toordinal(),
                                     date.fromisoformat(end).toordinal())

    def daily_counts_ord(self, pair: str, topic: str, first: int, last: int) -> list[int]:
        """``daily_counts`` between two proleptic ordinals (the detector's days)."""
        prefix = f"{pair}|{topic}|"
        days = _days(first, last)
        get = self.store.get
        if self.cutoff is not None:
            cut = self.cutoff
            return [sum(1 for v in (get(prefix + d) or {}).values() if (v.get("stamp") or "") <= cut)
                    for d in days]
        sizes = getattr(self.store, "sizes", None)   # a PartitionView reads them in one call
        if sizes is not None:
            return sizes(prefix, days)
        return [len(get(prefix + d) or ()) for d in days]

    def contacts(self, pair: str, topic: str, start: str, end: str) -> list[tuple[str, dict[str, Any]]]:
        """(contact_key, value) of the contacts from ``start`` to ``end`` inclusive, by day."""
        out = []
        for d in day_range(start, end):
            bucket = self.store.get(bucket_key(pair, topic, d)) or {}
            if self.cutoff is None:
                out.extend(sorted(bucket.items()))
            else:
                out.extend((k, self._as_of(v)) for k, v in sorted(bucket.items()) if self.visible(v))
        return out

    def expire(self, before_day: str) -> int:
        """Delete the buckets of days before ``before_day``; returns how many were deleted."""
        doomed = [k for k in list(self.store.keys())
                  if isinstance(k, str) and k.count("|") == 2 and k.rsplit("|", 1)[1] < before_day]
        for k in doomed:
            del self.store[k]
        return len(doomed)
