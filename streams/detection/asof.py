"""As-of evaluation: a pair is evaluated for a day only once the watermark says the contacts that
count for that day are all there, on a set of contacts that does not depend on their arrival order.

Every report is counted with the watermark stamp it came with (``PairCounts.add(stamp=)``; in the
live pipeline the stamp dedupe gave its article, docs/pipeline.md "Event-time watermark"; in
``backtest``, whose input is one path in day order, the contact's own day). ``settle_days`` (S,
``DIPLOWATCH_SETTLE_DAYS``) is how long after a day its contacts may still arrive and count for its
alerts:

* day D is evaluated once the **bound** — the least stamp still to come on any path — is past
  D + S (``advance(bound)``: every record stamped D + S or earlier has arrived, because stamps never
  decrease along a path);
* its windows and histories count only the contacts (and reports: articles, outlets) stamped at or
  before D + S (``PairCounts.cutoff``), so what it sees is a function of each path's own input;
* a report marks its pair and topics **due** on max(its event day, stamp - S), the first day whose
  evaluation sees it; a pair is evaluated on its due days, and every pair with an active episode
  on every day (so episodes end on the same day whatever the input's timing);
* days are evaluated in order as the bound moves (not when a contact arrives), pairs in sorted
  order within a day, so the detector's state (clocks, episodes, cool-downs) evolves identically.

A report arriving now has a stamp at least the bound (its path's newest), so its due day is after
every day evaluated so far: the detector never walks back (``SpikeDetector.evaluate_all`` with an
as-of day after the pair's clock). The same code runs in ``backtest`` and in the aggregate stage.

Store keys (in the counts store, next to the windows): ``~asof`` -> {"done": last day evaluated,
"days": the due days not evaluated yet, sorted, "active": the episode keys with an active episode};
``~due|<day>`` -> {"pairs": {pair: [topics]}, "first": the earliest event day among its reports}
(the coverage start moves back to it when the day is evaluated).
"""
from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from streams.detection.contact_keys import as_contact
from streams.detection.counts import AddResult, PairCounts
from streams.detection.detector import SpikeDetector
from streams.records import Contact

STATE = "~asof"
DUE = "~due"


