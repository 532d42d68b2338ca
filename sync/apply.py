"""``sync plan`` and ``sync push``: read the live state, plan, and apply what the API can write.

    load + compile templates_src/ → fetch_live → make_plan → (confirm) → re-read → apply, one write at a time
                                                                                  → checklist of manual steps

Every create is written to the journal before it is sent and to the lock file once Omnidesk answered, so a
push cut off anywhere resumes without duplicates. Nothing the lock file does not list is touched without
``--prune``. An update or delete of an object changed in Omnidesk since the last push, or changed between the
plan and the confirmation, stops the push with :class:`PlanConflict` before it writes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnidesk_macros.compile import DesiredState, compile_sources
from omnidesk_macros.errors import NotFoundError, PlanConflict, SourceError
from omnidesk_macros.validate import validate_sources

from .checklist import Checklist, write_checklist
from .client import Client
from .journal import Intent, Journal
from .live import LiveState, fetch_live
from .lockfile import LockFile, one_push_at_a_time
from .plan import APPLY_ORDER, Change, Plan, make_plan, record_found

Progress = Callable[[str], None]


def load_desired(root: Path) -> DesiredState:
    sources, diags = validate_sources(root)
    if diags.errors:
        raise SourceError(f"{len(diags.errors)} error(s) in {root}; run `omnidesk-macros validate`", diags.errors)
    return compile_sources(sources)


def plan_sources(root: Path, client: Client, *, prune: bool = False) -> Plan:
    """The plan for ``root`` against the account; records manual steps found done in the lock file."""
    desired = load_desired(root)
    lock = LockFile.load(root)
    plan = make_plan(desired, fetch_live(client), lock, Journal.load(root), prune)
    record_found(plan, lock)
    lock.save()
    return plan


@dataclass
class PushResult:
    plan: Plan
    applied: list[Change] = field(default_factory=list)
    confirmed: bool = True
    checklist: Checklist | None = None
    requests: int = 0

    @property
    def manual_left(self) -> list[Change]:
        return self.plan.manual_changes


def push(root: Path, client: Client, *, confirm: Callable[[Plan], bool] | None = None, prune: bool = False,
         overwrite: bool = False, checklist_dir: Path | None = None, progress: Progress = lambda _: None) -> PushResult:
    """Apply the plan's api changes; ``confirm`` None means --yes. Writes the checklist of manual steps."""
    start = client.requests_made
    with one_push_at_a_time(root):
        desired = load_desired(root)
        lock = LockFile.load(root)
        journal = Journal.load(root)
        live = fetch_live(client)
        plan = make_plan(desired, live, lock, journal, prune)
        record_found(plan, lock)
        lock.save()
        _refuse_overwrites(plan, overwrite)
        result = PushResult(plan)
        if plan.api_changes and confirm is not None:
            if not confirm(plan):
                result.confirmed = False
                result.requests = client.requests_made - start
                return result
            # the account may have changed while a person read the plan
            live = fetch_live(client)
            again = make_plan(desired, live, lock, journal, prune)
            if again.signature() != plan.signature():
                changed = sorted({k for _, k, _ in set(again.signature()) ^ set(plan.signature())})
                raise PlanConflict(f"Omnidesk changed while the plan was confirmed ({', '.join(changed)}); "
                                   "nothing was written: run `sync plan` again and review it")
        result.applied = _apply(plan, live, client, lock, journal, progress)
        journal.clear()
        result.checklist = write_checklist(plan, checklist_dir or root.parent / "omnidesk-checklist")
        result.requests = client.requests_made - start
        return result


def _refuse_overwrites(plan: Plan, overwrite: bool) -> None:
    touched = [c for c in plan.api_changes if c.omnidesk_changed]
    if touched and not overwrite:
        names = ", ".join(f"{c.key} «{c.title}»" for c in touched)
        raise PlanConflict(f"changed in Omnidesk since the last push: {names}. Nothing was written. Re-plan with "
                           "`sync plan` to see the edits; put them into templates_src/ to keep them, or run "
                           "`sync push --overwrite` to restore the templates' text")


def _apply(plan: Plan, live: LiveState, client: Client, lock: LockFile, journal: Journal,
           progress: Progress) -> list[Change]:
    order = {kind: index for index, kind in enumerate(APPLY_ORDER)}
    writes = sorted((c for c in plan.api_changes if c.action != "delete"), key=lambda c: order[c.kind])
    writes += sorted((c for c in plan.api_changes if c.action == "delete"), key=lambda c: -order[c.kind])
    done: list[Change] = []
    for number, change in enumerate(writes, start=1):
        budget = client.budget
        left = f", api_calls_left={budget.calls_left}" if budget.calls_left is not None else ""
        progress(f"[{number}/{len(writes)}] {change.action} {change.kind} «{change.title}» "
                 f"({len(writes) - number + 1} request(s) left{left})")
        _write(change, live, client, lock, journal, plan)
        lock.save()
        done.append(change)
    return done


def _write(change: Change, live: LiveState, client: Client, lock: LockFile, journal: Journal, plan: Plan) -> None:
    if change.action == "delete":
        assert change.live is not None
        try:
            if change.kind == "label":
                client.delete_label(change.live.id)
            else:
                client.delete_kb(_kb(change.kind), change.live.id)
        except NotFoundError:
            pass  # deleted already, by a push cut off after Omnidesk committed it, or by hand
        lock.forget(change.key)
        return
    want = change.desired
    assert want is not None
    body = _body(change, lock)
    if change.action == "create":
        journal.begin(Intent(change.key, change.kind, want.title, existing_ids(live, change.kind, want.title)))
        made = client.create_label(want.title) if change.kind == "label" else client.create_kb(_kb(change.kind), **body)
        object_id = int(made[_ID[change.kind]])
    else:
        assert change.live is not None
        object_id = change.live.id
        if change.kind == "label":
            client.update_label(object_id, want.title)
        else:
            client.update_kb(_kb(change.kind), object_id, **body)
    lock.record(change.key, change.kind, object_id, plan.fingerprints[change.key])
    # the lock file first: a crash between the two must leave the intent, or the next push would not know
    # the object is ours (a duplicate section, or our own label reported as someone else's)
    lock.save()
    journal.done(change.key)


_ID = {"label": "label_id", "kb_category": "category_id", "kb_section": "section_id", "kb_article": "article_id"}


def _kb(kind: str) -> Any:
    return kind.removeprefix("kb_")


def _body(change: Change, lock: LockFile) -> dict[str, Any]:
    want = change.desired
    assert want is not None
    fields = want.fields
    if change.kind == "kb_category":
        return {"category_title": want.title}
    if change.kind == "kb_section":
        return {"section_title": want.title, "section_description": fields.get("description", ""),
                "category_id": _parent_id(lock, want.parent)}
    if change.kind == "kb_article":
        return {"article_title": want.title, "article_content": fields["html"],
                "article_tags": ",".join(fields["tags"]), "access_type": fields["access_type"],
                "section_id": [_parent_id(lock, key) for key in fields["sections"]]}
    return {}


def _parent_id(lock: LockFile, key: str | None) -> int:
    object_id = lock.id_of(key or "")
    if object_id is None:
        raise PlanConflict(f"{key} has no Omnidesk id yet although it is created first; run `sync plan` again")
    return object_id


def existing_ids(live: LiveState, kind: str, title: str) -> tuple[int, ...]:
    return tuple(o.id for o in live.of_kind(kind) if o.title == title)
