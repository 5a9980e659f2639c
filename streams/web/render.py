"""The status page as a pure function: ``render_status(data) -> str`` (HTML).

No Faust, no I/O: ``streams.web.collect`` builds ``data`` from the worker's tables and metrics. Every
string from an article (evidence, outlet, URL) is untrusted: it is escaped, links are made only for
http(s) URLs, and evidence elements carry ``dir="auto"`` and a ``lang`` so Arabic and Persian read
right-to-left inside the left-to-right page. No JavaScript; a meta refresh keeps it current.
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from streams.web.collect import _PAIR as PAIR_RE

REFRESH_SECONDS = 15
PAIR_PAGE = "/status/pair"   # the analyst's page of one pair (streams.web.pairpage)

# Noto covers Latin, Arabic and Persian (Debian fonts-noto-core); DejaVu and Tahoma as fallbacks.
FONT_STACK = ('"Noto Sans", "Noto Sans Arabic", "Noto Naskh Arabic", "Vazirmatn", "DejaVu Sans", '
              'Tahoma, "Segoe UI", system-ui, sans-serif')

CSS = """
:root { color-scheme: light; --ink:#1d2330; --muted:#5b6474; --line:#d9dee7; --bg:#f6f7fa;
        --card:#fff; --accent:#2456a6; --warn:#b4531b; --bad:#b42318; --ok:#19744a; }
* { box-sizing: border-box; }
body { margin:0; font-family: %(font)s; color:var(--ink); background:var(--bg); line-height:1.45; }
header { background:#17325f; color:#fff; padding:.8rem 1.5rem; display:flex; gap:1.5rem;
         align-items:baseline; flex-wrap:wrap; }
header h1 { font-size:1.3rem; margin:0; }
header .meta { color:#c9d5ea; font-size:.85rem; }
main { padding:1rem 1.5rem 2rem; display:grid; gap:1rem; align-items:start;
       grid-template-columns: minmax(0,1fr) minmax(0,1.4fr); }
section { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.8rem 1rem; }
section.wide { grid-column: 1 / -1; }
h2 { font-size:1.05rem; margin:.1rem 0 .6rem; }
table { border-collapse:collapse; width:100%%; font-size:.92rem; }
th, td { text-align:start; padding:.3rem .5rem; border-bottom:1px solid var(--line); vertical-align:middle; }
th { color:var(--muted); font-weight:600; font-size:.8rem; text-transform:uppercase; letter-spacing:.03em; }
td.num, th.num { text-align:end; font-variant-numeric: tabular-nums; }
.tiles { display:grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem,1fr)); gap:.6rem; }
.tile { border:1px solid var(--line); border-radius:5px; padding:.45rem .6rem; }
.tile .v { font-size:1.35rem; font-weight:600; font-variant-numeric: tabular-nums; }
.tile .k { color:var(--muted); font-size:.8rem; }
.tile.warn .v { color:var(--warn); } .tile.bad .v { color:var(--bad); } .tile.ok .v { color:var(--ok); }
.muted { color:var(--muted); font-size:.85rem; }
.spark { vertical-align:middle; }
.pair { font-weight:600; white-space:nowrap; }
a.pair { color:var(--accent); text-decoration:none; }
.names { font-size:.85rem; color:var(--muted); }
.alert { border-inline-start:4px solid var(--warn); padding:.4rem .8rem; margin:.6rem 0; background:#fffaf5; }
.alert h3 { font-size:1rem; margin:0 0 .3rem; }
.alert .stats { color:var(--muted); font-size:.85rem; }
ol.evidence { margin:.4rem 0 0; padding-inline-start:1.2rem; }
ol.evidence li { margin:.35rem 0; }
blockquote.ev { margin:0; padding:.15rem .5rem; border-inline-start:3px solid var(--line);
                unicode-bidi: plaintext; font-size:.95rem; }
blockquote.ev:lang(ar), blockquote.ev:lang(fa) { font-size:1.05rem; line-height:1.7; }
.src { font-size:.8rem; color:var(--muted); }
.src a { color:var(--accent); }
.chip { display:inline-block; padding:0 .4rem; border-radius:3px; background:#eef2f8; font-size:.78rem; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } }
""" % {"font": FONT_STACK}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: Any) -> str | None:
    """The URL if it is an absolute http(s) URL, else None (no javascript:, data:, relative …)."""
    if not isinstance(url, str) or len(url) > 2000:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def fmt_num(x: Any, digits: int = 0) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v) or math.isinf(v):
        return "–"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def sparkline_svg(values: Sequence[float], width: int = 120, height: int = 26,
                  label: str = "weekly counts") -> str:
    """An inline SVG line of ``values`` (oldest first), the last point marked. Pure, escaped."""
    vals = [max(0.0, float(v)) for v in values] or [0.0]
    pad = 3.0
    hi = max(vals) or 1.0
    n = len(vals)
    step = (width - 2 * pad) / max(1, n - 1)
    pts = [(pad + i * step if n > 1 else width / 2, height - pad - (v / hi) * (height - 2 * pad))
           for i, v in enumerate(vals)]
    poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    lx, ly = pts[-1]
    desc = f"{label}: " + ", ".join(fmt_num(v) for v in vals)
    area = f"{pad:.1f},{height - pad:.1f} {poly} {pts[-1][0]:.1f},{height - pad:.1f}"
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{esc(desc)}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{esc(desc)}</title>"
            f'<polygon points="{area}" fill="#dbe6f7" stroke="none"/>'
            f'<polyline points="{poly}" fill="none" stroke="#2456a6" stroke-width="1.6" '
            f'stroke-linejoin="round" stroke-linecap="round"/>'
            f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.4" fill="#b4531b"/></svg>')


def _tile(key: str, value: str, cls: str = "") -> str:
    return f'<div class="tile {cls}"><div class="v">{value}</div><div class="k">{esc(key)}</div></div>'


def _health(h: Mapping[str, Any]) -> str:
    dead = h.get("dead_letters") or {}
    dups = h.get("duplicates") or {}
    lag = h.get("lag") or {}
    n_dead = sum(dead.values())
    n_in = h.get("articles_in", 0) or 0
    dead_share = (n_dead / n_in) if n_in else 0.0
    lag_total = sum(lag.values()) if lag else None
    tiles = [
        _tile("articles in", fmt_num(n_in)),
        _tile("processed", fmt_num(h.get("articles_processed"))),
        _tile("in / s (last minute)", fmt_num(h.get("rate_in"), 1)),
        _tile("processed / s", fmt_num(h.get("rate_processed"), 1)),
        _tile("duplicates", fmt_num(sum(dups.values()))),
        _tile("dead letters", fmt_num(n_dead), "bad" if dead_share > 0.05 else ("warn" if n_dead else "ok")),
        _tile("consumer lag (messages)", fmt_num(lag_total) if lag_total is not None else "–",
              "warn" if lag_total and lag_total > 1000 else ""),
        _tile("contacts", fmt_num(h.get("contacts"))),
        _tile("alerts", fmt_num(h.get("alerts"))),
    ]
    event = h.get("event_time")
    if event is not None:
        idle = event.get("idle_partitions") or []
        tiles.append(_tile("idle input partitions", esc(", ".join(map(str, idle))) if idle else "none",
                           "warn" if idle else ""))
    idle_set = set((event or {}).get("idle_partitions") or ())
    rows = []
    for reason, n in sorted(dead.items(), key=lambda kv: (-kv[1], kv[0])):
        if n:
            rows.append(f'<tr><td><span class="chip">{esc(reason)}</span></td><td class="num">{fmt_num(n)}</td></tr>')
    for kind, n in sorted(dups.items(), key=lambda kv: (-kv[1], kv[0])):
        if n:
            rows.append(f'<tr><td>duplicate: {esc(kind)}</td><td class="num">{fmt_num(n)}</td></tr>')
    by_topic: dict[str, list[float]] = {}
    for (t, _p), n in lag.items():
        by_topic.setdefault(str(t), []).append(n)
    lag_rows = "".join(
        f'<tr><td>{esc(t)} <span class="muted">({len(ns)} partition{"" if len(ns) == 1 else "s"})</span></td>'
        f'<td class="num">{fmt_num(sum(ns))}</td></tr>'
        for t, ns in sorted(by_topic.items()))
    idle_chip = ' <span class="chip">idle</span>'
    stamp_rows = "".join(
        f'<tr><td>{esc(ip)}{idle_chip if int(ip) in idle_set else ""}</td>'
        f'<td class="num">{esc(day)}</td></tr>'
        for ip, day in sorted(((event or {}).get("input_stamps") or {}).items(), key=lambda kv: int(kv[0])))
    detail = ""
    if stamp_rows:
        detail += ('<table class="stamps"><thead><tr><th>input partition</th><th class="num">stamp '
                   '(newest publication day)</th></tr></thead>'
                   f"<tbody>{stamp_rows}</tbody></table>")
    if rows:
        detail += ('<table class="breakdown"><thead><tr><th>dropped</th><th class="num">records</th></tr>'
                   f'</thead><tbody>{"".join(rows)}</tbody></table>')
    if lag_rows:
        detail += ('<table class="lag"><thead><tr><th>topic</th><th class="num">lag</th></tr>'
                   f"</thead><tbody>{lag_rows}</tbody></table>")
    return (f'<section id="health"><h2>Pipeline health</h2><div class="tiles">{"".join(tiles)}</div>'
            f"{detail}</section>")


def pair_link(pair: Any) -> str:
    """The pair's code linked to its analyst page (streams.web.pairpage), escaped."""
    if not isinstance(pair, str) or not PAIR_RE.match(pair):
        return f'<span class="pair">{esc(pair)}</span>'
    return f'<a class="pair" href="{PAIR_PAGE}?pair={esc(pair)}">{esc(pair)}</a>'


def _pairs(pairs: Sequence[Mapping[str, Any]], week_end: str | None, weeks: int) -> str:
    if not pairs:
        body = ('<p class="muted">No contacts counted in this week. Earlier weeks of every pair: '
                f'<a href="{PAIR_PAGE}">pair page</a>.</p>' if week_end
                else '<p class="muted">No contacts counted yet.</p>')
    else:
        rows = []
        for i, p in enumerate(pairs, 1):
            names = p.get("names")
            spark = sparkline_svg(p.get("weeks") or [], label=f"{p.get('pair')} contacts per week")
            name_html = f'<div class="muted">{esc(names)}</div>' if names else ""
            rows.append(
                f'<tr class="pair-row"><td class="num">{i}</td>'
                f'<td>{pair_link(p.get("pair"))}{name_html}</td>'
                f'<td class="num count">{fmt_num(p.get("count"))}</td>'
                f"<td>{spark}</td></tr>")
        body = ('<table id="pairs-table"><thead><tr><th class="num">#</th><th>pair</th>'
                f'<th class="num">contacts this week</th><th>last {weeks} weeks</th></tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>')
    when = f" (7 days to {esc(week_end)})" if week_end else ""
    return (f'<section id="pairs"><h2>Busiest pairs this week{when}</h2>{body}'
            '<p class="muted">Pairs with distinct contacts this week, in event time, on the partitions '
            "this worker holds; a pair's weeks, alerts and evidence are on its page.</p></section>")


def _evidence_item(e: Mapping[str, Any]) -> str:
    return f"<li>{_evidence_body(e)}</li>"


def _evidence_body(e: Mapping[str, Any]) -> str:
    lang = e.get("lang")
    lang_attr = f' lang="{esc(lang)}"' if lang else ""
    links = []
    urls = list(e.get("urls") or [])
    sources = list(e.get("sources") or [])
    for i, url in enumerate(urls):
        label = sources[i] if i < len(sources) and sources[i] else (urlsplit(url).netloc if safe_url(url) else url)
        safe = safe_url(url)
        if safe:
            links.append(f'<a href="{esc(safe)}" rel="noopener noreferrer nofollow" target="_blank">{esc(label)}</a>')
        else:
            links.append(esc(label))
    for s in sources[len(urls):]:
        links.append(esc(s))
    meta = " · ".join(x for x in (esc(e.get("date")), esc(e.get("mode"))) if x)
    src = f'<div class="src">{meta}{" — " if meta and links else ""}{", ".join(links)}</div>'
    local = e.get("local_names")   # the pair's names in the sentence's language
    names = f'<div class="names" dir="auto"{lang_attr}>{esc(local)}</div>' if local else ""
    return f'{names}<blockquote class="ev" dir="auto"{lang_attr}>{esc(e.get("text"))}</blockquote>{src}'


def _alerts(alerts: Sequence[Mapping[str, Any]], max_evidence: int) -> str:
    if not alerts:
        return ('<section id="alerts" class="wide"><h2>Recent alerts</h2>'
                '<p class="muted">No spike alerts.</p></section>')
    items = []
    for a in alerts:
        evidence = list(a.get("evidence") or [])
        shown = evidence[-max_evidence:]
        more = len(evidence) - len(shown)
        ev_html = "".join(_evidence_item(e) for e in reversed(shown))
        more_html = f'<p class="muted">… and {more} more contacts</p>' if more > 0 else ""
        topics = a.get("topics") or [a.get("topic")]   # a group: the all-topics and topic alerts
        topic_html = "".join(f' <span class="chip">{esc("all topics" if t in ("*", None) else t)}</span>'
                             for t in topics)
        status = a.get("status")
        status_html = f' <span class="chip">{esc(status)}</span>' if status else ""
        stats = (f'{fmt_num(a.get("observed"))} contacts in {esc(a.get("window_start") or "?")} … '
                 f'{esc(a.get("window_end") or "?")}, expected {fmt_num(a.get("expected"), 1)}'
                 f', score {fmt_num(a.get("score"), 1)}')
        summary_html = f'<p class="summary">{esc(a["summary"])}</p>' if a.get("summary") else ""
        items.append(f'<article class="alert"><h3>{pair_link(a.get("pair"))}'
                     f"{topic_html}{status_html}</h3>"
                     f'{summary_html}<div class="stats">{stats}</div><ol class="evidence">{ev_html}</ol>{more_html}</article>')
    return f'<section id="alerts" class="wide"><h2>Recent alerts</h2>{"".join(items)}</section>'


def _contacts(contacts: Sequence[Mapping[str, Any]]) -> str:
    if not contacts:
        body = '<p class="muted">No contacts yet.</p>'
    else:
        items = []
        for e in contacts:
            topics = "".join(f' <span class="chip">{esc(t)}</span>' for t in e.get("topics") or ())
            items.append(f'<li class="contact">{pair_link(e.get("pair"))}{topics}'
                         f"{_evidence_body(e)}</li>")
        body = f'<ol class="evidence contacts">{"".join(items)}</ol>'
    return f'<section id="contacts" class="wide"><h2>Latest contacts</h2>{body}</section>'


def render_status(data: Mapping[str, Any]) -> str:
    """The whole page. ``data`` keys (all optional): ``generated_at``, ``version``, ``worker``,
    ``week_end``, ``weeks``, ``health`` {articles_in, articles_processed, rate_in, rate_processed,
    duplicates{kind:n}, dead_letters{reason:n}, lag{(topic,partition):n}, contacts, alerts},
    ``pairs`` [{pair, names, count, weeks[oldest..newest]}], ``alerts`` [{pair, topic, status,
    window_start, window_end, observed, expected, score, evidence[{text, lang, date, mode, urls,
    sources}]}], ``contacts`` [{pair, topics, text, lang, date, mode, urls, sources}] (latest first),
    ``max_evidence``."""
    health = data.get("health") or {}
    meta = " · ".join(x for x in (
        f"worker {esc(data['worker'])}" if data.get("worker") else "",
        f"version {esc(data['version'])}" if data.get("version") else "",
        f"updated {esc(data['generated_at'])}" if data.get("generated_at") else "",
    ) if x)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>diplowatch status</title>"
        f"<style>{CSS}</style></head><body>"
        f'<header><h1>diplowatch</h1><span class="meta">{meta}</span>'
        '<span class="meta"><a href="/status/pair" style="color:#c9d5ea">pairs</a> · '
        '<a href="/metrics" style="color:#c9d5ea">/metrics</a></span></header>'
        "<main>"
        f"{_health(health)}"
        f"{_pairs(data.get('pairs') or [], data.get('week_end'), int(data.get('weeks') or 8))}"
        f"{_alerts(data.get('alerts') or [], int(data.get('max_evidence') or 8))}"
        f"{_contacts(data.get('contacts') or [])}"
        "</main></body></html>\n"
    )
