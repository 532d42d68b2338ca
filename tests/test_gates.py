"""The strict gates set once in pyproject.toml: ruff over the tree, mypy over the packages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import REPO


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
    [sys.executable, "-m", "mypy", "omnidesk_macros", "sync", "print_service", "cli.py"],
], ids=["ruff", "mypy"])
def test_gate_passes(command: list[str]) -> None:
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
