"""`validate --format github`: one GitHub Actions annotation per diagnostic, escaped as the runner decodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from omnidesk_macros.diagnostics import Diagnostic
from tests.helpers import build_file_tree
from tests.test_cli_output import BROKEN_REPLY


def test_validate_github_prints_one_annotation_per_diagnostic_and_the_summary(
        template_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_file_tree(template_dir, {"replies/broken.md": BROKEN_REPLY})
    monkeypatch.chdir(template_dir.parent)  # GitHub wants paths relative to the checkout
    result = CliRunner().invoke(cli, ["validate", "templates_src", "--format", "github"])
    assert result.exit_code == 1
    assert result.output == (
        "::error file=templates_src/replies/broken.md,line=4,col=1::unknown appeal type 'nosuch'"
        "%0Ahint: appeal types are listed in appeal_types.yaml\n"
        "::warning file=templates_src/replies/broken.md,line=7,col=3::fill-in variable 'day' is never used in "
        "the text%0Ahint: use {{ fill.day }} in the body or remove the variable\n"
        "::error file=templates_src/replies/broken.md,line=11,col=1::unknown placeholder 'client.acount'"
        "%0Ahint: did you mean 'client.account'?\n"
        "2 templates, 2 error(s), 1 warning(s)\n")


def test_validate_github_strict_fails_on_a_warning_and_says_why(
        template_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_file_tree(template_dir, {"replies/broken.md": BROKEN_REPLY.replace("recalculation, nosuch", "recalculation")
                                   .replace("{{ client.acount }}", "{{ client.account }}")})
    monkeypatch.chdir(template_dir.parent)
    lenient = CliRunner().invoke(cli, ["validate", "templates_src", "--format", "github"])
    strict = CliRunner().invoke(cli, ["validate", "templates_src", "--format", "github", "--strict"])
    assert lenient.exit_code == 0 and strict.exit_code == 1
    assert strict.output.splitlines() == [
        "::warning file=templates_src/replies/broken.md,line=7,col=3::fill-in variable 'day' is never used in "
        "the text%0Ahint: use {{ fill.day }} in the body or remove the variable",
        "2 templates, 0 error(s), 1 warning(s) — warnings count as errors (--strict)"]


def test_github_escapes_percent_and_line_breaks_in_the_message_and_separators_in_the_file() -> None:
    item = Diagnostic("a,b:c.md", 3, 2, "error", "100% wrong\r\nsecond line", "fix it")
    assert item.github() == "::error file=a%2Cb%3Ac.md,line=3,col=2::100%25 wrong%0D%0Asecond line%0Ahint: fix it"
