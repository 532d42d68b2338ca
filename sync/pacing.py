"""Staying inside Omnidesk's per-minute request budget, and how long to wait when we did not.

Omnidesk (since 12.06.2024) allows ``rate_limit_per_minute`` requests per staff account and reports
``api_calls_left`` on every answer, plus ``retry_after`` seconds when it throttles. Running into the limit
costs a whole back-off, so the client *paces*: it keeps its own log of recent calls and waits before a call
that would exceed the budget, rather than sending it and being refused.

Why the log holds *completion* times: the server counts a request when it arrives, which is somewhere between
our send and our receipt of the answer. A call that completed at ``t`` surely arrived by ``t``; a new call sent
at ``s`` surely arrives after ``s``. So if fewer than ``limit`` calls completed after ``s - window`` (calls still
in flight count too), the server's own sliding window cannot hold more than ``limit`` either, whatever the
network latency was.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass
class RateBudget:
    """The client's view of the per-minute budget, updated from every answer's headers.

    ``window`` is the length of Omnidesk's "minute"; tests shrink it together with the sandbox's window.
    ``reserve`` calls are left unused for other consumers of the same account.
    """

    window: float = 60.0
    reserve: int = 1
    clock: Clock = time.monotonic
    limit: int | None = None
    calls_left: int | None = None
    _completed: deque[float] = field(default_factory=deque, repr=False)
    _in_flight: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def effective_limit(self) -> int | None:
        """How many calls we allow ourselves per window: the stated limit less the reserve, at least 1."""
        if self.limit is None:
            return None
        return max(1, self.limit - self.reserve)

    def delay(self) -> float:
        """Seconds to wait before the next call may be sent; 0 when it may go now."""
        with self._lock:
            return self._delay()

    def take_slot(self) -> float:
        """Like :meth:`delay`, but a 0 also counts the call as in flight, under the same lock, so
        that threads sharing one client cannot all see the last free slot and all take it."""
        with self._lock:
            wait = self._delay()
            if wait == 0:
                self._in_flight += 1
            return wait

    def _delay(self) -> float:
        now = self.clock()
        self._forget_before(now - self.window)
        allowed = self.effective_limit()
        if allowed is None:
            return 0.0
        used = len(self._completed) + self._in_flight
        if used >= allowed:
            if len(self._completed) > used - allowed:
                # the oldest completions that must leave the window before we may send
                # at least a microsecond: rounding must not let "due now" pass the check above
                return max(1e-6, self._completed[used - allowed] + self.window - now)
            return self.window / allowed  # only in-flight calls fill the budget: poll gently
        if self.calls_left is not None and self.calls_left <= 0:
            # someone else spends this account's budget too: give the server one slot's time, once
            self.calls_left = None
            return self.window / allowed
        return 0.0

    def finished(self, limit: int | None = None, calls_left: int | None = None) -> None:
        """A call has completed (answered, refused or failed); record what the headers said."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._completed.append(self.clock())
            if limit is not None and limit > 0:
                self.limit = limit
            if calls_left is not None:
                self.calls_left = calls_left

    def throttled(self) -> None:
        """The server refused a call and said when to come back; that wait replaces our own guess."""
        with self._lock:
            self.calls_left = None

    def _forget_before(self, horizon: float) -> None:
        while self._completed and self._completed[0] <= horizon:
            self._completed.popleft()
            self.calls_left = None  # reported before those calls left the window: stale now


@dataclass(frozen=True)
class Backoff:
    """How long to wait between attempts: exponential with full jitter, and throttling waits capped.

    ``max_wait`` caps a server-requested ``retry_after`` so that a misconfigured header cannot park a run for
    an hour; ``jitter`` spreads clients that were throttled together so they do not return together.
    """

    base: float = 0.5
    max_backoff: float = 30.0
    max_wait: float = 120.0
    jitter: float = 1.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def after_failure(self, attempt: int) -> float:
        """Wait after the ``attempt``-th failed attempt (5xx or connection error)."""
        ceiling = min(self.max_backoff, self.base * 2 ** (attempt - 1))
        return self.rng.uniform(ceiling / 2, ceiling)

    def after_throttle(self, retry_after: float | None, attempt: int) -> float:
        """Wait after a throttled attempt: what the server asked for (capped), plus jitter."""
        if retry_after is None:
            return self.after_failure(attempt)
        return min(max(retry_after, 0.0), self.max_wait) + self.rng.uniform(0, self.jitter)


def header_int(value: str | None) -> int | None:
    """A rate-limit header as an int; absent or malformed headers mean "unknown", never an error."""
    if value is None:
        return None
    try:
        return int(math.ceil(float(value.strip())))
    except (ValueError, OverflowError):  # "soon", "nan", "inf", "1e400"
        return None
