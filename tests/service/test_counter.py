"""The counter's path: case page, letter with the next outgoing number, DOCX, attach, new appeal, billing."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

from cli import cli
from print_service import registry
from print_service.billing import BillingImportError, import_csv, lookup, parse_csv
from print_service.db import Database
from print_service.letters import KEEP_SECONDS, LetterDesk
from sync.sandbox import SandboxServer
from tests.letter.docx_text import read_letter
from tests.service.conftest import SUBSCRIBER, run, signed_in

BILLING = """account;full_name;address;email;phone
0000000002;Петрова Мария Ивановна;г. Самара, ул. Примерная, д. 2, кв. 5;petrova@example.com;+79000000002
7700000042;Лесная Вера Павловна;г. Самара, ул. Вымышленная, д. 9;;
"""


def test_the_case_page_shows_the_card_and_the_templates_of_the_chosen_type(app: Starlette) -> None:
    async def body() -> str:
        return (await (await signed_in(app)).get("/cases/664-245651?type=meter-verification")).text

    page = run(body())
    assert "Иванов Пётр Петрович" in page and "0000000001" in page
    assert '<option value="meter-verification" selected>' in page
    assert "(Не) истек срок очередной поверки" in page or "поверки" in page


def test_a_printed_letter_carries_the_outgoing_number_and_the_appeal_number(app: Starlette, data_dir: Path) -> None:
    async def body() -> tuple[str, bytes]:
        staff = await signed_in(app)
        letter = await staff.print_letter(template="verification-due", fill={"verification_month": "2026-12"})
        assert letter.status_code == 303, letter.text
        page = await staff.get(letter.headers["location"])
        return page.text, (await staff.get(letter.headers["location"] + ".docx")).content

    page, docx = run(body())
    (entry,) = registry.entries(Database(data_dir))
    assert re.fullmatch(r"СКС-\d{4}/000001", entry.number)
    text = read_letter(docx)
    assert text.paragraphs[0].startswith(f"№ {entry.number} от ")
    assert any(p.startswith("На Ваше обращение № 664-245651 от ") for p in text.paragraphs)
    assert f"№ {entry.number} от " in page.replace("\xa0", " ")  # typeset: a no-break space after №
    assert "Кузнецова О.С." in page and "Кузнецова О.С." in text.text  # signed by the staff member at the counter
    import hashlib

    assert entry.docx_sha256 == hashlib.sha256(docx).hexdigest()


def test_a_failed_form_keeps_what_was_typed_and_spends_no_number(app: Starlette, data_dir: Path) -> None:
    async def body() -> httpx.Response:
        staff = await signed_in(app)
        return await staff.print_letter(template="verification-due", fill={"verification_month": "дек-26"})

    response = run(body())
    assert response.status_code == 400
    assert 'value="дек-26"' in response.text
    assert "Введите месяц и год." in response.text
    assert registry.entries(Database(data_dir)) == []


def test_twenty_concurrent_prints_get_twenty_distinct_increasing_numbers(app: Starlette, data_dir: Path) -> None:
    async def body() -> list[str]:
        staff = await signed_in(app)
        answers = await asyncio.gather(*(staff.print_letter() for _ in range(20)))
        assert all(a.status_code == 303 for a in answers)
        return [a.headers["location"] for a in answers]

    assert len(set(run(body()))) == 20
    items = registry.entries(Database(data_dir))
    numbers = [e.number for e in items]
    assert len(set(numbers)) == 20 and numbers == sorted(numbers)
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == list(range(1, 21))
    assert [e.created_at for e in items] == sorted(e.created_at for e in items)


def test_numbers_taken_from_many_threads_are_distinct_and_per_year(tmp_path: Path) -> None:
    db = Database(tmp_path)
    taken: list[str] = []
    lock = threading.Lock()

    def take(year: int) -> None:
        number, _ = registry.record(db, "{year}-{seq:04d}", case_number="664-000001", template_id="t",
                                    template_sha256="0" * 64, staff="s", channel="counter", now=datetime(year, 5, 1),
                                    make=lambda number: number.encode())
        with lock:
            taken.append(number)

    threads = [threading.Thread(target=take, args=(2026 + i % 2,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == [f"2026-{i:04d}" for i in range(1, 11)] + [f"2027-{i:04d}" for i in range(1, 11)]


def test_a_render_that_fails_after_taking_a_number_voids_it(tmp_path: Path) -> None:
    db = Database(tmp_path)

    def broken(number: str) -> bytes:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        registry.record(db, "{year}-{seq}", case_number="664-000001", template_id="t", template_sha256="0" * 64,
                        staff="s", channel="counter", now=datetime(2026, 1, 1), make=broken)
    registry.record(db, "{year}-{seq}", case_number="664-000001", template_id="t", template_sha256="0" * 64,
                    staff="s", channel="counter", now=datetime(2026, 1, 1), make=lambda number: b"ok")
    assert [(e.number, e.status, e.void_reason) for e in registry.entries(db)] == [
        ("2026-1", "void", "render failed: RuntimeError"), ("2026-2", "issued", None)]


def test_billing_import_reports_bad_rows_by_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BILLING + "x y;Имя;Адрес;;\n7700000042;Дубль Д.Д.;Адрес;;\n0000000009;;Адрес;;\n"
                   "0000000010;Имя Ф.;Адрес;not-an-email;\n0000000011;Имя\n", encoding="utf-8")
    with pytest.raises(BillingImportError) as caught:
        parse_csv(bad)
    assert [line for line, _ in caught.value.problems] == [4, 5, 6, 7, 8]
    assert "repeats line 3" in caught.value.problems[1][1]
    db = Database(tmp_path / "db")
    good = tmp_path / "good.csv"
    good.write_bytes(BILLING.encode("cp1251"))  # a Windows-1251 export reads as well
    assert import_csv(db, good) == 2
    found = lookup(db, "7700000042")
    assert found is not None and found.full_name == "Лесная Вера Павловна" and found.email == ""


def test_cli_users_billing_and_letters(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data", str(tmp_path)]
    added = runner.invoke(cli, ["users", "add", "ivanova", "--full-name", "Иванова Анна Петровна", "--password-stdin",
                                *data], input="long enough password\n")
    assert added.exit_code == 0, added.output
    assert runner.invoke(cli, ["users", "add", "ivanova", "--full-name", "X", "--password-stdin", *data],
                         input="long enough password\n").exit_code != 0
    assert runner.invoke(cli, ["users", "disable", "ivanova", *data]).exit_code == 0
    assert "(disabled)" in runner.invoke(cli, ["users", "list", *data]).output
    billing = tmp_path / "billing.csv"
    billing.write_text(BILLING, encoding="utf-8")
    assert "imported 2 subscriber(s)" in runner.invoke(cli, ["billing", "import", str(billing), *data]).output
    registry.record(Database(tmp_path), "СКС-{year}/{seq:06d}", case_number="664-245651", template_id="e-receipt",
                    template_sha256="0" * 64, staff="ivanova", channel="counter", now=datetime(2026, 3, 1),
                    make=lambda number: b"docx")
    listed = runner.invoke(cli, ["letters", "--year", "2026", "--format", "csv", *data])
    assert listed.output.splitlines()[1].startswith("СКС-2026/000001,664-245651,e-receipt,")
    assert runner.invoke(cli, ["letters", "--year", "2025", *data]).output.strip() == "0 letter(s)"


def test_a_new_in_person_appeal_from_the_billing_directory(app: Starlette, data_dir: Path,
                                                           sandbox: SandboxServer, tmp_path: Path) -> None:
    billing = tmp_path / "billing.csv"
    billing.write_text(BILLING, encoding="utf-8")
    import_csv(Database(data_dir), billing)

    async def body() -> tuple[dict, httpx.Response, httpx.Response]:
        staff = await signed_in(app)
        await staff.get("/cases/new")
        found = await staff.http.post("/billing/lookup", json={"account": "0000000002"},
                                      headers={"X-CSRF-Token": staff.csrf})
        subscriber = found.json()["subscriber"]
        created = await staff.post("/cases/new", {**subscriber, "appeal_type": "Поверка ИПУ", "criterion": "Первично",
                                                  "status": "Новый", "service_center": "пр. Металлургов, 56"},
                                   files={"attachment": ("заявление.txt", b"scan", "text/plain")})
        assert created.status_code == 303, created.text
        return subscriber, created, await staff.get(created.headers["location"])

    subscriber, created, page = run(body())
    assert subscriber["full_name"] == "Петрова Мария Ивановна"
    assert re.match(r"/cases/664-\d{6}\?type=meter-verification$", created.headers["location"])
    assert "Петрова Мария Ивановна" in page.text and "пр. Металлургов, 56" in page.text


def test_a_new_appeal_that_omnidesk_refuses_keeps_what_was_typed(app: Starlette, sandbox: SandboxServer) -> None:
    httpx.post(f"{sandbox.url}/_admin/faults", json={"error": {"count": 5, "methods": ["POST"], "status": 503}})

    async def body() -> httpx.Response:
        staff = await signed_in(app)
        await staff.get("/cases/new")
        return await staff.post("/cases/new", {"account": "7700000042", "full_name": "Лесная Вера Павловна",
                                               "address": "г. Самара, ул. Вымышленная, д. 9",
                                               "appeal_type": "Жалоба"})

    response = run(body())
    assert response.status_code == 502
    assert 'value="Лесная Вера Павловна"' in response.text and "Omnidesk" in response.text


def test_the_reply_for_a_remote_appeal_has_every_placeholder_filled(app: Starlette) -> None:
    async def body() -> str:
        staff = await signed_in(app)
        await staff.get("/cases/664-245651")
        return (await staff.post("/cases/664-245651/reply", {"template": "appeal-received"})).text

    page = run(body())
    reply = page[page.index('id="reply"'):]
    assert "{{" not in reply and "</p>" in reply
    assert SUBSCRIBER[0] not in page or "Иванов" in page  # the page is for staff; it may show the subscriber


def test_the_attached_marks_are_forgotten_with_their_letters(app: Starlette) -> None:
    """The «attached» mark lives beside the kept letter: evicted with it (size) and expired with it (30 min)."""
    service = app.state.service
    now = [1000.0]
    service.desk = LetterDesk(service.db, service.settings.number_format, "test", keep_letters=2,
                              clock=lambda: now[0])

    async def body() -> tuple[str, list[bool], int, bool]:
        staff = await signed_in(app)
        first = (await staff.print_letter()).headers["location"]
        assert (await staff.post(first + "/attach")).status_code == 303
        shown = (await staff.get(first)).text
        second = (await staff.print_letter()).headers["location"]
        assert (await staff.post(second + "/attach")).status_code == 303
        await staff.print_letter()  # a third letter: only two are kept, so the first goes, mark and all
        kept = [service.desk.is_attached(path.rsplit("/", 1)[1]) for path in (first, second)]
        gone = (await staff.get(first)).status_code
        now[0] += KEEP_SECONDS + 1  # half an hour later the next letter sweeps out the rest
        await staff.print_letter()
        return shown, kept, gone, service.desk.is_attached(second.rsplit("/", 1)[1])

    shown, kept, gone, second_still = run(body())
    assert "Прикреплено к обращению" in shown
    assert kept == [False, True] and gone == 404
    assert second_still is False
