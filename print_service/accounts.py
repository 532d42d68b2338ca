"""Staff accounts (scrypt password hashes) and the sessions that expire.

    add_user / set_password / disable_user    what `omnidesk-macros users add|passwd|disable` calls
    authenticate(db, login, password)         the account, or None (same work whether the login exists)
    open_session / session_user / close_session    absolute expiry (one shift) and idle expiry
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from omnidesk_macros.errors import ConfigError

from .db import Database

# OWASP's floor for scrypt is n=2**17, r=8, p=1 or an equal-cost n=2**14, r=8, p=5: the latter keeps a
# check at 16 MiB (not 128), ~0.27 s here. Hashes made with other parameters are redone at sign-in.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 5
#: a session's last use is written at most this often: a write per request would queue on the registry's lock
TOUCH_SECONDS = 60.0
USERNAME = re.compile(r"^[a-z0-9._-]{2,64}$")
MIN_PASSWORD = 10


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    position: str = ""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def needs_rehash(stored: str) -> bool:
    return not stored.startswith(f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$")


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        actual = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(digest) // 2)
    except ValueError:
        return False
    return hmac.compare_digest(actual.hex(), digest)


# Checked against when the login is unknown, so a wrong login costs the same time as a wrong password.
_DUMMY = hash_password(secrets.token_urlsafe(16))


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password is too short: use at least {MIN_PASSWORD} characters")


def add_user(db: Database, username: str, full_name: str, password: str, position: str = "") -> Account:
    if not USERNAME.match(username):
        raise ConfigError(f"login {username!r}: use 2–64 characters a-z, 0-9, '.', '_' or '-'")
    if not full_name.strip():
        raise ConfigError("--full-name is required: the letters are signed with it (ФИО сотрудника)")
    _check_new_password(password)
    with db.transaction(immediate=True) as conn:
        if conn.execute("SELECT 1 FROM accounts WHERE username = ?", (username,)).fetchone():
            raise ConfigError(f"login {username!r} exists already; use `users passwd` to change its password")
        conn.execute(
            "INSERT INTO accounts (username, full_name, position, password, active, created_at) VALUES (?, ?, ?, ?, 1, ?)",
            (username, full_name.strip(), position.strip(), hash_password(password), datetime.now(UTC).isoformat()),
        )
    return Account(username, full_name.strip(), position.strip())


def set_password(db: Database, username: str, password: str) -> None:
    _check_new_password(password)
    with db.transaction(immediate=True) as conn:
        changed = conn.execute("UPDATE accounts SET password = ?, active = 1 WHERE username = ?",
                               (hash_password(password), username)).rowcount
        if not changed:
            raise ConfigError(f"no login {username!r}; add it with `users add`")
        conn.execute("DELETE FROM sessions WHERE username = ?", (username,))


def disable_user(db: Database, username: str) -> None:
    """The login can no longer sign in, and its open sessions end now."""
    with db.transaction(immediate=True) as conn:
        if not conn.execute("UPDATE accounts SET active = 0 WHERE username = ?", (username,)).rowcount:
            raise ConfigError(f"no login {username!r}")
        conn.execute("DELETE FROM sessions WHERE username = ?", (username,))


def list_users(db: Database) -> list[tuple[str, str, bool]]:
    with db.connect() as conn:
        rows = conn.execute("SELECT username, full_name, active FROM accounts ORDER BY username").fetchall()
    return [(r["username"], r["full_name"], bool(r["active"])) for r in rows]


def active_account(db: Database, username: str) -> Account | None:
    with db.connect() as conn:
        row = conn.execute("SELECT username, full_name, position FROM accounts WHERE username = ? AND active = 1",
                           (username,)).fetchone()
    return Account(row["username"], row["full_name"], row["position"]) if row else None


def authenticate(db: Database, username: str, password: str) -> Account | None:
    with db.connect() as conn:
        row = conn.execute("SELECT password, active FROM accounts WHERE username = ?", (username,)).fetchone()
    ok = verify_password(password, row["password"] if row else _DUMMY)
    if not (ok and row and row["active"]):
        return None
    if needs_rehash(row["password"]):  # weaker parameters of an older version: the password is at hand now
        with db.transaction(immediate=True) as conn:
            conn.execute("UPDATE accounts SET password = ? WHERE username = ?", (hash_password(password), username))
    return active_account(db, username)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def open_session(db: Database, username: str, hours: float) -> str:
    """A new session's cookie value; expired sessions are swept on the way."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with db.transaction(immediate=True) as conn:
        conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
        conn.execute("INSERT INTO sessions (token_hash, username, expires_at, last_seen) VALUES (?, ?, ?, ?)",
                     (_token_hash(token), username, now + hours * 3600, now))
    return token


def session_user(db: Database, token: str, idle_minutes: float) -> Account | None:
    """The session's account, unless the session is over: past its shift, unused for ``idle_minutes``
    (a desk left signed in), closed, or its account disabled. A use moves the idle deadline on."""
    now = time.time()
    key = _token_hash(token)
    with db.connect() as conn:
        row = conn.execute(
            "SELECT a.username, a.full_name, a.position, s.last_seen FROM sessions s JOIN accounts a USING (username)"
            " WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen > ? AND a.active = 1",
            (key, now, now - idle_minutes * 60)).fetchone()
    if row is None:
        return None
    if row["last_seen"] < now - TOUCH_SECONDS:
        with db.transaction() as conn:
            conn.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, key))
    return Account(row["username"], row["full_name"], row["position"])


def close_session(db: Database, token: str) -> None:
    with db.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))
