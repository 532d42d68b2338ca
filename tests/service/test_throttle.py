"""Sign-in rate limiting: 5 failures per login and address, 20 per address across logins, within 5 minutes,
then a Russian refusal; the address is X-Forwarded-For's only from a proxy named in the settings."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette

from omnidesk_macros.errors import ConfigError
from print_service.config import ServiceSettings
from print_service.server import ServiceThread
from print_service.throttle import MAX_ADDRESS_FAILURES, SignInThrottle, Wait
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
    assert throttle.wait("ivanova", "10.0.0.7") == Wait(300.0, whole_address=False)
    now[0] += 299.0
    assert throttle.wait("ivanova", "10.0.0.7") == Wait(1.0, whole_address=False)
    now[0] += 1.0
    assert throttle.wait("ivanova", "10.0.0.7") is None  # the failures are 5 minutes old: forgotten
    for _ in range(4):
        throttle.failed("ivanova", "10.0.0.7")
    throttle.succeeded("ivanova", "10.0.0.7")
    throttle.failed("ivanova", "10.0.0.7")
    assert throttle.wait("ivanova", "10.0.0.7") is None  # 1 failure since the success, not 5


def test_one_address_spraying_many_logins_is_capped_and_a_success_does_not_reset_it() -> None:
    now = [1000.0]
    throttle = SignInThrottle(clock=lambda: now[0])
    for n in range(MAX_ADDRESS_FAILURES - 1):
        throttle.failed(f"login-{n}", "10.0.0.7")
    throttle.succeeded("login-0", "10.0.0.7")  # the sprayer's own good password clears only its pair
    assert throttle.wait("ivanova", "10.0.0.7") is None  # 19 failures: still allowed
    throttle.failed("ivanova", "10.0.0.7")
    wait = throttle.wait("never-tried", "10.0.0.7")
    assert wait == Wait(300.0, whole_address=True)
    assert wait.russian() == ("Слишком много неудачных попыток входа с этого адреса. Повторите через 5 мин. "
                              "или обратитесь к администратору.")
    assert throttle.wait("ivanova", "10.0.0.8") is None  # another address is not held
    now[0] += 300.0
    assert throttle.wait("never-tried", "10.0.0.7") is None


def test_a_guesser_at_one_desk_does_not_lock_a_colleague_out_at_another() -> None:
    throttle = SignInThrottle(clock=lambda: 1000.0)
    for _ in range(5):
        throttle.failed("ivanova", "10.0.0.7")
    assert throttle.wait("ivanova", "10.0.0.7") == Wait(300.0, whole_address=False)
    assert throttle.wait("ivanova", "10.0.0.8") is None


def _failed_sign_in(url: str, forwarded_for: str) -> int:
    """One wrong password from ``forwarded_for`` as a proxy would pass it on."""
    with httpx.Client(base_url=url) as http:
        page = http.get("/signin")
        csrf = re.search(r'data-csrf="([^"]*)"', page.text)
        assert csrf is not None
        return http.post("/signin", data={"username": STAFF_LOGIN, "password": "wrong", "csrf": csrf.group(1)},
                         headers={"X-Forwarded-For": forwarded_for}).status_code


@pytest.mark.parametrize(("proxies", "expected"), [
    ((), [401, 429, 429]),  # X-Forwarded-For ignored: every desk is the one loopback address
    (("127.0.0.1",), [401, 401, 429]),  # the named proxy's X-Forwarded-For is the desk's address
])
def test_x_forwarded_for_counts_only_from_a_trusted_proxy(make_app: Callable[..., Starlette],
                                                          proxies: tuple[str, ...], expected: list[int]) -> None:
    app = make_app(trusted_proxies=proxies)
    app.state.service.throttle = SignInThrottle(max_address_failures=1)  # one failure holds the address
    with ServiceThread(app) as service:
        statuses = [_failed_sign_in(service.url, desk) for desk in ("10.0.0.7", "10.0.0.8", "10.0.0.7")]
    assert statuses == expected


def test_trusted_proxies_come_from_the_environment_checked() -> None:
    def settings(raw: str) -> ServiceSettings:
        return ServiceSettings.from_env("https://x.omnidesk.ru", sandbox=True,
                                        environ={"OMNIDESK_MACROS_TRUSTED_PROXIES": raw})

    assert settings("").trusted_proxies == ()
    assert settings(" 127.0.0.1, 10.0.0.1/24 ,::1").trusted_proxies == ("127.0.0.1", "10.0.0.0/24", "::1")
    for bad in ("*", "proxy.local", "10.0.0.300"):
        with pytest.raises(ConfigError, match="OMNIDESK_MACROS_TRUSTED_PROXIES"):
            settings(bad)
