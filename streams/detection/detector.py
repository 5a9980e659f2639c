"""Spike detection with episodes, over PairCounts and an injected episodes ``MutableMapping``.

An episode fires once (status ``new``); while it lasts, a window that still fires and holds
contacts the episode has not reported yet produces an ``update`` (same ``episode_id``); nothing is
emitted when nothing changed (a replay, a copy's extra source). The episode ends after
``cooldown_days`` consecutive days on which the window does not fire.

Episodes store: key ``"AAA-BBB|<topic>"`` -> ``{"clock": last as-of day evaluated, "active":
{episode} or None, "episodes": number started, "last_ended": day, "past": [outline of each
ended episode: episode_id, started, last_fired, ended, observed, expected, score, seq]}``. The clock
of a pair never goes back: a late contact (event day before the clock) is counted on its day and the pair is evaluated
at the clock, so the current window sees it when it belongs there and the history otherwise.
Days between two evaluations are walked (cheaply, from one read of the daily counts) to find where
an active episode ended.

The day an episode starts (its ``episode_id``, ``<pair>|<topic>|<first day>``) does not depend on
the order in which the pair's contacts are counted, as long as a day's contacts are all counted
before a later day's window fires: when a pair without an active episode is evaluated, every day
from the contact's own day (or the day after the last episode ended) up to the evaluated day is
walked, and the episode opens on the first of them whose window fires and is corroborated — with
the counts as they are now, so a contact that arrives after a later day's contact (another
partition, another path) still opens the episode on its own day, as it would have in order. Such
an episode's ``new`` alert describes the window of its first day; the evaluated day's window,
if it still fires with contacts not in it, adds an ``update`` in the same evaluation.
"""
from __future__ import annotations

from collections.abc import Callable, MutableMapping
from datetime import date, datetime, timezone
from itertools import accumulate
from typing import Any

from streams.detection.contact_keys import as_contact
from streams.detection.counts import ALL_TOPICS, AddResult, PairCounts, iso_of
from streams.detection.explain import country_name, explain, group_id
from streams.detection.model import (METHOD, SpikeParams, WindowStats, may_fire, own_dispersion_p,
                                     report_stats, unit_counts, window_stats)
from streams.records import Contact

MAX_EVIDENCE = 50        # contacts listed in one alert
MAX_EPISODE_KEYS = 500   # contact keys remembered per episode (bounded state)
COVERAGE_KEY = "~coverage"   # episodes-store key of the first observed day (when not fixed)
MAX_PAST = 52            # ended episodes remembered per pair and topic (bounded state)
PAST_FIELDS = ("episode_id", "started", "last_fired", "ended", "observed", "expected", "score", "seq")


def _close(state: dict[str, Any], active: dict[str, Any]) -> None:
    """Record the end of ``active`` in its pair's ``state``: ``last_ended``, and the episode's
    outline in ``past`` (newest last, at most MAX_PAST) so the analyst page can mark the weeks of
    ended alerts; it goes with the state when ``expire`` forgets a pair gone quiet."""
    state["last_ended"] = active["ended"]
    past = list(state.get("past") or ())
    past.append({k: active.get(k) for k in PAST_FIELDS})
    state["past"] = past[-MAX_PAST:]


def _ord(day: str) -> int:
    return date.fromisoformat(day).toordinal()


def _day(o: int) -> str:
    return iso_of(o)


