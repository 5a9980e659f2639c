"""What the notifier does with each HTTP outcome, and how long it waits before the next attempt.

Outcomes (``classify``):
  2xx                         DELIVERED
  408, 425, 429, 5xx          RETRY: the receiver is busy, rate-limiting or broken for now
  no response (connection refused/reset, DNS failure, timeout)   RETRY
  3xx                         REJECT: redirects are not followed (a POST turned into a GET loses the
                              body); the log line names the new location to configure instead
  any other 4xx (400, 401, 403, 404, 410, 413, 422 …)            REJECT: the same request will get
                              the same answer; retrying it would only block every later alert
A rejected alert, or one whose attempts ran out (``max_attempts``), is handled by the command's
``--on-failure`` choice (stop without committing it, or record it as failed and go on).

Backoff: ``base * factor**(attempt-1)`` seconds, capped at ``cap``, each delay spread by ±``jitter``
so several notifiers do not retry in step. A ``Retry-After`` header (seconds or an HTTP date) is
honoured as a lower bound, still capped: a receiver cannot park the notifier for hours.
"""
from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable


class Verdict(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECT = "reject"


RETRYABLE_4XX = frozenset({408, 425, 429})


def classify(status: int | None) -> Verdict:
    """``status`` None means no HTTP response at all (network error or timeout)."""
    if status is None:
        return Verdict.RETRY
    if 200 <= status < 300:
        return Verdict.DELIVERED
    if status >= 500 or status in RETRYABLE_4XX:
        return Verdict.RETRY
    return Verdict.REJECT


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None when
    absent or unreadable; never negative."""
    if not value:
        return None
    v = value.strip()
    if v.isdigit():
        return float(v)
    try:
        when = parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 1.0          # seconds before the 2nd attempt
    factor: float = 2.0
    cap: float = 60.0          # no single wait is longer than this
    max_attempts: int = 0      # attempts per alert for retryable failures; 0 = no limit
    jitter: float = 0.1        # each wait is spread by ±10 %

    def __post_init__(self) -> None:
        if self.base <= 0 or self.factor < 1 or self.cap < self.base or self.max_attempts < 0 \
                or not 0 <= self.jitter < 1:
            raise ValueError(f"bad retry policy {self}")

    def delay(self, attempt: int, retry_after: float | None = None,
              rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        exp = self.base
        for _ in range(min(max(0, attempt - 1), 1100)):   # stepwise: factor**n overflows a float
            if exp >= self.cap:                  # after ~1000 attempts of an unlimited retry
                break
            exp *= self.factor
        exp = min(self.cap, exp)
        d = exp * (1 + self.jitter * (2 * rand() - 1))
        if retry_after is not None:
            d = max(d, retry_after)
        return min(self.cap, max(0.0, d))

    def gives_up(self, attempt: int) -> bool:
        """True when ``attempt`` failed attempts exhaust the budget."""
        return self.max_attempts > 0 and attempt >= self.max_attempts
