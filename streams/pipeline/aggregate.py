"""Stage 4, aggregate: contacts (and extra sources of copies) → distinct contacts per pair, topic and
event day in the ``windows`` table, then spike detection on the same partition (streams.pipeline.alert).

The agent reads ``contacts`` and the internal ``sources`` topic together; both are keyed by country
pair with the same partition count, so a pair's contacts, its copies' sources, its windows and its
spike episodes all live on one partition (one worker). Counting is by contact key
(streams.detection.counts.PairCounts): a replayed contact or a copy's source changes no count, and a
copy's source arriving before the contact itself simply counts the contact once, so the two topics
need no ordering between them. Contacts land on the day they happened: a late one updates its
window (and may raise or grow an alert there).

Old days are dropped when the timer's "expire" control record passes: the partition's event-time
watermark (latest contact day seen) minus DIPLOWATCH_RETAIN_DAYS.
"""
from __future__ import annotations

import time
from collections.abc import MutableMapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from streams import metrics
from streams.detection import PairCounts, SpikeParams, contact_day, contact_key
from streams.pipeline.alert import AlertStage, spike_params
from streams.pipeline.serde import Out

WATERMARK = "watermark"


def _epoch(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()


class AggregateStage:
    """Counting (PairCounts) and spike detection (AlertStage) over one partition's tables."""

    def __init__(self, windows: MutableMapping, episodes: MutableMapping, params: SpikeParams, *,
                 retain_days: int) -> None:
        self.windows = windows
        self.counts = PairCounts(windows)
        self.alerts = AlertStage(self.counts, episodes, params)
        self.retain_days = retain_days

    def handle(self, msg: dict[str, Any], now: float | None = None) -> list[Out]:
        now = time.time() if now is None else now
        if msg.get("kind") == "expire":
            self._expire()
            return []
        if "countries" not in msg:
            return []
        day = contact_day(msg, msg.get("published_at"))
        if day is None or contact_key(msg, msg.get("published_at")) is None:
            return []   # no event day and no publication day (or not a pair): cannot be windowed
        self.alerts.note_day(day[0])
        wm = self.windows.get(WATERMARK)
        # a contact dated in the future (a typo in a feed) must not move the watermark, or the next
        # expiry would drop the whole history of the partition
        tomorrow = datetime.fromtimestamp(now + 86400, timezone.utc).date().isoformat()
        if (wm is None or day[0] > wm) and day[0] <= tomorrow:
            self.windows[WATERMARK] = day[0]
        seen = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        outs = self.alerts.observe(msg, seen)
        metrics.observe_event_lag(now - _epoch(day[0]))
        return outs

    def _expire(self) -> None:
        wm = self.windows.get(WATERMARK)
        if not wm:
            return
        self.alerts.tick(wm)
        before = (date.fromisoformat(wm) - timedelta(days=self.retain_days)).isoformat()
        self.counts.expire(before)
        self.alerts.expire(before)


def register(p) -> None:
    from streams.pipeline.batching import ready_batches
    from streams.pipeline.serde import loads
    from streams.pipeline.tables import ChangelogWriter, PartitionView
    s = p.settings
    writer = ChangelogWriter()
    windows = PartitionView(p.tables["windows"], writer=writer)
    episodes = PartitionView(p.tables["episodes"], writer=writer)
    stage = AggregateStage(windows, episodes, spike_params(s), retain_days=s.retain_days)
    source = p.app.topic(s.topic_contacts, s.topic_sources, key_serializer="raw",
                         value_serializer="raw")

    @p.app.agent(source, name="aggregate")
    async def aggregate(stream):
        async for batch in ready_batches(stream, p.agent_batch):
            outs = []
            for event in batch:
                partition = event.message.partition
                windows.use(partition)
                episodes.use(partition)
                with metrics.observe_stage("aggregate"):
                    outs += stage.handle(loads(event.value))
            # alerts acknowledged first, then the table writes (streams.app.Pipeline.send)
            await p.deliver_or_stop(outs, writer.take())
