"""Every route, enumerated from the app: signed out is refused, every state-changing request needs its CSRF
token (the webhook its own token), GET changes nothing, letters belong to whoever issued them, path parameters
are checked, and errors are Russian pages without a stack trace."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from omnidesk_macros.letter.pdf import find_soffice
from print_service.accounts import add_user
from print_service.db import FILE_NAME, Database
from print_service.server import ServiceThread
from print_service.web import SecurityHeaders
from tests.service.conftest import SUBSCRIBER, WEBHOOK_TOKEN, Staff, run, signed_in

OPEN = {"/signin", "/signout", "/static/letter.css"}  # signing in or out, and the letter's stylesheet
EXAMPLE = {"number": "664-245651", "token": "not-a-letter"}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _routes(app: Starlette) -> list[tuple[str, str]]:
    """(method, path) of every route, path parameters filled with valid-looking values."""
    found = []
    for route in app.routes:
        if isinstance(route, Route) and route.methods:
            path = route.path.format(**{name: EXAMPLE[name] for name in route.param_convertors})
            found += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return found


def _registry_rows(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / FILE_NAME) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0])


def test_the_app_has_the_routes_this_file_covers(app: Starlette) -> None:
    routes = _routes(app)
    assert len(routes) >= 17  # a new route lands in the tests below by itself; this guards the enumeration
    assert {method for method, _ in routes} <= {"GET", "POST"}  # a PUT or DELETE would need the CSRF check too


def test_signed_out_every_route_is_refused(app: Starlette) -> None:
    async def body() -> dict[str, int]:
        staff = Staff(app)
        await staff.get("/signin")  # holds a valid pre-session CSRF token: still nobody
        answers = {}
        for method, path in _routes(app):
            if path in OPEN or path == "/hooks/omnidesk":
                continue
            response = await (staff.get(path) if method == "GET" else staff.post(path, {"template": "e-receipt"}))
            answers[f"{method} {path}"] = response.status_code
            if method == "GET":
                assert response.headers["location"] == "/signin?next=" + path.replace("/", "%2F"), path
            assert SUBSCRIBER[0] not in response.text
        return answers

    answers = run(body())
    assert answers and all(status == (303 if key.startswith("GET") else 401) for key, status in answers.items()), answers


def test_every_state_changing_route_needs_the_csrf_token(app: Starlette) -> None:
    async def body() -> dict[str, int]:
        staff = await signed_in(app)
        answers = {}
        for method, path in _routes(app):
            if method in STATE_CHANGING and path != "/hooks/omnidesk":
                response = await staff.http.request(method, path, data={"template": "e-receipt"})
                answers[path] = response.status_code
        return answers

    answers = run(body())
    assert len(answers) >= 8 and set(answers.values()) == {403}, answers


def test_the_webhook_is_exempt_from_csrf_only_by_its_token(app: Starlette, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def body() -> tuple[int, int, int]:
        staff = await signed_in(app)  # a session does not open the webhook
        payload = {"case_number": "664-245651", "template": "e-receipt"}
        with_session = await staff.http.post("/hooks/omnidesk", json=payload)
        bad_case = await staff.http.post(f"/hooks/omnidesk?token={WEBHOOK_TOKEN}",
                                         json={"case": "../users/301", "template": "e-receipt"})
        token_prefix = await staff.http.post(f"/hooks/omnidesk?token={WEBHOOK_TOKEN[:-1]}", json=payload)
        return with_session.status_code, bad_case.status_code, token_prefix.status_code

    assert run(body()) == (403, 400, 403)
    service_lines = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("omnidesk_macros"))
    assert WEBHOOK_TOKEN not in service_lines


def test_the_served_app_keeps_no_access_log(app: Starlette) -> None:
    thread = ServiceThread(app)  # what the browser test and the benchmark run; `serve` passes the same flag
    try:
        assert thread.server.config.access_log is False  # its lines would carry the webhook's ?token=
    finally:
        thread.sock.close()


def test_get_never_changes_the_registry(app: Starlette, data_dir: Path) -> None:
    async def body() -> tuple[int, int]:
        staff = await signed_in(app)
        letter = (await staff.print_letter()).headers["location"]
        before = _registry_rows(data_dir)
        for path in ["/", "/cases/664-245651", "/cases/664-245651?type=receipts&template=e-receipt", "/cases/new",
                     letter, letter + ".docx", "/cases?number=664-245651"]:
            assert (await staff.get(path)).status_code in (200, 303), path
        return before, _registry_rows(data_dir)

    before, after = run(body())
    assert before == after == 1


def test_a_letter_is_only_for_the_staff_member_who_issued_it(app: Starlette, data_dir: Path) -> None:
    add_user(Database(data_dir), "petrova", "Петрова Анна Ивановна", "another password 42")

    async def body() -> list[int]:
        issuer = await signed_in(app)
        letter = (await issuer.print_letter()).headers["location"]
        other = Staff(app)
        await other.get("/signin")
        assert (await other.post("/signin", {"username": "petrova", "password": "another password 42"})).status_code == 303
        await other.get("/")
        answers = [(await other.get(letter + suffix)).status_code for suffix in ("", ".docx", ".pdf")]
        answers.append((await other.post(letter + "/attach")).status_code)
        answers.append((await issuer.get(letter + ".docx")).status_code)
        return answers

    assert run(body()) == [404, 404, 404, 404, 200]


@pytest.mark.parametrize("path", ["/cases/664-245651x", "/cases/abc", "/cases/1-2-3", "/cases/%2E%2E"])
def test_a_case_path_that_is_not_a_case_number_is_refused(app: Starlette, path: str) -> None:
    async def body() -> tuple[httpx.Response, int]:
        staff = await signed_in(app)
        check = await staff.http.post(path + "/check", json={"template": "e-receipt"},
                                      headers={"X-CSRF-Token": staff.csrf})
        return await staff.get(path), check.status_code

    page, check = run(body())
    assert (page.status_code, check) == (404, 404)
    assert "Traceback" not in page.text


def test_unknown_pages_and_wrong_methods_get_russian_pages_with_the_headers(app: Starlette) -> None:
    async def body() -> tuple[httpx.Response, httpx.Response]:
        staff = await signed_in(app)
        return await staff.get("/no/such/page"), await staff.get("/signout")

    missing, wrong_method = run(body())
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    for response in (missing, wrong_method):
        assert "<html lang=\"ru\">" in response.text and "Not Found" not in response.text
        assert response.headers["cache-control"] == "no-store" and "frame-ancestors" in response.headers[
            "content-security-policy"]
    assert "Такой страницы нет" in missing.text


def test_a_bug_is_a_russian_page_and_its_message_stays_out_of_the_log(app: Starlette, monkeypatch: pytest.MonkeyPatch,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    def broken(number: str) -> None:  # a bug whose message quotes the subscriber, as a KeyError of data would
        raise RuntimeError(f"bad card of {SUBSCRIBER[0]}")

    monkeypatch.setattr(app.state.service.omnidesk, "cached_card", broken)

    async def body() -> httpx.Response:
        return await (await signed_in(app)).get("/cases/664-245651")

    response = run(body())
    assert response.status_code == 500 and "Внутренняя ошибка" in response.text
    assert "Traceback" not in response.text and "RuntimeError" not in response.text
    assert "RuntimeError" in caplog.text and "pages.py" in caplog.text  # the administrator can find the bug
    assert SUBSCRIBER[0] not in caplog.text


def test_a_bug_outside_the_routes_is_a_russian_page_with_the_headers(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise KeyError(SUBSCRIBER[2])

    async def body() -> httpx.Response:
        app = SecurityHeaders(broken, omnidesk_origin="https://example.omnidesk.ru")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
            return await http.get("/static/x.css")

    response = run(body())
    assert response.status_code == 500 and "Внутренняя ошибка" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "KeyError" in caplog.text and SUBSCRIBER[2] not in caplog.text


@pytest.mark.parametrize("suffix", [".docx", pytest.param(".pdf", marks=pytest.mark.skipif(
    find_soffice() is None, reason="LibreOffice is not installed"))])
def test_documents_are_not_cached_nor_named_after_the_subscriber(app: Starlette, suffix: str) -> None:
    async def body() -> httpx.Response:
        staff = await signed_in(app)
        letter = (await staff.print_letter()).headers["location"]
        return await staff.get(letter + suffix)

    response = run(body())
    assert response.status_code == 200
    headers = response.headers
    assert headers["cache-control"] == "no-store" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer" and "frame-ancestors" in headers["content-security-policy"]
    disposition = headers["content-disposition"]
    assert disposition.isascii() and disposition.startswith('attachment; filename="letter-') and suffix in disposition
    for datum in SUBSCRIBER:
        assert datum not in disposition and datum.split()[0] not in disposition


def test_no_page_puts_personal_data_in_a_link_or_a_redirect(app: Starlette) -> None:
    async def body() -> list[str]:
        staff = await signed_in(app)
        seen = []
        for path in ["/", "/cases/664-245651?type=receipts&template=e-receipt", "/cases/new"]:
            seen.append((await staff.get(path)).text)
        letter = await staff.print_letter()
        seen.append(letter.headers["location"])
        seen.append((await staff.get(letter.headers["location"])).text)
        reply = await staff.post("/cases/664-245651/reply", {"template": "e-receipt"})
        seen.append(reply.text)
        return seen

    import re

    for text in run(body()):
        for url in re.findall(r'(?:href|action|src|data-url|data-check)="([^"]*)"', text) or [text]:
            if url.startswith("javascript:"):
                continue
            for datum in SUBSCRIBER:
                assert datum not in url and datum.split()[0] not in url, url




def test_the_bookmarklet_quotes_the_host_it_was_served_under(app: Starlette) -> None:
    from print_service.app import bookmarklet

    code = bookmarklet("http://evil');alert(1);('")  # the base comes from the request's Host header
    assert "window.open(\"http://evil');alert(1);('\"+'/cases/'" in code
