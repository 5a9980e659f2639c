"""``python -m streams counts --pair JOR-USA --from 2023-10-01 --to 2023-12-31``: a pair's distinct
contacts per ISO week (or day) as CSV or JSON lines, for spreadsheets and notebooks, read from a
running worker's API (``/api/v1/counts``, docs/api.md). Any worker answers for every pair.

CSV columns: pair, topic, week (empty by day; null in JSON), start, end, count (empty when none of the bucket's
days is still kept), days, days_retained. A JSON line is one bucket with its pair and topic and the
worker's ``retained_from`` (days before it are no longer kept). A summary line goes to stderr.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from typing import Any

from streams.commands.common import UNAVAILABLE, USAGE, CommandError

_PAIR = re.compile(r"^[A-Za-z]{3}-[A-Za-z]{3}$")
COLUMNS = ("pair", "topic", "week", "start", "end", "count", "days", "days_retained")


def _default_url() -> str:
    from streams.settings import Settings
    try:
        s = Settings.from_env()
    except ValueError:
        return "http://127.0.0.1:6066"
    host = "127.0.0.1" if s.web_host in ("0.0.0.0", "::", "") else s.web_host
    return f"http://{host}:{s.web_port}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pair", required=True, help="two ISO 3166-1 alpha-3 codes, e.g. JOR-USA")
    parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day (included)")
    parser.add_argument("--topic", default="*", help="a topic (gaza, ukraine ...; default * = all topics)")
    parser.add_argument("--granularity", choices=("week", "day"), default="week",
                        help="ISO weeks (default) or days")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv", help="output format")
    parser.add_argument("--url", default=None,
                        help="a worker's web server (default http://<DIPLOWATCH_WEB_HOST>:<DIPLOWATCH_WEB_PORT>, "
                             "i.e. http://127.0.0.1:6066)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the answer")


def _day(value: str, option: str) -> date:
    try:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a day (YYYY-MM-DD)") from None


def check(args: argparse.Namespace) -> None:
    """The mistakes found before asking the worker (it checks the same and more)."""
    if not _PAIR.match(args.pair):
        raise CommandError(f"--pair {args.pair!r} is not two country codes joined by a hyphen "
                           f"(ISO 3166-1 alpha-3, e.g. JOR-USA)")
    args.pair = args.pair.upper()
    a, b = _day(args.start, "--from"), _day(args.end, "--to")
    if a > b:
        raise CommandError(f"--from {args.start} is after --to {args.end}")


def fetch(url: str, params: dict[str, str], timeout: float) -> dict[str, Any]:
    """GET ``url``'s /api/v1/counts; the worker's 400 message or its absence as a CommandError."""
    full = url.rstrip("/") + "/api/v1/counts?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(full, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("error") or exc.reason
        except (ValueError, AttributeError):
            message = exc.reason
        if exc.code == 400:
            raise CommandError(str(message)) from None
        if exc.code == 404:
            raise CommandError(f"{url} answers but has no /api/v1/counts: is it a diplowatch worker "
                               f"of this version?", UNAVAILABLE) from None
        raise CommandError(f"the worker at {url} answered {exc.code}: {message}", UNAVAILABLE) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CommandError(f"no worker at {url} ({reason}) — start one with `python -m streams worker` "
                           f"(or pass --url http://HOST:PORT)", UNAVAILABLE) from None
    except ValueError:
        raise CommandError(f"{url} did not answer with JSON: is it a diplowatch worker?",
                           UNAVAILABLE) from None


def rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"pair": answer["pair"], "topic": answer["topic"], "week": b.get("week"),
             "start": b["start"], "end": b["end"], "count": b["count"], "days": b["days"],
             "days_retained": b["days_retained"]} for b in answer["buckets"]]


def write(answer: dict[str, Any], fmt: str, out) -> None:
    kept = answer.get("retention") or {}
    if fmt == "jsonl":
        for r in rows(answer):
            r["retained_from"] = kept.get("retained_from")
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows(answer):
        w.writerow(["" if r[c] is None else r[c] for c in COLUMNS])


def run(args: argparse.Namespace) -> int:
    check(args)
    url = args.url or _default_url()
    if not re.match(r"^https?://", url):
        raise CommandError(f"--url {url!r} is not an http:// URL (e.g. http://127.0.0.1:6066)", USAGE)
    answer = fetch(url, {"pair": args.pair, "from": args.start, "to": args.end, "topic": args.topic,
                         "granularity": args.granularity}, args.timeout)
    write(answer, args.format, sys.stdout)
    kept = answer.get("retention") or {}
    note = (f"counts: {answer['pair']} {answer['topic']} {answer['from']}..{answer['to']}: "
            f"{answer['total']} distinct contacts in {len(answer['buckets'])} {args.granularity}s "
            f"(served by {answer.get('served_by')}")
    if kept.get("retained_from"):
        note += f"; days before {kept['retained_from']} no longer kept"
    print(note + ")", file=sys.stderr)
    return 0
