"""``omnidesk-macros sandbox`` starts on a fresh machine, answers curl's request, and stops on Ctrl-C."""

from __future__ import annotations

import contextlib
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from cli import cli, hint
from omnidesk_macros.errors import ConfigError
from sync.sandbox import SandboxConfig, SandboxServer


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--data", "--email", "--api-key", "--rate-limit"):
        assert option in result.output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_starts_prints_credentials_serves_and_stops(tmp_path: Path, stop: signal.Signals) -> None:
    data = tmp_path / "fresh" / "sandbox.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "sandbox", "--port", "0", "--data", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(4)]
        url = re.search(r"at (http://127\.0\.0\.1:\d+)/api", banner[0])
        assert url, banner
        assert "OMNIDESK_EMAIL=admin@sandbox.local OMNIDESK_API_KEY=sandbox-key" in banner[1]
        response = httpx.get(f"{url.group(1)}/api/cases.json", auth=("admin@sandbox.local", "sandbox-key"))
        assert response.status_code == 200 and response.json()["total_count"] == 24
        refused = httpx.post(f"{url.group(1)}/api/macros.json", auth=("admin@sandbox.local", "sandbox-key"), json={})
        assert refused.status_code == 405
        assert data.exists()
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Stopped." in out


@pytest.mark.parametrize("args, message", [
    (["--host", "0.0.0.0"], "Error: the sandbox listens on this machine only"),
    (["--host", "192.0.2.10"], "use 127.0.0.1, ::1 or localhost\n    hint: set it with --host"),
    (["--rate-limit", "0"], "Invalid value for '--rate-limit'"),
    (["--rate-limit", "-1"], "Invalid value for '--rate-limit'"),
])
def test_settings_that_would_refuse_every_request_are_refused_at_start(
    tmp_path: Path, args: list[str], message: str
) -> None:
    data = tmp_path / "sandbox.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "sandbox", "--port", "0", "--data", str(data), *args],
        capture_output=True, text=True, encoding="utf-8", timeout=30,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert message in result.stderr
    assert not data.exists()  # refused before anything was created


def _sqlite_of_another_program(folder: Path) -> Path:
    path = folder / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE accounts (id INTEGER)")
    return path


@pytest.mark.parametrize("start, option", [
    (lambda folder: SandboxServer(folder / "s.sqlite3", host="0.0.0.0", port=0), "--host"),
    (lambda folder: SandboxServer(_sqlite_of_another_program(folder), port=0), "--data"),
    (lambda folder: SandboxConfig(rate_limit_per_minute=0), "--rate-limit"),
    (lambda folder: SandboxConfig(email=" "), "--email"),
    (lambda folder: SandboxConfig(api_key=""), "--api-key"),
])
def test_sandbox_settings_errors_name_no_flag_and_the_cli_words_the_hint(
    tmp_path: Path, start: Callable[[Path], object], option: str
) -> None:
    """The library names the setting; only cli.py knows which of its options sets it."""
    with pytest.raises(ConfigError) as raised:
        start(tmp_path)
    assert "--" not in str(raised.value)
    assert hint(raised.value) == f"set it with {option}"
