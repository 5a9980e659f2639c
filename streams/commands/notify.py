"""``python -m streams notify --webhook URL``: POST every new alert and every update of the alert
topic to a webhook (Slack-compatible ``text`` plus the whole alert as JSON), with retries and capped
exponential backoff, offsets committed only after delivery, and a local ledger so a restart never
resends an alert id it delivered. Payload and guarantees: docs/notify.md."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import urllib.parse

from streams.commands.common import UNAVAILABLE, CommandError, check_broker
from streams.settings import Settings

DEFAULT_GROUP = "diplowatch-notify"
WEBHOOK_ENV = "DIPLOWATCH_NOTIFY_WEBHOOK"


# notify's errors are the commands' one-line errors (streams.commands.common)
NotifyError = CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--webhook", default=None, metavar="URL",
                        help=f"http(s) URL to POST each alert to (default: ${WEBHOOK_ENV}, which "
                             f"keeps a secret URL out of the process list)")
    parser.add_argument("--bootstrap", dest="kafka_bootstrap", default=None,
                        help="Kafka bootstrap servers (default: DIPLOWATCH_KAFKA_BOOTSTRAP)")
    parser.add_argument("--topic", default=None, help="alert topic (default: DIPLOWATCH_TOPIC_ALERTS)")
    parser.add_argument("--group", default=DEFAULT_GROUP,
                        help="Kafka consumer group whose committed offsets say what was delivered; "
                             "one group (and one notify process) per webhook (default: %(default)s)")
    parser.add_argument("--state", default=None, metavar="PATH",
                        help="ledger of delivered alert ids (default: var/notify/<group>.jsonl)")
    parser.add_argument("--start", choices=("latest", "earliest"), default="latest",
                        help="where a new consumer group starts reading; an existing group resumes "
                             "after its committed offset (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds one POST may take before it counts as failed and is retried (default: %(default)s)")
    parser.add_argument("--backoff", type=float, default=1.0,
                        help="seconds before the second attempt; doubled each time, ±10%% jitter (default: %(default)s)")
    parser.add_argument("--max-delay", type=float, default=60.0,
                        help="cap on one wait between attempts (also caps Retry-After; default: %(default)s)")
    parser.add_argument("--max-attempts", type=int, default=0,
                        help="attempts per alert on retryable failures (5xx, 408, 425, 429, network, "
                             "timeout) before --on-failure applies; 0 = keep retrying (default: %(default)s)")
    parser.add_argument("--on-failure", choices=("stop", "skip"), default="stop",
                        help="when an alert is rejected (3xx, other 4xx: never retried) or its "
                             "attempts ran out: stop = exit 1 without committing it (sent again on "
                             "the next start); skip = record it as failed and go on (default: %(default)s)")
    parser.add_argument("--text-only", action="store_true",
                        help="POST only {\"text\": ...} (for receivers that accept nothing beyond "
                             "Slack's fields); default: text plus the whole alert")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                        help="extra HTTP header on every POST (repeatable), e.g. an Authorization (default: none)")
    parser.add_argument("--idle-timeout", type=float, default=None,
                        help="exit when no alert came for this many seconds (default: run until Ctrl-C)")
    parser.add_argument("--loglevel", default="info", choices=("debug", "info", "warning", "error"),
                        help="log level of the lines on stderr (default: %(default)s)")


def check_webhook(url: str | None) -> str:
    if not url:
        raise NotifyError(f"no webhook: pass --webhook URL or set {WEBHOOK_ENV}")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise NotifyError(f"bad --webhook URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotifyError(f"bad --webhook URL {url!r}: expected http://HOST[:PORT]/PATH or https://…")
    if port == 0:
        raise NotifyError(f"bad --webhook URL {url!r}: port 0")
    return url


def parse_headers(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition(":")
        name = name.strip()
        if not sep or not name or any(c in name for c in " \t()<>@,;\\\"/[]?={}"):
            raise NotifyError(f"bad --header {item!r}: expected 'Name: value'")
        out[name] = value.strip()
    return out


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from streams.notify.deliver import DeliveryFailed, Options, run_notifier
    from streams.notify.ledger import Ledger, LedgerBusy
    from streams.notify.policy import RetryPolicy

    webhook = check_webhook(args.webhook or os.environ.get(WEBHOOK_ENV))
    headers = parse_headers(args.header)
    try:
        policy = RetryPolicy(base=args.backoff, cap=args.max_delay, max_attempts=args.max_attempts)
    except ValueError:
        raise NotifyError("bad retry options: need --backoff > 0, --max-delay >= --backoff, "
                          "--max-attempts >= 0") from None
    if args.timeout <= 0:
        raise NotifyError("--timeout must be > 0")
    try:
        s = Settings.from_env(kafka_bootstrap=args.kafka_bootstrap)
    except ValueError as exc:
        raise NotifyError(str(exc)) from None
    check_broker(s.kafka_bootstrap)
    topic = args.topic or s.topic_alerts
    state = args.state or os.path.join("var", "notify", f"{args.group}.jsonl")
    opts = Options(webhook=webhook, topic=topic, group=args.group, policy=policy,
                   timeout=args.timeout, on_failure=args.on_failure, text_only=args.text_only,
                   start=args.start, idle_timeout=args.idle_timeout, headers=headers)
    ledger = Ledger(state)
    try:
        ledger.open()
    except LedgerBusy as exc:
        raise NotifyError(f"{exc} (one notify process per ledger; --state chooses another)",
                          UNAVAILABLE) from None
    except OSError as exc:
        raise NotifyError(f"cannot use the ledger {state}: {exc.strerror or exc}", UNAVAILABLE) from None
    shown = urllib.parse.urlsplit(webhook)
    logging.getLogger("streams.notify").info(
        "posting alerts of %s (group %s) to %s://%s%s; ledger %s (%d ids)", topic, args.group,
        shown.scheme, shown.netloc.rpartition("@")[2], shown.path or "/", state, len(ledger.states))
    try:
        from streams.security import client_options
        asyncio.run(run_notifier(opts, ledger, s.kafka_bootstrap, security=client_options(s)))
    except DeliveryFailed as exc:
        raise NotifyError(str(exc), UNAVAILABLE) from None
    except Exception as exc:   # a Kafka client that lost its broker after its own retries
        from aiokafka.errors import KafkaConnectionError, KafkaError
        if isinstance(exc, (KafkaConnectionError, KafkaError)):
            raise NotifyError(f"Kafka failed: {exc}", UNAVAILABLE) from None
        raise
    finally:
        ledger.close()
    return 0


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.loglevel.upper(), stream=sys.stderr,
                        format="notify: %(levelname)s %(message)s")
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(logging.WARNING if args.loglevel != "debug" else logging.DEBUG)
    return _run(args)   # a NotifyError (CommandError) is printed by streams.__main__
