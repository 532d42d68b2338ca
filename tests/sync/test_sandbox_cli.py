"""``omnidesk-macros sandbox`` starts on a fresh machine, answers curl's request, and stops on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from cli import cli


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
    (["--host", "192.0.2.10"], "use --host 127.0.0.1, ::1 or localhost"),
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
