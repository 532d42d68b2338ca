"""The README's main job: `demo` validates, prints every letter and reads the bundled sandbox."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from cli import cli
from omnidesk_macros.diagnostics import Diagnostic
from omnidesk_macros.errors import CaseDataError
from omnidesk_macros.letter import read_provenance
from omnidesk_macros.validate import ValidationReport, load_sources
from sync.demo import validation_line
from tests.helpers import REPO, TEMPLATES_SRC
from tests.letter.docx_text import plain


def text_of(path: Path) -> str:
    return "\n".join(plain(p.text) for p in docx.Document(str(path)).paragraphs)


def test_demo_prints_every_letter_and_compares_with_the_sandbox(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "demo", "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES_SRC),
        "--case-file", str(REPO / "examples" / "case.json"),
    ])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "validate: 27 templates, 13 appeal types, 16 card fields — clean"
    assert lines[1].startswith("render: 26 letters in ")
    letters = sorted((tmp_path / "out" / "letters").glob("*.docx"))
    assert len(letters) == 26
    assert "Иванов Петр Петрович" in text_of(letters[0])
    assert lines[2].startswith("sandbox: http://127.0.0.1:")
    assert "  missing in Omnidesk: Комментарий (case, textarea)" in lines
    assert (tmp_path / "out" / "sandbox.sqlite3").is_file()
    [case_line] = [line for line in lines if line.startswith("render --case: ")]
    path, _, what = case_line.removeprefix("render --case: ").partition("  ")
    case_letter = Path(path)
    number = case_letter.stem.removeprefix("case-")
    assert what == f"(e-receipt «Электронная квитанция (исключить квитанцию на бумажном носителе)», case {number})"
    text = text_of(case_letter)
    assert f"На Ваше обращение № {number} от" in text and "Самарина Н.Н." in text
    # the letter from the sandbox case records the templates' commit like every other letter
    commit = read_provenance(letters[0])["source_commit"]
    assert commit and read_provenance(case_letter)["source_commit"] == commit


def test_sample_periods_make_sense_for_the_appeal(tmp_path: Path) -> None:
    from sync.demo import print_letters, sample_context

    ctx = sample_context(REPO / "examples" / "case.json")
    sources = load_sources(TEMPLATES_SRC)
    one = replace(sources, templates={"v": sources.templates["verification-expired-letter"]})
    [letter], _ = print_letters(one, ctx, tmp_path)
    found = re.search(r"за период с (\d\d\.\d\d\.\d{4}) г\. по (\d\d\.\d\d\.\d{4}) г\..*возобновлен с "
                      r"(\d\d\.\d\d\.\d{4})", text_of(letter).replace("\u00a0", " "))
    assert found, text_of(letter)
    start, end, resumed = (datetime.strptime(d, "%d.%m.%Y").date() for d in found.groups())
    assert ctx.case.date == date(2026, 11, 27)
    assert start <= end < resumed <= ctx.case.date


def test_validate_line_says_clean_only_without_warnings() -> None:
    sources = load_sources(TEMPLATES_SRC)
    warning = Diagnostic("a.md", 1, 1, "warning", "unused")
    assert validation_line(ValidationReport("t", 27, ()), sources).endswith(" — clean")
    assert validation_line(ValidationReport("t", 27, (warning,)), sources).endswith(" — 1 warning(s)")


@pytest.mark.parametrize("text, message", [
    (None, "cannot read case file"),
    ('{"case": ', "invalid JSON: Expecting value"),
    ('{"case": {"number": "000-000001"}, "client": {"full_name": NaN}}', "client.full_name (ФИО абонента) is NaN"),
    ('{"case": {"number": "000-000001"}}', "needs data the case does not have: case.date"),
])
def test_a_case_file_the_demo_cannot_use_is_an_error_naming_it(tmp_path: Path, text: str | None,
                                                               message: str) -> None:
    """Read as `render --case-file` reads it: no traceback, no silent fallback to another case."""
    case_file = tmp_path / "case.json"
    if text is not None:
        case_file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES_SRC),
                                      "--case-file", str(case_file)])
    assert isinstance(result.exception, CaseDataError), result.output
    assert str(case_file) in str(result.exception) and message in str(result.exception)
    assert not list(tmp_path.glob("out/letters/*.docx"))
