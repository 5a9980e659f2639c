"""`python -m streams kafka [--brokers 3]`: run a local Apache Kafka until Ctrl-C or SIGTERM.

Prints the bootstrap address on stdout (first line, alone, so scripts can read it) and an
`export KAFKA_BOOTSTRAP=...` hint on stderr; stops the broker(s) cleanly on SIGINT/SIGTERM.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--brokers", type=int, default=1,
                        help="number of KRaft nodes (broker+controller each); 3 gives RF 3, min ISR 2")
    parser.add_argument("--port", type=int, default=None,
                        help="broker port of the first node (next nodes: +1, ...); default: free ports")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="node directories (config, data, server.log); default: a fresh dir under var/kafka/, "
                             "deleted on exit")
    parser.add_argument("--keep", action="store_true", help="keep the work directory on exit")
    parser.add_argument("--check", action="store_true",
                        help="start, print the bootstrap address and start/stop times, stop, exit (0 = it works)")


def run(args: argparse.Namespace) -> int:
    from streams.devkafka import KafkaStartError, KafkaUnavailable, LocalKafka

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    from streams.commands.common import CommandError, check_port_free

    if args.brokers < 1:
        raise CommandError(f"--brokers must be 1 or more, not {args.brokers}")
    ports = [args.port + i for i in range(args.brokers)] if args.port else None
    for port in ports or ():
        if not 0 < port < 65536:
            raise CommandError(f"port {port} is not a TCP port (1-65535)")
        check_port_free("127.0.0.1", port, "--port (or leave it out for free ports)")
    kafka = LocalKafka(brokers=args.brokers, workdir=args.workdir, broker_ports=ports,
                       keep_workdir=args.keep or None)

    stop = threading.Event()
    # SIGTERM behaves like Ctrl-C; handlers are installed before start so an early signal still
    # reaches the cleanup below instead of killing Python with the JVMs still running.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        try:
            bootstrap = kafka.start()
        except (KafkaUnavailable, KafkaStartError) as exc:
            print(f"kafka: {exc}", file=sys.stderr)
            return 1
        if stop.is_set():
            return 0
        print(bootstrap, flush=True)
        if args.check:
            t0 = time.monotonic()
            kafka.stop()
            print(f"kafka: {args.brokers} node(s) started in {kafka.startup_seconds:.1f}s, "
                  f"stopped in {time.monotonic() - t0:.1f}s", file=sys.stderr)
            return 0
        print(f"export KAFKA_BOOTSTRAP={bootstrap}   # Kafka ready in {kafka.startup_seconds:.1f}s; "
              f"broker log {kafka.broker_log(0)}; Ctrl-C to stop", file=sys.stderr, flush=True)
        while not stop.wait(1.0):
            dead = [i for i in range(args.brokers) if not kafka.is_running(i)]
            if dead:
                print(f"kafka: node(s) {[i + 1 for i in dead]} exited; see {kafka.broker_log(dead[0])}",
                      file=sys.stderr)
                return 1
        return 0
    finally:
        kafka.stop()
        print("kafka: stopped", file=sys.stderr)
