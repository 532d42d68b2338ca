"""The push journal: each write to Omnidesk is written down before it is sent.

A push can be cut off after Omnidesk committed a write but before the lock file recorded it (a crash,
Ctrl-C, a connection dropped after the server answered). For a create the journal keeps the ids of the
objects of that kind and title that existed just before the request; the next push adopts an object of that
title whose id is not among them, instead of creating it again. Updates and deletes are idempotent and simply
run again. The journal (``omnidesk.journal.json`` beside the lock file, not committed) is emptied when a push
completes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from omnidesk_macros.atomic_file import write_atomic

from .lockfile import read_state

JOURNAL_FILE = "omnidesk.journal.json"


@dataclass(frozen=True)
class Intent:
    """A create about to be sent: the key, the Omnidesk kind and title, the same-title ids that existed."""

    key: str
    kind: str
    title: str
    existing_ids: tuple[int, ...] = ()


@dataclass
class Journal:
    path: Path
    pending: dict[str, Intent] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Journal:
        path = root / JOURNAL_FILE
        pending = read_state(
            path, lambda data: {i["key"]: Intent(i["key"], i["kind"], i["title"], tuple(i["existing_ids"]))
                                for i in data["pending"]},
            "is damaged", "delete it and run `sync plan` to check")
        return cls(path, pending or {})

    def begin(self, intent: Intent) -> None:
        self.pending[intent.key] = intent
        self._save()

    def done(self, key: str) -> None:
        if self.pending.pop(key, None) is not None:
            self._save()

    def clear(self) -> None:
        self.pending.clear()
        self.path.unlink(missing_ok=True)

    def _save(self) -> None:
        data = {"pending": [asdict(i) for i in self.pending.values()]}
        write_atomic(self.path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
