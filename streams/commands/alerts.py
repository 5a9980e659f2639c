"""``python -m streams alerts``: follow the alert topic and print each alert readably (pair, topic,
window, observed vs expected, score, the top evidence lines with their sources), or as JSON lines
with ``--json``. Reads without a consumer group (commits nothing), from the end by default or from
the beginning with ``--from-beginning``; ``--max``/``--idle-timeout`` make it usable in scripts."""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

import orjson

from streams.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object a line")
    parser.add_argument("--from-beginning", action="store_true", help="also print past alerts")
    parser.add_argument("--topic", help="alert topic (default: DIPLOWATCH_TOPIC_ALERTS)")
    parser.add_argument("--bootstrap", dest="kafka_bootstrap", help="Kafka bootstrap servers")
    parser.add_argument("--evidence", type=int, default=3, help="evidence lines shown per alert")
    parser.add_argument("--max", type=int, default=None, help="exit after this many alerts")
    parser.add_argument("--idle-timeout", type=float, default=None,
                        help="exit when no alert came for this many seconds")


def _short(text: Any, n: int = 160) -> str:
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _names(codes: list[str], lang: str = "en") -> str:
    from streams.detection.explain import country_name

    return " – ".join(country_name(c, lang) for c in codes)


def _evidence_lang(item: dict[str, Any]) -> str | None:
    """The language of an evidence sentence: its record's ``lang``, else guessed from the script."""
    if item.get("lang"):
        return str(item["lang"])
    from streams.web.collect import guess_lang

    return guess_lang(item.get("evidence"))


def format_alert(a: dict[str, Any], evidence: int = 3) -> str:
    """A few readable lines for one alert (tolerant of missing fields: it prints what it gets).

    The pair is shown with its country names (the alert's ``names``, CLDR English); an evidence
    line in Arabic or Persian is followed by the names in that language."""
    codes = a.get("pair") if isinstance(a.get("pair"), list) else str(a.get("pair") or "").split("-")
    pair = "-".join(codes)
    names = a.get("names")
    if isinstance(names, list) and len(names) == 2:
        pair += f" ({' – '.join(map(str, names))})"
    elif len(codes) == 2 and all(codes):   # an alert from before the detector named its pair
        pair += f" ({_names(codes)})"
    wtxt = f"{a.get('window_start', '?')} … {a.get('window_end', '?')}"
    status = a.get("status") or "alert"
    expected = a.get("expected")
    exp = f"{expected:.2f}" if isinstance(expected, (int, float)) else str(expected)
    score = a.get("score")
    sc = f"{score:.2f}" if isinstance(score, (int, float)) else str(score)
    lines = [f"[{status}] {pair}  topic={a.get('topic') or '*'}  window {wtxt}  "
             f"observed {a.get('observed')} vs expected {exp}  score {sc}"]
    if a.get("summary"):   # what is unusual, in words (streams.detection.explain)
        lines.append(f"    {a['summary']}")
    # the most recent contacts first: they are what made the window fire
    ev = sorted(a.get("evidence") or [], key=lambda e: e.get("date") or "", reverse=True)
    for item in ev[:evidence]:
        srcs = item.get("sources") or []
        lang = _evidence_lang(item)
        local = f"  ({_names(codes, lang)})" if lang in ("ar", "fa") and len(codes) == 2 else ""
        lines.append(f"    - {item.get('date', '')} {item.get('mode', '')}: {_short(item.get('evidence'))}"
                     + (f"  [{', '.join(map(str, srcs[:4]))}]" if srcs else "") + local)
    if len(ev) > evidence:
        lines.append(f"    … {len(ev) - evidence} more")
    return "\n".join(lines)


async def follow(s: Settings, topic: str, *, from_beginning: bool, as_json: bool, evidence: int,
                 max_alerts: int | None, idle_timeout: float | None, out=sys.stdout) -> int:
    from aiokafka import AIOKafkaConsumer

    # no consumer group: subscribe() assigns every partition; with no committed offsets the reset
    # policy decides where reading starts
    from streams.security import client_options, start_client
    consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, enable_auto_commit=False,
                                group_id=None,
                                auto_offset_reset="earliest" if from_beginning else "latest",
                                **client_options(s))
    await start_client(consumer, s)
    n = 0
    try:
        last = time.monotonic()
        # The topic is the worker's to create, with its configured partitions (the broker does not
        # auto-create topics): until it exists, wait for it rather than make it with another shape.
        waited = False
        while topic not in await consumer.topics():
            if not waited:
                print(f"alerts: waiting for topic {topic} (the worker creates it when it starts)",
                      file=sys.stderr, flush=True)
                waited = True
            if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                return 0
            await asyncio.sleep(1.0)
        consumer.subscribe([topic])
        while max_alerts is None or n < max_alerts:
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                    break
                continue
            last = time.monotonic()
            for records in batch.values():
                for rec in records:
                    try:
                        alert = orjson.loads(rec.value)
                    except orjson.JSONDecodeError:
                        print(f"alerts: unreadable record at offset {rec.offset}", file=sys.stderr)
                        continue
                    if as_json:
                        out.write(orjson.dumps(alert).decode() + "\n")
                    else:
                        out.write(format_alert(alert, evidence) + "\n")
                    out.flush()
                    n += 1
    finally:
        await consumer.stop()
    return 0


def run(args: argparse.Namespace) -> int:
    from streams.commands.common import CommandError, check_broker, run_async

    try:
        s = Settings.from_env(kafka_bootstrap=args.kafka_bootstrap)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"bad configuration: {exc}") from None
    check_broker(s.kafka_bootstrap)
    try:
        return run_async(follow(s, args.topic or s.topic_alerts, from_beginning=args.from_beginning,
                                as_json=args.json, evidence=args.evidence, max_alerts=args.max,
                                idle_timeout=args.idle_timeout))
    except KeyboardInterrupt:
        return 0