def plus_days(day: str, n: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()


class AsOfEvaluator:
    """``detector()``: the SpikeDetector to evaluate with (called once per evaluated day, so a
    caller whose detector depends on the coverage start can rebuild it); ``on_coverage(day)``:
    called with the earliest event day of a due day's reports before that day is evaluated."""

    def __init__(self, counts: PairCounts, detector: Callable[[], SpikeDetector], settle_days: int,
                 on_coverage: Callable[[str], None] | None = None) -> None:
        self.counts = counts
        self.store = counts.store
        self.detector = detector
        self.settle_days = settle_days
        self.on_coverage = on_coverage
        self.ended = 0   # episodes ended by the evaluations of this object (backtest's summary)

    def state(self) -> dict[str, Any]:
        return dict(self.store.get(STATE) or {"done": None, "days": [], "active": []})

    # -- input ------------------------------------------------------------------------------------
    def add(self, contact: Contact | dict[str, Any], stamp: str | None, *,
            published_at: str | None = None, seen_at: str | None = None) -> AddResult:
        """Count a report stamped ``stamp`` and mark its pair due (module docstring)."""
        res = self.counts.add(as_contact(contact), published_at=published_at, seen_at=seen_at,
                              stamp=stamp)
        if res.contact_key is not None:
            self.mark(res.pair, res.topics, res.day, stamp)
        return res

    def add_source(self, contact_key: str, topics: tuple[str, ...], stamp: str, **report) -> bool:
        """Another report (a copy's outlet) of a counted contact: it can complete a window's
        corroboration, so the pair is due when the report is first seen."""
        changed = self.counts.add_source(contact_key, stamp=stamp, **report)
        if changed:
            pair, day, _ = contact_key.split("|")
            self.mark(pair, topics, day, stamp)
        return changed

    def mark(self, pair: str, topics: tuple[str, ...] | list[str], day: str,
             stamp: str | None) -> None:
        """Evaluate ``pair`` for ``topics`` on the first day whose evaluation sees a report of
        event day ``day`` stamped ``stamp``: max(day, stamp - S). A new report's stamp is at least
        the bound, so that day is after every day evaluated; one that is not is a record seen
        before (a redelivery after a crash whose state, evaluation included, was persisted before
        its mark; a repeat extract sent again) and marks nothing: marking a later day instead would
        evaluate the pair on a day the run without the crash did not."""
        st = self.state()
        # (no stamp: a record from before the stamps, or before dedupe saw a dated article)
        due = day if stamp is None else max(day, plus_days(stamp, -self.settle_days))
        if st["done"] is not None and due <= st["done"]:
            return
        key = f"{DUE}|{due}"
        cur = self.store.get(key) or {"pairs": {}, "first": day}
        pairs = cur["pairs"]
        have = pairs.get(pair) or []
        missing = [t for t in topics if t not in have]
        if not missing and day >= cur["first"] and key in self.store:
            return
        self.store[key] = {"pairs": {**pairs, pair: sorted(have + missing)},
                           "first": min(cur["first"], day)}
        if due not in st["days"]:
            days = list(st["days"])
            insort(days, due)
            self.store[STATE] = {**st, "days": days}

    # -- evaluation -------------------------------------------------------------------------------
    def advance(self, bound: str | None) -> list[dict[str, Any]]:
        """Evaluate, in order, every day D with D + S before ``bound`` (None: nothing yet) that has
        something due or an active episode; the alerts made, in order."""
        if bound is None:
            return []
        return self._run(plus_days(bound, -self.settle_days - 1))

    def finish(self) -> list[dict[str, Any]]:
        """The end of a finite input (backtest): evaluate every day still due (active episodes
        are stepped up to the last of them, not beyond)."""
        days = self.state()["days"]
        return self._run(days[-1]) if days else []

    def _run(self, last: str) -> list[dict[str, Any]]:
        alerts: list[dict[str, Any]] = []
        st = self.state()
        while True:
            nxt = plus_days(st["done"], 1) if st["done"] is not None else None
            if not st["active"] or nxt is None:
                # nothing to step day by day: straight to the next due day
                nxt = st["days"][0] if st["days"] else None
            if nxt is None or nxt > last:
                break
            alerts += self._evaluate_day(nxt, st)
            st = self.state()
        return alerts

    def _evaluate_day(self, day: str, st: dict[str, Any]) -> list[dict[str, Any]]:
        key = f"{DUE}|{day}"
        due = self.store.get(key) if st["days"] and st["days"][0] == day else None
        if due and self.on_coverage is not None:
            self.on_coverage(due["first"])
        det = self.detector()
        todo = {(pair, t) for pair, topics in (due or {}).get("pairs", {}).items() for t in topics}
        todo |= {tuple(k.split("|", 1)) for k in st["active"]}
        alerts: list[dict[str, Any]] = []
        active = set(st["active"])
        self.counts.cutoff = plus_days(day, self.settle_days)
        try:
            for pair, topic in sorted(todo):
                alerts += det.evaluate_all(pair, topic, day)
                ekey = f"{pair}|{topic}"
                now_active = bool((det.episodes.get(ekey) or {}).get("active"))
                if ekey in active and not now_active:
                    self.ended += 1
                    active.discard(ekey)
                elif now_active:
                    active.add(ekey)
        finally:
            self.counts.cutoff = None
        if due is not None:
            del self.store[key]
        days = [d for d in st["days"] if d != day]
        self.store[STATE] = {"done": day, "days": days, "active": sorted(active)}
        return alerts


__all__ = ["AsOfEvaluator", "STATE", "DUE", "plus_days"]
