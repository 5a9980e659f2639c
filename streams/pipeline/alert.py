"""Stage 5, alert: spike episodes over the aggregated windows → records on ``alerts`` keyed by pair.

Runs inside the aggregate agent, on the same partition: detection needs the pair's current window
and its history, which live in that partition's ``windows`` table, and its episode state (table
``episodes``) must change together with them. A separate agent would need the whole window history
shipped to it. The decisions are streams.detection.SpikeDetector's: a new episode alerts once
(status ``new``), grows with ``update`` alerts while its window gains contacts it has not reported,
and a replayed contact or a copy's extra source changes nothing and alerts nothing.

Coverage: the first event day a partition counted is its coverage start, so the weeks before the
system began observing are not read as "this pair had no contacts" (no burst of alerts on the
first busy week of a new deployment or of a replayed history).
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from streams import metrics
from streams.detection import PairCounts, SpikeDetector, SpikeParams
from streams.detection.contact_keys import as_contact
from streams.pipeline.serde import Out
from streams.records import Contact

COVERAGE = "coverage"


def spike_params(settings) -> SpikeParams:
    return SpikeParams(window_days=settings.window_days, history_weeks=settings.history_weeks,
                       alpha=settings.spike_alpha, min_count=settings.spike_min_count,
                       min_ratio=settings.spike_min_ratio, cooldown_days=settings.cooldown_days,
                       min_reports=settings.spike_min_reports,
                       corroborate_by=settings.spike_corroborate_by,
                       strong_alpha=settings.spike_strong_alpha,
                       reports_per_contact=settings.spike_reports_per_contact,
                       reports_per_expected=settings.spike_reports_per_expected,
                       unseen_pair_reports=settings.spike_unseen_pair_reports)


class AlertStage:
    def __init__(self, counts: PairCounts, episodes: MutableMapping, params: SpikeParams) -> None:
        self.counts = counts
        self.episodes = episodes
        self.params = params
        self._detector: SpikeDetector | None = None
        self._coverage: str | None = None

    def detector(self) -> SpikeDetector:
        cov = self.counts.store.get(COVERAGE)
        if self._detector is None or cov != self._coverage:
            # rebuilt when the partition changes or a late contact moves its coverage back
            self._coverage = cov
            self._detector = SpikeDetector(self.counts, self.episodes, self.params, coverage_start=cov)
        return self._detector

    def note_day(self, day: str) -> None:
        """Widen the coverage of the current partition to ``day``."""
        cov = self.counts.store.get(COVERAGE)
        if cov is None or day < cov:
            self.counts.store[COVERAGE] = day

    def observe(self, contact: dict[str, Any], seen_at: str, record: Contact | None = None) -> list[Out]:
        """Count the contact (``record``: the same as a Contact, when the caller has made it);
        evaluate its pair only when it was not counted before.

        The detector's own ``observe`` evaluates on every contact, but a contact counted before
        changes no count, and its evaluation is then either a repeat of one already made or —
        after a crash whose state records reached the changelog before the aggregate's marks
        did — an evaluation against windows that already hold the contacts that came after it,
        which can start an episode on another day than the run without the crash did."""
        det = self.detector()
        res = det.counts.add(record if record is not None else as_contact(contact),
                             published_at=contact.get("published_at"),
                             seen_at=seen_at)
        if res.contact_key is None or not res.new:
            return []
        return self.outs(det.evaluate_added(res))

    def tick(self, as_of: str) -> None:
        """Let episodes whose windows went quiet end (evaluated at the partition's watermark)."""
        with metrics.observe_stage("alert"):
            self.detector().tick(as_of)

    def tick_stale(self, before_day: str) -> None:
        """Evaluate, at the day before ``before_day``, the active episodes whose pair was last
        evaluated before it: no contact can be counted for them before that day any more (the
        expiry bound), so the quiet days walked are the same in every run, whenever the expiry
        pass comes. (Ticking every active episode at the newest day would move their clocks at
        moments that depend on when the timer fires, and later contacts would then be evaluated
        differently.)"""
        from datetime import date, timedelta
        as_of = (date.fromisoformat(before_day) - timedelta(days=1)).isoformat()
        det = self.detector()
        with metrics.observe_stage("alert"):
            for ekey, v in list(self.episodes.items()):
                if (isinstance(v, dict) and v.get("active") and "|" in ekey
                        and (v.get("clock") or "") < before_day):
                    pair, topic = ekey.split("|", 1)
                    det.evaluate(pair, topic, as_of)

    def expire(self, before_day: str) -> None:
        self.detector().expire(before_day)

    @staticmethod
    def outs(alerts: list[dict[str, Any]]) -> list[Out]:
        out = []
        for a in alerts:
            metrics.alert_emitted(a.get("topic"), a.get("status", "new"))
            try:
                from streams.web import remember_alert
                remember_alert(a)
            except ImportError:   # the status page is optional
                pass
            out.append(Out("alerts", "-".join(a["pair"]), bounded_alert(a)))
        return out


# an alert record's largest encoded size: 50 evidence contacts with 20 URLs of up to 2,048
# characters each could reach ~2.5 MB, over the broker's limit
ALERT_BYTES = 256 * 1024


def bounded_alert(alert: dict[str, Any], limit: int = ALERT_BYTES) -> dict[str, Any]:
    """``alert`` itself when it encodes within ``limit``; else with each evidence contact's lists
    cut to their first 3 entries, and then (if still too large) only its newest evidence contacts
    that fit. The counts, ids and window are never changed."""
    from streams.pipeline.serde import dumps
    if len(dumps(alert)) <= limit:
        return alert
    ev = [{**e, **{f: list(e.get(f, ()))[:3] for f in ("article_ids", "urls", "sources")}}
          for e in alert.get("evidence", ())]
    a = {**alert, "evidence": ev}
    while ev and len(dumps(a)) > limit:
        ev = ev[1:]
        a = {**alert, "evidence": ev}
    return a
