"""``templates_src/omnidesk.lock.json``: which Omnidesk object is ours, and what it looked like when pushed.

Committed with the templates. For each stable key of the desired state (``label:print``,
``kb:article:e-receipt``, ``macro:payments:payment-without-commission`` …) it records the Omnidesk kind and
id and the fingerprint of the object's compared fields at the last push (or when the plan last found an
administrator's manual step done). Because the desired and the live side are reduced to the same canonical
form, one fingerprint tells both stories: the sources changed when the desired fingerprint differs from it,
Omnidesk changed when the live one does.

An object not in the lock file is not ours, and nothing touches it without ``--prune``. A second file,
``omnidesk.push.lock`` (created with O_EXCL, holding the pid), lets one push run at a time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from omnidesk_macros.atomic_file import write_atomic
from omnidesk_macros.errors import ConfigError

LOCK_FILE = "omnidesk.lock.json"
PUSH_LOCK = "omnidesk.push.lock"
T = TypeVar("T")


@dataclass
class Entry:
    kind: str
    id: int
    hash: str


@dataclass
class LockFile:
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> LockFile:
        path = root / LOCK_FILE
        entries = read_state(
            path, lambda data: {key: Entry(str(e["kind"]), int(e["id"]), str(e["hash"]))
                                for key, e in data["objects"].items()},
            "is not a valid lock file", "restore it from git")
        return cls(path, entries or {})

    def id_of(self, key: str) -> int | None:
        entry = self.entries.get(key)
        return entry.id if entry else None

    def owner_of(self, kind: str, object_id: int) -> str | None:
        """The key owning this Omnidesk object, if any."""
        for key, entry in self.entries.items():
            if entry.kind == kind and entry.id == object_id:
                return key
        return None

    def record(self, key: str, kind: str, object_id: int, fingerprint: str) -> None:
        self.entries[key] = Entry(kind, object_id, fingerprint)

    def forget(self, key: str) -> None:
        self.entries.pop(key, None)

    def to_json(self) -> str:
        objects = {key: {"kind": e.kind, "id": e.id, "hash": e.hash} for key, e in sorted(self.entries.items())}
        return json.dumps({"version": 1, "objects": objects}, ensure_ascii=False, indent=2) + "\n"

    def save(self) -> None:
        """Written whole after every write to Omnidesk, so a crash loses at most the write in flight."""
        text = self.to_json()
        if self.path.exists() and self.path.read_text(encoding="utf-8") == text:
            return
        write_atomic(self.path, text.encode("utf-8"))


def read_state(path: Path, parse: Callable[[Any], T], problem: str, fix: str) -> T | None:
    """``parse`` applied to the JSON in ``path``; None when there is no such file. A file that does not parse
    is a ConfigError saying ``problem`` and ``fix`` (the lock file and the journal share this)."""
    if not path.exists():
        return None
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path} {problem} ({exc}); {fix}") from exc


@contextmanager
def one_push_at_a_time(root: Path) -> Iterator[None]:
    """Hold ``omnidesk.push.lock`` for the duration; a lock left by a dead process is taken over."""
    path = root / PUSH_LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder is not None and _alive(holder):
                raise ConfigError(f"another push (pid {holder}) is running on {root}; wait for it to finish, "
                                  f"or delete {path} if that process is gone") from None
            path.unlink(missing_ok=True)  # its owner died: the journal lets the next push resume
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        break
    else:
        raise ConfigError(f"could not take {path}; delete it if no push is running")
    try:
        yield
    finally:
        # only our own lock: had another push taken it over (thinking us dead), deleting it would let a third in
        if _holder(path) == os.getpid():
            path.unlink(missing_ok=True)


def _holder(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
