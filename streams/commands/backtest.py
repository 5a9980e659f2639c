"""``python -m streams backtest``: contacts JSONL in, alerts JSONL out, summary on stderr.

Runs the same PairCounts + SpikeDetector + as-of evaluation (streams.detection.asof) as the live
pipeline, over plain dicts. Contacts are read into memory and sorted by event day (the day
``contact_key`` assigns: the contact's date, else its publication day) -- fine up to a few million
contacts. The input is one path in day order whose watermark is the day being read: each contact is
stamped with its own day, and a day is evaluated once the input has moved past it (the settle
setting changes nothing here: no contact is stamped after its own day), every pair with contacts
that day and every active episode, so episodes end where their window fell quiet.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date
from typing import Any, TextIO

import orjson

from streams.detection import PairCounts, SpikeDetector, SpikeParams, contact_day
from streams.detection.asof import AsOfEvaluator
from streams.detection.contact_keys import as_contact, contact_key, counted, pair_key
from streams.detection.labels import load_episodes, load_steady, score
from streams.detection.model import COUNT_UNITS, METHODS

_D = SpikeParams()


def _number(kind, low=None, high=None, low_open=False):
    """An argparse type: ``kind`` (int or float) within [low, high] (``low_open``: above low)."""
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a{'n integer' if kind is int else ' number'}: {text!r}")
        if (low is not None and (v <= low if low_open else v < low)) or (high is not None and v > high):
            lo = "" if low is None else f"{'>' if low_open else '≥'} {low}"
            hi = "" if high is None else f"≤ {high}"
            raise argparse.ArgumentTypeError(f"{v} is out of range (must be {' and '.join(x for x in (lo, hi) if x)})")
        return v
    parse.__name__ = kind.__name__
    return parse


def _day(text: str) -> str:
    from streams.detection.contact_keys import iso_day
    d = iso_day(text)
    if d is None or len(text) != 10:
        raise argparse.ArgumentTypeError(f"not a day: {text!r} (expected YYYY-MM-DD)")
    return d


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    p.add_argument("--input", "-i", default="-",
                   help="contacts JSONL, as `extract` writes them ('-': stdin)")
    p.add_argument("--output", "-o", default="-", help="alerts JSONL ('-': stdout)")
    p.add_argument("--window-days", type=_number(int, 1, 366), default=_D.window_days,
                   help="length of the sliding window a spike is counted in, in days")
    p.add_argument("--history-weeks", type=_number(int, 1, 520), default=_D.history_weeks,
                   help="weeks of a pair's history before the window that form its baseline")
    p.add_argument("--alpha", type=_number(float, 0, 1, low_open=True), default=_D.alpha,
                   help="significance level of a window's count against its baseline (0 < alpha ≤ 1)")
    p.add_argument("--min-count", type=_number(int, 1), default=_D.min_count,
                   help="fewest distinct contacts in a window that can be a spike")
    p.add_argument("--min-ratio", type=_number(float, 0), default=_D.min_ratio,
                   help="smallest observed/expected ratio that can be a spike")
    p.add_argument("--prior-rate", type=_number(float, 0, low_open=True), default=_D.prior_rate,
                   help="prior mean weekly contacts of a pair")
    p.add_argument("--prior-weeks", type=_number(float, 0), default=_D.prior_weeks,
                   help="weight of the prior, in weeks of observation")
    p.add_argument("--min-history-days", type=_number(int, 0), default=_D.min_history_days,
                   help="days of coverage before a pair can alert at all")
    p.add_argument("--fill-missing-history", action=argparse.BooleanOptionalAction,
                   default=_D.fill_missing_history,
                   help="count unobserved baseline days (before the coverage start) as prior weeks")
    p.add_argument("--cooldown-days", type=_number(int, 0), default=_D.cooldown_days,
                   help="days after an episode ends before the same pair can start a new one")
    p.add_argument("--min-reports", type=_number(int, 1), default=_D.min_reports,
                   help="distinct outlets or articles (--corroborate-by) a new episode's window "
                        "needs (1: no corroboration)")
    p.add_argument("--strong-alpha", type=_number(float, 0, 1), default=_D.strong_alpha,
                   help="below this p-value a window needs no corroboration")
    p.add_argument("--reports-per-contact", type=_number(float, 0), default=_D.reports_per_contact,
                   help="> 0: --min-reports counts in units of this many reports per contact, scaled "
                        "to the input's running mean (docs/detection.md, section 7; 0: absolute)")
    p.add_argument("--reports-per-expected", type=_number(float, 0), default=_D.reports_per_expected,
                   help="a new episode needs this many more reports per contact the baseline expects "
                        "in the window (busy pairs need more; docs/detection.md, section 7)")
    p.add_argument("--unseen-pair-reports", type=_number(int, 0), default=_D.unseen_pair_reports,
                   help="... and this many more when the pair had no contact in its observed baseline")
    p.add_argument("--new-episode-ratio", dest="min_ratio_new", type=_number(float, 0),
                   default=_D.min_ratio_new,
                   help="a new episode needs at least this multiple of the expected count "
                        "(updates: --min-ratio; 0: off)")
    p.add_argument("--min-reported-contacts", type=_number(int, 0), default=_D.min_reported_contacts,
                   help="a new episode needs this many of its window's contacts each in "
                        "--contact-reports reports (0: off; off with --min-reports 1)")
    p.add_argument("--contact-reports", type=_number(int, 1), default=_D.contact_reports,
                   help="... in this many distinct reports (what --corroborate-by counts)")
    p.add_argument("--dispersion-min-history", type=_number(int, 0), default=_D.dispersion_min_history,
                   help="> 0: a pair with this many contacts in its baseline opens an episode only if "
                        "the window is below --alpha under its own overdispersion (section 7; 0: off)")
    p.add_argument("--new-episode-alpha", dest="alpha_new", type=_number(float, 0, 1), default=_D.alpha_new,
                   help="> 0: a new episode also needs its p-value below this (updates: --alpha)")
    p.add_argument("--count-unit", choices=COUNT_UNITS, default=_D.count_unit,
                   help="what a window counts: distinct contacts, or days with a contact "
                        "(docs/detection.md, section 7, fourth pass)")
    p.add_argument("--report-dispersion", type=_number(float, 0), default=_D.report_dispersion,
                   help="> 0: a window may also fire on its distinct reports against the pair's own "
                        "reports, counts divided by this dispersion (section 7, fourth pass; 0: off)")
    p.add_argument("--busy-expected", type=_number(float, 0), default=_D.busy_expected,
                   help="... only for pairs whose baseline expects at least this many contacts in "
                        "the window (0: every pair)")
    p.add_argument("--corroborate-by", choices=("sources", "article_ids"), default=_D.corroborate_by,
                   help="corroboration counts distinct outlets (sources) or reports (article_ids)")
    p.add_argument("--method", choices=METHODS, default=_D.method,
                   help="the spike model (docs/detection.md, 'Methods compared')")
    p.add_argument("--dispersion", type=_number(float, 0, low_open=True), default=_D.dispersion,
                   help="nb-eb-v2: pooled dispersion of weekly counts")
    p.add_argument("--coverage-start", type=_day, default=None,
                   help="first observed day, YYYY-MM-DD (default: the earliest event day in the input)")
    p.add_argument("--min-confidence", type=_number(float, 0, 1), default=0.0,
                   help="count only contacts with at least this confidence (as DIPLOWATCH_MIN_CONFIDENCE)")
    p.add_argument("--episodes", default=None,
                   help="labelled episodes TSV (episodes/icews-2016.tsv): report which were caught")
    p.add_argument("--steady", default=None,
                   help="steady busy pairs TSV (episodes/steady-2016.tsv): count their alerts")
    p.add_argument("--quiet", action="store_true", help="no summary on stderr")


def _read(stream: TextIO, err: TextIO,
          ignored_dates: dict[str, int] | None = None) -> tuple[list[tuple[str, int, dict[str, Any]]], int, int]:
    from streams.commands.common import CommandError
    from streams.pubdate import drop_implausible

    rows = []
    bad = skipped = 0
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            d = orjson.loads(line)
            if not isinstance(d, dict):
                raise ValueError("not a JSON object")
            if "countries" not in d and "text" in d:
                raise CommandError(f"line {n} is an article, not a contact: extract contacts first "
                                   f"(python -m streams extract < articles.jsonl | python -m streams backtest)")
            reason = drop_implausible(d)
            if reason is not None and ignored_dates is not None:
                ignored_dates[reason] = ignored_dates.get(reason, 0) + 1
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
             coverage_start: str | None, out, now=None, on_evaluate=None) -> dict[str, Any]:
    """Run the detector over sorted (day, line, contact) rows, writing alerts to ``out``.
    ``on_evaluate``: passed to SpikeDetector (sees every evaluation; measurements)."""
    counts_store: dict[str, Any] = {}
    episodes: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"now": now} if now else {}
    if on_evaluate is not None:
        kwargs["on_evaluate"] = on_evaluate
    counts = PairCounts(counts_store, feed_totals=params.reports_per_contact > 0)
    det = SpikeDetector(counts, episodes, params, coverage_start=coverage_start, **kwargs)
    asof = AsOfEvaluator(counts, lambda: det, settle_days=0)
    alerts = {"new": 0, "update": 0}
    distinct: set[str] = set()
    pair_weeks: set[tuple[str, tuple[int, int]]] = set()
    pairs: set[str] = set()
    new_by_pair: dict[str, int] = defaultdict(int)
    emitted: list[dict[str, Any]] = []   # (pair, topic, status, window) of every alert, for scoring

    def emit(made: list[dict[str, Any]]) -> None:
        for alert in made:
            alerts[alert["status"]] += 1
            if alert["status"] == "new" and alert["topic"] == "*":
                new_by_pair["-".join(alert["pair"])] += 1
            emitted.append({k: alert[k] for k in ("pair", "topic", "status", "window_end")})
            out.write(orjson.dumps(alert, option=orjson.OPT_APPEND_NEWLINE).decode())

    for day, _, d in rows:
        emit(asof.advance(day))   # every contact of the days before is in: they are evaluated
        c = as_contact(d)
        key = contact_key(c)
        distinct.add(key)
        pk = pair_key(c.countries)
        pairs.add(pk)
        pair_weeks.add((pk, date.fromisoformat(day).isocalendar()[:2]))
        asof.add(c, day)
    emit(asof.finish())
    ended = asof.ended
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
        "_alerts": emitted,
        "_distinct": distinct,
    }


def score_labels(emitted: list[dict[str, Any]], distinct: set[str], episodes_path: str,
                 steady_path: str | None, active_pair_weeks: int) -> dict[str, Any]:
    """Score the run's alerts against labelled episodes (streams.detection.labels)."""
    days: dict[str, list[str]] = defaultdict(list)
    for key in distinct:
        pair, day, _ = key.split("|")
        days[pair].append(day)
    return score(emitted, load_episodes(episodes_path),
                 load_steady(steady_path) if steady_path else (),
                 contact_days=days, active_pair_weeks=active_pair_weeks)


