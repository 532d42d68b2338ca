"""validate: one broken fixture per class of error, asserting the exact message and position."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from omnidesk_macros.validate import validate_sources
from tests.helpers import MINIMAL_TREE, build_file_tree


def run_validate(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(root), *args])
    return result.exit_code, result.output


def diagnostics(root: Path) -> list[str]:
    _, diags = validate_sources(root)
    rel = os.path.relpath(root)
    return [d.format().replace(rel + os.sep, "") for d in diags.items]


def reply(front: str, body: str) -> str:
    return f"---\n{front.strip()}\n---\n{body}"


# The minimal tree's reply, front matter only: each broken case below edits a copy of it.
GOOD_FRONT = textwrap.dedent(MINIMAL_TREE["replies/penalties.md"]).split("---\n")[1].strip()
GOOD_BODY = 'Перерасчет будет в {{ fill.month | month_year("prep") }}.\n'


def test_minimal_tree_is_clean(template_dir: Path) -> None:
    assert diagnostics(template_dir) == []
    assert run_validate(template_dir) == (0, "1 templates, 0 error(s), 0 warning(s)\n")


BROKEN = {
    "yaml syntax": (
        {"replies/penalties.md": reply("id: penalties\ntitle: [unclosed", GOOD_BODY)},
        "replies/penalties.md:3:17: error: YAML syntax: expected ',' or ']', but got '<stream end>'",
    ),
    "unknown key": (
        {"replies/penalties.md": reply(GOOD_FRONT.replace("channels:", "chanels: [x]\nchannels:"), GOOD_BODY)},
        "replies/penalties.md:5:1: error: unknown key 'chanels' in front matter\n    hint: did you mean 'channels'?",
    ),
    "missing key": (
        {"replies/penalties.md": reply(GOOD_FRONT.replace("title: Пени\n", ""), GOOD_BODY)},
        "replies/penalties.md:2:1: error: missing required key 'title' in front matter\n"
        "    hint: the title specialists see in the popup list",
    ),
    "jinja syntax": (
        {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY + "\nИтого {{ fill.month \n")},
        "replies/penalties.md:14:1: error: template syntax: unexpected end of template, expected 'end of print statement'.",
    ),
    "undeclared placeholder": (
        {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY + "\nДо {{ fill.mnth }}.\n")},
        "replies/penalties.md:14:1: error: unknown placeholder 'fill.mnth'\n    hint: did you mean 'fill.month'?",
    ),
    "unknown context placeholder": (
        {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY + "\n{{ client.acount }}\n")},
        "replies/penalties.md:14:1: error: unknown placeholder 'client.acount'\n"
        "    hint: did you mean 'client.account'?",
    ),
    "unused variable": (
        {"replies/penalties.md": reply(GOOD_FRONT + "\n  day:\n    label: День", GOOD_BODY)},
        "replies/penalties.md:11:3: warning: fill-in variable 'day' is never used in the text\n"
        "    hint: use {{ fill.day }} in the body or remove the variable",
    ),
    "unknown appeal type": (
        {"replies/penalties.md": reply(GOOD_FRONT.replace("[recalculation, other]", "[recalculaton, other]"),
                                       GOOD_BODY)},
        "replies/penalties.md:4:1: error: unknown appeal type 'recalculaton'\n"
        "    hint: did you mean 'recalculation'?",
    ),
    "unknown card context": (
        {"card.yaml": "fields:\n  - id: account\n    title: ЛС\n    level: user\n    type: text\n"
                      "    context: client.acount\n"},
        "card.yaml:6:14: error: card field 'account' feeds unknown placeholder 'client.acount'\n"
        "    hint: did you mean 'client.account'?",
    ),
    "duplicate title": (
        {"replies/fines.md": reply(GOOD_FRONT.replace("id: penalties", "id: fines"), GOOD_BODY)},
        "replies/penalties.md:3:1: error: duplicate template title 'Пени' (also in replies/fines.md)",
    ),
    "duplicate appeal type id": (
        {"appeal_types.yaml": "appeal_types:\n  - id: recalculation\n    title: A\n"
                              "  - id: other\n    title: B\n  - id: other\n    title: C\n"},
        "appeal_types.yaml:6:1: error: duplicate appeal type id 'other' (first at line 4)",
    ),
    "file name differs from id": (
        {"replies/penalties.md": reply(GOOD_FRONT.replace("id: penalties", "id: penalty"), GOOD_BODY)},
        "replies/penalties.md:2:1: error: id 'penalty' differs from the file name 'penalties.md'\n"
        "    hint: rename the file to penalty.md or set id: penalties",
    ),
    "unreachable template": (
        {"replies/penalties.md": reply(GOOD_FRONT.replace("[recalculation, other]", "[]"), GOOD_BODY)},
        "replies/penalties.md:4:1: warning: template 'penalties' is reachable from no appeal type\n"
        "    hint: list the appeal types that offer it under 'appeal_types'",
    ),
    "markdown the letter cannot show": (
        {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY + "\n## Итог\n")},
        "replies/penalties.md:14:1: error: a heading cannot be shown in a letter\n"
        "    hint: write the title in front matter 'title', or use **bold** text",
    ),
    "html in body": (
        {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY + "\nСм. <b>здесь</b>.\n")},
        "replies/penalties.md:14:1: error: HTML '<b>' cannot be shown in a letter\n"
        "    hint: <br> works only inside table cells; end the line with \\ for a line break",
    ),
    "bad default": (
        {"replies/penalties.md": reply(GOOD_FRONT.replace("case.date | add_months(1)", "case.date |"), GOOD_BODY)},
        "replies/penalties.md:7:3: error: default of 'month' is not a valid expression: "
        "expected token 'name', got 'end of print statement'\n"
        "    hint: write an expression such as case.date | add_months(1), or quote a literal: '\"15\"'",
    ),
    "wrong filter argument found by trial render": (
        {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY.replace('"prep"', '"dat"'))},
        "replies/penalties.md:12:1: error: does not render with sample data: "
        "unknown month form 'dat'; use one of nom, gen, prep",
    ),
    "date filter on text": (
        {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY + "\n{{ client.account | date_ru }}\n")},
        "replies/penalties.md:12:1: error: does not render with sample data: "
        "filter 'date_ru' needs a date, got str '0000000001'",
    ),
    "variable type not allowed": (
        {"replies/penalties.md": reply(GOOD_FRONT.replace("type: month", "type: mnth"), GOOD_BODY)},
        "replies/penalties.md:9:11: error: 'type' in variable 'month' is 'mnth', expected one of: "
        "text, textarea, date, month, number\n    hint: did you mean 'month'?",
    ),
    "duplicate yaml key": (
        {"replies/penalties.md": reply(GOOD_FRONT + "\ntitle: Снова", GOOD_BODY)},
        "replies/penalties.md:11:1: error: duplicate key 'title'\n    hint: YAML keeps only the last one; remove one",
    ),
    "no front matter": (
        {"replies/penalties.md": GOOD_BODY},
        "replies/penalties.md:1:1: error: no front matter\n"
        "    hint: start the file with a '---' line, the YAML keys, and another '---'",
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_class_of_error_is_reported_exactly(template_dir: Path, case: str) -> None:
    files, expected = BROKEN[case]
    build_file_tree(template_dir, files)
    expected = expected.replace("{root}", os.path.relpath(template_dir))
    assert expected in diagnostics(template_dir)


def test_every_problem_is_reported_in_one_run(template_dir: Path) -> None:
    body = GOOD_BODY + "\n{{ fill.mnth }}\n\n## Итог\n"
    build_file_tree(template_dir, {
        "replies/penalties.md": reply(GOOD_FRONT.replace("[recalculation, other]", "[nope]"), body),
        "replies/second.md": reply("id: second\ntitle: [broken", "x"),
    })
    found = diagnostics(template_dir)
    assert [d.split(": ")[1] for d in found] == ["warning"] * 2 + ["error"] * 4
    code, output = run_validate(template_dir)
    assert code == 1
    assert output.endswith("1 templates, 4 error(s), 2 warning(s)\n")


def test_warnings_fail_only_with_strict(template_dir: Path) -> None:
    build_file_tree(template_dir, {"replies/penalties.md": reply(GOOD_FRONT + "\n  day:\n    label: День", GOOD_BODY)})
    assert run_validate(template_dir)[0] == 0
    code, output = run_validate(template_dir, "--strict")
    assert code == 1
    assert "warnings count as errors (--strict)" in output


def test_json_format_lists_diagnostics(template_dir: Path) -> None:
    build_file_tree(template_dir, {"replies/penalties.md": reply(GOOD_FRONT, GOOD_BODY + "{{ fill.mnth }}\n")})
    code, output = run_validate(template_dir, "--format", "json")
    report = json.loads(output)
    assert code == 1
    assert report["ok"] is False and report["errors"] == 1 and report["templates"] == 1
    [item] = report["diagnostics"]
    assert (item["line"], item["severity"], item["message"]) == (13, "error", "unknown placeholder 'fill.mnth'")


def test_appeal_type_without_template_warns(template_dir: Path) -> None:
    build_file_tree(template_dir, {"replies/penalties.md": reply(
        GOOD_FRONT.replace("[recalculation, other]", "[other]"), GOOD_BODY)})
    assert diagnostics(template_dir) == [
        "appeal_types.yaml:2:1: warning: appeal type 'recalculation' offers no template\n"
        "    hint: add 'recalculation' to 'appeal_types' in a reply's front matter"
    ]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "templates folder" in str(result.exception)
