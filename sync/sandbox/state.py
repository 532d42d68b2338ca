"""What a running sandbox holds besides its data: settings, the rate-limit window, faults, the request log.

The route modules (``api_*``, ``admin``) and the pipeline (:mod:`.app`) all work on one
:class:`SandboxState`; keeping it here, below all of them, is what lets them import it without a circle.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from omnidesk_macros.errors import ConfigError

from ..settings import SANDBOX_API_KEY, SANDBOX_EMAIL
from .faults import Faults, SlidingWindow
from .store import Store

#: the request log keeps the newest entries only, so a long session cannot grow it without bound
LOG_SIZE = 10_000
THROTTLE_STATUSES = (429, 403)


@dataclass
class SandboxConfig:
    """What an administrator could change: credentials and the plan's rate limit."""

    email: str = SANDBOX_EMAIL
    api_key: str = field(default=SANDBOX_API_KEY, repr=False)
    rate_limit_per_minute: int = 300
    #: the length of the rate-limit "minute" in seconds; tests shorten it
    rate_window: float = 60.0
    #: 429 (assumed) or 403 with a "rate limit exceeded" body, as the older Ruby client saw it
    throttle_status: int = 429

    def __post_init__(self) -> None:
        """Refuse here what would otherwise start a sandbox that fails every request."""
        if isinstance(self.rate_limit_per_minute, bool) or not isinstance(self.rate_limit_per_minute, int) \
                or self.rate_limit_per_minute < 1:
            raise ConfigError(f"the sandbox rate limit must be at least 1 request per minute, "
                              f"not {self.rate_limit_per_minute!r}", setting="rate_limit_per_minute")
        if not isinstance(self.rate_window, int | float) or not math.isfinite(self.rate_window) or self.rate_window <= 0:
            raise ConfigError(f"the sandbox rate window must be a positive number of seconds, not {self.rate_window!r}",
                              setting="rate_window")
        if self.throttle_status not in THROTTLE_STATUSES:
            raise ConfigError(f"the sandbox throttles with 429 or 403, not {self.throttle_status!r}",
                              setting="throttle_status")
        if not self.email.strip() or not self.api_key:
            raise ConfigError("the sandbox needs a staff email and an API key, neither empty",
                              setting="email" if not self.email.strip() else "api_key")


@dataclass(frozen=True)
class LoggedRequest:
    """One ``/api`` request as the sandbox saw it; tests read these to check pacing and duplicates."""

    at: float
    method: str
    path: str
    status: int
    outcome: str  # "ok", "throttled", "fault", "dropped", "unauthorized"


class RequestLog:
    """The newest :data:`LOG_SIZE` requests, oldest first; thread-safe."""

    def __init__(self, size: int = LOG_SIZE) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=size)
        self._lock = threading.Lock()

    def append(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        return len(self._entries)


class SandboxState:
    """The data store plus everything ``/_admin`` steers."""

    def __init__(self, store: Store, config: SandboxConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.config = config or SandboxConfig()
        self.clock = clock
        self.faults = Faults()
        self.limiter = SlidingWindow(self.config.rate_limit_per_minute, self.config.rate_window, clock)
        self.log = RequestLog()

    def reconfigure(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self.config, name, value)
        self.limiter = SlidingWindow(self.config.rate_limit_per_minute, self.config.rate_window, self.clock)
