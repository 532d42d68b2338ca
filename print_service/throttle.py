"""Sign-in attempts: after 5 failures for one login from one address within 5 minutes, that pair waits.

Kept in memory (one service process; a restart forgets, which only lets a guesser start again at 5).
Keyed by login and client address together, so a guesser cannot lock a colleague out from another desk.
A success clears the pair's count.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 5 * 60
MAX_KEYS = 10_000  # bound on memory under a spray of logins; the oldest pairs are dropped first


class SignInThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, login: str, address: str) -> float:
        """0 when the pair may try now, else the seconds until its oldest counted failure expires."""
        now = self.clock()
        with self._lock:
            failures = self._recent((login, address), now)
            if failures is None or len(failures) < self.max_failures:
                return 0.0
            return max(1.0, failures[0] + self.window - now)

    def failed(self, login: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            key = (login, address)
            failures = self._recent(key, now)
            if failures is None:
                if len(self._failures) >= MAX_KEYS:
                    self._failures.pop(next(iter(self._failures)))
                failures = self._failures[key] = deque()
            failures.append(now)

    def succeeded(self, login: str, address: str) -> None:
        with self._lock:
            self._failures.pop((login, address), None)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures


def russian_wait(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return (f"Слишком много неудачных попыток входа. Повторите через {minutes} мин. "
            "или обратитесь к администратору.")
