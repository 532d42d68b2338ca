"""The service's SQLite file: accounts, sessions, the outgoing-letter registry, the billing directory.

Threads never share a connection. The CLI opens one per operation; the running service (``persistent``)
keeps one per thread, because opening costs more than the query, and closing the last connection of a
WAL database checkpoints it (an fsync); both stood out in the profile under load. WAL so readers
never wait for the writer; writers that must serialize (the registry's next number) open ``BEGIN
IMMEDIATE``. Every transaction (all of them write) first queues on a lock of this process: SQLite's own
busy wait sleeps up to 100 ms between tries, which made the slowest of 20 concurrent prints wait half a
second.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnidesk_macros.errors import ConfigError

FILE_NAME = "print_service.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    username TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,            -- ФИО сотрудника: the letter's signatory
    position TEXT NOT NULL DEFAULT '',  -- empty: taken from company.yaml by name
    password TEXT NOT NULL,             -- scrypt$n$r$p$salt$hash
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,        -- sha256 of the cookie: a stolen database opens no session
    username TEXT NOT NULL REFERENCES accounts(username),
    expires_at REAL NOT NULL,           -- the shift's end: absolute expiry
    last_seen REAL NOT NULL DEFAULT 0   -- idle expiry; 0 (a session from before this column) is over
);
CREATE TABLE IF NOT EXISTS letters (    -- the outgoing-letter registry: no personal data, by design
    number TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    case_number TEXT NOT NULL,
    template_id TEXT NOT NULL,
    template_sha256 TEXT NOT NULL,
    staff TEXT NOT NULL,                -- the login of the staff member
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,              -- counter | webhook
    docx_sha256 TEXT,
    status TEXT NOT NULL,               -- reserved | issued | void
    void_reason TEXT,
    attached_at TEXT,                   -- when the DOCX went onto the Omnidesk case as a note
    UNIQUE (year, seq)
);
CREATE TABLE IF NOT EXISTS billing (    -- the billing system's export, replaced whole by each import
    account TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    address TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL
);
"""


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Columns added since a file was made (CREATE TABLE IF NOT EXISTS leaves an old table as it was)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
    if "last_seen" not in columns:
        conn.execute("ALTER TABLE sessions ADD COLUMN last_seen REAL NOT NULL DEFAULT 0")


class Database:
    def __init__(self, data_dir: Path, *, persistent: bool = False) -> None:
        self.path = Path(data_dir) / FILE_NAME
        self.persistent = persistent
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._opened_lock = threading.Lock()
        self._write_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.connect() as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(SCHEMA)
                _add_missing_columns(conn)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the print service database {self.path}: {exc}") from exc

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        if not self.persistent:
            conn = self._open()
            try:
                yield conn
            finally:
                conn.close()
            return
        kept: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if kept is None:
            kept = self._local.conn = self._open()
            with self._opened_lock:
                self._opened.append(kept)
        yield kept

    def close(self) -> None:
        """Close the kept connections (the service's shutdown); the object stays usable."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
        self._local = threading.local()

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction; ``immediate`` takes the write lock at BEGIN, so read-then-write cannot race."""
        with self._write_lock, self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
