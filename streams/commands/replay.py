"""``python -m streams replay FILE.jsonl``: send articles to the input topic, line by line.

Lines are sent as raw bytes, exactly as they are in the file (only the line break removed), so
garbage can be replayed too and must end up on the dead-letter topic. A line that parses as a JSON
object with an ``id`` is keyed by that id; anything else is sent without a key. Blank lines are
skipped. Progress goes to stderr (tqdm); a summary line at the end says sent, bytes, failed,
elapsed and rate.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
import time

import orjson

from streams.settings import Settings


def parse_rate(text: str | None) -> float | None:
    """"500", "500/s", "30/min" → messages per second (None or 0: as fast as possible)."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(?:/\s*(s|sec|second|m|min|minute|h|hour))?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (examples: 500, 500/s, 30/min)")
    n = float(m.group(1))
    per = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
    return n / per.get(m.group(2) or "s", 1) or None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="JSONL file of articles ('-' for stdin)")
    parser.add_argument("--rate", type=parse_rate, default=None,
                        help="messages per second, e.g. 200 or 200/s or 30/min (default: as fast as possible)")
    parser.add_argument("--topic", help="topic to send to (default: DIPLOWATCH_TOPIC_ARTICLES)")
    parser.add_argument("--limit", type=int, default=None, help="send at most this many lines")
    parser.add_argument("--skip", type=int, default=0, metavar="N",
                        help="skip the first N lines (to resume an interrupted replay)")
    parser.add_argument("--repeat", type=int, default=1, help="send the file this many times")
    parser.add_argument("--bootstrap", dest="kafka_bootstrap", help="Kafka bootstrap servers")
    parser.add_argument("--no-create", action="store_true",
                        help="do not create the topic with the configured partitions if missing")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _lines(path: str):
    f = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        for line in f:
            line = line.rstrip(b"\r\n")
            if line.strip():
                yield line
    finally:
        if f is not sys.stdin.buffer:
            f.close()


def _key(line: bytes) -> bytes | None:
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if isinstance(doc, dict) and isinstance(doc.get("id"), (str, int)):
        return str(doc["id"]).encode("utf-8")
    return None


