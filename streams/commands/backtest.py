"""``python -m streams backtest``: contacts JSONL in, alerts JSONL out, summary on stderr.

Runs the same PairCounts + SpikeDetector as the live pipeline, over plain dicts. Contacts are read
into memory and sorted by event day (the day ``contact_key`` assigns: the contact's date, else its
publication day) -- fine up to a few million contacts. The as-of day moves forward with the input;
whenever it advances, active episodes are ticked day by day so they end where their window fell
quiet, exactly as the live pipeline's daily timer does.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, TextIO

import orjson

from streams.detection import PairCounts, SpikeDetector, SpikeParams, contact_day
from streams.detection.contacts import as_contact, contact_key, counted, pair_key

_D = SpikeParams()


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", "-i", default="-", help="contacts JSONL (default: stdin)")
    p.add_argument("--output", "-o", default="-", help="alerts JSONL (default: stdout)")
    p.add_argument("--window-days", type=int, default=_D.window_days)
    p.add_argument("--history-weeks", type=int, default=_D.history_weeks)
    p.add_argument("--alpha", type=float, default=_D.alpha)
    p.add_argument("--min-count", type=int, default=_D.min_count)
    p.add_argument("--min-ratio", type=float, default=_D.min_ratio)
    p.add_argument("--prior-rate", type=float, default=_D.prior_rate,
                   help="prior mean weekly contacts of a pair")
    p.add_argument("--prior-weeks", type=float, default=_D.prior_weeks,
                   help="weight of the prior, in weeks of observation")
    p.add_argument("--min-history-days", type=int, default=_D.min_history_days)
    p.add_argument("--fill-missing-history", action=argparse.BooleanOptionalAction,
                   default=_D.fill_missing_history,
                   help="count unobserved baseline days (before the coverage start) as prior weeks")
    p.add_argument("--cooldown-days", type=int, default=_D.cooldown_days)
    p.add_argument("--coverage-start", default=None,
                   help="first observed day (default: the earliest event day in the input)")
    p.add_argument("--min-confidence", type=float, default=0.0,
                   help="count only contacts with at least this confidence (as DIPLOWATCH_MIN_CONFIDENCE)")
    p.add_argument("--quiet", action="store_true", help="no summary on stderr")


def _read(stream: TextIO, err: TextIO) -> tuple[list[tuple[str, int, dict[str, Any]]], int, int]:
    rows = []
    bad = skipped = 0
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            d = orjson.loads(line)
            if not isinstance(d, dict):
                raise ValueError("not a JSON object")
            c = as_contact(d)
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError) as e:
            bad += 1
            print(f"backtest: line {n}: skipped, {type(e).__name__}: {e}", file=err)
            continue
        day = contact_day(c)
        if day is None or contact_key(c) is None:
            skipped += 1
            continue
        rows.append((day[0], n, d))
    rows.sort(key=lambda r: (r[0], r[1]))  # by event day, input order within a day
    return rows, bad, skipped


def backtest(rows: list[tuple[str, int, dict[str, Any]]], params: SpikeParams,
             coverage_start: str | None, out, now=None) -> dict[str, Any]:
    """Run the detector over sorted (day, line, contact) rows, writing alerts to ``out``."""
    counts_store: dict[str, Any] = {}
    episodes: dict[str, Any] = {}
    kwargs = {"now": now} if now else {}
    det = SpikeDetector(PairCounts(counts_store), episodes, params,
                        coverage_start=coverage_start, **kwargs)
    alerts = {"new": 0, "update": 0}
    ended = 0
    distinct: set[str] = set()
    pair_weeks: set[tuple[str, tuple[int, int]]] = set()
    pairs: set[str] = set()
    new_by_pair: dict[str, int] = defaultdict(int)
    as_of = None
    for day, _, d in rows:
        if as_of is not None and day > as_of:
            # slide the windows of active episodes over the days without contacts
            x = date.fromisoformat(as_of) + timedelta(days=1)
            while x.isoformat() < day:
                ended += len(det.tick(x.isoformat()))
                x += timedelta(days=1)
        as_of = day
        c = as_contact(d)
        key = contact_key(c)
        distinct.add(key)
        pk = pair_key(c.countries)
        pairs.add(pk)
        pair_weeks.add((pk, date.fromisoformat(day).isocalendar()[:2]))
        for alert in det.observe(c):
            alerts[alert["status"]] += 1
            if alert["status"] == "new" and alert["topic"] == "*":
                new_by_pair[pk] += 1
            out.write(orjson.dumps(alert, option=orjson.OPT_APPEND_NEWLINE).decode())
    active_pw = len(pair_weeks)
    return {
        "distinct_contacts": len(distinct),
        "pairs": len(pairs),
        "pair_weeks_with_activity": active_pw,
        "alerts_new": alerts["new"],
        "alerts_update": alerts["update"],
        "episodes_ended": ended,
        "new_per_100_pair_weeks": round(100.0 * alerts["new"] / active_pw, 3) if active_pw else 0.0,
        "new_by_pair": dict(sorted(new_by_pair.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def run(args: argparse.Namespace) -> int:
    params = SpikeParams(
        window_days=args.window_days, history_weeks=args.history_weeks, alpha=args.alpha,
        min_count=args.min_count, min_ratio=args.min_ratio, prior_rate=args.prior_rate,
        prior_weeks=args.prior_weeks, min_history_days=args.min_history_days,
        cooldown_days=args.cooldown_days, fill_missing_history=args.fill_missing_history,
    )
    src = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    try:
        rows, bad, skipped = _read(src, sys.stderr)
        below = sum(1 for r in rows if not counted(r[2], args.min_confidence))
        rows = [r for r in rows if counted(r[2], args.min_confidence)]
        coverage = args.coverage_start or (rows[0][0] if rows else None)
        summary = backtest(rows, params, coverage, out)
    finally:
        if src is not sys.stdin:
            src.close()
        if out is not sys.stdout:
            out.close()
    summary = {"contacts_read": len(rows) + bad + skipped + below, "bad_lines": bad,
               "undated_skipped": skipped, "below_min_confidence": below, **summary, "coverage_start": coverage,
               "params": params.to_dict()}
    if not args.quiet:
        s = summary
        print(
            f"backtest: {s['contacts_read']} contacts read ({s['bad_lines']} bad lines, "
            f"{s['undated_skipped']} without a day), {s['distinct_contacts']} distinct contacts, "
            f"{s['pairs']} pairs, {s['pair_weeks_with_activity']} pair-weeks with activity; "
            f"alerts: {s['alerts_new']} new, {s['alerts_update']} updates, "
            f"{s['episodes_ended']} episodes ended; "
            f"false-alarm rate (new alerts per 100 active pair-weeks): {s['new_per_100_pair_weeks']}",
            file=sys.stderr,
        )
        print("backtest: summary " + orjson.dumps(summary).decode(), file=sys.stderr)
    return 0
