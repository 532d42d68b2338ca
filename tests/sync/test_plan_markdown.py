"""`sync plan --format markdown`: what the pull-request job appends to its summary."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from cli import cli
from sync.plan import Change, Plan, format_plan_markdown
from sync.sandbox import SandboxServer
from tests.helpers import TEMPLATES_SRC


def test_markdown_plan_against_the_sandbox_has_a_table_and_exit_2(sandbox: SandboxServer, tmp_path: Path) -> None:
    templates = Path(shutil.copytree(TEMPLATES_SRC, tmp_path / "templates_src"))
    env = {"OMNIDESK_URL": sandbox.url, "OMNIDESK_EMAIL": "admin@sandbox.local", "OMNIDESK_API_KEY": "sandbox-key"}
    result = CliRunner(env=env).invoke(cli, ["sync", "plan", "--templates", str(templates), "--format", "markdown"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[:6] == ["### Omnidesk plan", "",
                         "129 change(s): 55 by `sync push`, 74 manual (the administrator's checklist); 6 API request(s).",
                         "", "| | kind | key | title | via |", "|---|---|---|---|---|"]
    assert "| ➕ create | label | `label:print` | Печать ответа | api |" in lines


def test_markdown_plan_folds_each_diff_and_escapes_pipes_and_fences() -> None:
    change = Change("update", "kb_article", "kb:article:x", "api", "a | b", "-```old\n+new\n",
                    note="changed in Omnidesk")
    text = format_plan_markdown(Plan([change], 6))
    assert "| ✏️ update | kb_article | `kb:article:x` | a \\| b | api |" in text
    assert text.endswith("<details><summary>update <code>kb:article:x</code></summary>\n\n```diff\n"
                         "# changed in Omnidesk\n-`\u200b``old\n+new\n```\n\n</details>\n")
    assert format_plan_markdown(Plan([], 6)) == "### Omnidesk plan\n\nOmnidesk matches `templates_src/` (6 API request(s)).\n"
