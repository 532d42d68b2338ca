"""Fixtures for the print service: a sandbox on loopback, the app over it, a signed-in staff client.

The app is driven in-process through httpx.ASGITransport; each test body is a coroutine run by ``run``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from starlette.applications import Starlette

from omnidesk_macros.loader import default_templates_dir
from print_service.accounts import add_user
from print_service.app import create_app
from print_service.config import ServiceSettings
from print_service.db import Database
from sync.sandbox import SandboxConfig, SandboxServer
from sync.settings import OmnideskSettings

T = TypeVar("T")
STAFF_LOGIN, STAFF_PASSWORD = "kuznetsova", "correct horse battery"
WEBHOOK_TOKEN = "hook-token-0123456789abcdef"
# The seeded sandbox subscriber of case 664-245651 (invented data).
SUBSCRIBER = ("Иванов Пётр Петрович", "г. Самара, ул. Примерная, д. 1, кв. 1", "0000000001",
              "ivanov@example.com", "+79000000001")


def run(coroutine: Awaitable[T]) -> T:
    async def main() -> T:
        return await coroutine

    return asyncio.run(main())


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    config = SandboxConfig(rate_limit_per_minute=100_000)  # the service, not the sandbox's plan, is under test
    with SandboxServer(tmp_path / "sandbox.sqlite3", port=0, config=config).start() as server:
        yield server


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "service"
    add_user(Database(folder), STAFF_LOGIN, "Кузнецова Ольга Сергеевна", STAFF_PASSWORD, "Специалист ЦОК")
    return folder


@pytest.fixture
def make_app(sandbox: SandboxServer, data_dir: Path) -> Iterator[Callable[..., Starlette]]:
    """``make_app(**settings)``; each app's Omnidesk client is closed after the test (ASGITransport runs no
    lifespan)."""
    made: list[Starlette] = []

    def make(**overrides: Any) -> Starlette:
        settings = replace(ServiceSettings(secret_key=b"test-secret-key-0123456789", sandbox=True,
                                           webhook_token=WEBHOOK_TOKEN, omnidesk_origin="https://example.omnidesk.ru"),
                           **overrides)
        made.append(create_app(settings, OmnideskSettings(url=sandbox.url), default_templates_dir(), data_dir))
        return made[-1]

    yield make
    for app in made:
        app.state.service.close()


@pytest.fixture
def app(make_app: Callable[..., Starlette]) -> Starlette:
    return make_app()


class Staff:
    """A browser-like client: cookies, the CSRF token of the last page, sign-in."""

    def __init__(self, app: Starlette) -> None:
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
        self.csrf = ""

    async def get(self, path: str) -> httpx.Response:
        response = await self.http.get(path)
        found = re.search(r'data-csrf="([^"]*)"', response.text)
        if found:
            self.csrf = found.group(1)
        return response

    async def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True, **kwargs: Any) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form["csrf"] = self.csrf
        return await self.http.post(path, data=form, **kwargs)

    async def sign_in(self) -> httpx.Response:
        await self.get("/signin")
        response = await self.post("/signin", {"username": STAFF_LOGIN, "password": STAFF_PASSWORD, "next": "/"})
        assert response.status_code == 303, response.text
        await self.get("/")
        return response

    async def print_letter(self, case: str = "664-245651", template: str = "e-receipt",
                           fill: dict[str, str] | None = None) -> httpx.Response:
        data = {"template": template, **{f"fill.{k}": v for k, v in (fill or {}).items()}}
        return await self.post(f"/cases/{case}/letter", data)

    async def close(self) -> None:
        await self.http.aclose()


async def signed_in(app: Starlette) -> Staff:
    staff = Staff(app)
    await staff.sign_in()
    return staff
