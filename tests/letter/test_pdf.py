"""DOCX → PDF with LibreOffice: real conversion (required in CI), and the failures it can have."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from omnidesk_macros.context import LetterContext
from omnidesk_macros.errors import ConversionError
from omnidesk_macros.letter import convert_to_pdf, render_letter_to_file
from omnidesk_macros.letter.pdf import find_soffice
from omnidesk_macros.validate import load_sources
from tests.helpers import TEMPLATES_SRC
from tests.letter.docx_text import case_data

needs_libreoffice = pytest.mark.skipif(
    find_soffice() is None and os.environ.get("CI") != "true",
    reason="LibreOffice (soffice) is not installed; CI=true makes this a failure instead of a skip",
)

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler-utils) is not installed")


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, laid out as printed (pdftotext -layout)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


def fake_soffice(folder: Path, script: str) -> Path:
    path = folder / "soffice"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def letter_docx(out_dir: Path) -> Path:
    sources = load_sources(TEMPLATES_SRC)
    ctx = LetterContext.from_mapping(case_data())
    template = sources.template("payment-without-commission")
    return render_letter_to_file(template, ctx, sources.company, out_dir / "письмо.docx", staff=sources.staff)


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The payment letter and its PDF, converted once for the tests that read it."""
    folder = tmp_path_factory.mktemp("converted")
    sources = load_sources(TEMPLATES_SRC)
    docx_path = render_letter_to_file(sources.template("payment-without-commission"),
                                      LetterContext.from_mapping(case_data()), sources.company,
                                      folder / "письмо.docx", staff=sources.staff)
    return docx_path, convert_to_pdf(docx_path)


@needs_libreoffice
def test_letter_converts_to_pdf(converted: tuple[Path, Path]) -> None:
    docx_path, pdf = converted
    assert pdf == docx_path.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in pdf.parent.iterdir()) == ["письмо.docx", "письмо.pdf"]


@needs_libreoffice
@needs_pdftotext
def test_the_pdf_reads_like_the_letter(converted: tuple[Path, Path]) -> None:
    text = "".join(pdf_pages(converted[1]))
    for expected in ("ООО «Самарские коммунальные системы»", "Ответ на обращение",
                     "Уважаемый Петр Петрович!", "АО «Почта России»", "Самарина Н.Н."):
        assert expected in text


@needs_libreoffice
@needs_pdftotext
def test_a_two_page_letter_keeps_the_signature_with_its_text(out_dir: Path) -> None:
    # With this address the body ends at the foot of page one: the signature once stood alone on page two.
    sources = load_sources(TEMPLATES_SRC)
    address = "443000, г. Самара, " + "ул. Длинная, " * 30 + "д. 1"
    fill = {"period_start": "2026-01-01", "period_end": "2026-06-30", "verification_date": "2026-07-01"}
    ctx = LetterContext.from_mapping(case_data(client={"address": address}, fill=fill))
    docx_path = render_letter_to_file(sources.template("verification-expired-letter"), ctx, sources.company,
                                      out_dir / "long.docx")
    last_page = [page for page in pdf_pages(convert_to_pdf(docx_path)) if page.strip()][-1]
    # Other fonts may fit the letter on one page; the signature is never alone on its page either way.
    assert "Самарина Н.Н." in last_page and "возобновлен с 01.07.2026" in last_page


@needs_libreoffice
@needs_pdftotext
def test_a_line_before_a_hard_break_is_not_stretched(out_dir: Path) -> None:
    sources = load_sources(TEMPLATES_SRC)
    template = replace(sources.template("e-receipt"), body="Первая строка\\\nвторая строка.\n")
    ctx = LetterContext.from_mapping(case_data())
    docx_path = render_letter_to_file(template, ctx, sources.company, out_dir / "break.docx")
    lines = [line.strip() for line in pdf_pages(convert_to_pdf(docx_path))[0].splitlines()]
    assert "Первая строка" in lines and "вторая строка." in lines


