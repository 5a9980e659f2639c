"""Stage 4, aggregate: contacts (and extra sources of copies) → distinct contacts per pair, topic and
event day in the ``windows`` table; every contact that raises a count is handed to the alert stage.

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
from typing import Any, Callable

from streams import metrics
from streams.detection.counts import ALL_TOPICS, PairCounts
from streams.pipeline.serde import Out

WATERMARK = "watermark"


def _epoch(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()


class AggregateStage:
    def __init__(self, windows: MutableMapping, *, retain_days: int,
                 on_new_contact: Callable[[Any], list[Out]] | None = None) -> None:
        self.windows = windows
        self.counts = PairCounts(windows)
        self.retain_days = retain_days
        self.on_new_contact = on_new_contact

    def handle(self, msg: dict[str, Any], now: float | None = None) -> list[Out]:
        now = time.time() if now is None else now
        if msg.get("kind") == "expire":
            self._expire()
            return []
        if "countries" not in msg:
            return []
        seen = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        res = self.counts.add(msg, published_at=msg.get("published_at"), seen_at=seen)
        if res.contact_key is None:
            return []   # no event day and no publication day: cannot be counted in a window
        if res.new:
            metrics.observe_event_lag(now - _epoch(res.day))
        wm = self.windows.get(WATERMARK)
        if wm is None or res.day > wm:
            self.windows[WATERMARK] = res.day
        if res.new and self.on_new_contact is not None:
            return self.on_new_contact(res)
        return []

    def _expire(self) -> None:
        wm = self.windows.get(WATERMARK)
        if not wm:
            return
        before = (date.fromisoformat(wm) - timedelta(days=self.retain_days)).isoformat()
        self.counts.expire(before)
        metrics.set_table_entries("windows", len(self.windows))

    def week_counts(self) -> dict[str, int]:
        """Distinct contacts per pair over the 7 days ending at the watermark (all topics)."""
        wm = self.windows.get(WATERMARK)
        if not wm:
            return {}
        end = date.fromisoformat(wm)
        days = {(end - timedelta(days=i)).isoformat() for i in range(7)}
        out: dict[str, int] = {}
        for k in list(self.windows.keys()):
            parts = k.split("|")
            if len(parts) == 3 and parts[1] == ALL_TOPICS and parts[2] in days:
                out[parts[0]] = out.get(parts[0], 0) + len(self.windows.get(k) or ())
        return out


def register(p) -> None:
    from streams.pipeline.serde import loads
    from streams.pipeline.tables import PartitionView
    s = p.settings
    windows = PartitionView(p.tables["windows"])
    on_new = None
    try:
        from streams.pipeline import alert
    except ImportError:   # detection's episode tracker not available: count without alerting
        alert = None
    episodes = PartitionView(p.tables["episodes"])
    if alert is not None:
        on_new = alert.AlertStage(windows, episodes, s).on_new_contact
    stage = AggregateStage(windows, retain_days=s.retain_days, on_new_contact=on_new)
    source = p.app.topic(s.topic_contacts, s.topic_sources, key_serializer="raw",
                         value_serializer="raw")

    @p.app.agent(source, name="aggregate")
    async def aggregate(stream):
        async for event in stream.events():
            partition = event.message.partition
            windows.use(partition)
            episodes.use(partition)
            with metrics.observe_stage("aggregate"):
                outs = stage.handle(loads(event.value))
            await p.send(outs)
