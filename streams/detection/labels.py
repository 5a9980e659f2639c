"""Scoring a backtest against labelled episodes (``episodes/*.tsv``): which episodes an alert
caught, how many new alerts per 100 active pair-weeks, how many of them fell on steady busy pairs
outside any labelled episode.

An episode (pair, start, end) is **caught** when an alert of the pair (``new`` or ``update``, any
topic) has its window end between ``lead_days`` before ``start`` and ``lag_days`` after ``end``:
machine coding dates an announced trip on the story's day (days before the trip), and a burst is
only complete some days after it began. It is **observable** when the input holds at least
``min_contacts`` distinct contacts of the pair in that span: fewer cannot be told from noise by
any count-based detector (and the detector's ``min_count`` forbids it), so those are reported
apart. Pure functions over plain data; ``python -m streams backtest --episodes FILE`` prints them.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class LabelledEpisode:
    pair: str
    week: str
    start: str
    end: str
    kind: str
    what: str
    source: str


def _rows(path: str | Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def load_episodes(path: str | Path) -> list[LabelledEpisode]:
    """Labelled episodes of a TSV (columns: pair week start end kind what source)."""
    out = []
    for r in _rows(path):
        ep = LabelledEpisode(**{k: (r.get(k) or "").strip() for k in LabelledEpisode.__slots__})
        a, b = ep.pair.split("-")
        if a >= b or len(a) != 3 or len(b) != 3:
            raise ValueError(f"{path}: pair {ep.pair!r} is not 'AAA-BBB' sorted")
        if date.fromisoformat(ep.end) < date.fromisoformat(ep.start):
            raise ValueError(f"{path}: {ep.pair} {ep.start}: end before start")
        out.append(ep)
    return out


def load_steady(path: str | Path) -> list[str]:
    """Steady busy pairs of a TSV (columns: pair why source)."""
    return [r["pair"].strip() for r in _rows(path)]


def iso_week(day: str) -> str:
    y, w, _ = date.fromisoformat(day).isocalendar()
    return f"{y}-W{w:02d}"


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def score(alerts: Iterable[Mapping[str, Any]], episodes: list[LabelledEpisode],
          steady: Iterable[str] = (), *, contact_days: Mapping[str, list[str]] | None = None,
          active_pair_weeks: int, lead_days: int = 7, lag_days: int = 7,
          min_contacts: int = 3) -> dict[str, Any]:
    """Score alerts against labelled episodes.

    ``contact_days``: pair -> event day of each distinct contact (one entry per contact), used to
    mark episodes observable; without it every episode counts as observable."""
    by_pair: dict[str, list[Mapping[str, Any]]] = {}
    for a in alerts:
        by_pair.setdefault("-".join(a["pair"]), []).append(a)
    spans = {}
    rows = []
    for ep in episodes:
        lo, hi = _shift(ep.start, -lead_days), _shift(ep.end, lag_days)
        spans.setdefault(ep.pair, []).append((lo, hi))
        hits = [a for a in by_pair.get(ep.pair, ()) if lo <= a["window_end"] <= hi]
        n = (sum(1 for d in contact_days.get(ep.pair, ()) if lo <= d <= hi)
             if contact_days is not None else None)
        rows.append({"pair": ep.pair, "week": ep.week, "start": ep.start, "what": ep.what,
                     "contacts": n, "observable": n is None or n >= min_contacts,
                     "caught": bool(hits),
                     "first_alert": min((a["window_end"] for a in hits), default=None)})
    new = [a for a in (x for v in by_pair.values() for x in v) if a.get("status") == "new"]
    steady_set = set(steady)

    def in_label(a: Mapping[str, Any]) -> bool:
        return any(lo <= a["window_end"] <= hi for lo, hi in spans.get("-".join(a["pair"]), ()))

    new_in_labels = sum(1 for a in new if in_label(a))
    new_on_steady = sum(1 for a in new if "-".join(a["pair"]) in steady_set and not in_label(a))
    obs = [r for r in rows if r["observable"]]
    return {
        "episodes": len(rows),
        "caught": sum(r["caught"] for r in rows),
        "observable": len(obs),
        "observable_caught": sum(r["caught"] for r in obs),
        "new_alerts": len(new),
        "new_in_labelled_episodes": new_in_labels,
        "new_on_steady_pairs_outside_episodes": new_on_steady,
        "active_pair_weeks": active_pair_weeks,
        "new_per_100_pair_weeks": round(100.0 * len(new) / active_pair_weeks, 3)
        if active_pair_weeks else 0.0,
        "rows": rows,
    }


__all__ = ["LabelledEpisode", "iso_week", "load_episodes", "load_steady", "score"]
