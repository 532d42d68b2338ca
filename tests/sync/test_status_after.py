"""`status_after`: a template's macro also sets the case status; validated, compiled, planned, checklisted."""

from __future__ import annotations

from pathlib import Path

from omnidesk_macros import load_sources
from omnidesk_macros.compile import compile_sources
from sync.checklist import STATUS_STEP, build_checklist
from sync.journal import Journal
from sync.live import LiveObject, LiveState
from sync.lockfile import LockFile
from sync.plan import make_plan
from sync.resources import status_of_code
from sync.sandbox.administrator import perform_steps
from sync.sandbox.store import Store
from tests.helpers import TEMPLATES_SRC, build_file_tree
from tests.test_validate import GOOD_BODY, GOOD_FRONT, diagnostics, reply


def test_status_after_is_one_of_three_and_needs_the_reply_channel(template_dir: Path) -> None:
    build_file_tree(template_dir, {"replies/penalties.md": reply(GOOD_FRONT + "\nstatus_after: closd", GOOD_BODY)})
    assert diagnostics(template_dir) == [
        "replies/penalties.md:11:15: error: 'status_after' in front matter is 'closd', expected one of: open, "
        "waiting, closed\n    hint: did you mean 'closed'?"]
    letter_only = GOOD_FRONT.replace("[letter, reply]", "[letter]") + "\nstatus_after: closed"
    build_file_tree(template_dir, {"replies/penalties.md": reply(letter_only, GOOD_BODY)})
    assert diagnostics(template_dir) == [
        "replies/penalties.md:11:15: warning: status_after has no effect: only a macro sets a status, and this "
        "template has no 'reply' channel\n    hint: add 'reply' to channels or remove status_after"]


def test_the_shipped_waiting_replies_compile_to_a_status_and_the_rest_set_none() -> None:
    macros = compile_sources(load_sources(TEMPLATES_SRC)).of_kind("macro")
    with_status = {m.key.rsplit(":", 1)[1] for m in macros if "status" in m.fields}
    assert with_status == {"appeal-received", "insufficient-information"}
    assert {m.fields["status"] for m in macros if "status" in m.fields} == {"waiting"}


def _live_macro(status_code: str | None) -> LiveState:
    desired = compile_sources(load_sources(TEMPLATES_SRC))
    want = desired.by_key()["macro:other:insufficient-information"]
    category = desired.by_key()["category:other"]
    status = status_of_code(status_code) if status_code is not None else ""
    return LiveState([
        LiveObject("macro_category", 7, category.title, {"title": category.title}),
        LiveObject("macro", 70, want.title, {"title": want.title, "status": status}, parent_id=7,
                   extra={"replies": {"1": want.fields["html"]}}),
    ])


def _change(status_code: str | None, tmp_path: Path) -> str | None:
    desired = compile_sources(load_sources(TEMPLATES_SRC))
    plan = make_plan(desired, _live_macro(status_code), LockFile(tmp_path / "l.json"), Journal(tmp_path / "j.json"))
    change = next((c for c in plan.changes if c.key == "macro:other:insufficient-information"), None)
    return None if change is None else change.diff


def test_the_plan_compares_the_status_action(tmp_path: Path) -> None:
    assert _change("2", tmp_path) is None  # «В ожидании»: matches
    assert "-status: closed\n+status: waiting" in (_change("3", tmp_path) or "")
    assert "+status: waiting" in (_change(None, tmp_path) or "")  # pasted without the status action


def test_a_macro_without_status_after_sees_a_status_action_as_a_change(tmp_path: Path) -> None:
    desired = compile_sources(load_sources(TEMPLATES_SRC))
    want = desired.by_key()["macro:other:payment-without-commission"]
    live = LiveState([LiveObject("macro_category", 7, desired.by_key()["category:other"].title, {}),
                      LiveObject("macro", 70, want.title, {"title": want.title, "status": "closed"}, parent_id=7,
                                 extra={"replies": {"1": want.fields["html"]}})])
    live.objects[0].fields["title"] = live.objects[0].title
    plan = make_plan(desired, live, LockFile(tmp_path / "l.json"), Journal(tmp_path / "j.json"))
    change = next(c for c in plan.changes if c.key == want.key)
    assert change.action == "update" and "-status: closed" in change.diff


def test_the_checklist_asks_for_the_status_and_the_sandbox_administrator_adds_it(tmp_path: Path) -> None:
    desired = compile_sources(load_sources(TEMPLATES_SRC))
    plan = make_plan(desired, LiveState([]), LockFile(tmp_path / "l.json"), Journal(tmp_path / "j.json"))
    steps = build_checklist(plan).steps
    macro = next(s for s in steps if s.key == "macro:other:insufficient-information")
    assert macro.values[STATUS_STEP] == "В ожидании"
    assert STATUS_STEP not in next(s for s in steps if s.key == "macro:other:payment-without-commission").values
    store = Store(tmp_path / "s.sqlite3")
    try:
        manual = [{"key": s.key, "kind": s.kind, "action": s.action, "done": s.done, "values": s.values}
                  for s in steps if s.kind in ("macro_category", "macro")]
        perform_steps(store, manual)
        stored = next(m for m in store.all("macro") if m["title"] == "Недостаточно информации")
        assert [(a["action_type"], a["action_destination"]) for a in stored["actions"]][1] == ("status", "2")
    finally:
        store.close()
