"""The README stays true: every command is documented and has help; CI runs the README's test command."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cli import cli
from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    block = re.search(r"## Set up.*?```sh\n(.*?)```", README, re.S)
    assert block, "README has no set-up block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one() -> None:
    main_job, tests = setup_commands()
    assert main_job.endswith("omnidesk-macros demo && .venv/bin/omnidesk-macros serve")  # issue 10: serve is the main job
    assert tests.endswith("pytest")
    assert tests in (REPO / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert cli.commands[name].help, f"{name} has no help text"
    assert f"`omnidesk-macros {name}" in README, f"README does not document `{name}`"


def test_python_cli_py_works_like_the_console_script() -> None:
    import subprocess
    import sys

    by_file = subprocess.run([sys.executable, "cli.py", "list", "--type", "sealing"], cwd=REPO,
                             capture_output=True, text=True, timeout=60)
    by_script = CliRunner().invoke(cli, ["list", "--type", "sealing"])
    assert by_file.returncode == 0, by_file.stderr
    assert by_file.stdout == by_script.output
    assert by_file.stdout.startswith("Опломбировка  [sealing]\n")


def test_the_readmes_python_example_runs(tmp_path, monkeypatch) -> None:
    """The library calls shown under «From Python» work as written (up to the signature line, which is no call)."""
    block = re.search(r"```python\n(from omnidesk_macros import .*?)```", README, re.S)
    assert block, "README has no Python example of the library"
    code = block.group(1).split("\nrender_letter(template,")[0]
    for name in ("templates_src", "examples"):
        (tmp_path / name).symlink_to(REPO / name)
    monkeypatch.chdir(tmp_path)
    exec(compile("from pathlib import Path\n" + code, "README.md", "exec"), {})  # noqa: S102
    assert (tmp_path / "r.docx").is_file()


def test_the_readmes_validate_example_is_what_validate_prints(tmp_path, monkeypatch) -> None:
    """The «validate» section shows real output: the shipped set with the one typo it names, both formats."""
    import shutil

    block = re.search(r"```console\n(\$ omnidesk-macros validate templates_src .*?)```", README, re.S)
    assert block, "README has no validate example"
    shutil.copytree(REPO / "templates_src", tmp_path / "templates_src")
    reply = tmp_path / "templates_src" / "replies" / "penalties-erroneous.md"
    text = reply.read_text(encoding="utf-8")
    assert "{{ fill.recalc_month | month_year" in text
    reply.write_text(text.replace("{{ fill.recalc_month | month_year", "{{ fill.recalc_mnth | month_year"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    shown = ""
    for command in re.findall(r"^\$ omnidesk-macros (.*?)(?:\s+#.*)?$", block.group(1), re.M):
        result = CliRunner().invoke(cli, command.split())
        assert result.exit_code == 1
        shown += f"$ omnidesk-macros {command}\n{result.output}"
    assert shown == re.sub(r"\s+# exit 1\n", "\n", block.group(1))
