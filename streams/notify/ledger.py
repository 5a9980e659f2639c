"""The notifier's local record of what it sent: an append-only JSON-lines file, one line per state
change of an alert id, flushed and fsync'd before the notifier moves on.

  {"id": "<alert_id>", "state": "sending", "at": "<UTC time>", "partition": 0, "offset": 12}
  {"id": "<alert_id>", "state": "delivered", "at": ..., "http": 200, "attempts": 3}
  {"id": "<alert_id>", "state": "failed", "at": ..., "reason": "HTTP 400 ..."}   (--on-failure skip)
  {"id": "<alert_id>", "state": "unsent", "at": ..., "maybe_received": false}   (stopped before
                                                 delivery: --on-failure stop, Ctrl-C between tries)

Why it exists: Kafka offsets are committed only after a delivery, so a crash between the POST and
the commit makes the restarted consumer read the alert again; the ledger says it was delivered and
it is skipped (and committed). ``sending`` is written before the first attempt: an id whose last
state is ``sending`` was possibly received (the crash came between the receiver's answer and the
``delivered`` line) and is resent marked ``possible_duplicate`` with the same Idempotency-Key; so is
an ``unsent`` one whose attempts included one that got no answer (``maybe_received``).
The same id read twice from the topic (the pipeline is at-least-once) is also sent once.

A truncated last line (a crash in the middle of a write) is ignored. ``open`` rewrites the file
with the last state of the newest ``remember`` ids (write, fsync, rename), so it stays bounded.
An exclusive ``flock`` keeps two notifiers from sharing one ledger.
"""
from __future__ import annotations

import fcntl
import os
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

DONE = ("delivered", "failed")      # final states: never sent again
REMEMBER = 100_000                  # ids kept across a compaction (~11 MB); alerts are tens a day


class LedgerBusy(Exception):
    pass


class Ledger:
    def __init__(self, path: str | os.PathLike, remember: int = REMEMBER) -> None:
        self.path = Path(path)
        self.remember = remember
        self.states: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.ignored_lines = 0
        self._fh = None
        self._lock_fh = None

    # --- lifecycle -------------------------------------------------------------------------------

    def open(self) -> "Ledger":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_fh = open(lock_path, "a+b")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_fh.close()
            self._lock_fh = None
            raise LedgerBusy(f"another notify process uses {self.path}") from None
        self._load()
        self._compact()
        self._fh = open(self.path, "ab")
        return self

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    def __enter__(self) -> "Ledger":
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _load(self) -> None:
        if not self.path.exists():
            return
        for line in self.path.read_bytes().splitlines():
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
                aid = rec["id"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                self.ignored_lines += 1
                continue
            self.states.pop(aid, None)
            self.states[aid] = rec          # newest last: the order compaction keeps

    def _compact(self) -> None:
        while len(self.states) > self.remember:
            self.states.popitem(last=False)
        if not self.path.exists():
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as fh:
            for rec in self.states.values():
                fh.write(orjson.dumps(rec) + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    # --- queries and writes ----------------------------------------------------------------------

    def state(self, alert_id: str) -> str | None:
        rec = self.states.get(alert_id)
        return rec.get("state") if rec else None

    def done(self, alert_id: str) -> bool:
        return self.state(alert_id) in DONE

    def possibly_sent(self, alert_id: str) -> bool:
        """The receiver may have this alert already: the process ended while sending it (last
        state ``sending``), or stopped after an attempt that got no answer."""
        rec = self.states.get(alert_id) or {}
        return rec.get("state") == "sending" or (rec.get("state") == "unsent"
                                                 and bool(rec.get("maybe_received")))

    def record(self, alert_id: str, state: str, **fields: Any) -> None:
        rec = {"id": alert_id, "state": state,
               "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **fields}
        assert self._fh is not None, "ledger not open"
        self._fh.write(orjson.dumps(rec) + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.states.pop(alert_id, None)
        self.states[alert_id] = rec
