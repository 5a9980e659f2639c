"""Builds the status page's data from plain mappings: the worker's ``windows`` and ``episodes``
tables (raw Faust tables, keys prefixed ``"<partition>|"`` by streams.pipeline.tables.PartitionView)
and the metrics registry. Pure functions over mappings, so they are unit-tested without Faust.

Layouts read here (written by streams.detection):
  windows:  ``[<p>|]AAA-BBB|<topic>|YYYY-MM-DD`` -> {contact_key: {mode, evidence, urls, sources, …}}
            ``[<p>|]watermark`` -> latest event day of the partition
  episodes: ``[<p>|]AAA-BBB|<topic>`` -> {"active": {episode_id, started, observed, expected, score,
            last_fired, …} or None, …}
"""
from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from streams import metrics
from streams.detection.counts import ALL_TOPICS
from streams.detection.explain import country_name, group_id

_PAIR = re.compile(r"^[A-Z]{3}-[A-Z]{3}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERSIAN = set("پچژگکیۀ")        # letters Persian uses and Arabic does not
_ARABIC_ONLY = set("ةيكى")        # ta marbuta, Arabic yeh/kaf, alef maqsura


def guess_lang(text: str | None) -> str | None:
    """``ar``, ``fa`` or ``en`` from the script of ``text`` (for the ``lang`` attribute only)."""
    if not text:
        return None
    arabic = sum(1 for ch in text if "\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if arabic > latin:
        fa = sum(1 for ch in text if ch in _PERSIAN)
        ar = sum(1 for ch in text if ch in _ARABIC_ONLY)
        return "fa" if fa > ar else "ar"
    return "en" if latin else None


def pair_names(pair: str, lang: str = "en") -> str:
    """``"Iran – Türkiye"``: CLDR's short names of the pair's countries in ``lang``
    (streams.detection.explain.country_name; the code itself when CLDR has none)."""
    a, _, b = pair.partition("-")
    return f"{country_name(a, lang)} – {country_name(b, lang)}"


def local_names(pair: str | None, lang: str | None) -> str | None:
    """The pair's names in the language of an evidence sentence shown beside them, when that is
    not English (the page's own language) and CLDR has them."""
    if not pair or not lang or lang == "en" or not _PAIR.match(pair):
        return None
    names = pair_names(pair, lang)
    return names if names != pair_names(pair) else None


def _split(key: Any) -> list[str] | None:
    """Key parts without the partition prefix."""
    if not isinstance(key, str):
        return None
    parts = key.split("|")
    if parts and parts[0].isdigit():
        parts = parts[1:]
    return parts


@dataclass
class WindowScan:
    """One pass over the windows table: distinct contacts per (pair, day) in the all-topics bucket,
    the buckets themselves, and the latest watermark."""
    per_day: dict[tuple[str, str], int]
    buckets: list[tuple[str, str, Mapping[str, Any]]]     # (day, pair, {contact_key: entry})
    watermark: str | None


def table_items(table: Any) -> list[tuple[Any, Any]]:
    """A copy of a table's items. For a Faust table on the memory store (a UserDict over a Store
    whose ``data`` is a dict) this is one C-level copy of that dict, short enough to take on the
    event loop; the slow part (``scan_items``) can then run in a thread on the copy."""
    raw = getattr(getattr(table, "data", None), "data", None)
    if isinstance(raw, dict):
        return list(raw.items())
    return list(table.items())


def scan_windows(windows: Mapping[str, Any]) -> WindowScan:
    return scan_items(table_items(windows))


def scan_items(items: Iterable[tuple[Any, Any]]) -> WindowScan:
    # A plain loop with str.split and no regex or date parsing per key: the table can hold a few
    # hundred thousand keys.
    per_day: dict[tuple[str, str], int] = {}
    buckets: list[tuple[str, str, Mapping[str, Any]]] = []
    wm = None
    for key, value in items:
        if not isinstance(key, str):
            continue
        parts = key.split("|")
        n = len(parts)
        if parts[-1] == "watermark":
            if isinstance(value, str) and (wm is None or value > wm):
                wm = value
            continue
        if n == 4:
            _, pair, topic, day = parts
        elif n == 3:
            pair, topic, day = parts
        else:
            continue
        if topic != ALL_TOPICS or len(pair) != 7 or pair[3] != "-" or not value:
            continue
        per_day[(pair, day)] = per_day.get((pair, day), 0) + len(value)
        buckets.append((day, pair, value))
    if wm is not None and not _DAY.match(wm):
        wm = None
    return WindowScan(per_day, buckets, wm)


def watermark(windows: Mapping[str, Any]) -> str | None:
    """The latest event day over all partitions (the end of "this week")."""
    return scan_windows(windows).watermark


def _week_index(end_day: str, weeks: int) -> dict[str, int]:
    """day string -> index of its 7-day window (weeks-1 = the one ending at ``end_day``)."""
    end = date.fromisoformat(end_day)
    return {(end - timedelta(days=back)).isoformat(): weeks - 1 - back // 7 for back in range(7 * weeks)}


def busiest_pairs(windows: Mapping[str, Any] | WindowScan, n: int = 10, weeks: int = 8,
                  week_end: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Top ``n`` pairs with contacts in the 7 days ending at ``week_end`` (default: the
    watermark), by that count, then by their total over the last ``weeks`` 7-day windows; each
    with its weekly counts, oldest first. Pairs without a contact in that week are left out."""
    sc = windows if isinstance(windows, WindowScan) else scan_windows(windows)
    end_day = week_end or sc.watermark
    if end_day is None:   # no watermark yet: the latest day counted
        days = [d for (_, d) in sc.per_day if _DAY.match(d)]
        end_day = max(days) if days else None
    if end_day is None:
        return [], None
    index = _week_index(end_day, weeks)
    series: dict[str, list[int]] = {}
    for (pair, day), count in sc.per_day.items():
        i = index.get(day)
        if i is None:
            continue
        counts = series.get(pair)
        if counts is None:
            counts = series[pair] = [0] * weeks
        counts[i] += count
    # only pairs with contacts this week: the table answers "who is talking now"; a pair's earlier
    # weeks are on its own page
    ranked = sorted(((pair, counts) for pair, counts in series.items()
                     if counts[-1] > 0 and _PAIR.match(pair)),
                    key=lambda kv: (-kv[1][-1], -sum(kv[1]), kv[0]))
    out = [{"pair": pair, "names": pair_names(pair), "count": counts[-1], "weeks": counts}
           for pair, counts in ranked[:n]]
    return out, end_day


def _evidence_entry(contact_key: str, v: Mapping[str, Any]) -> dict[str, Any]:
    parts = contact_key.split("|")
    text = v.get("evidence") or ""
    lang = v.get("lang") or guess_lang(text)
    return {
        "contact_key": contact_key,
        "text": text,
        "lang": lang,
        # contact keys start with the pair: its names in the sentence's language, shown beside it
        "local_names": local_names(parts[0], lang),
        "date": v.get("date") or (parts[1] if len(parts) > 1 else None),
        "mode": v.get("mode"),
        "urls": list(v.get("urls") or ())[:5],
        "sources": list(v.get("sources") or ())[:5],
    }


def recent_contacts(windows: Mapping[str, Any] | WindowScan, n: int = 12,
                    weeks: int = 8) -> list[dict[str, Any]]:
    """The ``n`` contacts this worker counted last (by first-seen time, then event day) among the
    last ``weeks`` weeks of event time, with their evidence: what the pipeline finds right now."""
    sc = windows if isinstance(windows, WindowScan) else scan_windows(windows)
    end_day = sc.watermark or max((d for d, _, _ in sc.buckets), default=None)
    if end_day is None or not _DAY.match(end_day):
        return []
    index = _week_index(end_day, weeks)
    found = []
    for day, pair, bucket in sc.buckets:
        if day not in index or not isinstance(bucket, Mapping):
            continue
        for ck, v in bucket.items():
            if isinstance(v, Mapping):
                found.append((str(v.get("first_seen") or ""), day, ck, pair, v))
    found.sort(key=lambda t: t[:3], reverse=True)
    out = []
    for _seen, _day, ck, pair, v in found[:n]:
        e = _evidence_entry(ck, v)
        e["pair"] = pair
        e["topics"] = list(v.get("topics") or ())
        out.append(e)
    return out


def window_evidence(windows: Mapping[str, Any], pair: str, topic: str, start: str, end: str,
                    prefixes: Iterable[str] = ("",)) -> list[dict[str, Any]]:
    """The contacts of ``pair``/``topic`` between two days, oldest first."""
    out = []
    d, e = date.fromisoformat(start), date.fromisoformat(end)
    while d <= e:
        for prefix in prefixes:
            bucket = windows.get(f"{prefix}{pair}|{topic}|{d.isoformat()}")
            if bucket:
                for ck, v in bucket.items():
                    if isinstance(v, Mapping):
                        out.append(_evidence_entry(ck, v))
                break
        d += timedelta(days=1)
    return out


def active_alerts(episodes: Mapping[str, Any], windows: Mapping[str, Any], window_days: int = 7,
                  limit: int = 10) -> list[dict[str, Any]]:
    """Alerts of the running spike episodes held in the tables, newest first, with the evidence
    of their current window."""
    out = []
    for key, state in list(episodes.items()):
        if not isinstance(key, str) or not isinstance(state, Mapping) or not state.get("active"):
            continue
        a = state["active"]
        prefix = key.split("|")[0] + "|" if key.split("|")[0].isdigit() else ""
        parts = _split(key)
        if not parts or len(parts) != 2:
            continue
        pair, topic = parts
        last = a.get("last_fired") or state.get("clock")
        if not last:
            continue
        start = (date.fromisoformat(last) - timedelta(days=window_days - 1)).isoformat()
        out.append({
            "episode_id": a.get("episode_id"), "status": "active", "pair": pair, "topic": topic,
            "group_id": group_id(pair, a["started"]) if a.get("started") else None,
            "window_start": start, "window_end": last, "started": a.get("started"),
            "observed": a.get("observed"), "expected": a.get("expected"), "score": a.get("score"),
            "evidence": window_evidence(windows, pair, topic, start, last, (prefix,)),
        })
    out.sort(key=lambda a: (a["window_end"] or "", a.get("score") or 0), reverse=True)
    return out[:limit]


def alert_from_record(alert: Mapping[str, Any]) -> dict[str, Any]:
    """An alert record of the alert topic (streams.detection.detector) in the page's shape."""
    pair = alert.get("pair")
    if isinstance(pair, (list, tuple)):
        pair = "-".join(pair)
    evidence = [_evidence_entry(e.get("contact_key") or "", {**e, "evidence": e.get("evidence")})
                for e in alert.get("evidence") or () if isinstance(e, Mapping)]
    return {
        "episode_id": alert.get("episode_id"), "status": alert.get("status"), "pair": pair,
        "topic": alert.get("topic"), "window_start": alert.get("window_start"),
        "window_end": alert.get("window_end"), "observed": alert.get("observed"),
        "expected": alert.get("expected"), "score": alert.get("score"), "evidence": evidence,
        "generated_at": alert.get("generated_at"),
        "summary": alert.get("summary"), "group_id": alert.get("group_id"),
    }


def group_alerts(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per alert group (streams.detection.explain.group_id: pair and the week its episode
    started), in the order of each group's first alert: the all-topics alert and the per-topic
    alerts of one burst list the same contacts, so the page shows their evidence once, with every
    topic. The all-topics alert leads (its window holds every topic's contacts); the evidence is the
    union by contact key."""
    groups: dict[Any, dict[str, Any]] = {}
    order = []
    for a in alerts:
        key = a.get("group_id") or a.get("episode_id")
        g = groups.get(key)
        if g is None:
            groups[key] = g = {**a, "topics": [a.get("topic")]}
            order.append(key)
            continue
        if a.get("topic") not in g["topics"]:
            g["topics"].append(a.get("topic"))
        if a.get("topic") == ALL_TOPICS and g.get("topic") != ALL_TOPICS:   # the all-topics alert leads
            g.update({k: v for k, v in a.items() if k not in ("topics", "evidence")})
        seen = {e.get("contact_key") for e in g.get("evidence") or ()}
        g["evidence"] = list(g.get("evidence") or []) + [
            e for e in a.get("evidence") or () if e.get("contact_key") not in seen]
    out = []
    for key in order:
        g = groups[key]
        g["topics"] = sorted(g["topics"], key=lambda t: (t != ALL_TOPICS, str(t)))
        g["evidence"] = sorted(g["evidence"], key=lambda e: str(e.get("date") or ""))
        out.append(g)
    return out


class AlertLog:
    """The last alerts this worker emitted (the alert stage calls ``add``); one entry per episode,
    the latest record winning."""

    def __init__(self, maxlen: int = 20) -> None:
        self._items: deque[dict[str, Any]] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def add(self, alert: Mapping[str, Any]) -> None:
        rec = alert_from_record(alert)
        with self._lock:
            for i, old in enumerate(self._items):
                if rec["episode_id"] and old.get("episode_id") == rec["episode_id"]:
                    del self._items[i]
                    break
            self._items.append(rec)

    def recent(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(reversed(self._items))


class RateTracker:
    """Per-second rates of the article counters over the last minute, from successive snapshots."""

    def __init__(self, horizon: float = 60.0) -> None:
        self.horizon = horizon
        self.started = time.monotonic()
        self._samples: deque[tuple[float, float, float]] = deque()

    def update(self, n_in: float, n_processed: float, now: float | None = None) -> tuple[float, float]:
        now = time.monotonic() if now is None else now
        self._samples.append((now, n_in, n_processed))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.horizon:
            self._samples.popleft()
        t0, i0, p0 = self._samples[0]
        if now - t0 < 1.0:   # one sample only: the average since this tracker started
            dt = max(1.0, now - self.started)
            return n_in / dt, n_processed / dt
        return (n_in - i0) / (now - t0), (n_processed - p0) / (now - t0)


def collect(windows: Mapping[str, Any] | None = None, episodes: Mapping[str, Any] | None = None,
            *, window_days: int = 7, rates: RateTracker | None = None, alert_log: AlertLog | None = None,
            worker: str | None = None, top: int = 10, weeks: int = 8,
            event_time: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything ``render_status`` needs. ``event_time``: the input partitions' stamps and the
    idle ones (streams.pipeline.routes.event_time), shown with the health tiles."""
    snap = metrics.snapshot()
    windows = windows if windows is not None else {}
    episodes = episodes if episodes is not None else {}
    rate_in = rate_processed = None
    if rates is not None:
        rate_in, rate_processed = rates.update(snap["articles_in"], snap["articles_processed"])
    scan = scan_windows(windows)
    pairs, week_end = busiest_pairs(scan, n=top, weeks=weeks)
    alerts = alert_log.recent() if alert_log is not None else []
    shown = {a.get("episode_id") for a in alerts}
    for a in active_alerts(episodes, windows, window_days):
        if a["episode_id"] not in shown:
            alerts.append(a)
    return {
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "version": snap["version"],
        "worker": worker,
        "week_end": week_end,
        "weeks": weeks,
        "health": {
            "articles_in": snap["articles_in"], "articles_processed": snap["articles_processed"],
            "rate_in": rate_in, "rate_processed": rate_processed,
            "duplicates": snap["duplicates"], "dead_letters": snap["dead_letters"],
            "lag": snap["consumer_lag"], "contacts": snap["contacts"], "alerts": snap["alerts"],
            "event_time": dict(event_time) if event_time is not None else None,
        },
        "pairs": pairs,
        "alerts": group_alerts(alerts)[:10],
        "contacts": recent_contacts(scan, weeks=weeks),
    }
