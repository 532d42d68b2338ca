"""Sign-in attempts: two sliding 5-minute windows, checked before the password is.

    per login and address   5 failures, then that pair waits; keyed by both, so a guesser cannot lock a
                            colleague out from another desk
    per address             20 failures across all logins, then that address waits: spraying many logins
                            from one place is capped too

The address is the client's as uvicorn gives it: behind a reverse proxy that is the proxy's own address
(every desk then shares the per-address cap) unless OMNIDESK_MACROS_TRUSTED_PROXIES names the proxy, and
then uvicorn takes the desk's address from X-Forwarded-For (server.py). Kept in memory (one service
process; a restart forgets, which only lets a guesser start again). A success clears its pair's count,
never the address's: a sprayer's own good password must not reset the cap.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
WINDOW_SECONDS = 5 * 60
MAX_KEYS = 10_000  # bound on memory under a spray of logins; the oldest keys are dropped first
MAX_LOGIN_CHARS = 128  # a key never holds more of a typed login than this


@dataclass(frozen=True)
class Wait:
    """A refused sign-in: how long until it may try, and whether the whole address is held."""

    seconds: float
    whole_address: bool

    def russian(self) -> str:
        minutes = max(1, round(self.seconds / 60))
        where = " с этого адреса" if self.whole_address else ""
        return (f"Слишком много неудачных попыток входа{where}. Повторите через {minutes} мин. "
                "или обратитесь к администратору.")


class _Window:
    """Failure times per key within the last ``window`` seconds, at most MAX_KEYS keys."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[tuple[str, ...], deque[float]] = {}

    def wait(self, key: tuple[str, ...], now: float) -> float:
        """0 when the key may try now, else the seconds until its oldest counted failure expires."""
        failures = self._recent(key, now)
        if failures is None or len(failures) < self.limit:
            return 0.0
        return max(1.0, failures[0] + self.window - now)

    def add(self, key: tuple[str, ...], now: float) -> None:
        failures = self._recent(key, now)
        if failures is None:
            if len(self._failures) >= MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))
            failures = self._failures[key] = deque()
        failures.append(now)

    def clear(self, key: tuple[str, ...]) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float] | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        return failures


class SignInThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, max_address_failures: int = MAX_ADDRESS_FAILURES,
                 window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._pairs = _Window(max_failures, window)
        self._addresses = _Window(max_address_failures, window)
        self._lock = threading.Lock()

    def wait(self, login: str, address: str) -> Wait | None:
        """None when this login from this address may try now, else how long it waits and why."""
        now = self.clock()
        with self._lock:
            whole = self._addresses.wait((address,), now)
            pair = self._pairs.wait(_pair(login, address), now)
        if not (whole or pair):
            return None
        return Wait(max(whole, pair), whole_address=whole >= pair)

    def failed(self, login: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            self._pairs.add(_pair(login, address), now)
            self._addresses.add((address,), now)

    def succeeded(self, login: str, address: str) -> None:
        with self._lock:
            self._pairs.clear(_pair(login, address))


def _pair(login: str, address: str) -> tuple[str, str]:
    return login[:MAX_LOGIN_CHARS], address
