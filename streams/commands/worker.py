"""``python -m streams worker``: run the Faust worker of the pipeline.

Configuration comes from DIPLOWATCH_* environment variables (listed by ``--help``); the flags below
override the most common ones. SIGTERM or Ctrl-C stops the worker cleanly: it finishes the record in
hand, commits its offsets and leaves the consumer group, so a restart continues where it stopped
(tables are rebuilt from their changelogs).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading

from streams.settings import Settings, settings_help


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = settings_help()
    parser.add_argument("--bootstrap", dest="kafka_bootstrap", help="Kafka bootstrap servers")
    parser.add_argument("--app-id", dest="app_id", help="Faust app id (consumer group)")
    parser.add_argument("--web-port", dest="web_port", type=int, help="port of /metrics and /status")
    parser.add_argument("--web-host", dest="web_host", help="address of the web server")
    parser.add_argument("--no-web", dest="web_enabled", action="store_false", default=None,
                        help="do not start the web server")
    parser.add_argument("--loglevel", "-l", dest="loglevel",
                        choices=["debug", "info", "warning", "error", "critical"], help="log level")


def _use_uvloop() -> None:
    """uvloop's event loop for the worker and the threads Faust starts (its consumer thread makes
    its own loop through the policy): the scheduling of four agents, a producer and a conductor
    per event costs less (bench/README.md). Without uvloop (an install without it, Windows), the
    standard loop."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def _check_knowledge() -> None:
    """Every knowledge file (DIPLOWATCH_KNOWLEDGE_DIR's overlay included) loaded and checked
    before the worker touches the broker: a bad row stops it with its file and line."""
    from streams.commands.common import CommandError
    from streams.knowledge.loader import KnowledgeError, load_all

    try:
        overlaid = load_all()
    except KnowledgeError as exc:
        raise CommandError(f"knowledge base: {exc}") from None
    if overlaid:
        print(f"worker: knowledge files from DIPLOWATCH_KNOWLEDGE_DIR: {', '.join(overlaid)}",
              file=sys.stderr, flush=True)


# how long a stop may take after SIGTERM or SIGINT before the process exits anyway
STOP_GRACE_SECONDS = 18.0
FORCED_EXIT = 4


def _force_exit() -> None:
    sys.stderr.write(f"worker: not stopped {STOP_GRACE_SECONDS:.0f} s after the signal: exiting "
                     f"now (status {FORCED_EXIT}; nothing is lost: docs/pipeline.md)\n")
    sys.stderr.flush()
    os._exit(FORCED_EXIT)


def _worker_class(base):
    """faust.Worker whose SIGTERM and SIGINT also start a watchdog: a stop that hangs (a producer
    that never acknowledges, a Faust service waiting forever) ends in ``os._exit`` after
    STOP_GRACE_SECONDS. That is as safe as a SIGKILL, which the pipeline survives by construction
    (state records only after acknowledged outputs, events acked only after both: the SIGKILL
    drill, tests/fault), and it keeps the promise that SIGTERM stops a worker within 20 s."""
    from streams.faust_ext.worker import worker_class

    watchdog: list[threading.Timer] = []

    def arm() -> None:
        if not watchdog:
            timer = threading.Timer(STOP_GRACE_SECONDS, _force_exit)
            timer.daemon = True
            timer.start()
            watchdog.append(timer)

    return worker_class(base, arm)


def run(args: argparse.Namespace) -> int:
    import faust

    from streams.app import create_app
    from streams.commands.common import UNAVAILABLE, CommandError, check_broker, check_port_free
    from streams.pipeline.topics import TopicMismatch, ensure_topics
    from streams.security import KafkaAccessError

    try:
        s = Settings.from_env(kafka_bootstrap=args.kafka_bootstrap, app_id=args.app_id,
                              web_port=args.web_port, web_host=args.web_host,
                              web_enabled=args.web_enabled, loglevel=args.loglevel)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"bad configuration: {exc}") from None
    _check_knowledge()
    if s.web_enabled:
        check_port_free(s.web_host, s.web_port, "--web-port or DIPLOWATCH_WEB_PORT")
    check_broker(s.kafka_bootstrap)
    _use_uvloop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(ensure_topics(s))
    except TopicMismatch as exc:
        raise CommandError(str(exc)) from None
    except KafkaAccessError as exc:
        raise CommandError(str(exc), UNAVAILABLE) from None
    except Exception as exc:   # noqa: BLE001 - a broker that fails the admin requests: one line
        raise CommandError(f"cannot prepare topics on {s.kafka_bootstrap}: {exc!r}", UNAVAILABLE) from None
    pipeline = create_app(s)
    from streams.pipeline.extract import warm_up
    warm_up()   # before joining the group: no partition waits on the knowledge base being loaded
    from streams.runtime import tune_gc
    tune_gc()   # after the warm-up: the knowledge base goes to the permanent generation
    logging.getLogger("streams").setLevel(s.loglevel.upper())
    worker = _worker_class(faust.Worker)(pipeline.app, loglevel=s.loglevel, loop=loop)
    # Faust's console spinner sets the root logger to DEBUG (to spin on every record) when the level
    # is WARNING or above: every debug() call of aiokafka and Faust then builds a LogRecord for
    # every message sent. No spinner: the root logger keeps the configured level.
    worker.spinner = None
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = int(exc.code or 0)
    else:
        code = 0
    if pipeline.failed is not None:   # a delivery failed (streams.app.fail_worker)
        return 3
    return code