def print_labelled(s: dict[str, Any], err: TextIO) -> None:
    for r in s["rows"]:
        mark = "caught" if r["caught"] else ("MISSED" if r["observable"] else "not observable")
        first = f" (first alert window ending {r['first_alert']})" if r["first_alert"] else ""
        print(f"backtest: episode {r['pair']} {r['week']} {r['start']}: {mark}, "
              f"{r['contacts']} contacts in its span{first} -- {r['what']}", file=err)
    print(f"backtest: labelled episodes caught {s['caught']}/{s['episodes']} "
          f"(observable: {s['observable_caught']}/{s['observable']}); new alerts "
          f"{s['new_alerts']} ({s['new_in_labelled_episodes']} within labelled episodes, "
          f"{s['new_on_steady_pairs_outside_episodes']} on steady pairs outside them), "
          f"{s['new_per_100_pair_weeks']} per 100 active pair-weeks", file=err)


def run(args: argparse.Namespace) -> int:
    params = SpikeParams(
        window_days=args.window_days, history_weeks=args.history_weeks, alpha=args.alpha,
        min_count=args.min_count, min_ratio=args.min_ratio, prior_rate=args.prior_rate,
        prior_weeks=args.prior_weeks, min_history_days=args.min_history_days,
        cooldown_days=args.cooldown_days, fill_missing_history=args.fill_missing_history,
        min_reports=args.min_reports, strong_alpha=args.strong_alpha, method=args.method,
        dispersion=args.dispersion, corroborate_by=args.corroborate_by,
        reports_per_contact=args.reports_per_contact, reports_per_expected=args.reports_per_expected,
        unseen_pair_reports=args.unseen_pair_reports, alpha_new=args.alpha_new,
        min_ratio_new=args.min_ratio_new, min_reported_contacts=args.min_reported_contacts,
        contact_reports=args.contact_reports, dispersion_min_history=args.dispersion_min_history,
        count_unit=args.count_unit, report_dispersion=args.report_dispersion,
        busy_expected=args.busy_expected,
    )
    from streams.commands.common import CommandError, input_file

    for path, what in ((args.episodes, "episodes file"), (args.steady, "steady pairs file")):
        if path:
            input_file(path, what)
    src = sys.stdin if args.input == "-" else open(input_file(args.input, "contacts file"), encoding="utf-8")
    try:
        out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror}") from None
    ignored_dates: dict[str, int] = {}
    try:
        rows, bad, skipped = _read(src, sys.stderr, ignored_dates)
        below = sum(1 for r in rows if not counted(r[2], args.min_confidence))
        rows = [r for r in rows if counted(r[2], args.min_confidence)]
        coverage = args.coverage_start or (rows[0][0] if rows else None)
        summary = backtest(rows, params, coverage, out)
    finally:
        if src is not sys.stdin:
            src.close()
        if out is not sys.stdout:
            out.close()
    emitted, distinct = summary.pop("_alerts"), summary.pop("_distinct")
    summary = {"contacts_read": len(rows) + bad + skipped + below, "bad_lines": bad,
               "undated_skipped": skipped, "below_min_confidence": below,
               "published_at_ignored": ignored_dates, **summary, "coverage_start": coverage,
               "params": params.to_dict()}
    if args.episodes:
        summary["labelled"] = score_labels(emitted, distinct, args.episodes, args.steady,
                                           summary["pair_weeks_with_activity"])
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
        if args.episodes:
            print_labelled(summary["labelled"], sys.stderr)
        print("backtest: summary " + orjson.dumps(summary).decode(), file=sys.stderr)
    if not rows:
        raise CommandError("no usable contact in the input (expected JSON lines of contacts with "
                           "countries and a date or published_at, as `extract` writes them)", 1)
    return 0
