"""`omnidesk-macros render`: options, the file it writes (whole or not at all), and its errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli, main
from omnidesk_macros.letter import read_provenance
from tests.helpers import REPO, TEMPLATES_SRC
from tests.letter.docx_text import case_data, read_letter

EXAMPLE = REPO / "examples" / "case.json"


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["omnidesk-macros", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    out, err = capsys.readouterr()
    return int(stopped.value.code or 0), out, err


def write_case(folder: Path, **sections: dict[str, str]) -> Path:
    path = folder / "case.json"
    path.write_text(json.dumps(case_data(**sections), ensure_ascii=False), encoding="utf-8")
    return path


def test_render_writes_the_letter_and_prints_its_path(out_dir: Path, monkeypatch, capsys) -> None:
    target = out_dir / "reply.docx"
    code, out, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(EXAMPLE),
                              "--out", str(target), "--templates", str(TEMPLATES_SRC))
    assert (code, out, err) == (0, f"{target}\n", "")
    text = read_letter(target)
    assert "Указанный Вами электронный адрес добавлен в список рассылки электронных квитанций." in text.paragraphs
    assert read_provenance(target)["template_id"] == "e-receipt"
    assert [p.name for p in out_dir.iterdir()] == ["reply.docx"]


def test_default_output_name_is_template_and_case(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "e-receipt", "--case-file", str(EXAMPLE),
                                      "--templates", str(TEMPLATES_SRC)])
    assert result.exit_code == 0, result.output
    assert result.output == "e-receipt_664-245651.docx\n"
    assert (tmp_path / "e-receipt_664-245651.docx").is_file()


def test_var_fills_a_variable(out_dir: Path) -> None:
    target = out_dir / "reply.docx"
    result = CliRunner().invoke(cli, [
        "render", "penalties-erroneous", "--case-file", str(EXAMPLE), "--out", str(target),
        "--templates", str(TEMPLATES_SRC), "--var", "recalc_month=2027-01", "--var", "receipt_month=2027-02",
    ])
    assert result.exit_code == 0, result.output
    assert "январе 2027" in read_letter(target).text


def test_missing_data_is_an_error_naming_it_and_leaves_no_file(out_dir: Path, monkeypatch, capsys) -> None:
    case_file = write_case(out_dir, client={"account": "", "full_name": ""})
    target = out_dir / "reply.docx"
    code, out, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(case_file),
                              "--out", str(target), "--templates", str(TEMPLATES_SRC))
    assert code == 1 and out == ""
    assert err == (
        f"Error: {case_file}: letter 'e-receipt' needs data the case does not have: client.full_name (ФИО абонента), "
        "client.account (номер лицевого счета)\n"
    )
    assert sorted(p.name for p in out_dir.iterdir()) == ["case.json"]


def test_an_unwritable_output_is_an_error_not_a_traceback(out_dir: Path, monkeypatch, capsys) -> None:
    blocker = out_dir / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "reply.docx"
    code, out, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(EXAMPLE),
                              "--out", str(target), "--templates", str(TEMPLATES_SRC))
    assert (code, out) == (1, "")
    assert err == f"Error: cannot write {target}: {blocker} is a file, not a folder\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["not-a-folder"]


def test_a_missing_output_folder_is_named_and_not_created(out_dir: Path, monkeypatch, capsys) -> None:
    target = out_dir / "nonexistent" / "dir" / "x.docx"
    code, out, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(EXAMPLE),
                              "--out", str(target), "--templates", str(TEMPLATES_SRC))
    assert (code, out) == (1, "")
    assert err == f"Error: cannot write {target}: the folder {target.parent} does not exist; create it first\n"
    assert list(out_dir.iterdir()) == []


def test_a_date_given_for_a_month_says_what_a_month_looks_like(out_dir: Path, monkeypatch, capsys) -> None:
    code, _, err = run_main(monkeypatch, capsys, "render", "advance-receipt", "--case-file", str(EXAMPLE),
                            "--out", str(out_dir / "r.docx"), "--templates", str(TEMPLATES_SRC),
                            "--var", "advance_month=2026-11-15")
    assert code == 1
    assert err == (
        f"Error: {EXAMPLE}: letter 'advance-receipt' has wrong values: fill.advance_month (Месяц, за который "
        "направлены авансовые квитанции) must be a month written like 2026-11, got '2026-11-15' (a date: give "
        "the year and month only)\n    hint: correct the fill-in values (--var NAME=VALUE overrides the case file's)\n")


def test_invalid_json_points_at_the_place(out_dir: Path, monkeypatch, capsys) -> None:
    bad = out_dir / "bad.json"
    bad.write_text('{"case": {"number": "1",}}', encoding="utf-8")
    code, _, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(bad),
                            "--templates", str(TEMPLATES_SRC))
    assert code == 1
    assert err == f"Error: {bad}:1:25: invalid JSON: Expecting property name enclosed in double quotes\n"


@pytest.mark.parametrize(("text", "message"), [
    ('{"case": ' + "[" * 100_000 + "]" * 100_000 + "}", "maximum recursion depth exceeded"),
    ('{"case": {"number": ' + "9" * 5000 + "}}", "Exceeds the limit (4300 digits)"),
    ('{"fill": {"note": "' + "x" * 1_000_000 + '"}}', "over 1000000 bytes is too large for a case file"),
])
def test_a_case_file_json_cannot_hold_is_an_error_not_a_traceback(out_dir: Path, monkeypatch, capsys,
                                                                 text: str, message: str) -> None:
    bad = out_dir / "bad.json"
    bad.write_text(text, encoding="utf-8")
    code, _, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(bad),
                            "--templates", str(TEMPLATES_SRC))
    assert code == 1
    assert err.startswith(f"Error: {bad}: ") and message in err and "Traceback" not in err


def test_bad_var_is_a_usage_error(monkeypatch, capsys) -> None:
    code, _, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(EXAMPLE),
                            "--var", "no-equals-sign", "--templates", str(TEMPLATES_SRC))
    assert code == 2 and "'no-equals-sign' is not NAME=VALUE" in err


def test_pdf_without_libreoffice_says_how_to_install(out_dir: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("OMNIDESK_MACROS_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(out_dir))  # no soffice, no libreoffice
    code, _, err = run_main(monkeypatch, capsys, "render", "e-receipt", "--case-file", str(EXAMPLE),
                            "--out", str(out_dir / "r.docx"), "--pdf", "--templates", str(TEMPLATES_SRC))
    assert code == 1
    assert err.startswith("Error: LibreOffice is not installed: apt-get install -y libreoffice-writer-nogui")
    assert err.endswith(f". The DOCX is written: {out_dir / 'r.docx'}\n")
    assert (out_dir / "r.docx").is_file()


def test_json_escapes_of_control_and_surrogate_characters_are_cleaned(out_dir: Path) -> None:
    case_file = out_dir / "case.json"
    text = json.dumps(case_data(), ensure_ascii=True).replace(
        "\\u0418\\u0432\\u0430\\u043d\\u043e\\u0432", "\\u0418\\u0432\\u0430\\u043d\\u043e\\u0432\\u0000\\ud800\\u001b")
    assert "\\u0000\\ud800" in text
    case_file.write_text(text, encoding="utf-8")
    target = out_dir / "reply.docx"
    result = CliRunner().invoke(cli, ["render", "e-receipt", "--case-file", str(case_file), "--out", str(target),
                                      "--templates", str(TEMPLATES_SRC)])
    assert result.exit_code == 0, result.output
    assert "ФИО: Иванов Петр Петрович" in read_letter(target).paragraphs
