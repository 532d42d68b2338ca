"""`serve` on its embedded default: a new user can sign in at once with the demo account it prints; a real
account never gets one."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from omnidesk_macros.loader import default_templates_dir
from print_service.accounts import list_users
from print_service.db import Database
from print_service.server import ServiceThread, build, demo_account
from sync.sandbox import SandboxServer
from sync.settings import ENV_VARS, OmnideskSettings
from tests.helpers import REPO
from tests.service.conftest import Staff, run

SIGNATORY = ("Самарина Н.Н.", "Начальник отдела продаж населению")  # templates_src/company.yaml


def test_sandbox_mode_creates_one_demo_account_that_signs_letters(sandbox: SandboxServer, tmp_path: Path) -> None:
    apps: list[Starlette] = []
    try:
        apps.append(build(OmnideskSettings(url=sandbox.url), default_templates_dir(), tmp_path / "svc", sandbox=True))
        demo = demo_account(apps[0])
        assert demo is not None and demo.login == "demo" and len(demo.password) >= 16
        assert (demo.full_name, demo.position) == SIGNATORY
        assert demo_account(apps[0]) is None  # an account exists now: no second one
        apps.append(build(OmnideskSettings(url=sandbox.url), default_templates_dir(), tmp_path / "svc", sandbox=True))
        assert demo_account(apps[1]) is None  # nor on the next start
        assert [login for login, _, _ in list_users(Database(tmp_path / "svc"))] == ["demo"]

        async def body() -> str:
            staff = Staff(apps[0])
            await staff.get("/signin")
            signed = await staff.post("/signin", {"username": "demo", "password": demo.password, "next": "/"})
            assert signed.status_code == 303, signed.text
            await staff.get("/")
            letter = await staff.print_letter()
            assert letter.status_code == 303, letter.text
            page = await staff.get(letter.headers["location"])
            await staff.close()
            return page.text

        page = run(body())
        assert "Самарина Н.Н." in page and "Начальник отдела продаж населению" in page
    finally:
        for app in apps:
            app.state.service.close()


def test_a_real_account_gets_no_demo_account(sandbox: SandboxServer, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIDESK_MACROS_SECRET_KEY", "a-long-enough-secret-key-for-tests")
    app = build(OmnideskSettings(url=sandbox.url), default_templates_dir(), tmp_path / "svc", sandbox=False)
    try:
        assert demo_account(app) is None
        assert list_users(Database(tmp_path / "svc")) == []
    finally:
        app.state.service.close()


def _serve(data: Path, port: int) -> tuple[list[str], str | None]:
    """Run `serve` until it answers, sign in with the password it printed (if any), stop it with Ctrl-C."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env.update(OMNIDESK_MACROS_WARM_PDF="0", PYTHONUNBUFFERED="1")
    lines: list[str] = []
    password = None
    with subprocess.Popen([sys.executable, "cli.py", "serve", "--port", str(port), "--data", str(data)],
                          cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        try:
            assert process.stdout is not None
            while not lines or not lines[-1].startswith("Print service at"):
                line = process.stdout.readline()
                assert line, f"serve exited: {''.join(lines)}"
                lines.append(line)
            found = re.search(r"account `demo`, password (\S+) ", "".join(lines))
            password = found.group(1) if found else None
            if password:
                _sign_in(f"http://127.0.0.1:{port}", password)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    return lines, password


def _sign_in(url: str, password: str) -> None:
    with httpx.Client(base_url=url) as client:
        for _ in range(200):  # until uvicorn listens
            try:
                page = client.get("/signin")
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        csrf = re.search(r'data-csrf="([^"]*)"', page.text)
        assert csrf
        signed = client.post("/signin", data={"csrf": csrf.group(1), "username": "demo", "password": password})
        assert signed.status_code == 303, signed.text


def test_serve_prints_the_demo_password_once_and_it_signs_in(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    first, password = _serve(tmp_path / "svc", port)
    assert password is not None, "".join(first)
    assert first[0].startswith("No OMNIDESK_* settings: using the bundled sandbox")
    again, repeated = _serve(tmp_path / "svc", port)
    assert repeated is None and not any(password in line for line in again)


def test_the_service_parses_http_with_httptools(app: Starlette) -> None:
    """The C parser is the one in use (uvicorn's "auto" would quietly fall back to h11 without it)."""
    with ServiceThread(app) as service:
        answer = httpx.get(f"{service.url}/signin")
        protocol = service.server.config.http_protocol_class
    assert answer.status_code == 200 and "data-csrf" in answer.text
    assert protocol.__module__ == "uvicorn.protocols.http.httptools_impl"