def test_missing_libreoffice_names_the_install_command(letter_docx: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OMNIDESK_MACROS_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice, no libreoffice
    with pytest.raises(ConversionError, match="apt-get install -y libreoffice-writer-nogui"):
        convert_to_pdf(letter_docx)


def test_a_wrong_soffice_setting_is_named_not_taken_for_a_missing_libreoffice(letter_docx: Path, monkeypatch) -> None:
    monkeypatch.setenv("OMNIDESK_MACROS_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(ConversionError) as raised:
        convert_to_pdf(letter_docx)
    assert str(raised.value) == ("OMNIDESK_MACROS_SOFFICE is set to '/nonexistent/soffice', which is not a program "
                                 "that can be run; point it at soffice, or unset it to use LibreOffice from PATH")


def hanging_soffice(folder: Path) -> Path:
    """A soffice that makes its profile, forks a long-lived child (as soffice.bin) and waits for it."""
    return fake_soffice(folder, (
        'for a in "$@"; do case "$a" in -env:UserInstallation=file://*) dir="${a#*file://}";; esac; done\n'
        f'mkdir -p "$dir"; echo "$dir" > {folder}/profile; sleep 60 & echo $! > {folder}/child.tmp\n'
        f"mv {folder}/child.tmp {folder}/child; wait"
    ))


def running(pid: int) -> bool:
    """Whether ``pid`` still runs; a zombie (killed, not yet reaped by init) does not count."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def assert_job_cleaned_up(folder: Path) -> None:
    child = int((folder / "child").read_text())
    deadline = time.monotonic() + 10  # SIGKILL is prompt, but a loaded machine may take a moment
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(child), "the process LibreOffice forked outlived the job"
    assert not Path((folder / "profile").read_text().strip()).exists(), "the profile directory was left"


def test_a_hanging_libreoffice_is_killed_at_the_timeout(letter_docx: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OMNIDESK_MACROS_SOFFICE", str(hanging_soffice(tmp_path)))
    started = time.monotonic()
    with pytest.raises(ConversionError, match="did not finish the PDF within 3 s"):
        convert_to_pdf(letter_docx, timeout=3)
    assert time.monotonic() - started < 30
    assert not letter_docx.with_suffix(".pdf").exists()
    assert_job_cleaned_up(tmp_path)


def test_an_interrupted_conversion_kills_libreoffice(letter_docx: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OMNIDESK_MACROS_SOFFICE", str(hanging_soffice(tmp_path)))
    communicate = subprocess.Popen.communicate

    def interrupted(self, input=None, timeout=None):  # Ctrl-C once soffice has forked its child
        if timeout is not None:
            deadline = time.monotonic() + 20
            while not (tmp_path / "child").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            raise KeyboardInterrupt
        return communicate(self, input, timeout)

    monkeypatch.setattr(subprocess.Popen, "communicate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        convert_to_pdf(letter_docx)
    assert_job_cleaned_up(tmp_path)
    assert not letter_docx.with_suffix(".pdf").exists()


def test_a_failing_libreoffice_reports_its_message(letter_docx: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OMNIDESK_MACROS_SOFFICE", str(fake_soffice(tmp_path, "echo 'source file could not be loaded' >&2; exit 1")))
    with pytest.raises(ConversionError, match="exit code 1: source file could not be loaded"):
        convert_to_pdf(letter_docx)


def test_an_unwritable_pdf_target_is_a_conversion_error(letter_docx: Path, tmp_path: Path, monkeypatch) -> None:
    script = ('out=""; while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out="$2"; shift; done\n'
              'mkdir -p "$out" && echo "%PDF-1.7" > "$out/letter.pdf"')  # a soffice that converts
    monkeypatch.setenv("OMNIDESK_MACROS_SOFFICE", str(fake_soffice(tmp_path, script)))
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ConversionError, match="cannot write .*file/letter.pdf"):
        convert_to_pdf(letter_docx, blocker / "letter.pdf")
    assert convert_to_pdf(letter_docx).read_bytes() == b"%PDF-1.7\n"


def test_no_output_is_an_error(letter_docx: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OMNIDESK_MACROS_SOFFICE", str(fake_soffice(tmp_path, "exit 0")))
    with pytest.raises(ConversionError, match="no output produced"):
        convert_to_pdf(letter_docx)


def test_each_job_has_its_own_profile(letter_docx: Path, tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "profiles.log"
    script = f'for a in "$@"; do case "$a" in -env:UserInstallation=*) echo "$a" >> {log};; esac; done; exit 0'
    monkeypatch.setenv("OMNIDESK_MACROS_SOFFICE", str(fake_soffice(tmp_path, script)))
    for _ in range(2):
        with pytest.raises(ConversionError):
            convert_to_pdf(letter_docx)
    first, second = log.read_text().split()
    assert first != second and first.startswith("-env:UserInstallation=file:///")
    assert not Path(first.split("file://", 1)[1]).exists()  # cleaned up after the job


@needs_libreoffice
def test_hostile_text_survives_the_conversion(out_dir: Path) -> None:
    sources = load_sources(TEMPLATES_SRC)
    name = "Иванов <&>\"' </w:t> Петрович"
    ctx = LetterContext.from_mapping(case_data(client={"full_name": name, "address": "г. Самара\x07, ул. Мира"}))
    docx_path = render_letter_to_file(sources.template("e-receipt"), ctx, sources.company, out_dir / "x.docx")
    pdf = convert_to_pdf(docx_path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = "".join(pdf_pages(pdf))
        assert f"ФИО: {name}" in text and "Адрес: г. Самара, ул. Мира" in text
