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


def format_alert(a: dict[str, Any], evidence: int = 3) -> str:
    """A few readable lines for one alert (tolerant of missing fields: it prints what it gets)."""
    pair = a.get("pair")
    pair = "-".join(pair) if isinstance(pair, list) else str(pair)
    wtxt = f"{a.get('window_start', '?')} … {a.get('window_end', '?')}"
    status = a.get("status") or "alert"
    expected = a.get("expected")
    exp = f"{expected:.2f}" if isinstance(expected, (int, float)) else str(expected)
    score = a.get("score")
    sc = f"{score:.2f}" if isinstance(score, (int, float)) else str(score)
    lines = [f"[{status}] {pair}  topic={a.get('topic') or '*'}  window {wtxt}  "
             f"observed {a.get('observed')} vs expected {exp}  score {sc}"]
    # the most recent contacts first: they are what made the window fire
    ev = sorted(a.get("evidence") or [], key=lambda e: e.get("date") or "", reverse=True)
    for item in ev[:evidence]:
        srcs = item.get("sources") or []
        lines.append(f"    - {item.get('date', '')} {item.get('mode', '')}: {_short(item.get('evidence'))}"
                     + (f"  [{', '.join(map(str, srcs[:4]))}]" if srcs else ""))
    if len(ev) > evidence:
        lines.append(f"    … {len(ev) - evidence} more")
    return "\n".join(lines)


async def follow(s: Settings, topic: str, *, from_beginning: bool, as_json: bool, evidence: int,
                 max_alerts: int | None, idle_timeout: float | None, out=sys.stdout) -> int:
    from aiokafka import AIOKafkaConsumer

    # no consumer group: subscribe() assigns every partition; with no committed offsets the reset
    # policy decides where reading starts
    from streams.security import client_options, start_client
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=s.kafka_bootstrap, enable_auto_commit=False,
                                group_id=None,
                                auto_offset_reset="earliest" if from_beginning else "latest",
                                **client_options(s))
    await start_client(consumer, s)
    n = 0
    try:
        last = time.monotonic()
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
    from streams.security import KafkaAccessError
    try:
        s = Settings.from_env(kafka_bootstrap=args.kafka_bootstrap)
    except (ValueError, TypeError) as exc:
        print(f"alerts: bad configuration: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(follow(s, args.topic or s.topic_alerts, from_beginning=args.from_beginning,
                                  as_json=args.json, evidence=args.evidence, max_alerts=args.max,
                                  idle_timeout=args.idle_timeout))
    except KafkaAccessError as exc:
        print(f"alerts: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
