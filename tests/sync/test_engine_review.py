"""Bugs found reviewing the engine: the journal's order against the lock file, and the push lock's owner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from sync.apply import plan_sources, push
from sync.client import Client
from sync.lockfile import PUSH_LOCK, LockFile, one_push_at_a_time
from tests.helpers import TEMPLATES_SRC


def test_a_crash_while_saving_the_lock_file_after_a_create_leaves_the_intent_to_adopt_it(
        api: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    templates = Path(shutil.copytree(TEMPLATES_SRC, tmp_path / "templates_src"))
    original = LockFile.save

    def crash_once_a_label_is_recorded(self: LockFile) -> None:
        if any(e.kind == "label" for e in self.entries.values()):
            raise OSError("disk full")
        original(self)

    monkeypatch.setattr(LockFile, "save", crash_once_a_label_is_recorded)
    with pytest.raises(OSError):
        push(templates, api, checklist_dir=tmp_path / "c")
    monkeypatch.setattr(LockFile, "save", original)
    push(templates, api, checklist_dir=tmp_path / "c")
    titles = [label["label_title"] for label in api.iter_labels()]
    assert titles.count("Печать ответа") == 1
    plan = plan_sources(templates, api)
    assert not [c for c in plan.changes if c.kind == "label"], [c.note for c in plan.changes if c.kind == "label"]


def test_the_push_lock_is_removed_only_by_its_owner(tmp_path: Path) -> None:
    with one_push_at_a_time(tmp_path):
        assert (tmp_path / PUSH_LOCK).read_text() == str(os.getpid())
    assert not (tmp_path / PUSH_LOCK).exists()
    other: dict[str, Any] = {}
    with one_push_at_a_time(tmp_path):
        # another push took the lock over, believing this one dead: leaving must not free it for a third
        (tmp_path / PUSH_LOCK).write_text("1")
        other["pid"] = "1"
    assert (tmp_path / PUSH_LOCK).read_text() == other["pid"]
