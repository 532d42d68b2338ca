"""Point 7 of issue 10: signed out is refused, CSRF on every POST, the webhook's token, the headers,
no personal data in the log or the registry, Omnidesk failures as a Russian message."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from omnidesk_macros.errors import ConfigError
from print_service.config import MIN_WEBHOOK_TOKEN, ServiceSettings
from print_service.db import FILE_NAME
from print_service.hooks import MAX_BODY
from print_service.registry import as_csv, entries
from sync.sandbox import SandboxServer
from tests.helpers import REPO
from tests.service.conftest import SUBSCRIBER, WEBHOOK_TOKEN, Staff, run, signed_in

POST_ROUTES = ["/signin", "/signout", "/cases/664-245651/letter", "/cases/664-245651/reply", "/cases/new",
               "/letters/some-token/attach"]
JSON_ROUTES = ["/cases/664-245651/check", "/billing/lookup"]


@pytest.mark.parametrize("path", ["/", "/cases/664-245651", "/cases/new", "/letters/x", "/letters/x.docx"])
def test_signed_out_pages_send_to_sign_in(app: Starlette, path: str) -> None:
    async def body() -> httpx.Response:
        return await Staff(app).get(path)

    response = run(body())
    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin")


def test_signed_out_posts_are_refused(app: Starlette) -> None:
    async def body() -> list[int]:
        staff = Staff(app)
        await staff.get("/signin")  # a valid pre-session CSRF token does not make anyone signed in
        return [(await staff.post(path)).status_code for path in POST_ROUTES[2:]]

    assert run(body()) == [401] * len(POST_ROUTES[2:])


def test_a_wrong_password_does_not_sign_in(app: Starlette) -> None:
    async def body() -> tuple[int, int]:
        staff = Staff(app)
        await staff.get("/signin")
        refused = await staff.post("/signin", {"username": "kuznetsova", "password": "wrong password"})
        return refused.status_code, (await staff.get("/")).status_code

    assert run(body()) == (401, 303)


@pytest.mark.parametrize("path", POST_ROUTES)
def test_a_post_without_the_csrf_token_is_forbidden(app: Starlette, path: str) -> None:
    async def body() -> tuple[int, int]:
        staff = await signed_in(app) if path != "/signin" else Staff(app)
        if path == "/signin":
            await staff.get("/signin")
        missing = await staff.post(path, {"username": "kuznetsova", "template": "e-receipt"}, csrf=False)
        forged = await staff.post(path, {"username": "kuznetsova", "template": "e-receipt", "csrf": "0" * 64},
                                  csrf=False)
        return missing.status_code, forged.status_code

    assert run(body()) == (403, 403)


@pytest.mark.parametrize("path", JSON_ROUTES)
def test_a_json_call_without_the_csrf_header_is_forbidden(app: Starlette, path: str) -> None:
    async def body() -> int:
        staff = await signed_in(app)
        return (await staff.http.post(path, json={"template": "e-receipt", "account": "0000000001"})).status_code

    assert run(body()) == 403


def test_the_webhook_needs_its_token(app: Starlette, make_app, sandbox: SandboxServer) -> None:
    async def body() -> tuple[int, int, int, int]:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
        payload = {"case_number": "664-245651", "template": "e-receipt"}
        none = await http.post("/hooks/omnidesk", json=payload)
        wrong = await http.post("/hooks/omnidesk?token=not-the-token", json=payload)
        header = await http.post("/hooks/omnidesk", json=payload, headers={"X-Omnidesk-Macros-Token": "nope"})
        off = httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app(webhook_token=None)),
                                base_url="http://127.0.0.1")
        disabled = await off.post(f"/hooks/omnidesk?token={WEBHOOK_TOKEN}", json=payload)
        return none.status_code, wrong.status_code, header.status_code, disabled.status_code

    assert run(body()) == (403, 403, 403, 404)


def test_the_webhook_with_its_token_attaches_a_numbered_letter(app: Starlette, sandbox: SandboxServer,
                                                              data_dir: Path) -> None:
    async def body() -> httpx.Response:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
        return await http.post(f"/hooks/omnidesk?token={WEBHOOK_TOKEN}",
                               data={"case_id": "5000", "template_id": "e-receipt"})

    response = run(body())
    assert response.status_code == 200, response.text
    number = response.json()["number"]
    notes = httpx.get(f"{sandbox.url}/api/cases/5000/messages.json", auth=("admin@sandbox.local", "sandbox-key")).json()
    files = [a["file_name"] for item in notes.values() if isinstance(item, dict)
             for a in item["message"].get("attachments", [])]
    assert any(name.endswith(".docx") for name in files)
    (entry,) = entries(_db(data_dir))
    assert (entry.number, entry.channel, entry.status, entry.staff) == (number, "webhook", "issued", "omnidesk-webhook")
    assert entry.attached_at


def test_a_failed_attach_from_the_webhook_voids_its_number(app: Starlette, sandbox: SandboxServer,
                                                           data_dir: Path) -> None:
    httpx.post(f"{sandbox.url}/_admin/faults",
               json={"error": {"count": 5, "methods": ["POST"], "path_contains": "note", "status": 500}})

    async def body() -> httpx.Response:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
        return await http.post("/hooks/omnidesk", params={"token": WEBHOOK_TOKEN, "case": "664-245651",
                                                          "template": "e-receipt"})

    response = run(body())
    assert response.status_code == 502
    assert "Omnidesk" in response.json()["message"]
    (entry,) = entries(_db(data_dir))
    assert entry.status == "void" and entry.void_reason and "attach failed" in entry.void_reason


def test_the_webhook_refuses_a_body_over_64_kib_without_reading_it_whole(app: Starlette, data_dir: Path) -> None:
    pulled = [0]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the cap must stop the stream itself
        for _ in range(1000):
            pulled[0] += 1
            yield b" " * 1024

    async def body() -> tuple[httpx.Response, httpx.Response]:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
        headers = {"X-Omnidesk-Macros-Token": WEBHOOK_TOKEN}
        declared = await http.post("/hooks/omnidesk", headers=headers,
                                   json={"case_number": "664-245651", "template": "e-receipt", "pad": "x" * MAX_BODY})
        streamed = await http.post("/hooks/omnidesk", headers={**headers, "Content-Type": "application/json"},
                                   content=chunks())
        return declared, streamed

    declared, streamed = run(body())
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert declared.json() == {"error": "body_too_large", "message": "тело запроса больше 64 КиБ"}
    assert pulled[0] <= MAX_BODY // 1024 + 2  # read up to the cap, not the 1000 KiB sent
    assert entries(_db(data_dir)) == []


def test_security_headers(app: Starlette) -> None:
    async def body() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        staff = await signed_in(app)
        page = await staff.get("/cases/664-245651")
        letter = await staff.print_letter()
        docx = await staff.get(letter.headers["location"] + ".docx")
        return page, docx, await staff.get("/static/service.css")

    page, docx, static = run(body())
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://example.omnidesk.ru" in csp and "script-src 'self'" in csp
    for response in (page, docx):
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert static.headers["cache-control"] != "no-store"


def _db(data_dir: Path):
    from print_service.db import Database

    return Database(data_dir)


def test_the_log_and_the_registry_hold_no_personal_data_after_a_print(app: Starlette, data_dir: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def body() -> None:
        staff = await signed_in(app)
        letter = await staff.print_letter()
        assert letter.status_code == 303
        shown = await staff.get(letter.headers["location"])
        assert SUBSCRIBER[0] in shown.text  # the page shows the subscriber; the log and registry must not
        assert (await staff.post(letter.headers["location"] + "/attach")).status_code == 303

    run(body())
    audit = [r.getMessage() for r in caplog.records if r.name.endswith(".audit")]
    assert any("staff=kuznetsova case=664-245651 template=e-receipt" in line and "outcome=issued" in line
               for line in audit)
    with sqlite3.connect(data_dir / FILE_NAME) as conn:
        rows = conn.execute("SELECT * FROM letters").fetchall()
    stored = repr(rows) + as_csv(entries(_db(data_dir)))
    for datum in SUBSCRIBER:
        assert datum not in caplog.text
        assert datum not in stored
        for part in datum.split():
            if len(part) > 6:
                assert part not in caplog.text, part


def test_a_slow_omnidesk_gives_a_russian_message_not_a_stack_trace(make_app, sandbox: SandboxServer) -> None:
    app = make_app(omnidesk_deadline=1.5)
    httpx.post(f"{sandbox.url}/_admin/faults", json={"latency_ms": 4000})

    async def body() -> httpx.Response:
        staff = await signed_in(app)
        return await staff.get("/cases/664-245652")

    response = run(body())
    assert response.status_code in (502, 504)
    assert "Omnidesk не ответил" in response.text
    assert "Traceback" not in response.text and "httpx" not in response.text


def test_a_failing_omnidesk_gives_a_russian_message(app: Starlette, sandbox: SandboxServer) -> None:
    httpx.post(f"{sandbox.url}/_admin/faults", json={"error": {"count": 50, "status": 503}})

    async def body() -> httpx.Response:
        return await (await signed_in(app)).get("/cases/664-245653")

    response = run(body())
    assert response.status_code == 502
    assert "Omnidesk" in response.text and "Traceback" not in response.text


def test_outside_sandbox_mode_the_service_needs_a_secret_key() -> None:
    with pytest.raises(ConfigError, match="OMNIDESK_MACROS_SECRET_KEY"):
        ServiceSettings.from_env("https://x.omnidesk.ru", sandbox=False, environ={})
    settings = ServiceSettings.from_env("https://x.omnidesk.ru", sandbox=False,
                                        environ={"OMNIDESK_MACROS_SECRET_KEY": "k" * 32})
    assert settings.omnidesk_origin == "https://x.omnidesk.ru"


@pytest.mark.parametrize(("url", "origin"), [
    ("https://x.omnidesk.ru/api", "https://x.omnidesk.ru"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("https://[::1]:8443/", "https://[::1]:8443"),
    ("https://x.omnidesk.ru;script-src *", None),
    ("https://x.omnidesk.ru 'unsafe-inline'", None),
    ("https://x.omnidesk.ru,https://evil.example", None),
    ('https://x.omnidesk.ru"', None),
    ("https://x.omnidesk.ru/a;b", None),
    ("https://x.omni\ndesk.ru", None),
    ("javascript://x.omnidesk.ru", None),
    ("ftp://x.omnidesk.ru", None),
    ("https://", None),
    ("https:///api", None),
    ("https://staff:secret-key@x.omnidesk.ru", None),
])
def test_omnidesk_url_is_checked_before_it_goes_into_the_csp(url: str, origin: str | None) -> None:
    def settings() -> ServiceSettings:
        return ServiceSettings.from_env(url, sandbox=True, environ={})

    if origin is not None:
        assert settings().omnidesk_origin == origin
        return
    with pytest.raises(ConfigError, match="^OMNIDESK_URL ") as refused:
        settings()
    assert "secret-key" not in str(refused.value)


def test_a_short_webhook_token_stops_the_service_naming_the_variable(tmp_path: Path) -> None:
    def token(raw: str) -> str | None:
        return ServiceSettings.from_env("https://x.omnidesk.ru", sandbox=True,
                                        environ={"OMNIDESK_MACROS_WEBHOOK_TOKEN": raw}).webhook_token

    assert token("") is None  # unset: the hook is off
    assert token(" " + "t" * MIN_WEBHOOK_TOKEN + " ") == "t" * MIN_WEBHOOK_TOKEN
    with pytest.raises(ConfigError, match=r"OMNIDESK_MACROS_WEBHOOK_TOKEN is too short \(23 characters\)"):
        token("t" * (MIN_WEBHOOK_TOKEN - 1))
    env = {**os.environ, "OMNIDESK_URL": "https://x.omnidesk.ru", "OMNIDESK_EMAIL": "staff@example.com",
           "OMNIDESK_API_KEY": "key", "OMNIDESK_MACROS_SECRET_KEY": "k" * 32, "OMNIDESK_MACROS_WEBHOOK_TOKEN": "short-token"}
    served = subprocess.run([sys.executable, "cli.py", "serve", "--data", str(tmp_path / "svc")], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert served.returncode == 2  # stopped before listening or asking Omnidesk anything
    assert served.stderr.startswith("Error: OMNIDESK_MACROS_WEBHOOK_TOKEN is too short (11 characters): use at least 24")


def test_a_sign_in_redirect_stays_on_this_service(app: Starlette) -> None:
    async def body() -> str:
        staff = Staff(app)
        await staff.get("/signin")
        response = await staff.post("/signin", {"username": "kuznetsova", "password": "correct horse battery",
                                                "next": "//evil.example/x"})
        return response.headers["location"]

    assert run(body()) == "/"


def test_a_failed_attach_at_the_counter_leaves_an_audit_line(app: Starlette, sandbox: SandboxServer,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    async def body() -> httpx.Response:
        staff = await signed_in(app)
        letter = await staff.print_letter()
        httpx.post(f"{sandbox.url}/_admin/faults",
                   json={"error": {"count": 5, "methods": ["POST"], "path_contains": "note", "status": 500}})
        return await staff.post(letter.headers["location"] + "/attach")

    response = run(body())
    assert response.status_code == 502 and "Omnidesk" in response.text
    audit = [r.getMessage() for r in caplog.records if r.name.endswith(".audit")]
    assert any(line.startswith("attach staff=kuznetsova case=664-245651 template=e-receipt") and
               "outcome=failed status=502" in line for line in audit), audit
