"""The compiler: templates_src → desired Omnidesk state; golden JSON, markers, HTML comparison.

Regenerate the golden file after an intended change with
``.venv/bin/omnidesk-macros build --out tests/golden`` and review the diff before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from omnidesk_macros import load_sources
from omnidesk_macros.compile import compile_sources
from omnidesk_macros.omnidesk_html import canonical_html
from tests.helpers import REPO, TEMPLATES_SRC, build_file_tree
from tests.test_validate import GOOD_FRONT, diagnostics, reply

GOLDEN = REPO / "tests" / "golden" / "omnidesk-desired.json"


def test_build_matches_the_golden_file_and_is_byte_identical_on_rerun(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["build", "--templates", str(TEMPLATES_SRC), "--out", str(tmp_path / "a")])
    runner.invoke(cli, ["build", "--templates", str(TEMPLATES_SRC), "--out", str(tmp_path / "b")])
    assert first.exit_code == 0, first.output
    produced = (tmp_path / "a" / "omnidesk-desired.json").read_bytes()
    assert produced == (tmp_path / "b" / "omnidesk-desired.json").read_bytes()
    assert produced == GOLDEN.read_bytes(), "regenerate with: omnidesk-macros build --out tests/golden"


def test_the_desired_state_has_what_the_issue_lists() -> None:
    state = compile_sources(load_sources(TEMPLATES_SRC))
    keys = state.by_key()
    type_options = [o for o in state.of_kind("field_option") if o.parent == "field:appeal_type"]
    assert len(type_options) == 13
    assert keys["field:appeal_type"].fields == {"title": "Тип обращения", "field_type": "select",
                                                "field_level": "case"}
    assert "field:case_number" not in keys  # builtin: an Omnidesk attribute, not a custom field
    assert len(state.of_kind("macro_category")) == 13
    assert keys["label:print"].title == "Печать ответа"
    assert len(state.of_kind("label")) == 14
    assert keys["kb:category"].title == "Типовые ответы"
    articles = state.of_kind("kb_article")
    assert len(articles) == 27
    assert all(a.fields["access_type"] == "staff_only" for a in articles)
    assert keys["kb:article:e-receipt"].fields["tags"] == ["tpl-e-receipt"]
    # one macro per template with the reply channel per appeal type offering it
    macros = state.of_kind("macro")
    assert {m.key for m in macros} >= {"macro:payments:payment-without-commission",
                                       "macro:other:payment-without-commission"}
    letter_only = [t.id for t in load_sources(TEMPLATES_SRC).templates.values() if "reply" not in t.channels]
    assert letter_only and not [m for m in macros if m.key.endswith(f":{letter_only[0]}")]


def test_placeholders_become_russian_markers() -> None:
    keys = compile_sources(load_sources(TEMPLATES_SRC)).by_key()
    penalties = keys["macro:recalculation:penalties-erroneous"].fields["html"]
    assert "в [месяц перерасчёта] и" in penalties
    assert "{{" not in penalties and "\\[" not in penalties
    advance = keys["kb:article:advance-receipt"].fields["html"]
    assert "[месяц, за который направлены авансовые квитанции − 1 мес.] года" in advance
    # «[месяц] [месяц]» from month_name and .year of one variable is one blank
    assert "квитанции] [месяц" not in advance


def test_case_number_marker(tmp_path: Path) -> None:
    from tests.helpers import MINIMAL_TREE

    root = build_file_tree(tmp_path / "t", {**MINIMAL_TREE, "replies/penalties.md": reply(
        GOOD_FRONT, 'По обращению № {{ case.number }} от {{ case.date | date_ru }}, {{ client.full_name }}: '
                    '{{ fill.month | month_year("prep") }}.\n')})
    html = compile_sources(load_sources(root)).by_key()["macro:recalculation:penalties"].fields["html"]
    assert html == "<p>По обращению № [№ обращения] от [дата обращения], [ФИО абонента]: [месяц].</p>"


def test_validate_reports_a_template_that_cannot_become_a_macro(tmp_path: Path) -> None:
    from tests.helpers import MINIMAL_TREE

    body = ('{% if client.email %}Ответ придет на почту.{% endif %}\n'
            'Перерасчет будет в {{ fill.month | month_year("prep") }}.\n')
    root = build_file_tree(tmp_path / "t", {**MINIMAL_TREE, "replies/penalties.md": reply(GOOD_FRONT, body)})
    assert diagnostics(root) == [
        "replies/penalties.md:12:1: error: a condition on client.email cannot be kept in an Omnidesk macro\n"
        "    hint: a macro has no conditions: test only channel, or drop 'reply' from channels"]
    letter_only = reply(GOOD_FRONT.replace("[letter, reply]", "[letter]"), body)
    root2 = build_file_tree(tmp_path / "t2", {**MINIMAL_TREE, "replies/penalties.md": letter_only})
    assert diagnostics(root2) == []


def test_build_refuses_broken_sources(tmp_path: Path) -> None:
    from tests.helpers import MINIMAL_TREE

    body = "{% for x in [1, 2] %}{{ x }}{% endfor %} {{ fill.month }}\n"
    root = build_file_tree(tmp_path / "t", {**MINIMAL_TREE, "replies/penalties.md": reply(GOOD_FRONT, body)})
    result = CliRunner().invoke(cli, ["build", "--templates", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert not (tmp_path / "out" / "omnidesk-desired.json").exists()


SAME = [
    ("<p>Здравствуйте!<br>Текст</p>", "Здравствуйте!<br /><br/>Текст".replace("<br /><br/>", "<br />")),
    ("<p><strong>Важно</strong>: оплата</p>", "<p><b>Важно</b>: оплата</p>"),
    ("<p>ООО «СКС» &amp; партнеры</p>", "<p>ООО &laquo;СКС&raquo; &amp;amp; партнеры</p>".replace("&amp;amp;", "&amp;")),
    ("<p>Первый</p>\n<p>Второй</p>", "<p>Первый</p><p>Второй</p>"),
    ("<p>a  b\n c</p>", "<p>a b c</p>"),
    ("<p>a&nbsp;b</p>", "<p>a b</p>"),
    ("<ul><li>один</li><li>два</li></ul>", "<ul>\n  <li><p>один</p></li>\n  <li>два</li>\n</ul>"),
    ("<p><em>x</em></p>", '<p><span style="color: red"><i>x</i></span></p>'),
    ("<p>x</p>", "<p>x</p><p><br></p>".replace("<p><br></p>", "<p></p>")),
    ('<p><a href="https://a.ru">сайт</a></p>', '<p><a target="_blank" href="https://a.ru">сайт</a></p>'),
    # paragraphs written as double breaks (an editor without <p>), blank paragraphs, a break at a cell's end
    ("<p>Здравствуйте!</p><p>Текст</p>", "Здравствуйте!<br><br>Текст"),
    ("<p>Здравствуйте!</p><p>Текст</p>", "<p>Здравствуйте!<br />\n<br /><br></p><p><br></p><p>Текст<br></p>"),
    ("<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
     "<table><tbody><tr><th>a</th></tr><tr><td>1<br></td></tr></tbody></table>"),
]
DIFFERENT = [
    ("<p>оплата до 25 числа</p>", "<p>оплата до 26 числа</p>"),
    ("<p><strong>Важно</strong></p>", "<p>Важно</p>"),
    ("<p>Первый</p><p>Второй</p>", "<p>Первый Второй</p>"),
    ("<ul><li>один</li><li>два</li></ul>", "<ul><li>один</li></ul>"),
    ("<table><tr><td>1</td><td>2</td></tr></table>", "<table><tr><td>1</td><td>3</td></tr></table>"),
    ("<p>a<br>b</p>", "<p>ab</p>"),
    ("<p>a<br>b</p>", "<p>a</p><p>b</p>"),
    ("<table><tr><th>a</th></tr></table>", "<table><tr><td>a</td></tr></table>"),
    # a link or a picture added in Omnidesk's editor is a change, though the words stay (no missed change)
    ("<p>оплата на сайте</p>", '<p>оплата на <a href="https://samcomsys.ru">сайте</a></p>'),
    ('<p><a href="https://a.ru">сайт</a></p>', '<p><a href="https://b.ru">сайт</a></p>'),
    ("<p>Схема</p>", '<p>Схема<img src="https://samcomsys.ru/map.png"></p>'),
    ("<ol><li>a</li></ol>", "<ul><li>a</li></ul>"),
]


@pytest.mark.parametrize(("ours", "theirs"), SAME)
def test_editor_rewrites_compare_equal(ours: str, theirs: str) -> None:
    assert canonical_html(ours) == canonical_html(theirs)


@pytest.mark.parametrize(("ours", "theirs"), DIFFERENT)
def test_real_changes_compare_different(ours: str, theirs: str) -> None:
    assert canonical_html(ours) != canonical_html(theirs)


def test_golden_is_valid_json_with_stable_keys() -> None:
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    keys = [o["key"] for o in data["objects"]]
    assert len(keys) == len(set(keys))
