"""The sandbox as a plain function from request to response, independent of any HTTP server.

``SandboxApp.handle`` runs the pipeline Omnidesk is documented (or inferred) to run for ``/api``:
Basic auth (401), the per-minute budget (429 with ``retry_after``), the route (404 for an unknown path, 405
for a known path and a method it does not serve: this is how writes to macros and custom fields are refused,
**inferred**), then the rate-limit headers on every answer. Injected faults wrap that pipeline. ``/_admin``
does what an administrator does in the Omnidesk UI and steers the faults; it has no auth and is meant for
loopback only (the server refuses other clients).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..settings import SANDBOX_API_KEY, SANDBOX_EMAIL
from .faults import Faults, SlidingWindow
from .store import Store


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


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes = b""
    base_url: str = ""

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), "")

    def json(self) -> Any:
        """The JSON body, or :class:`HttpError` 400 naming what is wrong."""
        try:
            return json.loads(self.body or b"{}")
        except ValueError as exc:
            raise HttpError(400, "wrong_json") from exc


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: close the connection without answering (an injected fault)
    drop: bool = False

    @classmethod
    def json(cls, status: int, payload: Any, **headers: str) -> Response:
        data = json.dumps(payload, ensure_ascii=False).encode()
        return cls(status, data, {"Content-Type": "application/json; charset=utf-8", **headers})


class HttpError(Exception):
    """An ``{"error": code}`` answer raised from deep inside a handler."""

    def __init__(self, status: int, code: str, **headers: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers

    def response(self) -> Response:
        return Response.json(self.status, {"error": self.code}, **self.headers)


Handler = Callable[[Request, dict[str, str]], Response]


class Router:
    """Paths like ``cases/{id}.json`` to handlers, per method."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], dict[str, Handler]]] = []

    def add(self, methods: str, pattern: str, handler: Handler) -> None:
        parts = re.split(r"\{(\w+)\}", pattern)  # literal, name, literal, name, …
        regex = "".join(f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
        compiled = re.compile(f"^{regex}$")
        table = next((t for existing, t in self._routes if existing.pattern == compiled.pattern), None)
        if table is None:
            table = {}
            self._routes.append((compiled, table))
        for method in methods.split():
            table[method] = handler

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        allowed: set[str] = set()
        for regex, table in self._routes:
            match = regex.match(path)
            if match:
                if method in table:
                    return table[method], match.groupdict()
                allowed.update(table)
        if allowed:
            raise HttpError(405, "method_not_allowed", Allow=", ".join(sorted(allowed)))
        raise HttpError(404, "not_found")


@dataclass(frozen=True)
class LoggedRequest:
    """One ``/api`` request as the sandbox saw it; tests read these to check pacing and duplicates."""

    at: float
    method: str
    path: str
    status: int
    outcome: str  # "ok", "throttled", "fault", "dropped", "unauthorized"


class SandboxApp:
    """The sandbox's behaviour: ``/api`` like Omnidesk, ``/_admin`` like its admin UI plus fault control."""

    def __init__(self, store: Store, config: SandboxConfig | None = None, clock: Callable[[], float] = time.monotonic):
        from . import admin, api  # the route modules import this one for Request/Response

        self.store = store
        self.config = config or SandboxConfig()
        self.clock = clock
        self.faults = Faults()
        self.limiter = SlidingWindow(self.config.rate_limit_per_minute, self.config.rate_window, clock)
        self.log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self.api = Router()
        self.admin = Router()
        api.register(self.api, self)
        admin.register(self.admin, self)

    def reconfigure(self, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self.config, name, value)
        self.limiter = SlidingWindow(self.config.rate_limit_per_minute, self.config.rate_window, self.clock)

    def handle(self, request: Request) -> Response:
        if not _from_this_machine(request):
            return Response.json(403, {"error": "loopback_only"})
        if request.path.startswith("/_admin"):
            return self._dispatch(self.admin, request, request.path[len("/_admin"):].strip("/"))
        if request.path.startswith("/files/"):
            return self._guarded(request, lambda: self._dispatch(self.api, request, request.path.strip("/")))
        if request.path == "/api" or request.path.startswith("/api/"):
            return self._guarded(request, lambda: self._api(request))
        return Response.json(404, {"error": "not_found"})

    def _guarded(self, request: Request, run: Callable[[], Response]) -> Response:
        if not self._authorized(request):
            self._record(request, 401, "unauthorized")
            return Response.json(401, {"error": "authentication_failed"}, **{"WWW-Authenticate": 'Basic realm="Omnidesk"'})
        return run()

    def _api(self, request: Request) -> Response:
        if self.faults.latency:
            time.sleep(self.faults.latency)
        path = request.path[len("/api/"):]
        fault = self.faults.take(request.method, path)
        if fault is not None and not fault.after_write:
            return self._strike(request, fault)
        admission = self.limiter.admit()
        if not admission.admitted:
            self._record(request, self.config.throttle_status, "throttled", admission.at)
            return self._throttled(self.config.throttle_status, admission.retry_after, admission.calls_left)
        response = self._dispatch(self.api, request, path)
        if fault is not None:
            return self._strike(request, fault)
        response.headers.update(self._budget_headers(admission.calls_left))
        # logged at admission, not now: a slow handler must not move the request into another window
        self._record(request, response.status, "ok", admission.at)
        return response

    def _strike(self, request: Request, fault: Any) -> Response:
        if fault.kind == "drop":
            self._record(request, 0, "dropped")
            return Response(0, drop=True)
        if fault.kind == "throttle":
            self._record(request, fault.status, "throttled")
            return self._throttled(fault.status, fault.retry_after, 0)
        self._record(request, fault.status, "fault")
        return Response.json(fault.status, {"error": "internal_error"}, **self._budget_headers(None))

    def _throttled(self, status: int, retry_after: int, left: int) -> Response:
        return Response.json(
            status, {"error": "rate limit exceeded"}, retry_after=str(retry_after), **self._budget_headers(left)
        )

    def _budget_headers(self, left: int | None) -> dict[str, str]:
        headers = {"rate_limit_per_minute": str(self.config.rate_limit_per_minute)}
        if left is not None:
            headers["api_calls_left"] = str(left)
        return headers

    @staticmethod
    def _dispatch(router: Router, request: Request, path: str) -> Response:
        try:
            handler, params = router.resolve(request.method, path)
            return handler(request, params)
        except HttpError as exc:
            return exc.response()

    def _authorized(self, request: Request) -> bool:
        scheme, _, encoded = request.header("Authorization").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            email, _, key = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return email.lower() == self.config.email.lower() and key == self.config.api_key

    def _record(self, request: Request, status: int, outcome: str, at: float | None = None) -> None:
        with self._log_lock:
            self.log.append(LoggedRequest(
                self.clock() if at is None else at, request.method, request.path, status, outcome
            ))


#: how this machine names itself in a URL; anything else in Host or Origin is a web page reaching in
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def _from_this_machine(request: Request) -> bool:
    """The server admits loopback clients only, but a browser on this machine is one: a web page could post
    to ``/_admin`` (cross-origin form, no preflight) or rebind its own name to 127.0.0.1. Both show in the
    ``Origin`` or ``Host`` header, which local tools (httpx, curl) fill with a loopback name or leave out."""
    host, origin = request.header("Host"), request.header("Origin")
    if host and urlsplit(f"//{host}").hostname not in _LOOPBACK_NAMES:
        return False
    return not origin or urlsplit(origin).hostname in _LOOPBACK_NAMES
