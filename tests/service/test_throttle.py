"""Sign-in rate limiting: 5 failures per login and address within 5 minutes, then a Russian refusal."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from print_service.throttle import SignInThrottle
from tests.service.conftest import STAFF_LOGIN, STAFF_PASSWORD, Staff, run


def from_address(app: Starlette, address: str) -> Staff:
    staff = Staff(app)
    staff.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                                   base_url="http://127.0.0.1")
    return staff


def test_five_failures_refuse_the_sixth_attempt_even_with_the_right_password(app: Starlette) -> None:
    async def body() -> tuple[list[int], int, str, int, int]:
        guesser = from_address(app, "10.0.0.7")
        await guesser.get("/signin")
        wrong = [(await guesser.post("/signin", {"username": STAFF_LOGIN, "password": f"guess {n}"})).status_code
                 for n in range(5)]
        refused = await guesser.post("/signin", {"username": STAFF_LOGIN, "password": STAFF_PASSWORD})
        other_login = await guesser.post("/signin", {"username": "someone-else", "password": "guess"})
        colleague = from_address(app, "10.0.0.8")  # the same login from another desk is not locked out
        await colleague.get("/signin")
        allowed = await colleague.post("/signin", {"username": STAFF_LOGIN, "password": STAFF_PASSWORD})
        await guesser.close()
        await colleague.close()
        return wrong, refused.status_code, refused.text + refused.headers.get("set-cookie", ""), other_login.status_code, \
            allowed.status_code

    wrong, status, text, other_login, allowed = run(body())
    assert wrong == [401] * 5
    assert status == 429
    assert "Слишком много неудачных попыток входа. Повторите через 5 мин." in text
    assert "odm_session=" not in text  # no session was opened
    assert other_login == 401 and allowed == 303


def test_the_window_slides_and_a_success_clears_the_count() -> None:
    now = [1000.0]
    throttle = SignInThrottle(clock=lambda: now[0])
    for _ in range(5):
        throttle.failed("ivanova", "10.0.0.7")
    assert throttle.wait_seconds("ivanova", "10.0.0.7") == 300.0
    now[0] += 299.0
    assert throttle.wait_seconds("ivanova", "10.0.0.7") == 1.0
    now[0] += 1.0
    assert throttle.wait_seconds("ivanova", "10.0.0.7") == 0.0  # the failures are 5 minutes old: forgotten
    for _ in range(4):
        throttle.failed("ivanova", "10.0.0.7")
    throttle.succeeded("ivanova", "10.0.0.7")
    throttle.failed("ivanova", "10.0.0.7")
    assert throttle.wait_seconds("ivanova", "10.0.0.7") == 0.0  # 1 failure since the success, not 5
