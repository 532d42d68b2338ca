"""The sync engine against the in-process sandbox: from an empty account to an empty plan, and its faults.

Each test copies templates_src/ into tmp_path, so the lock file and the journal are the test's own.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from cli import cli
from omnidesk_macros.errors import OmnideskMacrosError, PlanConflict, TransportError
from sync.apply import plan_sources, push
from sync.client import Client
from sync.plan import Plan
from sync.sandbox import SandboxServer
from sync.sandbox.administrator import post_checklist
from tests.helpers import TEMPLATES_SRC


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TEMPLATES_SRC, tmp_path / "templates_src"))


def admin(sandbox: SandboxServer, method: str, route: str, body: Any = None) -> Any:
    response = httpx.request(method, f"{sandbox.url}/_admin/{route}", json=body, timeout=10)
    response.raise_for_status()
    return response.json() if response.content else None


def writes(sandbox: SandboxServer) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in admin(sandbox, "GET", "requests")["requests"]
            if r["method"] != "GET"]


def counts(api: Client) -> Counter[str]:
    """How many objects of each title (and each article tag) the account has: duplicates show as 2."""
    found: Counter[str] = Counter()
    found.update(f"label:{lb['label_title']}" for lb in api.iter_labels())
    found.update(f"kb_category:{c['category_title']}" for c in api.iter_kb("category"))
    found.update(f"kb_section:{s['section_title']}:{s['category_id']}" for s in api.iter_kb("section"))
    found.update(f"kb_article:{a['article_tags']}" for a in api.iter_kb("article"))
    return found


def test_empty_account_to_empty_plan_and_a_second_push_writes_nothing(
        sandbox: SandboxServer, templates: Path, tmp_path: Path) -> None:
    env = {"OMNIDESK_URL": sandbox.url, "OMNIDESK_EMAIL": "admin@sandbox.local", "OMNIDESK_API_KEY": "sandbox-key"}
    runner = CliRunner(env=env)
    checklist = tmp_path / "checklist"
    first = runner.invoke(cli, ["sync", "push", "--templates", str(templates), "--yes", "--checklist", str(checklist)])
    assert first.exit_code == 3, first.output
    assert "55 change(s) applied" in first.output
    html = (checklist / "checklist.html").read_text(encoding="utf-8")
    assert "navigator.clipboard.write" in html and "new ClipboardItem" in html and 'execCommand("copy")' in html
    assert "Настройки → Шаблоны → Общие шаблоны" in (checklist / "checklist.md").read_text(encoding="utf-8")

    result = post_checklist(sandbox.url, checklist / "checklist.json")
    assert result["skipped"] == [] and len(result["performed"]) == 74
    categories = httpx.get(f"{sandbox.url}/api/macros.json", auth=("admin@sandbox.local", "sandbox-key")).json()
    pasted = next(m for c in categories["common"].values() for m in c["data"].values()
                  if m["title"] == "Оплата без комиссии")["actions"][0]["action_destination"]["1"]
    assert "&laquo;Почта России&raquo;" in pasted  # the editor rewrote the paste, and yet:

    plan = runner.invoke(cli, ["sync", "plan", "--templates", str(templates)])
    assert plan.exit_code == 0, plan.output
    assert plan.output == "Omnidesk matches templates_src/; 6 API request(s) to plan\n"
    lock = (templates / "omnidesk.lock.json").read_text(encoding="utf-8")
    assert '"macro:payments:payment-without-commission"' in lock and '"field:appeal_type"' in lock

    admin(sandbox, "DELETE", "requests")
    second = runner.invoke(cli, ["sync", "push", "--templates", str(templates), "--yes", "--checklist", str(checklist)])
    assert second.exit_code == 0, second.output
    assert writes(sandbox) == []
    assert "[x] 1." in (checklist / "checklist.md").read_text(encoding="utf-8")


def test_plan_json_shape_and_exit_code(sandbox: SandboxServer, templates: Path) -> None:
    env = {"OMNIDESK_URL": sandbox.url, "OMNIDESK_EMAIL": "admin@sandbox.local", "OMNIDESK_API_KEY": "sandbox-key"}
    result = CliRunner(env=env).invoke(cli, ["sync", "plan", "--templates", str(templates), "--format", "json"])
    assert result.exit_code == 2
    import json

    data = json.loads(result.output)
    assert data["requests"] == 6
    assert set(data["changes"][0]) == {"action", "kind", "key", "via", "title", "diff"}
    by_key = {c["key"]: c for c in data["changes"]}
    assert by_key["label:print"]["via"] == "api" and by_key["macro:payments:payment-without-commission"]["via"] == "manual"
    # the seeded «Тип обращения» has five topics: ours lists thirteen types; theirs stay unless pruned
    assert by_key["option:appeal_type:recalculation"]["action"] == "create"
    assert not any(c["key"].startswith("unlisted:field_option:") for c in data["changes"])
    pruned = CliRunner(env=env).invoke(cli, ["sync", "plan", "--templates", str(templates), "--format", "json",
                                             "--prune"])
    unlisted = [c for c in json.loads(pruned.output)["changes"] if c["key"].startswith("unlisted:field_option:")]
    assert len(unlisted) == 8 and {c["via"] for c in unlisted} == {"manual"}


@pytest.mark.parametrize("killed_after", [0, 1, 14, 30, 54])
def test_a_push_cut_off_after_k_writes_resumes_without_duplicates(
        sandbox: SandboxServer, api: Client, templates: Path, tmp_path: Path, killed_after: int) -> None:
    # the connection drops after Omnidesk committed write k+1: the worst moment for a POST
    admin(sandbox, "POST", "faults", {"drop": {"skip": killed_after, "count": 1, "methods": ["POST"],
                                               "after_write": True}})
    with pytest.raises(TransportError):
        push(templates, api, checklist_dir=tmp_path / "c")
    admin(sandbox, "DELETE", "faults")
    result = push(templates, api, checklist_dir=tmp_path / "c")
    assert len(result.applied) == 55 - killed_after - 1
    assert max(counts(api).values()) == 1
    assert plan_sources(templates, api).api_changes == []


@pytest.mark.parametrize("status", [429, 403])
def test_a_throttling_storm_slows_the_push_but_it_completes(sandbox: SandboxServer, api: Client, templates: Path,
                                                            tmp_path: Path, status: int) -> None:
    # seven refusals in a row, in the middle of the writes: one short of the client's attempts per call
    admin(sandbox, "POST", "faults", {"throttle": {"count": 7, "skip": 20, "retry_after": 1, "status": status}})
    result = push(templates, api, checklist_dir=tmp_path / "c")
    log = admin(sandbox, "GET", "requests")["requests"]
    assert sum(r["status"] == status for r in log) == 7
    assert len(result.applied) == 55
    assert max(counts(api).values()) == 1


def first_push_then_edit(templates: Path, api: Client, tmp_path: Path) -> int:
    push(templates, api, checklist_dir=tmp_path / "c")
    article = next(a for a in api.iter_kb("article") if a["article_tags"] == "tpl-e-receipt")
    body = templates / "replies" / "e-receipt.md"
    body.write_text(body.read_text(encoding="utf-8") + "\nДобавлено в git.\n", encoding="utf-8")
    return int(article["article_id"])


def test_an_object_edited_between_plan_and_push_is_not_overwritten(
        api: Client, templates: Path, tmp_path: Path) -> None:
    article_id = first_push_then_edit(templates, api, tmp_path)

    def someone_edits_while_reading(plan: Plan) -> bool:
        assert [c.key for c in plan.api_changes] == ["kb:article:e-receipt"]
        api.update_kb("article", article_id, article_content="<p>Правка специалиста в Omnidesk</p>")
        return True

    with pytest.raises(PlanConflict, match="run `sync plan` again"):
        push(templates, api, confirm=someone_edits_while_reading, checklist_dir=tmp_path / "c")
    assert api.get_kb("article", article_id)["article_content"] == "<p>Правка специалиста в Omnidesk</p>"


def test_an_object_edited_in_omnidesk_since_the_last_push_needs_overwrite(
        api: Client, templates: Path, tmp_path: Path) -> None:
    article_id = first_push_then_edit(templates, api, tmp_path)
    api.update_kb("article", article_id, article_content="<p>Правка специалиста</p>")
    plan = plan_sources(templates, api)
    change = next(c for c in plan.to_dict()["changes"] if c["key"] == "kb:article:e-receipt")
    assert change["diff"].startswith("# changed in Omnidesk since the last push")
    assert "-  Правка специалиста" in change["diff"]
    with pytest.raises(PlanConflict, match="changed in Omnidesk since the last push: kb:article:e-receipt"):
        push(templates, api, checklist_dir=tmp_path / "c")
    assert api.get_kb("article", article_id)["article_content"] == "<p>Правка специалиста</p>"
    push(templates, api, overwrite=True, checklist_dir=tmp_path / "c")
    assert "Добавлено в git." in api.get_kb("article", article_id)["article_content"]


def test_an_unowned_label_of_our_title_is_never_touched(
        sandbox: SandboxServer, api: Client, templates: Path, tmp_path: Path) -> None:
    theirs = api.create_label("Печать ответа")
    admin(sandbox, "DELETE", "requests")
    result = push(templates, api, checklist_dir=tmp_path / "c")
    assert not [w for w in writes(sandbox) if f"labels/{theirs['label_id']}" in w]
    blocked = next(c for c in result.plan.changes if c.key == "label:print")
    assert blocked.via == "manual" and "not this tool's" in blocked.note
    assert [lb for lb in api.iter_labels() if lb["label_title"] == "Печать ответа"] == [theirs]


def test_prune_deletes_only_unowned_objects_in_what_the_tool_manages(
        api: Client, templates: Path, tmp_path: Path) -> None:
    push(templates, api, checklist_dir=tmp_path / "c")
    lock = (templates / "omnidesk.lock.json").read_text(encoding="utf-8")
    section = next(s for s in api.iter_kb("section") if s["section_title"] == "Рассрочка")
    stray = api.create_kb("article", article_title="Чужая статья", article_content="<p>x</p>",
                          section_id=[section["section_id"]])
    assert plan_sources(templates, api).changes and not plan_sources(templates, api).api_changes
    pruned = push(templates, api, prune=True, checklist_dir=tmp_path / "c")
    assert [c.key for c in pruned.applied] == [f"unowned:kb_article:{stray['article_id']}"]
    assert lock == (templates / "omnidesk.lock.json").read_text(encoding="utf-8")
    assert any(lb["label_title"] == "Срочно" for lb in api.iter_labels())  # seeded, unowned, untouched


def test_one_push_at_a_time(api: Client, templates: Path, tmp_path: Path) -> None:
    import os

    (templates / "omnidesk.push.lock").write_text(str(os.getppid()))
    with pytest.raises(OmnideskMacrosError, match="another push"):
        push(templates, api, checklist_dir=tmp_path / "c")


def test_no_terminal_means_no(sandbox: SandboxServer, templates: Path, tmp_path: Path) -> None:
    env = {"OMNIDESK_URL": sandbox.url, "OMNIDESK_EMAIL": "admin@sandbox.local", "OMNIDESK_API_KEY": "sandbox-key"}
    result = CliRunner(env=env).invoke(cli, ["sync", "push", "--templates", str(templates),
                                            "--checklist", str(tmp_path / "c")], input="y\n")
    assert result.exit_code == 1
    assert "nothing written" in result.output
    assert not (templates / "omnidesk.lock.json").read_text(encoding="utf-8").count('"label:')


Factory = Callable[..., Client]


def test_verify_names_objects_changed_on_either_side(sandbox: SandboxServer, api: Client, templates: Path,
                                                     tmp_path: Path) -> None:
    env = {"OMNIDESK_URL": sandbox.url, "OMNIDESK_EMAIL": "admin@sandbox.local", "OMNIDESK_API_KEY": "sandbox-key"}
    push(templates, api, checklist_dir=tmp_path / "c")
    post_checklist(sandbox.url, tmp_path / "c" / "checklist.json")
    plan_sources(templates, api)  # records the administrator's work
    runner = CliRunner(env=env)
    clean = runner.invoke(cli, ["sync", "verify", "--templates", str(templates)])
    assert clean.exit_code == 0, clean.output
    article_id = first_push_then_edit(templates, api, tmp_path)  # e-receipt changed in git
    label = next(lb for lb in api.iter_labels() if lb["label_title"] == "Рассрочка")
    api.update_label(label["label_id"], "Рассрочка платежа")  # changed in Omnidesk
    import json

    lock = json.loads((templates / "omnidesk.lock.json").read_text(encoding="utf-8"))["objects"]
    macro_id = lock["macro:installment:appeal-received"]["id"]
    admin(sandbox, "PUT", f"macros/{macro_id}", {"actions": [
        {"action_type": "email_to_user", "action_destination": {"1": "<p>Исправлено в интерфейсе</p>"}}]})
    result = runner.invoke(cli, ["sync", "verify", "--templates", str(templates), "--format", "json"])
    assert result.exit_code == 2
    changed = {d["key"]: d["changed"] for d in json.loads(result.output)["changed"]}
    in_git = {key for key in lock if key.endswith(":e-receipt")}
    assert article_id and len(in_git) >= 2  # the article and each macro of the template
    assert changed == {**dict.fromkeys(in_git, "git"), "label:installment": "omnidesk",
                       "macro:installment:appeal-received": "omnidesk"}
