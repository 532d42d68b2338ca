"""The sandbox's behaviour, from a read request to an answer, independent of the HTTP server.

``SandboxApp.handle`` runs the pipeline Omnidesk is documented (or inferred) to run for ``/api``:
Basic auth (401), the per-minute budget (429 with ``retry_after``), the route (404 for an unknown path, 405
for a known path and a method it does not serve: this is how writes to macros and custom fields are refused,
**inferred**), then the rate-limit headers on every answer. Injected faults wrap that pipeline. ``/_admin``
does what an administrator does in the Omnidesk UI and steers the faults; it has no auth and is meant for
loopback only (:mod:`.edge` refuses other clients and other origins).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from collections.abc import Callable

from starlette.responses import Response

from . import admin, api_cases, api_catalogue, api_kb, api_users
from .faults import FaultRule
from .state import LoggedRequest, SandboxConfig, SandboxState
from .store import Store
from .web import DropConnection, Request, Router, json_response


class SandboxApp(SandboxState):
    """``/api`` like Omnidesk, ``/_admin`` like its admin UI plus fault control."""

    def __init__(self, store: Store, config: SandboxConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(store, config, clock)
        self.api = Router()
        self.admin = Router()
        for module in (api_cases, api_catalogue, api_kb, api_users):
            module.register(self.api, self)
        admin.register(self.admin, self)

    async def handle(self, request: Request) -> Response:
        if request.path == "/_admin" or request.path.startswith("/_admin/"):
            return self.admin.dispatch(request, request.path[len("/_admin"):].strip("/"))
        if request.path.startswith("/files/"):
            return self._guarded(request) or self.api.dispatch(request, request.path.strip("/"))
        if request.path == "/api" or request.path.startswith("/api/"):
            return self._guarded(request) or await self._api(request)
        return json_response(404, {"error": "not_found"})

    def _guarded(self, request: Request) -> Response | None:
        """The 401 answer when the request lacks the staff email and key, else None."""
        if self._authorized(request):
            return None
        self._record(request, 401, "unauthorized")
        return json_response(401, {"error": "authentication_failed"}, **{"WWW-Authenticate": 'Basic realm="Omnidesk"'})

    async def _api(self, request: Request) -> Response:
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        path = request.path[len("/api/"):]
        fault = self.faults.take(request.method, path)
        if fault is not None and not fault.after_write:
            return self._strike(request, fault)
        admission = self.limiter.admit()
        if not admission.admitted:
            self._record(request, self.config.throttle_status, "throttled", admission.at)
            return self._throttled(self.config.throttle_status, admission.retry_after, admission.calls_left)
        response = self.api.dispatch(request, path)
        if fault is not None:
            return self._strike(request, fault)
        response.headers.update(self._budget_headers(admission.calls_left))
        # logged at admission, not now: a slow handler must not move the request into another window
        self._record(request, response.status_code, "ok", admission.at)
        return response

    def _strike(self, request: Request, fault: FaultRule) -> Response:
        if fault.kind == "drop":
            self._record(request, 0, "dropped")
            return DropConnection()
        if fault.kind == "throttle":
            self._record(request, fault.status, "throttled")
            return self._throttled(fault.status, fault.retry_after, 0)
        self._record(request, fault.status, "fault")
        return json_response(fault.status, {"error": "internal_error"}, **self._budget_headers(None))

    def _throttled(self, status: int, retry_after: int, left: int) -> Response:
        return json_response(
            status, {"error": "rate limit exceeded"}, retry_after=str(retry_after), **self._budget_headers(left)
        )

    def _budget_headers(self, left: int | None) -> dict[str, str]:
        headers = {"rate_limit_per_minute": str(self.config.rate_limit_per_minute)}
        if left is not None:
            headers["api_calls_left"] = str(left)
        return headers

    def _authorized(self, request: Request) -> bool:
        scheme, _, encoded = request.header("Authorization").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            email, _, key = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        return email.lower() == self.config.email.lower() and key == self.config.api_key

    def _record(self, request: Request, status: int, outcome: str, at: float | None = None) -> None:
        self.log.append(LoggedRequest(self.clock() if at is None else at, request.method, request.path, status, outcome))
