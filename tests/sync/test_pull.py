"""`sync pull` against the sandbox: its seeded macros become templates that validate and build back to the
same text (canonical HTML), and nothing is overwritten without --force."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from omnidesk_macros.from_html import html_to_markdown
from omnidesk_macros.omnidesk_html import canonical_html
from omnidesk_macros.template_file import template_id
from sync.client import Client
from sync.pull import pull
from sync.sandbox import SandboxServer
from sync.sandbox.seed import add_macro
from tests.helpers import TEMPLATES_SRC

REPLY = {"action_type": "email_to_user", "action_display_name": "Отправить ответ пользователю"}


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TEMPLATES_SRC, tmp_path / "templates_src"))


def seeded_replies(sandbox: SandboxServer) -> dict[str, str]:
    """Title → the Russian reply HTML of every macro the sandbox holds."""
    found = {}
    for macro in sandbox.store.all("macro"):
        reply = next((a["action_destination"] for a in macro["actions"] if a["action_type"] == "email_to_user"), None)
        if reply:
            found[macro["title"]] = reply["1"]
    return found


def test_pull_then_build_gives_back_every_seeded_macro_text(
        sandbox: SandboxServer, api: Client, templates: Path, tmp_path: Path) -> None:
    # a category named like an appeal type, holding one text twice (as `sync push` lays macros out)
    with sandbox.store.transaction():
        sandbox.store.insert("macro_category", "macros_category_id", {"macros_category_id": 61, "title": "Рассрочка",
                                                                     "sort": 3})
        sandbox.store.insert("macro_category", "macros_category_id", {"macros_category_id": 62, "title": "Жалоба",
                                                                     "sort": 4})
        for category in (61, 62):
            add_macro(sandbox.store, {"category_id": category, "scope": "common", "title": "График платежей",
                                      "position": 1, "group_name": "", "actions": [
                                          {**REPLY, "action_destination": {"1": "<p>Платите <b>до 10</b> числа.</p>"}}]})
    out = tmp_path / "pulled"
    result = pull(templates, api, out)
    assert result.requests == 1
    written = {p.title: p for p in result.written}
    assert sorted(written) == ["График платежей", "Ответ о перерасчёте", "Поверка прибора учёта",
                               "Способы оплаты без комиссии", "Часы приёма ЦОК и документы"]
    assert sorted((s.title, s.reason) for s in result.skipped) == [
        ("Передать в «Вопросы по оплате»", "no reply text (no «Отправить ответ пользователю» action in Russian)"),
        ("Требуется помощь бухгалтерии", "no reply text (no «Отправить ответ пользователю» action in Russian)")]
    assert written["График платежей"].appeal_types == ("installment", "complaint")
    assert len(written["График платежей"].macro_ids) == 2
    centres = written["Часы приёма ЦОК и документы"].path.read_text(encoding="utf-8")
    assert centres.startswith("---\n# Omnidesk category «Приборы учёта» matches no appeal type title")
    assert "\nappeal_types: []\nchannels: [reply]\nstatus_after: waiting\n---\n" in centres
    assert "status_after: closed" in written["Ответ о перерасчёте"].path.read_text(encoding="utf-8")

    for path in out.glob("*.md"):
        shutil.copy(path, templates / "replies" / path.name)
    runner = CliRunner()
    validated = runner.invoke(cli, ["validate", str(templates)])
    assert validated.exit_code == 0, validated.output
    built = runner.invoke(cli, ["build", "--templates", str(templates), "--out", str(tmp_path / "build")])
    assert built.exit_code == 0, built.output
    objects = {o["key"]: o for o in json.loads((tmp_path / "build" / "omnidesk-desired.json").read_text())["objects"]}
    seeded = seeded_replies(sandbox)
    assert "<table>" in seeded["Часы приёма ЦОК и документы"] and "<ul>" in seeded["Способы оплаты без комиссии"]
    for title, pulled in written.items():
        article = objects[f"kb:article:{pulled.path.stem}"]["fields"]["html"]
        assert canonical_html(article) == canonical_html(seeded[title]), title
    macro = objects[f"macro:installment:{written['График платежей'].path.stem}"]["fields"]["html"]
    assert canonical_html(macro) == canonical_html("<p>Платите <b>до 10</b> числа.</p>")


def test_pull_never_overwrites_without_force_and_names_each_skip(
        sandbox: SandboxServer, templates: Path, tmp_path: Path) -> None:
    env = {"OMNIDESK_URL": sandbox.url, "OMNIDESK_EMAIL": "admin@sandbox.local", "OMNIDESK_API_KEY": "sandbox-key"}
    runner = CliRunner(env=env)
    out = tmp_path / "pulled"
    args = ["sync", "pull", "--templates", str(templates), "--out", str(out)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    target = out / f"{template_id('Способы оплаты без комиссии')}.md"
    assert f"wrote {target} «Способы оплаты без комиссии» (appeal types: none)" in first.output
    target.write_text("edited by hand\n", encoding="utf-8")
    second = runner.invoke(cli, args)
    assert second.exit_code == 0
    assert (f"skipped «Способы оплаты без комиссии» (macro 196504): {target} exists (pass --force to overwrite it)"
            in second.output)
    assert second.output.endswith("0 template(s) written, 6 macro(s) skipped; 1 API request(s). "
                                  "Review them, then run `omnidesk-macros validate`.\n")
    assert target.read_text(encoding="utf-8") == "edited by hand\n"
    forced = runner.invoke(cli, [*args, "--force"])
    assert "4 template(s) written" in forced.output
    assert target.read_text(encoding="utf-8").startswith("---\n# Omnidesk category «Начисления и оплата»")


def test_pull_skips_macros_the_lock_file_owns_and_titles_a_template_has(
        sandbox: SandboxServer, api: Client, templates: Path, tmp_path: Path) -> None:
    (templates / "omnidesk.lock.json").write_text(json.dumps(
        {"version": 1, "objects": {"macro:x:y": {"kind": "macro", "id": 196501, "hash": "0"}}}), encoding="utf-8")
    with sandbox.store.transaction():
        add_macro(sandbox.store, {"category_id": 11, "scope": "common", "title": "Оплата без комиссии", "position": 9,
                                  "group_name": "", "actions": [{**REPLY, "action_destination": {"1": "<p>x</p>"}}]})
    reasons = {s.title: s.reason for s in pull(templates, api, tmp_path / "out").skipped}
    assert reasons["Ответ о перерасчёте"] == "made from templates_src/ (it is in omnidesk.lock.json)"
    assert reasons["Оплата без комиссии"] == "the template 'payment-without-commission' has this title already"


@pytest.mark.parametrize(("html", "markdown", "note"), [
    ("<h2>Важно</h2><p>Текст</p>", "**Важно**\n\nТекст\n", "a heading became a bold paragraph"),
    ('<p>См. <a href="https://samcomsys.ru/pay">оплату</a></p>', "См. оплату (https://samcomsys.ru/pay)\n",
     "a link became its text and address"),
    ("<p>{{ case.number }} и {% if %}</p>", '{{ "{" }}{ case.number }} и {{ "{" }}% if %}\n', None),
    ("<p>&amp;laquo; остаётся текстом</p>", "\\&laquo; остаётся текстом\n", None),
])
def test_html_a_template_cannot_hold_becomes_text_with_a_note(html: str, markdown: str, note: str | None) -> None:
    converted = html_to_markdown(html)
    assert converted.markdown == markdown
    assert converted.notes == ((note,) if note else ())
