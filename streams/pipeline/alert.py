"""Stage 5, alert: spike episodes over the aggregated windows → records on ``alerts`` keyed by pair.

Runs inside the aggregate agent, on the same partition: detection needs the pair's current window
and its history, which live in that partition's ``windows`` table, and its episode state (table
``episodes``) must change together with them. A separate agent would need the whole window history
shipped to it. When a pair is evaluated is streams.detection.asof's decision (a day once the
watermark has passed it; streams.pipeline.aggregate drives it). The decisions are streams.detection.SpikeDetector's: a new episode alerts once
(status ``new``), grows with ``update`` alerts while its window gains contacts it has not reported,
and a replayed contact or a copy's extra source changes nothing and alerts nothing.

Coverage: the first event day among the contacts of the days the partition evaluated is its
coverage start, so the weeks before the system began observing are not read as "this pair had no
contacts" (no burst of alerts on the first busy week of a new deployment or of a replayed
history). It moves when a day is evaluated, not when a contact arrives, so it is the same in
every run of the same input.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from streams import metrics
from streams.detection import PairCounts, SpikeDetector, SpikeParams
from streams.pipeline.serde import Out

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
                       unseen_pair_reports=settings.spike_unseen_pair_reports,
                       min_ratio_new=settings.spike_min_ratio_new,
                       min_reported_contacts=settings.spike_min_reported_contacts,
                       contact_reports=settings.spike_contact_reports,
                       count_unit=settings.spike_count_unit,
                       report_dispersion=settings.spike_report_dispersion,
                       busy_expected=settings.spike_busy_expected)


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
