"""The outgoing-letter registry: every printed or attached letter gets the next number of the year.

    record(…, make)   take the next number and record the letter made with it (or void, with the reason)
    void(number, reason)   a letter that was made but could not be delivered (a webhook's failed attach)

A number is taken in one ``BEGIN IMMEDIATE`` transaction, so concurrent prints get distinct, increasing
numbers; a print that fails after taking one marks it void with the reason, leaving no unexplained gap.
Rows hold no personal data: number, case number, template id and hash, staff login, time, channel, the
DOCX's SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .db import Database

COLUMNS = ("number", "case_number", "template_id", "template_sha256", "staff", "created_at", "channel",
           "docx_sha256", "status", "void_reason", "attached_at")


@dataclass(frozen=True)
class Entry:
    number: str
    case_number: str
    template_id: str
    template_sha256: str
    staff: str
    created_at: str
    channel: str
    docx_sha256: str | None
    status: str
    void_reason: str | None
    attached_at: str | None


def record(db: Database, number_format: str, *, case_number: str, template_id: str, template_sha256: str,
           staff: str, channel: str, now: datetime, make: Callable[[str], bytes]) -> tuple[str, bytes]:
    """Take the next number and record the letter ``make(number)`` returns, in one transaction (one fsync).

    If ``make`` raises, the number is recorded void with the reason, in the same transaction, and the
    error goes on up: the registry never has a gap nor a number for a letter that was not made.
    """
    year = now.year
    with db.transaction(immediate=True) as conn:
        seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM letters WHERE year = ?", (year,)).fetchone()[0]
        number = number_format.format(year=year, seq=seq)
        row = (number, year, seq, case_number, template_id, template_sha256, staff, now.isoformat(timespec="seconds"),
               channel)
        insert = ("INSERT INTO letters (number, year, seq, case_number, template_id, template_sha256, staff,"
                  " created_at, channel, status, docx_sha256, void_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        try:
            docx = make(number)
        except Exception as exc:
            conn.execute(insert, (*row, "void", None, f"render failed: {type(exc).__name__}"))
            failed = exc
        else:
            conn.execute(insert, (*row, "issued", hashlib.sha256(docx).hexdigest(), None))
            return number, docx
    raise failed


def void(db: Database, number: str, reason: str) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE letters SET status = 'void', void_reason = ? WHERE number = ?", (reason[:300], number))


def mark_attached(db: Database, number: str, when: datetime) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE letters SET attached_at = ? WHERE number = ?", (when.isoformat(timespec="seconds"), number))


def entries(db: Database, year: int | None = None) -> list[Entry]:
    query = f"SELECT {', '.join(COLUMNS)} FROM letters"
    params: tuple[int, ...] = ()
    if year is not None:
        query += " WHERE year = ?"
        params = (year,)
    with db.connect() as conn:
        rows = conn.execute(query + " ORDER BY year, seq", params).fetchall()
    return [Entry(**dict(row)) for row in rows]


def as_csv(items: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow(["" if getattr(item, c) is None else getattr(item, c) for c in COLUMNS])
    return out.getvalue()


def as_table(items: list[Entry]) -> str:
    lines = [f"{e.number:<20} {e.created_at:<20} {e.case_number:<12} {e.template_id:<28} {e.staff:<16} "
             f"{e.channel:<8} {e.status}{' (' + (e.void_reason or '') + ')' if e.status == 'void' else ''}"
             for e in items]
    return "\n".join(lines + [f"{len(items)} letter(s)"])
