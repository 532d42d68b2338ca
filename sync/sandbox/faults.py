"""What the sandbox does to make life hard: its own rate limit, and faults injected by tests.

The rate limit is a sliding window over accepted ``/api`` requests, like Omnidesk's per-minute budget; the
window length is configurable so that a test can run "a minute" of traffic in a second. Faults are rules set
through ``/_admin/faults``: each applies to the next ``count`` matching requests (after letting ``skip`` of them
through), and can strike before the request is processed or after it (``after_write``: the write happened but
the client never hears so, the case that makes retrying a POST dangerous).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple

from .schema import Invalid, Schema, flag, integer, list_of, number, text
from .web import HttpError

FaultKind = Literal["error", "throttle", "drop"]
MAX_LATENCY_MS = 60_000
LATENCY_MS = number(0, MAX_LATENCY_MS)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD")


def _method(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in METHODS:
        raise Invalid
    return value.upper()


#: a fault rule's options; a status must be an HTTP error status, or the status line would be invalid
RULE_SCHEMA = Schema({
    "count": integer(0, 1_000_000),
    "skip": integer(0, 1_000_000),
    "status": integer(400, 599),
    "retry_after": integer(0, 3600),
    "after_write": flag,
    "methods": list_of(_method),
    "path_contains": text(max_len=1000),
}, closed=True, unknown_code="unknown_options")


class Admission(NamedTuple):
    admitted: bool
    calls_left: int
    retry_after: int
    #: when the window counted (or refused) the request: the time to log, so the log replays the window exactly
    at: float


@dataclass
class SlidingWindow:
    """At most ``limit`` accepted requests in any window of ``window`` seconds (half-open: (t - w, t])."""

    limit: int
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _accepted: deque[float] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def admit(self) -> Admission:
        """Whether a request arriving now is admitted, the calls left, and the wait when it is not."""
        with self._lock:
            now = self.clock()
            while self._accepted and self._accepted[0] <= now - self.window:
                self._accepted.popleft()
            if len(self._accepted) >= self.limit:
                wait = self._accepted[0] + self.window - now
                return Admission(False, 0, max(1, math.ceil(wait)), now)
            self._accepted.append(now)
            return Admission(True, self.limit - len(self._accepted), 0, now)

    def reset(self) -> None:
        with self._lock:
            self._accepted.clear()


@dataclass
class FaultRule:
    """Misbehave on the next ``count`` matching requests, after letting ``skip`` of them through."""

    kind: FaultKind
    count: int = 1
    skip: int = 0
    status: int = 503
    retry_after: int = 1
    after_write: bool = False
    methods: tuple[str, ...] = ()
    path_contains: str = ""

    @classmethod
    def from_json(cls, kind: FaultKind, raw: Any) -> FaultRule:
        """A rule from its JSON; ValueError naming the option when one is unknown or out of range."""
        try:
            options = RULE_SCHEMA.parse(raw)
        except HttpError as exc:
            raise ValueError(f"{kind}: {exc.code}; known options: {', '.join(RULE_SCHEMA.fields)}") from exc
        if kind == "throttle" and options.get("status", 429) not in (429, 403):
            raise ValueError("throttle: wrong_status; a throttle answers 429 or 403")
        return cls(
            kind=kind,
            count=options.get("count", 1),
            skip=options.get("skip", 0),
            status=options.get("status", 429 if kind == "throttle" else 503),
            retry_after=options.get("retry_after", 1),
            after_write=options.get("after_write", False),
            methods=tuple(options.get("methods", ())),
            path_contains=options.get("path_contains", ""),
        )

    def matches(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and self.path_contains in path


@dataclass
class Faults:
    """The active fault rules and added latency; thread-safe, consumed request by request."""

    latency: float = 0.0
    rules: list[FaultRule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def configure(self, raw: Mapping[str, Any]) -> None:
        """Add rules from ``{"latency_ms": 50, "error": {...}, "throttle": {...}, "drop": {...}}``.

        Every value is checked before any is applied: a negative or NaN latency, or a status that is not an
        HTTP error, would otherwise break every later request until the faults were cleared."""
        unknown = set(raw) - {"latency_ms", "error", "throttle", "drop"}
        if unknown:
            raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: latency_ms, error, throttle, drop")
        rules = [FaultRule.from_json(kind, raw[kind]) for kind in ("error", "throttle", "drop") if kind in raw]
        latency = None
        if "latency_ms" in raw:
            try:
                latency = LATENCY_MS(raw["latency_ms"]) / 1000
            except Invalid as exc:
                raise ValueError(f"latency_ms must be a number from 0 to {MAX_LATENCY_MS}") from exc
        with self._lock:
            if latency is not None:
                self.latency = latency
            self.rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self.latency = 0.0
            self.rules.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule that strikes this request, if any; consumes one use of it."""
        with self._lock:
            for rule in self.rules:
                if rule.count <= 0 or not rule.matches(method, path):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                rule.count -= 1
                return rule
            self.rules = [rule for rule in self.rules if rule.count > 0]
            return None

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {"latency_ms": self.latency * 1000, "rules": [asdict(rule) for rule in self.rules]}
