"""What every command needs to fail well: one line saying what is wrong and what to do, and an exit
code that says so (2 for a user mistake, 1 for a failure of something the command depends on).

A command raises ``CommandError`` anywhere below its ``run``; ``streams.__main__`` prints
``<command>: <message>`` and exits with the error's code, never with a traceback.
"""
from __future__ import annotations

import asyncio
import errno
import os
import socket
from pathlib import Path
from typing import IO

USAGE = 2      # the user asked for something that cannot be done as asked
UNAVAILABLE = 1   # something the command needs (a broker, a port, a file's content) is not there


class CommandError(Exception):
    """A failure a user can fix: ``str(exc)`` is the one line they see."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code


def input_file(path: str | os.PathLike, what: str = "input file") -> Path:
    """``path`` as a readable regular file, or a CommandError naming what is wrong with it."""
    p = Path(path)
    if not p.exists():
        raise CommandError(f"no such {what}: {p}")
    if p.is_dir():
        raise CommandError(f"{p} is a directory; the {what} must be a file (JSON lines)")
    if not os.access(p, os.R_OK):
        raise CommandError(f"cannot read {p}: permission denied")
    return p


def open_input(path: str | None, what: str = "input file") -> IO[bytes]:
    """The file at ``path`` opened for reading bytes, or stdin for None or '-'."""
    import sys

    if path in (None, "-"):
        return sys.stdin.buffer
    return open(input_file(path, what), "rb")


def open_output(path: str | None) -> IO[bytes]:
    """The file at ``path`` opened for writing bytes, or stdout for None or '-'."""
    import sys

    if path in (None, "-"):
        return sys.stdout.buffer
    try:
        return open(path, "wb")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None


def check_port_free(host: str, port: int, option: str) -> None:
    """A CommandError when nothing can listen on ``host:port`` (taken by another process, or not
    an address of this machine). Checked before a server starts so the user sees why at once."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CommandError(f"{host!r} is not an address this machine can listen on ({exc.strerror})")
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(f"port {port} on {host} is already in use by another process: "
                                   f"stop it or choose another port with {option}",
                                   UNAVAILABLE) from None
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}", UNAVAILABLE) from None


def _hosts(bootstrap: str) -> list[tuple[str, int]]:
    out = []
    for part in bootstrap.split(","):
        part = part.strip().removeprefix("kafka://")
        if not part:
            continue
        host, _, port = part.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"bad Kafka bootstrap address {part!r} (expected HOST:PORT)")
        out.append((host.strip("[]"), int(port)))
    if not out:
        raise CommandError("no Kafka bootstrap address given (--bootstrap or DIPLOWATCH_KAFKA_BOOTSTRAP)")
    return out


def check_broker(bootstrap: str, timeout: float = 3.0) -> None:
    """A CommandError unless at least one bootstrap address accepts a TCP connection: a client
    pointed at no broker otherwise retries for a minute and then prints a traceback."""
    from streams.devkafka import port_open

    if any(port_open(port, host, timeout) for host, port in _hosts(bootstrap)):
        return
    raise CommandError(f"no Kafka at {bootstrap} — start one with `python -m streams kafka` "
                       f"(or pass --bootstrap HOST:PORT)", UNAVAILABLE)


def run_async(coro):
    """``asyncio.run`` that turns a Kafka client's failure to reach or be let in by its broker
    into a CommandError (streams.security names what failed; the clients raise
    KafkaConnectionError after their own retries)."""
    from aiokafka.errors import KafkaConnectionError

    from streams.security import KafkaAccessError

    try:
        return asyncio.run(coro)
    except KafkaAccessError as exc:
        raise CommandError(str(exc), UNAVAILABLE) from None
    except KafkaConnectionError as exc:
        raise CommandError(f"lost the connection to Kafka: {exc}", UNAVAILABLE) from None
