"""Sessions: a new id at every sign-in, the cookie's flags, absolute and idle expiry, sign-out and disabling
end them on the server, passwords hashed at OWASP's scrypt cost."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from print_service import accounts
from print_service.accounts import SCRYPT_N, SCRYPT_P, SCRYPT_R, disable_user, needs_rehash
from print_service.db import FILE_NAME, Database
from tests.service.conftest import STAFF_LOGIN, STAFF_PASSWORD, Staff, run, signed_in

# OWASP Password Storage Cheat Sheet: the minimum n=2**17, r=8, p=1 and the settings it lists as equivalent
OWASP_SCRYPT = [(2**17, 8, 1), (2**16, 8, 2), (2**15, 8, 3), (2**14, 8, 5), (2**13, 8, 10)]


def _cookie(staff: Staff) -> str:
    return staff.http.cookies["odm_session"]


async def _status_with(app: Starlette, cookie: str) -> int:
    """What a client holding only this session cookie gets for the start page (200 in, 303 to sign-in)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1",
                                 cookies={"odm_session": cookie}) as other:
        return (await other.get("/")).status_code


def _sessions(data_dir: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(data_dir / FILE_NAME) as conn:
        conn.execute(sql, params)


def test_sign_in_gives_a_new_session_id_and_ends_the_one_it_came_with(app: Starlette) -> None:
    async def body() -> tuple[str, str, int, int]:
        first = await signed_in(app)
        old = _cookie(first)
        again = await first.post("/signin", {"username": STAFF_LOGIN, "password": STAFF_PASSWORD, "next": "/"})
        assert again.status_code == 303
        planted = Staff(app)  # a fixation attempt: a session id chosen by someone else before sign-in
        planted.http.cookies.set("odm_session", "chosen-by-the-attacker")
        await planted.get("/signin")
        await planted.post("/signin", {"username": STAFF_LOGIN, "password": STAFF_PASSWORD, "next": "/"})
        return old, _cookie(first), await _status_with(app, old), await _status_with(app, "chosen-by-the-attacker")

    old, new, old_status, planted_status = run(body())
    assert old != new
    assert (old_status, planted_status) == (303, 303)


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(make_app: Callable[..., Starlette],
                                                                           secure: bool) -> None:
    async def body() -> str:
        app = make_app(secure_cookies=secure)
        staff = Staff(app)
        staff.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1")
        await staff.get("/signin")
        response = await staff.post("/signin", {"username": STAFF_LOGIN, "password": STAFF_PASSWORD})
        return next(v for v in response.headers.get_list("set-cookie") if v.startswith("odm_session="))

    flags = [part.strip().lower() for part in run(body()).split(";")]
    assert "httponly" in flags and "samesite=lax" in flags
    assert ("secure" in flags) is secure


def test_sign_out_ends_the_session_on_the_server(app: Starlette) -> None:
    async def body() -> tuple[int, int, int]:
        staff = await signed_in(app)
        cookie = _cookie(staff)
        before = await _status_with(app, cookie)
        signout = await staff.post("/signout")
        return before, signout.status_code, await _status_with(app, cookie)  # the cookie replayed

    assert run(body()) == (200, 303, 303)


def test_disabling_an_account_ends_its_sessions_at_once(app: Starlette, data_dir: Path) -> None:
    async def body() -> tuple[int, int]:
        staff = await signed_in(app)
        before = await _status_with(app, _cookie(staff))
        disable_user(Database(data_dir), STAFF_LOGIN)
        return before, await _status_with(app, _cookie(staff))

    assert run(body()) == (200, 303)


@pytest.mark.parametrize(("column", "seconds_ago"), [("expires_at", 1), ("last_seen", 61 * 60)])
def test_a_session_past_its_shift_or_left_idle_is_over(app: Starlette, data_dir: Path, column: str,
                                                       seconds_ago: float) -> None:
    async def body() -> tuple[int, int]:
        staff = await signed_in(app)
        before = await _status_with(app, _cookie(staff))
        _sessions(data_dir, f"UPDATE sessions SET {column} = ?", time.time() - seconds_ago)
        return before, await _status_with(app, _cookie(staff))

    assert run(body()) == (200, 303)


def test_use_moves_the_idle_deadline_on(app: Starlette, data_dir: Path) -> None:
    async def body() -> int:
        staff = await signed_in(app)
        _sessions(data_dir, "UPDATE sessions SET last_seen = ?", time.time() - 59 * 60)
        await _status_with(app, _cookie(staff))  # used a minute before it would have ended
        return await _status_with(app, _cookie(staff))

    assert run(body()) == 200
    with sqlite3.connect(data_dir / FILE_NAME) as conn:
        (last_seen,) = conn.execute("SELECT last_seen FROM sessions").fetchone()
    assert last_seen > time.time() - 60


def test_a_database_from_before_idle_expiry_gains_the_column_and_its_sessions_end(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / FILE_NAME) as conn:
        conn.execute("CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,"
                     " expires_at REAL NOT NULL)")
        conn.execute("INSERT INTO sessions VALUES ('x', 'someone', ?)", (time.time() + 3600,))
    Database(tmp_path)
    with sqlite3.connect(tmp_path / FILE_NAME) as conn:
        assert conn.execute("SELECT last_seen FROM sessions").fetchone() == (0,)


def test_passwords_are_hashed_at_owasp_cost_and_older_hashes_are_redone_at_sign_in(app: Starlette,
                                                                                   data_dir: Path) -> None:
    assert (SCRYPT_N, SCRYPT_R, SCRYPT_P) in OWASP_SCRYPT
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(STAFF_PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    _sessions(data_dir, "UPDATE accounts SET password = ?", f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}")
    run(signed_in(app))
    with sqlite3.connect(data_dir / FILE_NAME) as conn:
        (stored,) = conn.execute("SELECT password FROM accounts").fetchone()
    assert not needs_rehash(stored)
    assert accounts.verify_password(STAFF_PASSWORD, stored) and not accounts.verify_password("wrong", stored)
