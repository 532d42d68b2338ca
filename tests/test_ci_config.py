"""The pull-request workflow and the pre-commit hook run commands that exist, with options they accept.

Both files are read as YAML; every `omnidesk-macros …` invocation in them is parsed by the real click
command (``make_context``: unknown commands, options or choices fail) without running it.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import click
import pytest
import yaml

from cli import cli
from tests.helpers import REPO

WORKFLOW = REPO / ".github" / "workflows" / "templates.yml"
PRE_COMMIT = REPO / ".pre-commit-config.yaml"
_SHELL_END = re.compile(r"\s(?:>|>>|\||&&|\|\||;)\s|$")


def invocations(script: str) -> list[list[str]]:
    """The argument lists of every `omnidesk-macros` call in a shell script, up to a redirect or pipe."""
    found = []
    for line in script.splitlines():
        for match in re.finditer(r"omnidesk-macros\s+(.*)", line):
            rest = match.group(1)
            end = _SHELL_END.search(rest)
            found.append(shlex.split(rest[:end.start()] if end else rest))
    return found


def parse_with_click(args: list[str]) -> click.Context:
    command: click.Command = cli
    ctx = None
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        name, args = args[0], args[1:]
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"no command '{name}' in the CLI"
        command = sub
    ctx = command.make_context(command.name or "", list(args))
    return ctx


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def workflow_runs() -> list[str]:
    return [step["run"] for job in workflow()["jobs"].values() for step in job["steps"] if "run" in step]


def test_the_workflow_runs_on_template_pull_requests_and_main() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "templates_src/**" in triggers["pull_request"]["paths"]
    assert triggers["push"]["branches"] == ["main"]
    steps = data["jobs"]["templates"]["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    uploads = [s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads == ["build/", "ci-letters/letters/"]


def test_the_workflow_validates_builds_prints_and_plans_with_commands_that_exist() -> None:
    calls = [args for script in workflow_runs() for args in invocations(script)]
    assert [a[:2] for a in calls] == [["validate", "--format"], ["build", "--out"], ["demo", "--out"],
                                      ["sync", "plan"]]
    for args in calls:
        parse_with_click(args)
    plan_step = next(s for s in workflow_runs() if "sync plan" in s)
    assert '"$code" -ne 2' in plan_step and "GITHUB_STEP_SUMMARY" in plan_step  # 2 passes, 1 fails


def test_the_pre_commit_hook_validates_templates_strictly() -> None:
    data = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    [hook] = [h for repo in data["repos"] for h in repo["hooks"]]
    assert hook["files"] == "^templates_src/" and hook["pass_filenames"] is False
    [args] = invocations(hook["entry"])
    assert args == ["validate", "--strict"]
    parse_with_click(args)


@pytest.mark.parametrize("bad", [["validate", "--format", "gitlab"], ["sync", "plann"], ["build", "--outt", "x"]])
def test_a_rotten_command_would_fail_the_check(bad: list[str]) -> None:
    with pytest.raises((click.UsageError, AssertionError)):
        parse_with_click(bad)
