"""The warm PDF converter: real LibreOffice over UNO (required in CI), its restarts, and its cold fallback.

Skipped locally with a reason when LibreOffice, python3-uno or pdftotext is missing; with CI=true those
skips become failures, since CI installs them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from omnidesk_macros import load_sources
from omnidesk_macros.context import LetterContext
from omnidesk_macros.errors import ConversionError
from omnidesk_macros.letter import render_letter
from omnidesk_macros.letter.pdf import find_soffice
from omnidesk_macros.letter.warm_pdf import UNO_PYTHON_ENV, WarmConverter, find_uno_python
from tests.helpers import TEMPLATES_SRC
from tests.letter.docx_text import case_data
from tests.service.conftest import run, signed_in

IN_CI = os.environ.get("CI") == "true"
SOFFICE = find_soffice()
UNO_PYTHON = find_uno_python(SOFFICE) if SOFFICE else None
needs_office = pytest.mark.skipif(
    not IN_CI and (SOFFICE is None or UNO_PYTHON is None or shutil.which("pdftotext") is None),
    reason="needs LibreOffice (libreoffice-writer-nogui), python3-uno and pdftotext (poppler-utils); "
           "CI=true makes this a failure instead of a skip")


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def letter_docx() -> bytes:
    sources = load_sources(TEMPLATES_SRC)
    return render_letter(sources.template("payment-without-commission"), LetterContext.from_mapping(case_data()),
                         sources.company, staff=sources.staff)


@pytest.fixture(scope="module")
def converter() -> Iterator[WarmConverter]:
    """One warm office for the module's tests (each start costs ~2 s)."""
    warm = WarmConverter(timeout=20)
    yield warm
    warm.close()


def office_pid(converter: WarmConverter) -> int:
    office = converter._office
    assert office is not None and office.office is not None
    return office.office.pid


@needs_office
def test_the_warm_office_converts_letters_one_after_another(converter: WarmConverter, letter_docx: bytes) -> None:
    assert converter.start() and converter.warm
    pid = office_pid(converter)
    for _ in range(2):
        text = pdf_text(converter.convert(letter_docx))
        for expected in ("ООО «Самарские коммунальные системы»", "Уважаемый Петр Петрович!", "АО «Почта России»"):
            assert expected in text
    assert office_pid(converter) == pid  # the same office did both: nothing was started per letter
    assert not list(converter._office.jobs.iterdir())  # type: ignore[union-attr]  # no letter left on disk


@needs_office
def test_a_dead_office_is_restarted_on_the_next_letter(converter: WarmConverter, letter_docx: bytes) -> None:
    converter.start()
    before = office_pid(converter)
    os.killpg(before, signal.SIGKILL)
    assert "Самарские коммунальные системы" in pdf_text(converter.convert(letter_docx))
    assert office_pid(converter) != before


@needs_office
def test_a_hung_office_is_killed_and_the_next_letter_gets_a_new_one(letter_docx: bytes) -> None:
    converter = WarmConverter(timeout=2)
    try:
        assert converter.start()
        hung = office_pid(converter)
        os.killpg(hung, signal.SIGSTOP)  # soffice and soffice.bin stop answering, as a wedged office does
        with pytest.raises(ConversionError, match="no answer within 2 s"):
            converter.convert(letter_docx)
        assert not converter.warm
        assert converter.convert(letter_docx).startswith(b"%PDF")
        assert office_pid(converter) != hung
    finally:
        converter.close()


@needs_office
def test_close_ends_the_office_and_removes_its_profile() -> None:
    converter = WarmConverter()
    assert converter.start()
    office = converter._office
    assert office is not None and office.office is not None and office.worker is not None
    processes, home = (office.office, office.worker), office.home
    converter.close()
    assert all(p.poll() is not None for p in processes)
    assert not home.exists()
    assert not converter.warm


@pytest.mark.skipif(not IN_CI and SOFFICE is None, reason="LibreOffice is not installed (CI=true: fail instead)")
def test_without_uno_each_letter_goes_to_a_cold_office(monkeypatch: pytest.MonkeyPatch, letter_docx: bytes) -> None:
    monkeypatch.setenv(UNO_PYTHON_ENV, sys.executable)  # the venv's Python has no uno module
    converter = WarmConverter()
    try:
        assert not converter.start()
        assert converter.convert(letter_docx).startswith(b"%PDF")
        assert not converter.warm
    finally:
        converter.close()


@needs_office
def test_the_service_gives_the_numbered_letter_as_pdf(app: Starlette) -> None:
    async def body() -> tuple[int, str, bytes]:
        staff = await signed_in(app)
        issued = await staff.print_letter()
        page = await staff.get(issued.headers["location"])
        pdf = await staff.get(issued.headers["location"] + ".pdf")
        await staff.close()
        assert "Скачать PDF" in page.text or ".pdf" in page.text
        return pdf.status_code, pdf.headers["cache-control"], pdf.content

    status, cache, pdf = run(body())
    assert status == 200 and cache == "no-store"
    text = pdf_text(pdf)
    assert "СКС-" in text and "Иванов" in text
    assert app.state.service.pdf.warm  # the route went through the warm office, which stays up for the next
