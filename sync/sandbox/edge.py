"""The sandbox as an ASGI application: what reaches :class:`~.app.SandboxApp`, and that every request is answered.

In order, for each request: loopback clients only; a ``Host`` that names this machine (400 when it does
not parse, 403 when it names another) and no ``Origin`` but this machine (403); a body of at most
:data:`MAX_REQUEST` bytes (413, decided from ``Content-Length`` before a byte is read, or while reading a
chunked body), read within :data:`BODY_TIMEOUT` seconds (408). A client that hangs up mid-request gets
nothing and is not logged: it is gone, and a half-sent body is never handed to a handler. Any other
exception becomes a JSON 500 and one log line, so no request is left without an answer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import ClientDisconnect
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .app import SandboxApp
from .web import DropConnection, HttpError, Request, ascii_id, http_url, json_response

log = logging.getLogger("sync.sandbox")

#: Omnidesk's own cap on one request (50 MB; a file is capped at 25 MB, see :mod:`.api_cases`)
MAX_REQUEST = 50 * 1024 * 1024
#: a client that declares a body and stops sending it is given this long, then answered 408
BODY_TIMEOUT = 30.0
#: how this machine names itself in a URL; anything else in Host or Origin is a web page reaching in
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

def _hostname(value: str) -> str | None:
    """The host named in a ``Host`` or ``Origin`` value, or None when it does not parse (``[``)."""
    try:
        return urlsplit(value if "//" in value else f"//{value}").hostname
    except ValueError:
        return None


def _is_loopback_client(client: Any) -> bool:
    if not client:
        return True  # a Unix socket or an in-process call: nothing outside this machine
    try:
        return ipaddress.ip_address(str(client[0])).is_loopback
    except ValueError:
        return False


def refusal(request: StarletteRequest) -> Response | None:
    """Why this request must not be served, as an answer; None when it may be.

    A browser on this machine is a loopback client, but a web page could post to ``/_admin`` (cross-origin
    form, no preflight) or rebind its own name to 127.0.0.1. Both show in ``Origin`` or ``Host``, which
    local tools (httpx, curl) fill with a loopback name or leave out."""
    if not _is_loopback_client(request.scope.get("client")):
        return json_response(403, {"error": "loopback_only"})
    host, origin = request.headers.get("host"), request.headers.get("origin")
    if host:
        name = _hostname(host)
        if name is None:
            return json_response(400, {"error": "wrong_host"})
        if name not in LOOPBACK_NAMES:
            return json_response(403, {"error": "loopback_only"})
    if origin and _hostname(origin) not in LOOPBACK_NAMES:
        return json_response(403, {"error": "loopback_only"})
    return None


async def read_body(request: StarletteRequest, limit: int = MAX_REQUEST, timeout: float = BODY_TIMEOUT) -> bytes:
    """The whole body, or 413 past ``limit`` (from ``Content-Length`` before reading when it is given)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        length = ascii_id(declared.strip())
        if length is None:  # the HTTP parser refuses these first; kept for any other server
            raise HttpError(400, "wrong_content_length")
        if length > limit:
            raise HttpError(413, "request_too_large")
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise HttpError(413, "request_too_large")
    except TimeoutError as exc:
        raise HttpError(408, "request_timeout") from exc
    return bytes(body)


def _base_url(scope: Scope) -> str:
    host, port = scope.get("server") or ("127.0.0.1", 80)
    return http_url(str(host), port)


class SandboxEdge:
    """The ASGI callable: ``SandboxEdge(app, drop)``; ``drop(scope)`` closes that request's connection."""

    def __init__(self, app: SandboxApp, drop: Callable[[Scope], None], body_timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.drop = drop
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets are switched off in the server
            return
        request = StarletteRequest(scope, receive)
        try:
            response = await self._answer(request)
        except ClientDisconnect:
            return  # the client hung up: nobody to answer, nothing went wrong here
        except Exception:
            # the path only: a query string can carry a subscriber's email
            log.exception("sandbox: unexpected error answering %s %s", scope.get("method"), scope.get("path"))
            response = json_response(500, {"error": "internal_error"})
        if isinstance(response, DropConnection):
            self.drop(scope)
            while (await receive())["type"] != "http.disconnect":
                pass  # wait until the server has seen the connection close, so it does not answer 500 itself
            return
        await response(scope, receive, send)

    async def _answer(self, request: StarletteRequest) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        try:
            body = await read_body(request, timeout=self.body_timeout)
        except HttpError as exc:
            response = exc.response()
            response.headers["Connection"] = "close"  # the rest of the body is not read, so the connection ends
            return response
        return await self.app.handle(Request(
            method=request.method,
            # the path as sent, not unquoted: a file name with "%2F" must stay one segment of files/{id}/{name}
            path=request.scope.get("raw_path", b"").decode("latin-1") or request.scope["path"],
            query=dict(request.query_params),
            headers=request.headers,
            body=body,
            base_url=_base_url(request.scope),
        ))
