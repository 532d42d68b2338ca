"""A new appeal: what Omnidesk did not take is shown on its page once; its profile fills a later lookup."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from sync.sandbox import SandboxServer
from sync.sandbox.seed import CF_ACCOUNT, CF_ADDRESS
from tests.service.conftest import run, signed_in


def test_the_case_page_shows_what_omnidesk_did_not_take_once(app: Starlette) -> None:
    async def body() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        staff = await signed_in(app)
        await staff.get("/cases/new")
        created = await staff.post("/cases/new", {
            "account": "7700000042", "full_name": "Лесная Вера Павловна", "address": "г. Самара, ул. Вымышленная, д. 9",
            "appeal_type": "Жалоба", "criterion": "Вариант, которого нет в Omnidesk", "status": "Новый"})
        first = await staff.get(created.headers["location"])
        again = await staff.get(created.headers["location"])
        await staff.close()
        return created, first, again

    created, first, again = run(body())
    assert created.status_code == 303
    assert "не всё записано в Omnidesk" in first.text
    assert "в Omnidesk нет варианта «Вариант, которого нет в Omnidesk»" in first.text
    assert "не всё записано в Omnidesk" not in again.text


def test_an_account_missing_from_billing_is_filled_from_its_omnidesk_profile(app: Starlette,
                                                                           sandbox: SandboxServer) -> None:
    """A subscriber with no contact, registered once, is found by account number on the next visit: the case
    files under a new profile of that name (as Omnidesk does), and the profile keeps the account and address."""
    address = "г. Самара, ул. Вымышленная, д. 9"

    async def body() -> tuple[httpx.Response, dict, dict, dict]:
        staff = await signed_in(app)
        await staff.get("/cases/new")
        created = await staff.post("/cases/new", {
            "account": "7700000042", "full_name": "Лесная Вера Павловна", "address": address,
            "appeal_type": "Прочее", "status": "Новый"})
        page = await staff.get(created.headers["location"])
        await staff.get("/cases/new")
        headers = {"X-CSRF-Token": staff.csrf}
        found = await staff.http.post("/billing/lookup", json={"account": "7700000042"}, headers=headers)
        unknown = await staff.http.post("/billing/lookup", json={"account": "700000042"}, headers=headers)
        seeded = await staff.http.post("/billing/lookup", json={"account": "0000000001"}, headers=headers)
        await staff.close()
        return page, found.json(), unknown.json(), seeded.json()

    page, found, unknown, seeded = run(body())
    assert page.status_code == 200 and "Лесная Вера Павловна" in page.text
    assert "не всё записано в Omnidesk" not in page.text  # the profile took the account and address
    [profile] = [u for u in sandbox.store.all("user") if u["user_email"] == "7700000042@no-email.invalid"]
    assert profile["user_full_name"] == "Лесная Вера Павловна"
    assert profile["custom_fields"] == {f"cf_{CF_ACCOUNT}": "7700000042", f"cf_{CF_ADDRESS}": address}
    assert found == {"found": True, "source": "omnidesk", "subscriber": {
        "account": "7700000042", "full_name": "Лесная Вера Павловна", "address": address, "email": "", "phone": ""}}
    assert unknown == {"found": False}  # a tail of that account: a substring match, not the profile
    assert seeded == {"found": False}  # a profile with an email cannot be searched by account number
