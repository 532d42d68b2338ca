"""The billing directory: the billing system's CSV export, looked up by account number at the counter.

Format (documented in the README): UTF-8 (or Windows-1251) text, ``;`` or ``,`` between fields, a header
row naming the columns ``account;full_name;address;email;phone`` (or in Russian: «лицевой счет», «ФИО»,
«адрес», «email»/«эл. почта», «телефон»); email and phone may be empty. An import replaces the whole
directory, and only when every row is good: otherwise every bad row is reported with its line number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from omnidesk_macros.context import PLACEHOLDERS, clean_text
from omnidesk_macros.errors import ConfigError, OmnideskMacrosError, RenderError

from .db import Database

COLUMNS = ("account", "full_name", "address", "email", "phone")
ALIASES = {
    "account": "account", "лицевой счет": "account", "лицевой счёт": "account", "лс": "account",
    "№ лицевого счета": "account", "номер лицевого счета": "account",
    "full_name": "full_name", "фио": "full_name",
    "address": "address", "адрес": "address",
    "email": "email", "e-mail": "email", "эл. почта": "email", "адрес эл. почты": "email",
    "phone": "phone", "телефон": "phone",
}
ACCOUNT = re.compile(r"^[0-9A-Za-z-]{1,32}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_FILE = 200_000_000


@dataclass(frozen=True)
class Subscriber:
    account: str
    full_name: str
    address: str
    email: str = ""
    phone: str = ""


class BillingImportError(OmnideskMacrosError):
    """The CSV has bad rows; ``problems`` lists them as (line, message)."""

    def __init__(self, path: Path, problems: list[tuple[int, str]]) -> None:
        shown = "\n".join(f"  {path}:{line}: {message}" for line, message in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{path}: {len(problems)} bad row(s), nothing imported:\n{shown}{more}")
        self.problems = problems


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")  # what a Russian billing system's export usually is


def parse_csv(path: Path) -> list[Subscriber]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    if len(raw) > MAX_FILE:
        raise ConfigError(f"{path}: over {MAX_FILE} bytes is not a billing export")
    text = _decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(rows, None)
    if not header:
        raise ConfigError(f"{path}: empty file; the first line must name the columns {';'.join(COLUMNS)}")
    names = [ALIASES.get(h.strip().casefold()) for h in header]
    missing = [c for c in ("account", "full_name", "address") if c not in names]
    if missing:
        raise ConfigError(f"{path}:1: the header names no column {', '.join(missing)}; expected {';'.join(COLUMNS)}")
    problems: list[tuple[int, str]] = []
    found: dict[str, int] = {}
    subscribers: list[Subscriber] = []
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append((line, f"{len(row)} fields, the header has {len(header)}"))
            continue
        values = {name: cell for name, cell in zip(names, row, strict=True) if name}
        try:
            subscriber = _subscriber(values)
        except RenderError as exc:
            problems.append((line, str(exc)))
            continue
        if subscriber.account in found:
            problems.append((line, f"account {subscriber.account} repeats line {found[subscriber.account]}"))
            continue
        found[subscriber.account] = line
        subscribers.append(subscriber)
    if problems:
        raise BillingImportError(path, problems)
    return subscribers


def _subscriber(values: dict[str, str]) -> Subscriber:
    cleaned = {name: clean_text(values.get(name, ""), name, PLACEHOLDERS["client"][name][1]) for name in COLUMNS}
    if not ACCOUNT.match(cleaned["account"]):
        raise RenderError(f"account {cleaned['account'][:40]!r} is not an account number (digits, letters, '-')")
    for name in ("full_name", "address"):
        if not cleaned[name]:
            raise RenderError(f"{name} is empty")
    if cleaned["email"] and not EMAIL.match(cleaned["email"]):
        raise RenderError(f"email {cleaned['email'][:60]!r} is not an email address")
    return Subscriber(**cleaned)


def import_csv(db: Database, path: Path) -> int:
    """Replace the directory with the file's rows, all or none; the number of subscribers."""
    subscribers = parse_csv(Path(path))
    with db.transaction(immediate=True) as conn:
        conn.execute("DELETE FROM billing")
        conn.executemany("INSERT INTO billing (account, full_name, address, email, phone) VALUES (?, ?, ?, ?, ?)",
                         [(s.account, s.full_name, s.address, s.email, s.phone) for s in subscribers])
    return len(subscribers)


def lookup(db: Database, account: str) -> Subscriber | None:
    with db.connect() as conn:
        row = conn.execute("SELECT account, full_name, address, email, phone FROM billing WHERE account = ?",
                           (account.strip(),)).fetchone()
    return Subscriber(**dict(row)) if row else None