async def replay(s: Settings, path: str, *, topic: str, rate: float | None = None,
                 limit: int | None = None, repeat: int = 1, create: bool = True,
                 progress: bool = True, skip: int = 0,
                 stop: asyncio.Event | None = None) -> dict[str, float]:
    """Send the lines of ``path`` (after the first ``skip``) to ``topic``. When ``stop`` is set
    (the command sets it on Ctrl-C) it stops sending, waits for the acknowledgements of what it
    handed to the producer, and returns its summary with ``interrupted`` set; ``handled`` lines
    were each sent or reported as failed, so ``skip + handled`` is where a new run resumes. A
    cancelled replay (the demo's Ctrl-C) settles the same way, then stays cancelled."""
    from aiokafka import AIOKafkaProducer
    from tqdm import tqdm

    if create:
        # the topic is made with the input topic's configured layout (the broker creates none)
        import dataclasses

        from streams.pipeline.topics import ensure_topics
        await ensure_topics(dataclasses.replace(s, topic_articles=topic), ["articles"],
                            check=topic == s.topic_articles)
    total = None
    if path != "-":
        n = max(0, sum(1 for _ in _lines(path)) * max(1, repeat) - skip)
        total = min(n, limit) if limit is not None else n
    from streams.security import client_options, start_client
    producer = AIOKafkaProducer(bootstrap_servers=s.kafka_bootstrap, linger_ms=5,
                                max_request_size=8 * 1024 * 1024, acks="all", **client_options(s))
    await start_client(producer, s)
    sent = failed = nbytes = 0
    interrupted = False
    i = 0   # lines handed to the producer (each settles as sent or failed)
    pending: list[asyncio.Future] = []
    t0 = time.perf_counter()
    bar = tqdm(total=total, unit="msg", file=sys.stderr, disable=not progress, dynamic_ncols=True)

    async def settle(futs: list[asyncio.Future]) -> None:
        nonlocal sent, failed
        for r in await asyncio.gather(*futs, return_exceptions=True):
            if isinstance(r, BaseException):
                failed += 1
                bar.write(f"replay: send failed: {r!r}", file=sys.stderr)
            else:
                sent += 1

    # stdin can be read once: keep its lines when the file is to be sent more than once
    source = list(_lines(path)) if path == "-" and repeat > 1 else None
    try:
        seen = 0
        for _ in range(max(1, repeat)):
            for line in (source if source is not None else _lines(path)):
                seen += 1
                if seen <= skip:
                    continue
                if limit is not None and i >= limit:
                    break
                if rate:
                    # pace against the schedule, not the previous send: no drift over long runs
                    delay = t0 + i / rate - time.perf_counter()
                    if delay > 0:
                        if stop is None:
                            await asyncio.sleep(delay)
                        else:
                            try:
                                await asyncio.wait_for(stop.wait(), delay)
                            except asyncio.TimeoutError:
                                pass
                if stop is not None and stop.is_set():
                    interrupted = True
                    break
                try:
                    pending.append(await producer.send(topic, value=line, key=_key(line)))
                    nbytes += len(line)
                except Exception as exc:   # noqa: BLE001 - e.g. too large for the producer: count, go on
                    failed += 1
                    bar.write(f"replay: line {i + 1} not sent: {exc!r}", file=sys.stderr)
                bar.update(1)   # handed to the producer; acknowledgements are settled in batches
                i += 1
                if len(pending) >= 1000:
                    await settle(pending)
                    pending = []
            if interrupted:
                break
        await settle(pending)
        await producer.flush()
    except asyncio.CancelledError:
        # what the producer holds is delivered (or fails) before the producer stops
        await settle(pending)
        raise
    finally:
        bar.close()
        await producer.stop()
    elapsed = time.perf_counter() - t0
    return {"sent": sent, "bytes": nbytes, "failed": failed, "elapsed": elapsed,
            "rate": sent / elapsed if elapsed > 0 else 0.0, "total": total, "handled": i,
            "interrupted": interrupted}


def run(args: argparse.Namespace) -> int:
    from streams.commands.common import CommandError, check_broker, input_file, run_async

    try:
        s = Settings.from_env(kafka_bootstrap=args.kafka_bootstrap)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"bad configuration: {exc}") from None
    if args.file != "-":
        input_file(args.file, "articles file")
    if args.skip < 0 or (args.limit is not None and args.limit < 0) or args.repeat < 1:
        raise CommandError("--skip and --limit take 0 or more, --repeat 1 or more")
    check_broker(s.kafka_bootstrap)
    topic = args.topic or s.topic_articles
    async def interruptible():
        # Ctrl-C sets `stop` (rather than cancelling everything) so replay ends with its summary
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
        return await replay(s, args.file, topic=topic, rate=args.rate, limit=args.limit,
                            repeat=args.repeat, create=not args.no_create, progress=not args.quiet,
                            skip=args.skip, stop=stop)

    from streams.pipeline.topics import TopicMismatch
    try:
        summary = run_async(interruptible())
    except TopicMismatch as exc:
        raise CommandError(str(exc)) from None
    of = f" of {summary['total']}" if summary["total"] is not None else ""
    print(f"replay: {'interrupted: ' if summary['interrupted'] else ''}sent {summary['sent']}{of} "
          f"messages ({summary['bytes']} bytes) to {topic}, failed {summary['failed']}, in "
          f"{summary['elapsed']:.2f} s ({summary['rate']:.1f} msg/s)", file=sys.stderr)
    if summary["interrupted"]:
        if args.file != "-" and args.repeat == 1:
            print(f"replay: to send the rest: python -m streams replay {args.file} "
                  f"--skip {args.skip + summary['handled']}"
                  + (f" --limit {args.limit - summary['handled']}" if args.limit is not None else ""),
                  file=sys.stderr)
        return 130
    return 1 if summary["failed"] else 0
