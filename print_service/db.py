"""The service's SQLite file: accounts, sessions, the outgoing-letter registry, the billing directory.

A connection per operation (threads of the server never share one); WAL so readers never wait for the
writer; writers that must serialize (the registry's next number) open ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import sqlite3
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
    expires_at REAL NOT NULL
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


class Database:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.connect() as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open the print service database {self.path}: {exc}") from exc

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self, immediate: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction; ``immediate`` takes the write lock at BEGIN, so read-then-write cannot race."""
        with self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
