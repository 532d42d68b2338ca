"""The sandbox's state: Omnidesk objects as JSON documents in one SQLite file.

Every object kind (case, user, label, macro, …) lives in one table keyed by ``(kind, id)``; the document is
exactly the object the API returns, so handlers read and write plain dicts and the file stays inspectable
with ``sqlite3``. One connection serves every request thread, guarded by a lock: the sandbox is for one
developer or one test run, not for throughput.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from omnidesk_macros.errors import ConfigError

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS sequences (kind TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    file_id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    content BLOB NOT NULL
);
"""


class Store:
    """JSON documents by kind and id, with per-kind id sequences."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the sandbox data file {self.path}: {exc}; choose another file",
                              setting="data") from exc
        try:
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "objects" not in tables:
                # another program's database: adding our tables and demo data to it would damage it
                raise sqlite3.DatabaseError(f"it holds other tables ({', '.join(sorted(tables))})")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ConfigError(
                f"{self.path} is not a sandbox data file ({exc}); choose another file, or delete this one",
                setting="data",
            ) from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group many writes into one commit (seeding writes hundreds of objects)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM objects LIMIT 1").fetchone() is None

    def wipe(self) -> None:
        with self._lock:
            self._db.executescript("DELETE FROM objects; DELETE FROM sequences; DELETE FROM files;")

    def next_id(self, kind: str, start: int = 1) -> int:
        with self._lock:
            row = self._db.execute("SELECT next_id FROM sequences WHERE kind = ?", (kind,)).fetchone()
            value = row[0] if row else start
            self._db.execute(
                "INSERT INTO sequences (kind, next_id) VALUES (?, ?) "
                "ON CONFLICT (kind) DO UPDATE SET next_id = excluded.next_id",
                (kind, value + 1),
            )
            return int(value)

    def insert(self, kind: str, id_field: str, data: dict[str, Any], start: int = 1) -> dict[str, Any]:
        """Store a new object, giving it the next id of its kind unless ``data`` already has one."""
        with self._lock:
            if data.get(id_field) is None:
                data = {id_field: self.next_id(kind, start), **data}
            else:
                self._bump(kind, int(data[id_field]))
            self._db.execute(
                "INSERT INTO objects (kind, id, data) VALUES (?, ?, ?)",
                (kind, int(data[id_field]), json.dumps(data, ensure_ascii=False)),
            )
            return data

    def get(self, kind: str, object_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, object_id)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, object_id: int, data: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE objects SET data = ? WHERE kind = ? AND id = ?",
                (json.dumps(data, ensure_ascii=False), kind, object_id),
            )

    def delete(self, kind: str, object_id: int) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, object_id))
            return cursor.rowcount > 0

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every object of a kind in id order."""
        with self._lock:
            rows = self._db.execute("SELECT data FROM objects WHERE kind = ? ORDER BY id", (kind,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def add_file(self, file_name: str, mime_type: str, content: bytes) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO files (file_name, mime_type, content) VALUES (?, ?, ?)", (file_name, mime_type, content)
            )
            return int(cursor.lastrowid or 0)

    def get_file(self, file_id: int) -> tuple[str, str, bytes] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT file_name, mime_type, content FROM files WHERE file_id = ?", (file_id,)
            ).fetchone()
        return (row[0], row[1], bytes(row[2])) if row else None

    def _bump(self, kind: str, used: int) -> None:
        """Keep the sequence past an id given explicitly (seed data, admin imports)."""
        self._db.execute(
            "INSERT INTO sequences (kind, next_id) VALUES (?, ?) "
            "ON CONFLICT (kind) DO UPDATE SET next_id = max(next_id, excluded.next_id)",
            (kind, used + 1),
        )
