"""What `list`, `validate --format json` and `render --case` print, pinned byte for byte.

The goldens in tests/fixtures/cli/ were written by the commands before their logic moved into the library
(catalogue.py, validate.ValidationReport, sync/case_letter.py); the front ends must keep printing exactly this.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.helpers import REPO, TEMPLATES_SRC, build_file_tree

GOLDEN = REPO / "tests" / "fixtures" / "cli"

BROKEN_REPLY = """\
    ---
    id: broken
    title: Сломанный
    appeal_types: [recalculation, nosuch]
    channels: [letter]
    variables:
      day:
        label: День
        type: text
    ---
    Счет {{ client.acount }}.
    """


@pytest.mark.parametrize(("args", "golden"), [
    (["list"], "list.txt"),
    (["list", "--format", "json"], "list.json"),
    (["list", "--type", "meter-verification", "--format", "json"], "list-type.json"),
])
def test_list_prints_what_it_printed(args: list[str], golden: str) -> None:
    result = CliRunner().invoke(cli, [*args, "--templates", str(TEMPLATES_SRC)])
    assert result.exit_code == 0, result.output
    assert result.output == (GOLDEN / golden).read_text(encoding="utf-8")


def test_validate_json_prints_what_it_printed(template_dir: Path) -> None:
    build_file_tree(template_dir, {"replies/broken.md": BROKEN_REPLY})
    result = CliRunner().invoke(cli, ["validate", str(template_dir), "--format", "json"])
    assert result.exit_code == 1
    expected = (GOLDEN / "validate.json").read_text(encoding="utf-8")
    rel = os.path.relpath(template_dir)
    assert result.output == expected.replace("{root}", str(template_dir)).replace("{rel}", rel)


def test_validate_json_of_the_real_tree_is_clean() -> None:
    result = CliRunner().invoke(cli, ["validate", str(TEMPLATES_SRC), "--format", "json"])
    assert result.exit_code == 0
    expected = (GOLDEN / "validate-src.json").read_text(encoding="utf-8")
    assert result.output == expected.replace("{root}", str(TEMPLATES_SRC))
