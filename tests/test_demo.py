"""The README's main job: `demo` validates, prints every letter and reads the bundled sandbox."""

from __future__ import annotations

from pathlib import Path

import docx
from click.testing import CliRunner

from cli import cli
from tests.helpers import REPO, TEMPLATES_SRC


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
    text = "\n".join(p.text for p in docx.Document(str(letters[0])).paragraphs)
    assert "Иванов Петр Петрович" in text
    assert lines[2].startswith("sandbox: http://127.0.0.1:")
    assert "  missing in Omnidesk: Комментарий (case, textarea)" in lines
    assert (tmp_path / "out" / "sandbox.sqlite3").is_file()
    [case_line] = [line for line in lines if line.startswith("render --case: ")]
    case_letter = Path(case_line.removeprefix("render --case: "))
    text = "\n".join(p.text for p in docx.Document(str(case_letter)).paragraphs)
    number = case_letter.stem.removeprefix("case-")
    assert f"На Ваше обращение № {number} от" in text and "Самарина Н.Н." in text
