"""The analyst's page of one country pair: ``GET /status/pair?pair=IRN-TUR[&topic=gaza][&week=...]``.

Weekly distinct-contact counts over everything the worker still holds for the pair (the windows
table keeps ``DIPLOWATCH_RETAIN_DAYS`` behind the latest day), as an inline SVG chart whose bars
link to the week's contacts, the pair's alerts marked on it (running and ended episodes from the
``episodes`` table, one mark per pair and week when the all-topics and topic alerts coincide:
streams.detection.explain.group_id), and the contacts of the chosen week with their evidence.

Pure functions over plain mappings (the tables' copies) and a pure renderer, like the status page
(streams/web/collect.py, render.py). Weeks are ISO weeks (Monday to Sunday), as alert groups are.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from streams.detection.counts import ALL_TOPICS
from streams.detection.explain import group_id
from streams.web.collect import _DAY, _PAIR, _evidence_entry, pair_names
from streams.web.render import CSS, PAIR_PAGE, _evidence_body, esc, fmt_num

PATH = PAIR_PAGE
MAX_WEEKS = 106          # weeks the chart spans at most (two years; the table may hold more)
_TOPIC = re.compile(r"^(\*|[a-z0-9][a-z0-9_-]{0,63})$")
PAIR_CSS = """
form.pick { display:flex; gap:.6rem; flex-wrap:wrap; align-items:end; }
form.pick label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted); }
form.pick select, form.pick input, form.pick button { font:inherit; padding:.2rem .4rem; }
svg.chart { width:100%; height:auto; max-width:1100px; display:block; }
svg.chart .bar { fill:#2456a6; } svg.chart a:hover .bar { fill:#17325f; }
svg.chart .bar.sel { fill:#17325f; }
svg.chart .band { fill:#b4531b; opacity:.16; }
svg.chart .mark { fill:#b4531b; }
svg.chart text { font-size:11px; fill:#5b6474; }
svg.chart .grid { stroke:#d9dee7; stroke-width:1; }
ul.marks { padding-inline-start:1.2rem; } ul.marks li { margin:.3rem 0; }
p.note { border-inline-start:4px solid var(--warn); padding:.3rem .6rem; background:#fffaf5; }
"""


class BadRequest(ValueError):
    """A parameter the page cannot use (answered with HTTP 400 and this message)."""


def parse_params(query: Mapping[str, str]) -> dict[str, str | None]:
    """``pair`` (AAA-BBB, either order, upper-cased and sorted as the tables key it), ``topic``
    (default all topics), ``week`` (a day of the week to list; default the latest week with
    contacts). Raises BadRequest with a message for anything else."""
    pair = (query.get("pair") or "").strip().upper()
    if pair:
        if not _PAIR.match(pair):
            raise BadRequest(f"pair must be two ISO alpha-3 codes like IRN-TUR, not {pair[:40]!r}")
        a, b = pair.split("-")
        if a == b:
            raise BadRequest("a pair needs two different countries")
        pair = "-".join(sorted((a, b)))
    topic = (query.get("topic") or ALL_TOPICS).strip()
    if not _TOPIC.match(topic):
        raise BadRequest(f"unknown topic format {topic[:40]!r}")
    week = (query.get("week") or "").strip() or None
    if week is not None:
        try:
            if not _DAY.match(week):
                raise ValueError
            date.fromisoformat(week)
        except ValueError:
            raise BadRequest(f"week must be a day as YYYY-MM-DD, not {week[:40]!r}") from None
    return {"pair": pair or None, "topic": topic, "week": week}


def pair_partition(pair: str, partitions: int) -> int:
    """The partition of the contacts topic (and so of the windows and episodes tables) that holds
    ``pair``: the producer's default partitioner (murmur2 of the key, as Kafka's Java client) over
    the pair key the extract stage sends contacts with."""
    from aiokafka.partitioner import DefaultPartitioner
    every = list(range(max(1, partitions)))
    return DefaultPartitioner()(pair.encode(), every, every)


def monday(day: str | date) -> date:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return d - timedelta(days=d.weekday())


def pair_index(windows: Mapping[str, Any], pair: str | None = None, topic: str = ALL_TOPICS
               ) -> tuple[dict[str, dict[str, Any]], dict[str, Mapping[str, Any]]]:
    """One pass over the table: every pair in it, ``{pair: {"total": distinct contacts (all
    topics), "topics": set}}``, and the ``{day: {contact_key: entry}}`` of ``pair`` and ``topic``
    (keys with or without the ``"<partition>|"`` prefix)."""
    index: dict[str, dict[str, Any]] = {}
    days: dict[str, Mapping[str, Any]] = {}
    for key, value in windows.items():
        # the tables' values are plain dicts (JSON); a dict check is cheaper than the Mapping ABC
        if not value or not isinstance(value, dict) or not isinstance(key, str):
            continue
        parts = key.split("|")
        if len(parts) == 4:
            parts = parts[1:]
        elif len(parts) != 3:
            continue
        p, t, day = parts
        if len(p) != 7 or p[3] != "-":
            continue
        e = index.get(p)
        if e is None:
            e = index[p] = {"total": 0, "topics": set()}
        e["topics"].add(t)
        if t == ALL_TOPICS:
            e["total"] += len(value)
        if p == pair and t == topic:
            days[day] = value
    index = {p: e for p, e in index.items() if _PAIR.match(p)}
    days = {d: v for d, v in days.items() if _DAY.match(d)}
    return index, days


def latest_day(windows: Mapping[str, Any]) -> str | None:
    days = [v for k, v in windows.items() if isinstance(v, str) and isinstance(k, str)
            and k.endswith("watermark") and _DAY.match(v)]
    return max(days) if days else None


def weekly_series(days: Mapping[str, Mapping[str, Any]], first: str, last: str) -> list[dict[str, Any]]:
    """One entry per ISO week from the week of ``first`` to the week of ``last``, zeros included:
    ``{"start": Monday, "end": Sunday, "week": "2024-W10", "count": distinct contacts}``."""
    start, end = monday(first), monday(last)
    weeks = []
    d = start
    while d <= end:
        iso = d.isocalendar()
        weeks.append({"start": d.isoformat(), "end": (d + timedelta(days=6)).isoformat(),
                      "week": f"{iso[0]}-W{iso[1]:02d}", "count": 0})
        d += timedelta(days=7)
    index = {w["start"]: i for i, w in enumerate(weeks)}
    for day, bucket in days.items():
        i = index.get(monday(day).isoformat())
        if i is not None:
            weeks[i]["count"] += len(bucket)
    return weeks


def pair_alerts(episodes: Mapping[str, Any], pair: str) -> list[dict[str, Any]]:
    """The pair's alerts held in the episodes table (the running episode and the ended ones of
    every topic), one entry per group (pair and ISO week the episode started): the all-topics and
    topic alerts of one burst are one mark, with every topic. Oldest first."""
    groups: dict[str, dict[str, Any]] = {}
    for key, state in episodes.items():
        if not isinstance(key, str) or not isinstance(state, Mapping):
            continue
        parts = key.split("|")
        if parts and parts[0].isdigit():
            parts = parts[1:]
        if len(parts) != 2 or parts[0] != pair:
            continue
        topic = parts[1]
        outlines = [(dict(p), "ended") for p in state.get("past") or () if isinstance(p, Mapping)]
        if isinstance(state.get("active"), Mapping):
            outlines.append((dict(state["active"]), "active"))
        for ep, status in outlines:
            started = ep.get("started")
            if not isinstance(started, str) or not _DAY.match(started):
                continue
            gid = group_id(pair, started)
            g = groups.get(gid)
            last = ep.get("last_fired") or started
            if g is None:
                g = groups[gid] = {"group_id": gid, "pair": pair, "started": started,
                                   "last_fired": last, "ended": ep.get("ended"), "status": status,
                                   "topics": [], "episode_ids": [], "observed": ep.get("observed"),
                                   "expected": ep.get("expected"), "score": ep.get("score"),
                                   "topic": topic}
            g["topics"].append(topic)
            g["episode_ids"].append(ep.get("episode_id"))
            g["started"] = min(g["started"], started)
            g["last_fired"] = max(g["last_fired"], last)
            if status == "active":
                g["status"], g["ended"] = "active", None
            elif g["status"] != "active" and (ep.get("ended") or "") > (g.get("ended") or ""):
                g["ended"] = ep.get("ended")
            if topic == ALL_TOPICS:   # the all-topics alert's numbers lead (its window holds all)
                g.update(observed=ep.get("observed"), expected=ep.get("expected"),
                         score=ep.get("score"), topic=topic)
    out = sorted(groups.values(), key=lambda g: g["started"])
    for g in out:
        g["topics"] = sorted(set(g["topics"]), key=lambda t: (t != ALL_TOPICS, t))
        g["week"] = monday(g["started"]).isoformat()
    return out


def pair_page_data(windows: Mapping[str, Any], episodes: Mapping[str, Any],
                   params: Mapping[str, Any], *, retain_days: int = 371) -> dict[str, Any]:
    """Everything ``render_pair`` needs for ``params`` (``parse_params``'s result)."""
    index, days = pair_index(windows, params.get("pair"), params.get("topic") or ALL_TOPICS)
    choices = sorted(index, key=lambda p: (-index[p]["total"], p))
    data: dict[str, Any] = {"pair": params.get("pair"), "topic": params.get("topic") or ALL_TOPICS,
                            "choices": [{"pair": p, "names": pair_names(p), "total": index[p]["total"]}
                                        for p in choices],
                            "retain_days": retain_days, "latest": latest_day(windows)}
    pair = params.get("pair")
    if not pair:
        return data
    topic = data["topic"]
    data["names"] = pair_names(pair)
    data["topics"] = sorted(index.get(pair, {}).get("topics", {ALL_TOPICS}) | {ALL_TOPICS},
                            key=lambda t: (t != ALL_TOPICS, t))
    latest = data["latest"] or (max(days) if days else None)
    alerts = [a for a in pair_alerts(episodes, pair) if topic == ALL_TOPICS or topic in a["topics"]]
    data["alerts"] = alerts
    if latest is None:
        data["weeks"] = []
        data["evidence"] = []
        return data
    first = (date.fromisoformat(latest) - timedelta(days=retain_days)).isoformat()
    data["first_kept"] = first
    # the chosen week: asked for, else the week of the latest alert, else the latest with contacts
    week = params.get("week")
    if week:
        week = monday(week).isoformat()
    elif alerts:
        week = alerts[-1]["week"]
    elif days:
        week = monday(max(days)).isoformat()
    # the chart: from the first day kept (RETAIN_DAYS behind the latest) to the latest, at most
    # MAX_WEEKS weeks, moved back when needed so that it holds the chosen week
    last = monday(latest)
    if week and week < (last - timedelta(weeks=MAX_WEEKS - 1)).isoformat():
        last = min(last, monday(week) + timedelta(weeks=MAX_WEEKS // 2))
    shown = max(first, (last - timedelta(weeks=MAX_WEEKS - 1)).isoformat())
    last_day = min(latest, (last + timedelta(days=6)).isoformat())
    data["first_shown"], data["last_shown"] = shown, last_day
    data["weeks"] = weekly_series(days, shown, last_day)
    data["week"] = week
    evidence = []
    if week:
        for d in (date.fromisoformat(week) + timedelta(days=i) for i in range(7)):
            for ck, v in (days.get(d.isoformat()) or {}).items():
                if isinstance(v, Mapping):
                    e = _evidence_entry(ck, v)
                    e["topics"] = list(v.get("topics") or ())
                    evidence.append(e)
    evidence.sort(key=lambda e: (str(e.get("date") or ""), e["contact_key"]))
    data["evidence"] = evidence
    return data


# -- HTML --------------------------------------------------------------------------------------
def page_url(pair: str, topic: str = ALL_TOPICS, week: str | None = None, anchor: str = "") -> str:
    q = {"pair": pair}
    if topic and topic != ALL_TOPICS:
        q["topic"] = topic
    if week:
        q["week"] = week
    return f"{PATH}?{urlencode(q)}{anchor}"


def _day_label(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day} {d.strftime('%b')} {d.year}"


def chart_svg(weeks: Sequence[Mapping[str, Any]], alerts: Sequence[Mapping[str, Any]], pair: str,
              topic: str = ALL_TOPICS, selected: str | None = None, width: int = 1000,
              height: int = 260) -> str:
    """Bars of the weekly counts (each a link to its week's contacts), alert groups as a shaded
    band over their weeks with a marker on top (a link to the week the alert started), y grid with
    counts, x labels at each month's first week. Pure; every text escaped."""
    left, right, top, bottom = 36.0, 8.0, 22.0, 30.0
    n = max(1, len(weeks))
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / n
    top_count = max([w["count"] for w in weeks] + [1])
    tick = max(1, math.ceil(top_count / 5))       # at most ~5 whole-number steps
    hi = tick * math.ceil(top_count / tick)
    ticks = list(range(0, hi + 1, tick))
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg" '
           f'aria-label="{esc(f"{pair} distinct contacts per week")}">'
           f"<title>{esc(pair)}: distinct contacts per ISO week"
           f"{'' if topic == ALL_TOPICS else esc(' (' + topic + ')')}</title>"]

    def y(v: float) -> float:
        return top + plot_h - (v / hi) * plot_h

    for t in ticks:
        out.append(f'<line class="grid" x1="{left:.1f}" x2="{width - right:.1f}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
                   f'<text x="{left - 4:.1f}" y="{y(t) + 4:.1f}" text-anchor="end">{t}</text>')
    index = {w["start"]: i for i, w in enumerate(weeks)}
    for a in alerts:
        i0 = index.get(a.get("week"))
        if i0 is None:
            continue
        i1 = index.get(monday(a.get("ended") or a.get("last_fired") or a["started"]).isoformat(), i0)
        i1 = max(i0, min(i1, len(weeks) - 1))
        x0 = left + i0 * step
        w = (i1 - i0 + 1) * step
        topics = ", ".join("all topics" if t == ALL_TOPICS else t for t in a.get("topics") or ())
        tip = (f"alert {a.get('group_id')} ({topics}): {a.get('observed')} contacts in a week, "
               f"expected {fmt_num(a.get('expected'), 1)}, started {a.get('started')}"
               f"{', ended ' + a['ended'] if a.get('ended') else ', running'}")
        cx = x0 + step / 2
        out.append(f'<a class="alert-mark" href="{esc(page_url(pair, topic, a["week"], "#evidence"))}">'
                   f"<title>{esc(tip)}</title>"
                   f'<rect class="band" x="{x0:.1f}" y="{top:.1f}" width="{w:.1f}" height="{plot_h:.1f}"/>'
                   f'<path class="mark" d="M{cx - 6:.1f},{top - 14:.1f} L{cx + 6:.1f},{top - 14:.1f} '
                   f'L{cx:.1f},{top - 3:.1f} Z"/></a>')
    gap = min(2.0, step * 0.2)
    month = None
    for i, wk in enumerate(weeks):
        x = left + i * step
        c = wk["count"]
        if c:
            cls = "bar sel" if wk["start"] == selected else "bar"
            out.append(f'<a class="week" href="{esc(page_url(pair, topic, wk["start"], "#evidence"))}">'
                       f"<title>{esc(wk['week'])} ({esc(_day_label(wk['start']))} – "
                       f"{esc(_day_label(wk['end']))}): {c} distinct contact{'' if c == 1 else 's'}</title>"
                       f'<rect class="{cls}" x="{x + gap / 2:.1f}" y="{y(c):.1f}" '
                       f'width="{max(1.0, step - gap):.1f}" height="{top + plot_h - y(c):.1f}"/></a>')
        m = wk["start"][:7]
        if m != month:
            if month is not None or i == 0:
                d = date.fromisoformat(wk["start"])
                label = d.strftime("%b") + (f" {d.year}" if d.month == 1 or i == 0 else "")
                if i == 0 or n <= 60 or d.month % 2 == 1:
                    out.append(f'<text x="{x:.1f}" y="{height - 10:.1f}">{esc(label)}</text>')
            month = m
    out.append(f'<line class="grid" x1="{left:.1f}" x2="{width - right:.1f}" y1="{top + plot_h:.1f}" '
               f'y2="{top + plot_h:.1f}"/></svg>')
    return "".join(out)


def _evidence_list(evidence: Sequence[Mapping[str, Any]]) -> str:
    if not evidence:
        return '<p class="muted">No contacts counted in this week.</p>'
    items = []
    for e in evidence:
        topics = "".join(f' <span class="chip">{esc(t)}</span>' for t in e.get("topics") or ()
                         if t != ALL_TOPICS)
        items.append(f'<li class="contact">{topics}{_evidence_body(e)}</li>')
    return f'<ol class="evidence">{"".join(items)}</ol>'


def _picker(data: Mapping[str, Any]) -> str:
    pair = data.get("pair")
    opts = ['<option value="">choose a pair</option>'] + [
        f'<option value="{esc(c["pair"])}"{" selected" if c["pair"] == pair else ""}>'
        f'{esc(c["pair"])} · {esc(c["names"])} ({fmt_num(c["total"])})</option>'
        for c in data.get("choices") or ()]
    topic_sel = ""
    if pair:
        topics = data.get("topics") or [ALL_TOPICS]
        topic_sel = ('<label>topic<select name="topic">' + "".join(
            f'<option value="{esc(t)}"{" selected" if t == data.get("topic") else ""}>'
            f'{esc("all topics" if t == ALL_TOPICS else t)}</option>' for t in topics) + "</select></label>")
    return (f'<form class="pick" method="get" action="{PATH}"><label>pair'
            f'<select name="pair">{"".join(opts)}</select></label>{topic_sel}'
            '<button type="submit">show</button></form>')


def _alert_list(data: Mapping[str, Any]) -> str:
    alerts = data.get("alerts") or []
    if not alerts:
        return '<p class="muted">No alert for this pair among the episodes held.</p>'
    items = []
    for a in reversed(alerts):
        topics = "".join(f' <span class="chip">{esc("all topics" if t == ALL_TOPICS else t)}</span>'
                         for t in a.get("topics") or ())
        when = (f'{esc(a["started"])} – {esc(a["ended"])}' if a.get("ended")
                else f'{esc(a["started"])} – running (last fired {esc(a.get("last_fired"))})')
        items.append(f'<li class="alert-entry"><a href="{esc(page_url(data["pair"], data["topic"], a["week"], "#evidence"))}">'
                     f'{esc(a["group_id"])}</a>{topics} <span class="chip">{esc(a.get("status"))}</span> '
                     f'<span class="muted">{when}; {fmt_num(a.get("observed"))} contacts in 7 days, '
                     f'expected {fmt_num(a.get("expected"), 1)}, score {fmt_num(a.get("score"), 1)}</span></li>')
    return f'<ul class="marks">{"".join(items)}</ul>'


def _owner_note(owner: Mapping[str, Any] | None, pair: str) -> str:
    """Said when the pair's partition is held by another worker: its counts are not here."""
    if not owner or owner.get("here", True):
        return ""
    where = ""
    url = owner.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        link = url.rstrip("/") + page_url(pair)
        where = f' Its page there: <a href="{esc(link)}">{esc(link)}</a>.'
    return (f'<p class="note" id="elsewhere">{esc(pair)} is counted on partition '
            f'{esc(owner.get("partition"))} of {esc(owner.get("partitions"))}, which another worker '
            f'holds (this one holds {esc(", ".join(map(str, owner.get("held") or ())) or "none")}): '
            f"its counts and alerts are not on this worker.{where}</p>")


def render_pair(data: Mapping[str, Any], error: str | None = None) -> str:
    """The whole pair page (``pair_page_data``'s dict); ``error`` is shown instead of the pair."""
    pair = data.get("pair")
    title = f"diplowatch · {pair}" if pair else "diplowatch · pairs"
    body = [f'<section class="wide" id="pick"><h2>Country pair</h2>{_picker(data)}</section>']
    if error:
        body.append(f'<section class="wide" id="error"><h2>Cannot show this</h2><p>{esc(error)}</p></section>')
    elif pair:
        weeks = data.get("weeks") or []
        topic = data.get("topic") or ALL_TOPICS
        topic_txt = "" if topic == ALL_TOPICS else f", topic {topic}"
        kept = ""
        if data.get("latest"):
            kept = (f'Counts are kept {fmt_num(data.get("retain_days"))} days behind the latest day '
                    f'counted ({esc(data.get("latest"))}; <code>DIPLOWATCH_RETAIN_DAYS</code>): from '
                    f'{esc(data.get("first_kept"))}; older weeks are no longer held. ')
            if (data.get("first_shown", "") > data.get("first_kept", "")
                    or data.get("last_shown", "") < data.get("latest", "")):
                kept += (f'The chart shows at most {MAX_WEEKS} weeks: {esc(data.get("first_shown"))} to '
                         f'{esc(data.get("last_shown"))}. ')
        if any(w["count"] for w in weeks):
            chart = chart_svg(weeks, data.get("alerts") or [], pair, topic, data.get("week"))
        else:
            chart = '<p class="muted">No contacts of this pair among the counts held.</p>'
        total = sum(w["count"] for w in weeks)
        body.append(
            f'<section class="wide" id="chart"><h2><span class="pair">{esc(pair)}</span> '
            f'{esc(data.get("names"))}: distinct contacts per week{esc(topic_txt)}</h2>'
            f'{_owner_note(data.get("owner"), pair)}{chart}'
            f'<p class="muted">{fmt_num(total)} distinct contacts in {len(weeks)} ISO weeks (Monday–Sunday). '
            f'{kept}Shaded weeks with a marker: spike alerts (one mark per pair and week where the '
            'all-topics and topic alerts coincide). Click a bar or a marker for that week\'s contacts.</p>'
            f"</section>")
        body.append(f'<section class="wide" id="alerts"><h2>Alerts</h2>{_alert_list(data)}</section>')
        week = data.get("week")
        if week:
            end = (date.fromisoformat(week) + timedelta(days=6)).isoformat()
            body.append(f'<section class="wide" id="evidence"><h2>Contacts of the week {esc(week)} – {esc(end)}'
                        f'{esc(topic_txt)}</h2>{_evidence_list(data.get("evidence") or [])}</section>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}{PAIR_CSS}</style></head><body>"
        '<header><h1>diplowatch</h1><span class="meta"><a href="/status" style="color:#c9d5ea">status</a>'
        ' · pair page</span></header>'
        f'<main>{"".join(body)}</main></body></html>\n')


__all__ = ["BadRequest", "PATH", "pair_page_data", "parse_params", "render_pair", "chart_svg",
           "pair_alerts", "pair_index", "weekly_series", "page_url"]
