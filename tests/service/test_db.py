"""The service's kept SQLite connections: one per thread, never shared, all closed at shutdown."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from print_service.db import Database


def test_a_persistent_database_keeps_one_connection_per_thread_and_closes_them(tmp_path: Path) -> None:
    db = Database(tmp_path, persistent=True)
    with db.connect() as first, db.connect() as again:
        assert first is again
    other: list[sqlite3.Connection] = []

    def in_thread() -> None:
        with db.connect() as conn:
            other.append(conn)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert other[0] is not first
    db.close()
    for conn in (first, other[0]):
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")
    with db.transaction() as conn:  # still usable after close: a new connection is opened
        assert conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0] == 0
    db.close()


def test_a_failed_transaction_rolls_back_on_the_kept_connection(tmp_path: Path) -> None:
    db = Database(tmp_path, persistent=True)
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO billing VALUES ('1', 'n', 'a', '', '')")
        raise RuntimeError("boom")
    with db.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM billing").fetchone()[0] == 0
        assert not conn.in_transaction
    db.close()
