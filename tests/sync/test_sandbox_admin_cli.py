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


def test_the_checklist_deletes_a_category_as_the_ui_does(tmp_path: Path) -> None:
    """Its macros fall back to «Без категории» (0), exactly as DELETE /_admin/macro_categories/{id} leaves them."""
    from sync.sandbox.administrator import perform_steps
    from sync.sandbox.seed import add_macro, add_macro_category
    from sync.sandbox.store import Store

    store = Store(tmp_path / "s.sqlite3")
    try:
        category = add_macro_category(store, "Устаревшее")
        macro = add_macro(store, {"title": "Старый ответ", "category_id": category["macros_category_id"],
                                  "actions": []})
        step = {"kind": "macro_category", "action": "delete", "key": "category:old",
                "values": {"omnidesk_id": category["macros_category_id"]}}
        assert perform_steps(store, [step]) == {"performed": ["category:old"], "skipped": []}
        assert store.get("macro_category", category["macros_category_id"]) is None
        assert store.get("macro", macro["macro_id"])["category_id"] == 0
    finally:
        store.close()
