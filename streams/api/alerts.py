"""The alerts the API serves: an index of the records of the ``alerts`` topic, one entry per spike
episode (its latest record wins, as an update supersedes what the episode said before).

Why the topic and not the ``episodes`` table: the table keeps, per pair and topic, only the episode
running now and a count of those started (streams.detection.detector); an episode that ended is
gone from it. The topic holds every alert record the pipeline published (for
DIPLOWATCH_OUTPUT_RETENTION_DAYS), so "the alerts of a period" can only be answered from there.
Every worker reads the whole topic (it is small: one record per new alert or update), so any
worker answers for every pair without forwarding. Pure: the Kafka reader is in streams/api/routes.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_EPISODES = 100_000   # entries kept (oldest window dropped first): bounds a worker's memory


class AlertIndex:
    def __init__(self, max_episodes: int = MAX_EPISODES) -> None:
        self.max_episodes = max_episodes
        self.episodes: dict[str, dict[str, Any]] = {}
        self.records = 0
        self.caught_up = False

    def add(self, record: Any) -> bool:
        """Index one alert record (a decoded JSON value); False for anything that is not one."""
        if not isinstance(record, Mapping):
            return False
        eid, pair, topic = record.get("episode_id"), record.get("pair"), record.get("topic")
        ws, we = record.get("window_start"), record.get("window_end")
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            pair = "-".join(sorted(str(c) for c in pair))
        if not (isinstance(eid, str) and isinstance(pair, str) and isinstance(topic, str)
                and isinstance(ws, str) and isinstance(we, str)):
            return False
        self.records += 1
        old = self.episodes.get(eid)
        entry = {
            "episode_id": eid, "alert_id": str(record.get("alert_id") or eid),
            "status": record.get("status") if record.get("status") in ("new", "update") else "update",
            "pair": pair, "topic": topic, "group_id": record.get("group_id"),
            # the episode id ends with the day its first alert fired (its first window's end)
            "started": eid.rsplit("|", 1)[-1] if eid.count("|") >= 2 else we,
            "first_window_start": ws, "window_start": ws, "window_end": we,
            "observed": int(record.get("observed") or 0),
            "expected": float(record.get("expected") or 0.0),
            "score": float(record.get("score") or 0.0),
            "summary": record.get("summary") if isinstance(record.get("summary"), str) else None,
            "alerts": 1, "generated_at": str(record.get("generated_at") or ""),
            "evidence": [e for e in record.get("evidence") or () if isinstance(e, Mapping)],
        }
        if isinstance(record.get("names"), list):
            entry["names"] = [str(n) for n in record["names"]]
        if old is not None:
            entry["alerts"] = old["alerts"] + 1
            entry["first_window_start"] = min(old["first_window_start"], ws)
            if (old["window_end"], old["alert_id"]) > (we, entry["alert_id"]):
                # an older record read after a newer one (another partition's order): keep the newer
                keep = dict(old)
                keep["alerts"], keep["first_window_start"] = entry["alerts"], entry["first_window_start"]
                entry = keep
        self.episodes[eid] = entry
        if len(self.episodes) > self.max_episodes:
            oldest = min(self.episodes.values(), key=lambda e: (e["window_end"], e["episode_id"]))
            del self.episodes[oldest["episode_id"]]
        return True

    def query(self, *, pair: str | None = None, topic: str | None = None, start: str | None = None,
              end: str | None = None, evidence: bool = False, limit: int = 500) -> tuple[list[dict[str, Any]], bool]:
        """The episodes of ``pair`` / ``topic`` whose span (first window start to latest window
        end) meets [start, end], newest window first; and whether ``limit`` left some out."""
        found = [e for e in self.episodes.values()
                 if (pair is None or e["pair"] == pair) and (topic is None or e["topic"] == topic)
                 and (end is None or e["first_window_start"] <= end)
                 and (start is None or e["window_end"] >= start)]
        found.sort(key=lambda e: (e["window_end"], e["score"], e["episode_id"]), reverse=True)
        out = []
        for e in found[:limit]:
            e = dict(e)
            if evidence:
                e["evidence"] = [_evidence(x) for x in e["evidence"]]
            else:
                del e["evidence"]
            out.append(e)
        return out, len(found) > limit

    def source(self, topic: str, retention_days: float) -> dict[str, Any]:
        return {"topic": topic, "records": self.records, "episodes": len(self.episodes),
                "caught_up": self.caught_up, "retention_days": retention_days}


def _evidence(e: Mapping[str, Any]) -> dict[str, Any]:
    def strings(v: Any) -> list[str]:
        return [str(x) for x in v] if isinstance(v, (list, tuple)) else []
    out = {"contact_key": str(e.get("contact_key") or ""), "date": str(e.get("date") or ""),
           "mode": e.get("mode") if isinstance(e.get("mode"), str) else None,
           "evidence": str(e.get("evidence") or ""), "article_ids": strings(e.get("article_ids")),
           "urls": strings(e.get("urls")), "sources": strings(e.get("sources"))}
    if isinstance(e.get("date_inferred"), bool):
        out["date_inferred"] = e["date_inferred"]
    return out
