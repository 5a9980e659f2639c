"""The webhook payload of one alert: its Slack-compatible ``text`` line and the JSON body.

The body is documented in docs/notify.md. ``text`` is one line a person reads in a chat channel:
status, pair, topic, window, observed vs expected, score, and the top evidence (the most recent
contact of the window, as ``python -m streams alerts`` lists first) with its source and link.
Slack treats ``&``, ``<`` and ``>`` as control characters in ``text``; they are escaped as Slack
documents (``&amp;``, ``&lt;``, ``&gt;``), so evidence quoting ``<b>`` never turns into markup.
"""
from __future__ import annotations

from typing import Any, Mapping

EVIDENCE_CHARS = 200          # the quoted evidence is cut to this many characters


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _one_line(text: Any, n: int) -> str:
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _num(v: Any, fmt: str = "{:.2f}") -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "?" if v is None else str(v)
    return fmt.format(v)


def pair_text(alert: Mapping[str, Any]) -> str:
    pair = alert.get("pair")
    return "-".join(map(str, pair)) if isinstance(pair, (list, tuple)) else str(pair or "?")


def topic_text(alert: Mapping[str, Any]) -> str:
    """"all topics" for the all-topics bucket, else "topic <name>"."""
    topic = alert.get("topic")
    return "all topics" if topic in (None, "", "*") else f"topic {topic}"


def top_evidence(alert: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The most recent contact of the window (ties: the first listed), or None."""
    items = [e for e in alert.get("evidence") or () if isinstance(e, Mapping)]
    if not items:
        return None
    best = items[0]
    for e in items[1:]:
        if str(e.get("date") or "") > str(best.get("date") or ""):
            best = e
    return best


def slack_text(alert: Mapping[str, Any]) -> str:
    """One readable line for a chat channel (tolerant of missing fields: prints what it gets)."""
    status = alert.get("status")
    alert_id = str(alert.get("alert_id") or "")
    seq = alert_id.rpartition("#")[2]
    if status == "update":
        head = f"diplowatch spike update #{seq}" if seq.isdigit() else "diplowatch spike update"
    elif status == "new":
        head = "diplowatch new spike"
    else:
        head = f"diplowatch alert ({status or 'unknown status'})"
    topic_txt = topic_text(alert)
    observed = alert.get("observed")
    n = observed if isinstance(observed, int) and not isinstance(observed, bool) else "?"
    line = (f"{head}: {pair_text(alert)}, {topic_txt}, "
            f"{alert.get('window_start', '?')} to {alert.get('window_end', '?')}: "
            f"{n} distinct contact{'' if n == 1 else 's'} vs {_num(alert.get('expected'))} expected "
            f"(score {_num(alert.get('score'), '{:.1f}')})")
    ev = top_evidence(alert)
    if ev is not None:
        total = len(alert.get("evidence") or ())
        where = ", ".join(str(s) for s in (ev.get("sources") or ())[:2])
        urls = ev.get("urls") or ()
        line += (f". Top evidence ({ev.get('date', '?')}, {ev.get('mode', '?')}): "
                 f"\"{_one_line(ev.get('evidence'), EVIDENCE_CHARS)}\"")
        if where:
            line += f" ({where})"
        if urls:
            line += f" {urls[0]}"
        if total > 1:
            line += f" [+{total - 1} more]"
    return slack_escape(line)


def payload(alert: Mapping[str, Any], *, delivery: Mapping[str, Any], text_only: bool = False
            ) -> dict[str, Any]:
    """The JSON body POSTed for one alert (docs/notify.md). ``text_only``: just ``{"text": ...}``
    for receivers that accept nothing beyond Slack's fields."""
    text = slack_text(alert)
    if text_only:
        return {"text": text}
    return {
        "text": text,
        "alert_id": alert.get("alert_id"),
        "episode_id": alert.get("episode_id"),
        "status": alert.get("status"),
        "pair": pair_text(alert),
        "topic": alert.get("topic"),
        "alert": dict(alert),
        "delivery": dict(delivery),
    }
