"""What a new appeal's registration could not write to Omnidesk is shown on its page, once."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

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
