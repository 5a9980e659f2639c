"""The live notifier: a Kafka consumer of the alert topic (one consumer group), an aiohttp client
that POSTs each alert to the webhook, and the ledger.

One record at a time, in partition order:
  1. an unreadable record (not JSON, no ``alert_id``) is logged and committed past;
  2. an alert id the ledger has as delivered (or failed) is skipped and committed past;
  3. otherwise: ledger ``sending``, POST with retries (streams.notify.policy), ledger
     ``delivered``, then the offset after it is committed for its partition.
So the group's committed offset never passes an alert that was not delivered (or, with
``--on-failure skip``, recorded as failed), and a restart resends nothing the ledger has as
delivered. docs/notify.md states the guarantee, including the one window where a receiver can see
an alert twice (and how it recognises it: same Idempotency-Key, ``possible_duplicate``).

Stopping (SIGINT/SIGTERM): a POST in flight finishes (bounded by the timeout) and is recorded;
waits between attempts end at once; the alert being retried is not committed, so the next start
sends it. A second signal cancels at once.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TextIO

import orjson

from streams.notify.ledger import Ledger
from streams.notify.policy import RetryPolicy, Verdict, classify, parse_retry_after
from streams.notify.text import pair_text, payload, topic_text

log = logging.getLogger("streams.notify")

USER_AGENT = "diplowatch-notify"


class Stopped(Exception):
    """Raised inside a delivery when a stop was asked between attempts."""


class DeliveryFailed(Exception):
    """An alert was rejected, or its attempts ran out, and --on-failure is ``stop``."""


def make_consumer(bootstrap: str, topic: str, group: str, start: str, **security: Any):
    """The alert-topic consumer: a consumer group with manual commits; ``security`` is
    streams.security.client_options of the settings (SASL/TLS), as for every client."""
    from aiokafka import AIOKafkaConsumer

    # subscribed by Notifier.run once the topic exists (the broker does not auto-create topics)
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                            enable_auto_commit=False, auto_offset_reset=start,
                            isolation_level="read_committed", **security)


def idempotency_key(alert_id: str) -> str:
    """The alert id as a header value (printable ASCII; anything else percent-encoded)."""
    return urllib.parse.quote(alert_id, safe="|#*-_.:~!$&'()+,;=@/")


@dataclass
class Options:
    webhook: str
    topic: str
    group: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 10.0
    on_failure: str = "stop"            # or "skip"
    text_only: bool = False
    start: str = "latest"
    idle_timeout: float | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Summary:
    delivered: Counter = field(default_factory=Counter)    # by status (new/update)
    already: int = 0           # read again but delivered before (ledger)
    resent_possible_dups: int = 0
    failed: int = 0            # rejected / gave up, recorded as failed (--on-failure skip)
    unreadable: int = 0
    failed_attempts: int = 0
    committed: dict[int, int] = field(default_factory=dict)

    def line(self, topic: str) -> str:
        n = sum(self.delivered.values())
        parts = [f"delivered {n} ({self.delivered.get('new', 0)} new, "
                 f"{self.delivered.get('update', 0)} updates)"]
        parts.append(f"{self.already} already delivered before (not resent)")
        if self.resent_possible_dups:
            parts.append(f"{self.resent_possible_dups} resent as possible duplicates")
        parts.append(f"{self.failed} failed")
        if self.unreadable:
            parts.append(f"{self.unreadable} unreadable records skipped")
        parts.append(f"{self.failed_attempts} failed attempts retried")
        if self.committed:
            parts.append("committed " + " ".join(f"{topic}[{p}]={o}"
                                                 for p, o in sorted(self.committed.items())))
        else:
            parts.append("nothing committed")
        return "notify: " + ", ".join(parts)


class Notifier:
    def __init__(self, opts: Options, ledger: Ledger, consumer: Any, out: TextIO = sys.stdout) -> None:
        self.opts = opts
        self.ledger = ledger
        self.consumer = consumer
        self.out = out
        self.summary = Summary()
        self.stop = asyncio.Event()
        self._session = None

    # --- one HTTP attempt --------------------------------------------------------------------------

    async def _post(self, body: bytes, alert_id: str, possible_dup: bool
                    ) -> tuple[int | None, str, float | None, str | None, bool]:
        """(status or None, short description, Retry-After seconds, Location, whether the receiver
        may have taken the request although no answer came)."""
        import aiohttp

        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "Idempotency-Key": idempotency_key(alert_id),
                   "X-Diplowatch-Alert-Id": idempotency_key(alert_id),
                   **self.opts.headers}
        if possible_dup:
            headers["X-Diplowatch-Possible-Duplicate"] = "true"
        try:
            async with self._session.post(self.opts.webhook, data=body, headers=headers,
                                          allow_redirects=False,
                                          timeout=aiohttp.ClientTimeout(total=self.opts.timeout)) as r:
                text = (await r.content.read(300)).decode("utf-8", "replace")
                desc = f"HTTP {r.status} {r.reason or ''}".rstrip()
                snippet = " ".join(text.split())[:120]
                if snippet and not 200 <= r.status < 300:
                    desc += f": {snippet}"
                return (r.status, desc, parse_retry_after(r.headers.get("Retry-After")),
                        r.headers.get("Location"), False)
        except asyncio.TimeoutError:
            # the request may have been sent and handled: only the answer is missing
            return None, f"no answer within {self.opts.timeout:g} s", None, None, True
        except aiohttp.ClientConnectorError as exc:
            # no connection (refused, DNS, unreachable): nothing was sent
            return None, f"{type(exc).__name__}: {exc}", None, None, False
        except aiohttp.ClientError as exc:
            # the connection broke during the exchange (disconnected, reset, bad answer)
            return None, f"{type(exc).__name__}: {exc}", None, None, True

    # --- one alert ----------------------------------------------------------------------------------

    async def deliver(self, alert: dict[str, Any], partition: int, offset: int) -> str:
        """POST one alert with retries; returns the final ledger state written."""
        aid = alert["alert_id"]
        possible_dup = self.ledger.possibly_sent(aid)
        if possible_dup:
            self.summary.resent_possible_dups += 1
        self.ledger.record(aid, "sending", partition=partition, offset=offset)
        attempt = 0
        policy = self.opts.policy
        while True:
            if self.stop.is_set():
                self.ledger.record(aid, "unsent", maybe_received=possible_dup)
                raise Stopped
            attempt += 1
            delivery = {"idempotency_key": idempotency_key(aid), "possible_duplicate": possible_dup,
                        "attempt": attempt, "topic": self.opts.topic, "partition": partition,
                        "offset": offset,
                        "sent_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
            body = orjson.dumps(payload(alert, delivery=delivery, text_only=self.opts.text_only))
            status, desc, retry_after, location, maybe_taken = await self._post(body, aid,
                                                                                possible_dup)
            if maybe_taken:
                # no answer (timeout, connection lost mid-request): the receiver may have taken it,
                # so every later attempt, in this run or the next, is marked as a possible duplicate
                possible_dup = True
            verdict = classify(status)
            if verdict is Verdict.DELIVERED:
                self.ledger.record(aid, "delivered", http=status, attempts=attempt)
                return "delivered"
            self.summary.failed_attempts += 1
            if verdict is Verdict.REJECT:
                if location:
                    desc += f" (redirect to {location}: configure that URL)"
                return await self._failed(aid, f"rejected on attempt {attempt}: {desc} "
                                               f"(a {status} is not retried)", possible_dup)
            if policy.gives_up(attempt):
                return await self._failed(aid, f"gave up after {attempt} attempts: {desc}",
                                          possible_dup)
            wait = policy.delay(attempt, retry_after)
            limit = f"/{policy.max_attempts}" if policy.max_attempts else ""
            log.warning("attempt %d%s for %s failed: %s; retrying in %.1f s",
                        attempt, limit, aid, desc, wait)
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=wait)
            except asyncio.TimeoutError:
                pass

    async def _failed(self, aid: str, reason: str, maybe_received: bool) -> str:
        if self.opts.on_failure == "skip":
            log.error("alert %s %s; recorded as failed and skipped (--on-failure skip)", aid, reason)
            self.ledger.record(aid, "failed", reason=reason)
            self.summary.failed += 1
            return "failed"
        self.ledger.record(aid, "unsent", maybe_received=maybe_received, reason=reason)
        raise DeliveryFailed(f"alert {aid} {reason}; its offset is not committed, so the next start "
                             f"sends it again (--on-failure skip records it and goes on)")

    # --- the consumer loop ----------------------------------------------------------------------------

    async def handle(self, rec: Any) -> None:
        try:
            alert = orjson.loads(rec.value)
            aid = alert["alert_id"]
            if not isinstance(aid, str) or not aid:
                raise TypeError
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.error("unreadable alert record at %s[%d]@%d: not an alert (no alert_id); skipped",
                      rec.topic, rec.partition, rec.offset)
            self.summary.unreadable += 1
        else:
            if self.ledger.done(aid):
                self.summary.already += 1
                log.info("%s already %s before; not resent", aid, self.ledger.state(aid))
            else:
                t0 = time.monotonic()
                state = await self.deliver(alert, rec.partition, rec.offset)
                if state == "delivered":
                    status = str(alert.get("status"))
                    self.summary.delivered[status] += 1
                    rec_ = self.ledger.states.get(aid, {})
                    self.out.write(f"delivered {aid} ({status}, {pair_text(alert)}, {topic_text(alert)}) on "
                                   f"attempt {rec_.get('attempts')} in "
                                   f"{time.monotonic() - t0:.1f} s: HTTP {rec_.get('http')}\n")
                    self.out.flush()
        await self._commit(rec.topic, rec.partition, rec.offset + 1)

    async def _commit(self, topic: str, partition: int, next_offset: int) -> None:
        from aiokafka import TopicPartition
        from aiokafka.errors import CommitFailedError, IllegalStateError

        try:
            await self.consumer.commit({TopicPartition(topic, partition): next_offset})
            self.summary.committed[partition] = next_offset
        except (CommitFailedError, IllegalStateError) as exc:
            # the partition moved to another member in a rebalance; it resumes from the last
            # committed offset and the ledger skips what this process delivered
            log.warning("commit of %s[%d]=%d failed (rebalance): %s", topic, partition, next_offset, exc)

    async def run(self) -> None:
        import aiohttp

        self._session = aiohttp.ClientSession()
        try:
            await self.consumer.start()
            last = time.monotonic()
            # the worker creates the alert topic with its partitions; until then, wait for it
            waited = False
            while self.opts.topic not in await self.consumer.topics():
                if not waited:
                    log.info("waiting for topic %s (the worker creates it when it starts)", self.opts.topic)
                    waited = True
                if self.stop.is_set() or (self.opts.idle_timeout is not None and
                                          time.monotonic() - last > self.opts.idle_timeout):
                    return
                try:
                    await asyncio.wait_for(self.stop.wait(), 1.0)
                except asyncio.TimeoutError:
                    pass
            self.consumer.subscribe([self.opts.topic])
            while not self.stop.is_set():
                batch = await self.consumer.getmany(timeout_ms=500, max_records=50)
                if not batch:
                    if self.opts.idle_timeout is not None and \
                            time.monotonic() - last > self.opts.idle_timeout:
                        log.info("no alert for %.0f s: exiting (--idle-timeout)", self.opts.idle_timeout)
                        break
                    continue
                last = time.monotonic()
                for tp, records in batch.items():
                    for i, rec in enumerate(records):
                        try:
                            await self.handle(rec)
                        except Stopped:
                            # not delivered, not committed: rewind so nothing of this batch is lost
                            # if the consumer were reused; the next start reads from the commit
                            self.consumer.seek(tp, rec.offset)
                            return
                        if self.stop.is_set():
                            if i + 1 < len(records):
                                self.consumer.seek(tp, records[i + 1].offset)
                            return
                        last = time.monotonic()
        finally:
            await self._session.close()
            try:
                await self.consumer.stop()
            except Exception as exc:   # noqa: BLE001 - stopping must not hide the real error
                log.warning("stopping the Kafka consumer: %r", exc)


async def run_notifier(opts: Options, ledger: Ledger, bootstrap: str, out: TextIO = sys.stdout,
                       security: dict[str, Any] | None = None) -> Summary:
    """Run until idle-timeout, SIGINT/SIGTERM (first: finish the POST in flight; second: at once)."""
    consumer = make_consumer(bootstrap, opts.topic, opts.group, opts.start, **(security or {}))
    n = Notifier(opts, ledger, consumer, out=out)
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    signals = [0]

    def on_signal(signum: int) -> None:
        signals[0] += 1
        if signals[0] == 1:
            log.info("%s: finishing the delivery in flight, then stopping (again to stop at once)",
                     signal.Signals(signum).name)
            n.stop.set()
        elif task is not None:
            task.cancel()

    for s in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(s, on_signal, s)
    try:
        await n.run()
    except asyncio.CancelledError:
        log.warning("stopped at once; the alert in flight (if any) is sent again on the next start")
    finally:
        for s in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(s)
        print(n.summary.line(opts.topic), file=sys.stderr)
    return n.summary
