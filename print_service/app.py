"""The ASGI app: routes of the print service (Starlette), each a thin step over the library.

    /signin /signout                     staff accounts (accounts.py)
    /                                    start page: open a case, the bookmarklet
    /cases/<number>                      the card from Omnidesk, appeal type → template → fill-in values
    /cases/<number>/check               JSON: the fill-in values checked as they are typed
    /cases/<number>/letter  → /letters/<token>    issue a numbered letter; print, DOCX, PDF, attach
    /cases/<number>/reply                the remote reply with every placeholder filled, to copy
    /cases/new, /billing/lookup          a new in-person appeal, the billing directory
    /hooks/omnidesk                      an Omnidesk rule's webhook (hooks.py)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from omnidesk_macros.letter.html_writer import LETTER_CSS
from sync.settings import OmnideskSettings

from . import accounts, billing
from .config import ServiceSettings
from .pages import CasePages, LetterPages
from .service import Service, checked_case_number
from .web import PRE_COOKIE, SESSION_COOKIE, SecurityHeaders, guarded


def create_app(settings: ServiceSettings, omnidesk_settings: OmnideskSettings, templates_root: Path,
               data_dir: Path) -> Starlette:
    """The print service over ``templates_root`` (templates_src/) with its SQLite file in ``data_dir``."""
    service = Service(settings, omnidesk_settings, templates_root, data_dir)
    web = service.web
    cases = CasePages(service)
    letters = LetterPages(service)

    async def signin_page(request: Request) -> Response:
        return web.page(request, "signin.html", next=_safe_next(request.query_params.get("next")), username="")

    async def signin(request: Request) -> Response:
        form = await web.form(request)
        username, password = str(form.get("username", "")).strip().lower(), str(form.get("password", ""))
        address = request.client.host if request.client else ""
        wait = service.throttle.wait(username, address)
        if wait:  # refused before the password is checked: a guesser learns nothing and costs no scrypt
            return web.page(request, "signin.html", 429, error=wait.russian(), username=username,
                            next=_safe_next(str(form.get("next", ""))))
        account = await service.blocking(accounts.authenticate, service.db, username, password)
        if account is None:
            service.throttle.failed(username, address)
            return web.page(request, "signin.html", 401, error="Неверный логин или пароль.", username=username,
                            next=_safe_next(str(form.get("next", ""))))
        service.throttle.succeeded(username, address)
        if request.cookies.get(SESSION_COOKIE):  # a session id is never carried across a sign-in
            await service.blocking(accounts.close_session, service.db, request.cookies[SESSION_COOKIE])
        token = await service.blocking(accounts.open_session, service.db, account.username, settings.session_hours)
        response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                            samesite="lax", secure=settings.secure_cookies)
        return response

    async def signout(request: Request) -> Response:
        await web.form(request)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await service.blocking(accounts.close_session, service.db, token)
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(PRE_COOKIE)
        return response

    async def start(request: Request) -> Response:
        account = web.require(request)
        base = str(request.base_url).rstrip("/")
        return web.page(request, "start.html", account=account, bookmarklet=bookmarklet(base))

    async def open_case(request: Request) -> Response:
        web.require(request)
        number = checked_case_number(request.query_params.get("number", "").strip(), 400)
        return RedirectResponse(f"/cases/{number}", status_code=303)

    async def letter_css(_: Request) -> Response:
        return Response(LETTER_CSS, media_type="text/css")

    async def billing_lookup(request: Request) -> Response:
        web.require(request)
        body = await web.json_body(request)
        account = str(body.get("account", "")).strip()[:64]
        found = await service.blocking(billing.lookup, service.db, account)
        source = "billing"
        if found is None and account:
            source = "omnidesk"
            found = await service.from_omnidesk("Поиск абонента", service.omnidesk.profile_by_account,
                                                service.sources, account, settings.no_email_domain)
        if found is None:
            return JSONResponse({"found": False})
        return JSONResponse({"found": True, "source": source, "subscriber": {
            "account": found.account, "full_name": found.full_name, "address": found.address,
            "email": found.email, "phone": found.phone}})

    from .hooks import omnidesk_hook

    async def hook(request: Request) -> Response:
        return await omnidesk_hook(service, request)

    def route(path: str, handler: Callable[[Request], Any], methods: list[str]) -> Route:
        return Route(path, guarded(web, handler), methods=methods)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> Any:
        if settings.warm_pdf and service.pdf_available:
            service.pdf.start_in_background()  # the first PDF of the day should not pay the office's start
        yield
        service.close()

    app = Starlette(routes=[
        route("/", start, ["GET"]),
        route("/signin", signin_page, ["GET"]),
        route("/signin", signin, ["POST"]),
        route("/signout", signout, ["POST"]),
        route("/cases", open_case, ["GET"]),
        route("/cases/new", cases.new_form, ["GET"]),
        route("/cases/new", cases.create, ["POST"]),
        route("/cases/{number}", cases.show, ["GET"]),
        route("/cases/{number}/check", cases.check, ["POST"]),
        route("/cases/{number}/letter", letters.issue, ["POST"]),
        route("/cases/{number}/reply", cases.reply, ["POST"]),
        route("/letters/{token}.docx", letters.docx, ["GET"]),
        route("/letters/{token}.pdf", letters.pdf, ["GET"]),
        route("/letters/{token}", letters.show, ["GET"]),
        route("/letters/{token}/attach", letters.attach, ["POST"]),
        route("/billing/lookup", billing_lookup, ["POST"]),
        route("/hooks/omnidesk", hook, ["POST"]),
        Route("/static/letter.css", letter_css, methods=["GET"]),
        Mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
    ], lifespan=lifespan, exception_handlers={404: web.http_error, 405: web.http_error})
    app.state.service = service
    app.add_middleware(SecurityHeaders, omnidesk_origin=settings.omnidesk_origin)
    return app


def _safe_next(raw: str | None) -> str:
    """Only a path on this service: ``//evil.example`` or a full URL would make sign-in an open redirect."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/"


def bookmarklet(base: str) -> str:
    """A javascript: link that opens this service's case page for the Omnidesk case on screen."""
    code = ("(function(){var m=location.pathname.match(/\\/staff\\/cases\\/record\\/([0-9]+-[0-9]+)/);"
            f"if(m){{window.open({json.dumps(base)}+'/cases/'+m[1],'_blank','noopener');}}"  # base: the Host header
            "else{alert('Откройте обращение в Omnidesk и нажмите ещё раз');}})();")
    return "javascript:" + code


__all__ = ["create_app"]
