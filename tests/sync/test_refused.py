"""Nothing listening on loopback: a refused connection is final at once, with the same clear message."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest
from click.testing import CliRunner

from cli import cli, hint
from omnidesk_macros.errors import TransportError
from sync.settings import SANDBOX_API_KEY, SANDBOX_EMAIL
from tests.helpers import TEMPLATES_SRC


def refused() -> httpx.ConnectError:
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError as cause:
        error = httpx.ConnectError("[Errno 111] Connection refused")
        error.__cause__ = cause
        return error


def counting(exc: Exception) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        raise exc

    return handler, seen


def test_a_refused_loopback_connection_is_not_retried(mock_client) -> None:
    handler, seen = counting(refused())
    client = mock_client(handler, url="http://127.0.0.1:1", email=SANDBOX_EMAIL, api_key=SANDBOX_API_KEY)
    with pytest.raises(TransportError, match=r"ConnectError\. Is the sandbox running\? Start it first\.$") as raised:
        client.get_user(1)
    assert len(seen) == 1 and raised.value.sandbox_down


def test_a_refused_remote_connection_is_still_retried(mock_client) -> None:
    handler, seen = counting(refused())
    with pytest.raises(TransportError, match="Check OMNIDESK_URL") as raised:
        mock_client(handler, max_attempts=3).get_user(1)
    assert len(seen) == 3 and not raised.value.sandbox_down


def free_port() -> int:
    with socket.socket() as probe:  # bound, then closed: nothing listens there afterwards
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_render_case_with_no_sandbox_says_so(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("OMNIDESK_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("OMNIDESK_EMAIL", SANDBOX_EMAIL)
    monkeypatch.setenv("OMNIDESK_API_KEY", SANDBOX_API_KEY)
    attempts: list[str] = []
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request",
                        _counted(httpx.HTTPTransport.handle_request, attempts))
    result = CliRunner().invoke(cli, ["render", "e-receipt", "--case", "664-245651", "--out",
                                      str(tmp_path / "x.docx"), "--templates", str(TEMPLATES_SRC)])
    assert result.exit_code == 1
    assert isinstance(result.exception, TransportError)
    assert "Is the sandbox running? Start it first." in str(result.exception)
    assert "omnidesk-macros" not in str(result.exception)  # a library message names no command
    assert hint(result.exception) == "start it with `omnidesk-macros sandbox` in another terminal"
    assert attempts == ["GET"] and not (tmp_path / "x.docx").exists()


def _counted(method, calls: list[str]):
    def wrapper(self, request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return method(self, request)
    return wrapper
