"""`python -m streams kafka [--brokers 3] [--sasl-ssl]`: run a local Apache Kafka until Ctrl-C or SIGTERM.

Prints the bootstrap address on stdout (first line, alone, so scripts can read it) and an
`export KAFKA_BOOTSTRAP=...` hint on stderr; stops the broker(s) cleanly on SIGINT/SIGTERM.

A node that dies (killed for a fault drill, or crashed) is reported on stderr and the others go on
serving: with 3 nodes (RF 3, min ISR 2) the cluster keeps its quorum and acks=all writes succeed
with one node down. Nodes are started again, on their old ports and data, by a command on stdin
or by SIGUSR1 (every dead node); stdin takes one command a line:

    status            which nodes run (and their pids)
    kill N            SIGKILL node N (1-based), as a crash would
    stop N            SIGTERM node N (controlled shutdown)
    start N           start node N again; `start` alone starts every dead node

With --restart-after S a dead node is started again by itself S seconds after it died. With
--sasl-ssl the client listener is SASL_SSL (certificates made with keytool, a SCRAM and PLAIN user
created at format time) and the DIPLOWATCH_KAFKA_* settings of a client are printed on stderr.
"""
from __future__ import annotations

import argparse
import logging
import os
import queue
import secrets
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
    parser.add_argument("--restart-after", type=float, default=None, metavar="S",
                        help="start a node that died again by itself after S seconds (default: only on "
                             "'start N' on stdin or SIGUSR1)")
    parser.add_argument("--sasl-ssl", action="store_true",
                        help="a SASL_SSL listener instead of PLAINTEXT (TLS certificates made with keytool; "
                             "a user for PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512)")
    parser.add_argument("--user", default="diplowatch", help="the SASL user of --sasl-ssl")


def parse_command(line: str, brokers: int) -> tuple[str, list[int]] | str:
    """('start'|'stop'|'kill'|'status', node indexes 0-based) or an error message."""
    words = line.split()
    if not words:
        return "empty command"
    verb, rest = words[0].lower(), words[1:]
    if verb not in ("start", "stop", "kill", "status"):
        return f"unknown command {verb!r} (status, kill N, stop N, start [N])"
    if verb == "status":
        return verb, []
    if not rest:
        return (verb, list(range(brokers))) if verb == "start" else f"{verb} needs a node number"
    nodes = []
    for w in rest:
        if not w.isdigit() or not 1 <= int(w) <= brokers:
            return f"no node {w!r} (nodes 1..{brokers})"
        nodes.append(int(w) - 1)
    return verb, nodes


def _read_stdin(commands: "queue.Queue[str]") -> None:
    try:
        for line in sys.stdin:
            if line.strip():
                commands.put(line.strip())
    except (OSError, ValueError):
        pass


def run(args: argparse.Namespace) -> int:
    from streams.devkafka import BrokerSecurity, KafkaStartError, KafkaUnavailable, LocalKafka

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
    security = BrokerSecurity(users={args.user: secrets.token_hex(12)}) if args.sasl_ssl else None
    kafka = LocalKafka(brokers=args.brokers, workdir=args.workdir, broker_ports=ports,
                       keep_workdir=args.keep or None, security=security)

    stop = threading.Event()
    restart_all = threading.Event()
    # SIGTERM behaves like Ctrl-C; handlers are installed before start so an early signal still
    # reaches the cleanup below instead of killing Python with the JVMs still running.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    signal.signal(signal.SIGUSR1, lambda *_: restart_all.set())
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
        if security is not None:
            env = kafka.client_env(args.user)
            print("# a client of this cluster (SCRAM-SHA-256 and PLAIN work too):\n"
                  + "".join(f"export {k}={v}\n" for k, v in env.items()), file=sys.stderr, end="",
                  flush=True)
        commands: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_read_stdin, args=(commands,), name="kafka-stdin", daemon=True).start()
        return _serve(kafka, args, stop, restart_all, commands)
    finally:
        kafka.stop()
        print("kafka: stopped", file=sys.stderr)


def _say(text: str) -> None:
    print(f"kafka: {text}", file=sys.stderr, flush=True)


def _start(kafka, i: int) -> None:
    from streams.devkafka import KafkaStartError
    t0 = time.monotonic()
    try:
        kafka.start_broker(i)
        _say(f"node {i + 1} running again (back in the metadata in {time.monotonic() - t0:.1f}s)")
    except KafkaStartError as exc:
        _say(f"node {i + 1} did not come back: {str(exc).splitlines()[0]}")


def _serve(kafka, args, stop: threading.Event, restart_all: threading.Event,
           commands: "queue.Queue[str]") -> int:
    """Watch the nodes until stopped: report deaths, run stdin commands and restarts. Returns 0; the
    cluster is served as long as this runs, whatever state its nodes are in."""
    died_at: dict[int, float] = {}
    while not stop.wait(0.5):
        for i in range(args.brokers):
            if not kafka.is_running(i) and i not in died_at:
                died_at[i] = time.monotonic()
                alive = [j + 1 for j in range(args.brokers) if kafka.is_running(j)]
                _say(f"node {i + 1} exited (see {kafka.broker_log(i)}); running: {alive or 'none'}; "
                     f"'start {i + 1}' on stdin or SIGUSR1 (kill -USR1 {os.getpid()}) starts it again")
        todo: list[tuple[str, list[int]]] = []
        if restart_all.is_set():
            restart_all.clear()
            todo.append(("start", list(range(args.brokers))))
        while not commands.empty():
            parsed = parse_command(commands.get_nowait(), args.brokers)
            if isinstance(parsed, str):
                _say(parsed)
            else:
                todo.append(parsed)
        if args.restart_after is not None:
            due = [i for i, t in died_at.items() if time.monotonic() - t >= args.restart_after]
            if due:
                todo.append(("start", due))
        for verb, nodes in todo:
            if verb == "status":
                _say("; ".join(f"node {i + 1} " + (f"running (pid {kafka.pid(i)})" if kafka.is_running(i)
                                                   else "down") for i in range(args.brokers)))
            for i in nodes:
                if verb == "start" and not kafka.is_running(i):
                    _start(kafka, i)
                    died_at.pop(i, None)
                elif verb == "kill" and kafka.is_running(i):
                    kafka.kill_broker(i)
                    _say(f"node {i + 1} killed (SIGKILL)")
                elif verb == "stop" and kafka.is_running(i):
                    kafka.stop_broker(i)
                    _say(f"node {i + 1} stopped (SIGTERM)")
    return 0
