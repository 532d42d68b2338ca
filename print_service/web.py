"""What every page shares: the security headers, sign-in, CSRF tokens, and Russian error pages.

    security headers   CSP (frame-ancestors: this service and the Omnidesk origin only), Referrer-Policy
                       no-referrer, nosniff, Cache-Control no-store on everything but the static files
    sign-in            a session cookie (HttpOnly, SameSite=Lax) naming a row of the sessions table, or,
                       switched on explicitly, a login header set by a trusted reverse proxy
    CSRF               every POST but the webhook carries ``csrf`` (form) or ``X-CSRF-Token`` (fetch):
                       an HMAC, under the secret key, of the session cookie (or of a pre-session cookie)
    errors             Russian pages for 401/403/404/405 and for any bug (500); a bug is logged as its
                       exception type and stack without its message, which may quote a subscriber's data
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .accounts import Account, active_account, session_user
from .config import ServiceSettings
from .db import Database

log = logging.getLogger("omnidesk_macros.print_service")
SESSION_COOKIE = "odm_session"
PRE_COOKIE = "odm_pre"
BUG_MESSAGE = "Внутренняя ошибка сервиса. Сообщите администратору; время ошибки записано в журнал."
HTTP_MESSAGES = {404: "Такой страницы нет. Проверьте адрес или начните с главной страницы.",
                 405: "Так эту страницу открыть нельзя. Вернитесь и воспользуйтесь кнопками на странице."}
PAGES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                    autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                    auto_reload=False)  # the pages ship with the package: no stat() per request


class Refused(Exception):
    """Ends a request with a status and a Russian message (a page, or JSON for fetch calls)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SecurityHeaders:
    """Pure ASGI middleware: the headers go on every answer, errors included."""

    def __init__(self, app: ASGIApp, omnidesk_origin: str) -> None:
        self.app = app
        ancestors = " ".join(["'self'", omnidesk_origin] if omnidesk_origin else ["'self'"])
        self.csp = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                    f"form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors {ancestors}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", self.csp.encode()), (b"referrer-policy", b"no-referrer"),
                            (b"x-content-type-options", b"nosniff")]
                headers.append((b"cache-control", b"public, max-age=300" if static else b"no-store"))
                message["headers"] = headers
            await send(message)

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await with_headers(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # outside a route's guard (routing, static files): still no stack trace shown
            log_bug(f"{scope.get('method', '')} {scope['path']}", exc)
            if started:
                raise
            page = PAGES.get_template("message.html").render(account=None, csrf="", heading="Ошибка",
                                                             message=BUG_MESSAGE, back="/")
            await HTMLResponse(page, status_code=500)(scope, receive, with_headers)


def log_bug(where: str, exc: BaseException) -> None:
    """The bug's type and stack for the administrator, without its message (it may quote personal data)."""
    stack = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    log.error("unexpected error on %s: %s\n%s", where, type(exc).__name__, stack.rstrip())


class Web:
    """Per-app helpers bound to the settings and the database."""

    def __init__(self, settings: ServiceSettings, db: Database) -> None:
        self.settings = settings
        self.db = db

    # ------------------------------------------------------------------ who is asking

    def account(self, request: Request) -> Account | None:
        header = self.settings.trusted_user_header
        if header:
            login = request.headers.get(header, "").strip()
            return active_account(self.db, login) if login else None
        token = request.cookies.get(SESSION_COOKIE)
        return session_user(self.db, token, self.settings.session_idle_minutes) if token else None

    def require(self, request: Request) -> Account:
        account = self.account(request)
        if account is None:
            raise Refused(401, "Войдите в систему: сеанс не начат или истёк.")
        return account

    # ------------------------------------------------------------------ CSRF

    def csrf_token(self, request: Request) -> str:
        basis = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE) or ""
        if not basis:
            return ""
        return hmac.new(self.settings.secret_key, b"csrf:" + basis.encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, request: Request, sent: str | None) -> None:
        expected = self.csrf_token(request)
        if not expected or not sent or not hmac.compare_digest(expected, sent):
            raise Refused(403, "Форма устарела или отправлена не с этой страницы. Обновите страницу и повторите.")

    async def form(self, request: Request) -> FormData:
        """The POSTed form, after the CSRF check."""
        form = await request.form(max_files=2, max_fields=200)
        token = form.get("csrf")
        self.check_csrf(request, token if isinstance(token, str) else request.headers.get("x-csrf-token"))
        return form

    async def json_body(self, request: Request) -> dict[str, Any]:
        """A fetch call's JSON object, after the CSRF check (header)."""
        self.check_csrf(request, request.headers.get("x-csrf-token"))
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise Refused(400, "Запрос не в формате JSON.") from None
        if not isinstance(body, dict):
            raise Refused(400, "Ожидался объект JSON.")
        return body

    # ------------------------------------------------------------------ answers

    def page(self, request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        account = values.pop("account", None) or self.account(request)
        new_pre = None
        if not request.cookies.get(PRE_COOKIE):
            new_pre = request.cookies[PRE_COOKIE] = secrets.token_urlsafe(24)  # this page's token must match it
        html = PAGES.get_template(name).render(account=account, csrf=self.csrf_token(request),
                                               sandbox=self.settings.sandbox, **values)
        response = HTMLResponse(html, status_code=status)
        if new_pre:
            response.set_cookie(PRE_COOKIE, new_pre, httponly=True, samesite="lax", secure=self.settings.secure_cookies)
        return response

    def refused(self, request: Request, exc: Refused) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "") or \
            request.headers.get("content-type", "").startswith("application/json")
        if wants_json:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        if exc.status == 401 and request.method == "GET":
            return RedirectResponse("/signin?" + urlencode({"next": request.url.path}), status_code=303)
        heading = {401: "Нужен вход", 403: "Отказано", 404: "Не найдено", 400: "Ошибка в данных",
                   405: "Не тот запрос"}.get(exc.status, "Omnidesk недоступен" if exc.status in (502, 504) else "Ошибка")
        return self.page(request, "message.html", exc.status, heading=heading, message=exc.message, back="/")

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Starlette's own refusals (no such route, a method the route does not take) as Russian pages."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return self.refused(request, Refused(status, HTTP_MESSAGES.get(status, BUG_MESSAGE)))


Handler = Callable[[Request], Awaitable[Response]]


def guarded(web: Web, handler: Handler) -> Handler:
    """Turns Refused into its page, and any bug into a Russian page without a stack trace (logged)."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except Refused as exc:
            return web.refused(request, exc)
        except Exception as exc:
            log_bug(f"{request.method} {request.url.path}", exc)
            return web.refused(request, Refused(500, BUG_MESSAGE))

    return endpoint


class PendingWarnings:
    """What a new case's registration could not write, kept until its page shows it once to its registrar.

    In memory for a few minutes: the redirect to the case page carries only the case number.
    """

    KEEP_SECONDS = 10 * 60

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def put(self, staff: str, case_number: str, warnings: list[str]) -> None:
        if not warnings:
            return
        now = time.monotonic()
        with self._lock:
            self._items = {k: v for k, v in self._items.items() if v[0] > now}
            self._items[(staff, case_number)] = (now + self.KEEP_SECONDS, list(warnings))

    def pop(self, staff: str, case_number: str) -> list[str]:
        with self._lock:
            expires, warnings = self._items.pop((staff, case_number), (0.0, []))
        return warnings if expires > time.monotonic() else []
