"""`sandbox-admin apply-checklist` against nothing listening: an Error line, not an httpx traceback."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from omnidesk_macros.errors import TransportError
from sync.sandbox.administrator import post_checklist


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_checklist_sent_to_no_sandbox_is_a_transport_error(tmp_path: Path) -> None:
    checklist = tmp_path / "checklist.json"
    checklist.write_text(json.dumps({"steps": []}), encoding="utf-8")
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(TransportError, match=f"no sandbox answers at {url}") as caught:
        post_checklist(url, checklist)
    assert caught.value.path == "/_admin/checklist"