def _utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class SpikeDetector:
    """``observe(contact)`` counts a contact and returns the alerts it causes; ``evaluate(pair,
    topic, as_of)`` and ``tick(as_of)`` re-evaluate without new contacts.

    ``coverage_start``: first day the system observed. Days before it are not counted as history
    (see ``SpikeParams.fill_missing_history``), so the first weeks of a new deployment or of a
    backtest file are not read as "this pair never had contacts". None (the default, for the live
    pipeline): the earliest day evaluated so far, kept in the episodes store under COVERAGE_KEY
    (per partition when the store is partitioned). Pass "0001-01-01" to assume a full history."""

    def __init__(self, counts: PairCounts, episodes: MutableMapping[str, Any],
                 params: SpikeParams | None = None, coverage_start: str | None = None,
                 now: Callable[[], str] = _utcnow,
                 on_evaluate: Callable[[str, str, str, WindowStats], None] | None = None) -> None:
        self.counts = counts
        self.episodes = episodes
        self.params = params or SpikeParams()
        self.coverage_start = coverage_start
        self._fixed_coverage = _ord(coverage_start) if coverage_start else None
        self._now = now
        self.on_evaluate = on_evaluate   # called with every as-of evaluation (measurements)

    # -- entry points -------------------------------------------------------------------------
    def observe(self, contact: Contact | dict[str, Any], *, published_at: str | None = None,
                seen_at: str | None = None) -> list[dict[str, Any]]:
        """Count ``contact`` and evaluate its pair for "*" and each of its topics."""
        c = as_contact(contact)
        res = self.counts.add(c, published_at=published_at, seen_at=seen_at)
        if res.contact_key is None:
            return []
        return self.evaluate_added(res)

    def evaluate_added(self, res: AddResult) -> list[dict[str, Any]]:
        """Evaluate the pair of a contact just counted (``res``, what ``counts.add`` returned)
        for "*" and each of its topics at the contact's day; the alerts made."""
        alerts = []
        for topic in res.topics:
            alerts += self.evaluate_all(res.pair, topic, res.day)
        return alerts

    def evaluate(self, pair: str, topic: str, as_of: str) -> dict[str, Any] | None:
        """Evaluate (pair, topic) at ``as_of`` (moved forward to the pair's clock if earlier).
        Returns the last alert made (new or update) or None (``evaluate_all``: every one)."""
        alerts = self.evaluate_all(pair, topic, as_of)
        return alerts[-1] if alerts else None

    def evaluate_all(self, pair: str, topic: str, as_of: str) -> list[dict[str, Any]]:
        """Evaluate (pair, topic) at ``as_of`` (moved forward to the pair's clock if earlier);
        the alerts made, in order: at most a ``new`` one for an episode that opened on a day
        walked before the evaluated day, then one ``new`` or ``update`` for the evaluated day."""
        p = self.params
        ekey = f"{pair}|{topic}"
        coverage = self._coverage(as_of)
        stored = self.episodes.get(ekey) or {}
        state = dict(stored)
        clock = state.get("clock")
        d = _ord(as_of)
        if clock and _ord(clock) > d:
            d = _ord(clock)
        active = dict(state["active"]) if state.get("active") else None
        if active:
            first = (_ord(clock) + 1) if clock else d
        else:
            # no episode: walk from the contact's own day (which may be before the clock: its
            # window fires now with it), never into the last episode's span
            first = _ord(as_of)
            if state.get("last_ended"):
                first = max(first, _ord(state["last_ended"]) + 1)
        first = min(first, d)
        # EARS C2/C3 shift the baseline back by a guard band; C3 also reads the two windows before
        guard = p.ears_guard_days if p.method in ("ears-c2", "ears-c3") else 0
        back = 2 if p.method == "ears-c3" else 0
        touched = _ord(as_of) + p.window_days - 1 + back
        if not active:
            # Without an episode only a window that fires changes anything (the walk opens an
            # episode on one, the evaluated day alerts on one); a window with too few contacts to
            # fire (may_fire) is known from the days it holds, without its history.
            walk_end = min(d - 1, touched)
            if first <= walk_end and d - walk_end <= p.window_days:   # one read for both
                walk = evaluated = self._walk_may_fire(pair, topic, first, d)
            else:
                walk = self._walk_may_fire(pair, topic, first, walk_end)
                evaluated = self._walk_may_fire(pair, topic, d, d)
            if not walk and not evaluated and self.on_evaluate is None:
                state["clock"] = _day(d)
                state["active"] = None
                if state != stored:   # as below
                    self.episodes[ekey] = state
                return []
            if not walk:
                first = d   # no walked window can fire: the walk changes nothing
        # one read of the daily counts covering every window/history evaluated below
        lo = first - p.window_days - p.history_weeks * 7 + 1 - guard - back
        # Without an episode the walk ends with the windows holding the contact's day (below), so
        # the days between those windows' reach and the evaluated day's are never read: the
        # prefix sums over them are left flat (differences inside either range stay exact).
        lo_d = d - p.window_days - p.history_weeks * 7 + 1 - guard - back
        walk_end = min(d - 1, touched)
        gap = not active and lo <= walk_end < lo_d - 1
        if gap:
            series = (self._daily(pair, topic, lo, walk_end)
                      + [0] * (lo_d - walk_end - 1)
                      + self._daily(pair, topic, lo_d, d))
        else:
            series = self._daily(pair, topic, lo, d)
        prefix = [0, *accumulate(series)]

        def weeks_of(w0: int) -> tuple[tuple[int, int], ...]:
            """The baseline before the window starting at ``w0`` (and its guard band) week by week,
            most recent first, as (contacts, observed days)."""
            top = w0 - guard
            h0 = min(max(top - p.history_weeks * 7, coverage), top)
            return tuple((prefix[e - lo] - prefix[max(e - 7, h0) - lo], e - max(e - 7, h0))
                         for e in range(top, h0, -7))

        def fires(x: int) -> bool:
            """``stats(x).fires``, without the statistics for a window too small to fire."""
            if not may_fire(prefix[x - lo + 1] - prefix[x - p.window_days + 1 - lo], p):
                return False
            return stats(x).fires

        def stats(x: int) -> WindowStats:
            w0 = x - p.window_days + 1
            h0 = w0 - p.history_weeks * 7
            h0 = max(h0, coverage)
            h0 = min(h0, w0)
            observed = prefix[x - lo + 1] - prefix[w0 - lo]
            history = prefix[w0 - lo] - prefix[h0 - lo]
            if p.method == METHOD:
                st = window_stats(observed, history, w0 - h0, p)
                if p.report_dispersion > 0 and not st.fires and may_fire(observed, p):
                    st = self._report_test(pair, topic, h0, w0, x, st)
                return st
            previous = tuple((prefix[y - lo + 1] - prefix[y - p.window_days + 1 - lo],
                              weeks_of(y - p.window_days + 1))
                             for y in range(x - 1, x - 1 - back, -1))
            return window_stats(observed, history, w0 - h0, p, weeks_of(w0), previous)

        # walk the days before the evaluated one: did the active episode end meanwhile, did an
        # episode start on one of them (its contacts counted after a later day's)?
        # Without an episode, only the windows holding the contact's day (and, for EARS C3, the
        # two after them, whose previous windows hold it) can change: a later window got its
        # last contact earlier and was walked then, and more history can only lower its surprise.
        alerts: list[dict[str, Any]] = []
        for x in range(first, d):
            if active:
                if gap and x > walk_end:   # an episode opened on the walk: it goes on to d
                    prefix = [0, *accumulate(self._daily(pair, topic, lo, d))]
                    gap = False
                self._step_quiet(active, fires(x), x)
                if active.get("ended"):
                    _close(state, active)
                    active = None
            elif x > touched:
                break
            elif fires(x) and self._opens(sx := stats(x), *(opened := self._window(pair, topic, x)),
                                          weeks=lambda x=x: weeks_of(x - p.window_days + 1)):
                active = self._open(pair, topic, x, sx, opened[0])
                state["episodes"] = int(state.get("episodes", 0)) + 1
                alerts.append(self._alert(active, "new", pair, topic, x, sx, opened[1]))

        st = stats(d)
        if self.on_evaluate is not None:
            self.on_evaluate(pair, topic, _day(d), st)
        alert = None
        window_keys = None
        if active:
            if st.fires:
                active["quiet_since"] = None
                window_keys, window = self._window(pair, topic, d)
                known = set(active.get("contact_keys", ()))
                fresh = [k for k in window_keys if k not in known]
                if fresh:
                    active["seq"] = int(active.get("seq", 0)) + 1
                    keys = active.get("contact_keys", []) + fresh
                    active["contact_keys"] = keys[-MAX_EPISODE_KEYS:]
                    active.update(observed=st.observed, expected=round(st.expected, 4),
                                  score=st.score, last_fired=_day(d))
                    alert = self._alert(active, "update", pair, topic, d, st, window)
            else:
                self._step_quiet(active, False, d)
                if active.get("ended"):
                    _close(state, active)
                    active = None
        elif st.fires and self._opens(st, *(opened := self._window(pair, topic, d)),
                                      weeks=lambda: weeks_of(d - p.window_days + 1)):
            window_keys, window = opened
            active = self._open(pair, topic, d, st, window_keys)
            state["episodes"] = int(state.get("episodes", 0)) + 1
            alert = self._alert(active, "new", pair, topic, d, st, window)
        state["clock"] = _day(d)
        state["active"] = active
        if state != stored:   # a replay changes nothing and writes nothing to the changelog
            self.episodes[ekey] = state   # reassign: Faust persists assignments only
        if alert:
            alerts.append(alert)
        return alerts

    @staticmethod
    def _open(pair: str, topic: str, d: int, st: WindowStats, window_keys: list[str]) -> dict:
        """A new episode starting on day ``d``: its id is the pair, the topic and that day."""
        return {
            "episode_id": f"{pair}|{topic}|{_day(d)}",
            "started": _day(d),
            "seq": 0,
            "contact_keys": window_keys[-MAX_EPISODE_KEYS:],
            "observed": st.observed,
            "expected": round(st.expected, 4),
            "score": st.score,
            "last_fired": _day(d),
            "quiet_since": None,
        }

    def _walk_may_fire(self, pair: str, topic: str, first: int, last: int) -> bool:
        """Can the window ending on any day from ``first`` to ``last`` fire (``may_fire``)? One
        read of the days those windows hold, not of their histories (False when first > last)."""
        if first > last:
            return False
        wd = self.params.window_days
        series = self._daily(pair, topic, first - wd + 1, last)
        observed = sum(series[:wd - 1])
        for i in range(wd - 1, len(series)):
            observed += series[i]
            if may_fire(observed, self.params):
                return True
            observed -= series[i - wd + 1]
        return False

    def _daily(self, pair: str, topic: str, first: int, last: int) -> list[int]:
        """The pair's daily counts between two ordinals in the model's unit (``count_unit``)."""
        return unit_counts(self.counts.daily_counts_ord(pair, topic, first, last), self.params.count_unit)

    def _report_test(self, pair: str, topic: str, h0: int, w0: int, x: int, st: WindowStats) -> WindowStats:
        """``report_stats`` of the window ``w0..x`` against the baseline ``h0..w0-1``: the distinct
        reports (``corroborate_by``; a contact without any counts as one) of each, from one read."""
        if st.expected < self.params.busy_expected or st.history_days < self.params.min_history_days:
            return st
        field = self.params.corroborate_by
        start = _day(w0)
        window: set[str] = set()
        history: set[str] = set()
        for key, v in self.counts.contacts(pair, topic, _day(h0), _day(x)):
            (window if key.split("|")[1] >= start else history).update(v.get(field) or (key,))
        return report_stats(st, len(window), len(history), self.params)

    def _coverage(self, day: str) -> int:
        """Ordinal of the first observed day (fixed, or the earliest day evaluated so far)."""
        if self._fixed_coverage is not None:
            return self._fixed_coverage
        cov = self.episodes.get(COVERAGE_KEY)
        if not cov or day < cov.get("day", day):
            self.episodes[COVERAGE_KEY] = cov = {"day": day}
        return _ord(cov["day"])

    def tick(self, as_of: str) -> list[str]:
        """Re-evaluate every pair with an active episode at ``as_of`` so episodes end when their
        window has been quiet long enough, without waiting for the pair's next contact. Returns the
        ids of episodes that ended. (The pipeline calls it from a daily timer; backtest calls it
        as its as-of day moves.) Alerts cannot result from a tick unless the window still fires
        with contacts not reported yet."""
        ended = []
        for ekey in [k for k, v in list(self.episodes.items())
                     if k != COVERAGE_KEY and isinstance(v, dict) and v.get("active")]:
            pair, topic = ekey.split("|", 1)
            eid = self.episodes[ekey]["active"]["episode_id"]
            self.evaluate(pair, topic, as_of)
            if not self.episodes[ekey].get("active"):
                ended.append(eid)
        return ended

    def expire(self, before_day: str) -> int:
        """Forget episode states with no active episode whose clock is before ``before_day``."""
        doomed = [k for k, v in list(self.episodes.items())
                  if k != COVERAGE_KEY and isinstance(v, dict) and not v.get("active")
                  and (v.get("clock") or "") < before_day]
        for k in doomed:
            del self.episodes[k]
        return len(doomed)

    # -- helpers ------------------------------------------------------------------------------
    def _step_quiet(self, active: dict[str, Any], fires: bool, x: int) -> None:
        if fires:
            active["quiet_since"] = None
            return
        qs = active.get("quiet_since")
        if qs is None:
            active["quiet_since"] = qs = _day(x)
        if x - _ord(qs) + 1 > self.params.cooldown_days:
            active["ended"] = _day(x)

    def _opens(self, st: WindowStats, keys: list[str], window: list[tuple[str, dict]],
               weeks: Callable[[], tuple[tuple[int, int], ...]] | None = None) -> bool:
        """May a firing window open a new episode? Its contacts must fall on ``min_days`` distinct
        days (a burst that lasts, not one day's story); with ``alpha_new``, its p-value be below
        that; with ``min_ratio_new``, it must hold that multiple of the expected count; with
        ``dispersion_min_history``, a pair with that much baseline must stay below alpha under its
        own overdispersion (``weeks``: its baseline week by week, most recent first, read only
        then); then overwhelming evidence alone, else corroboration."""
        p = self.params
        if p.min_days > 1 and len({k.split("|")[1] for k in keys}) < p.min_days:
            return False
        if 0 < p.alpha_new <= st.p_value:
            return False
        if p.min_ratio_new > 0:
            # a window that fired on its reports (report_stats) is held to the ratio of its reports
            obs, exp = ((st.reports, st.reports_expected) if st.unit == "reports"
                        else (st.observed, st.expected))
            if obs < p.min_ratio_new * exp:
                return False
        if (p.dispersion_min_history > 0 and weeks is not None
                and st.history >= p.dispersion_min_history):
            if own_dispersion_p(st.observed, st.history, st.history_days, p, weeks()) >= p.alpha:
                return False
        return st.p_value < self.params.strong_alpha or self._corroborated(keys, window, st)

    def _corroborated(self, keys: list[str], window: list[tuple[str, dict]],
                      st: WindowStats | None = None) -> bool:
        """A new episode needs the window's contacts to be reported ``min_reports`` times in all:
        distinct articles (``corroborate_by="article_ids"``) or distinct outlets (``"sources"``).
        One outlet's story, or one story republished on three days, is not yet an episode. A
        contact without any counts as one report. With ``reports_per_expected``, a window the
        baseline expects ``st.expected`` contacts in needs that many more reports per expected
        contact (what a busy pair's ordinary week is reported in); with ``unseen_pair_reports``, a
        pair without a contact in its observed baseline needs that many more; with
        ``min_reported_contacts``, that many of the window's contacts must each be in
        ``contact_reports`` reports (the burst is more than one reported event: one contact in
        twenty articles and two in one each is one story and its echoes)."""
        need: float = self.params.min_reports
        if need <= 1:   # min_reports 1: no corroboration at all (the extras below included)
            return True
        if st is not None:
            need += self.params.reports_per_expected * st.expected
            if st.history == 0:
                need += self.params.unseen_pair_reports
        if need <= 1:
            return True
        field = self.params.corroborate_by
        if self.params.min_reported_contacts > 0:
            # more than one reported event: that many contacts each in contact_reports reports
            k = self.params.contact_reports
            if sum(1 for key, v in window
                   if len(v.get(field) or (key,)) >= k) < self.params.min_reported_contacts:
                return False
        ref = self.params.reports_per_contact
        if ref > 0:
            # in units of this feed's reporting: its running mean of distinct reports per contact
            # (PairCounts(feed_totals=True)), starting from the reference
            t = self.counts.feed()
            n0 = self.params.feed_prior_contacts
            need *= (ref * n0 + t.get(field, 0)) / (n0 + t.get("contacts", 0)) / ref
        seen: set[str] = set()
        for key, v in window:
            seen.update(v.get(field) or (key,))
            if len(seen) >= need:
                return True
        return False

    def _window(self, pair: str, topic: str, d: int) -> tuple[list[str], list[tuple[str, dict]]]:
        start = _day(d - self.params.window_days + 1)
        items = self.counts.contacts(pair, topic, start, _day(d))
        return [k for k, _ in items], items

    def _alert(self, episode: dict[str, Any], status: str, pair: str, topic: str, d: int,
               st: WindowStats, window: list[tuple[str, dict]]) -> dict[str, Any]:
        p = self.params
        evidence = []
        for key, v in window[-MAX_EVIDENCE:]:
            evidence.append({
                "contact_key": key,
                "date": key.split("|")[1],
                "date_inferred": bool(v.get("date_inferred")),
                "mode": v.get("mode"),
                "evidence": v.get("evidence", ""),
                "article_ids": list(v.get("article_ids", ())),
                "urls": list(v.get("urls", ())),
                "sources": list(v.get("sources", ())),
            })
        alert = {
            "alert_id": f"{episode['episode_id']}#{episode['seq']}",
            "episode_id": episode["episode_id"],
            "status": status,
            "pair": pair.split("-"),
            "topic": topic,
            "window_start": _day(d - p.window_days + 1),
            "window_end": _day(d),
            "observed": st.observed,
            "expected": round(st.expected, 4),
            "history": {"contacts": st.history, "days": st.history_days},
            "p_value": st.p_value,
            "score": st.score,
            "threshold": p.threshold(),
            "method": p.method,
            "evidence": evidence,
            "generated_at": self._now(),
            "names": [country_name(c) for c in pair.split("-")],
            "group_id": group_id(pair, episode["started"]),
        }
        alert["summary"] = explain(alert, p, (st.reports, st.reports_expected) if st.unit == "reports" else None)
        return alert


__all__ = ["SpikeDetector", "ALL_TOPICS", "COVERAGE_KEY"]
