"""The plan: the desired state against the live state, as a list of changes marked ``api`` or ``manual``.

Stages: :func:`match` pairs each desired object with the live object it stands for (by the lock file's id;
for an article by its ``tpl-<id>`` tag; for a create a cut-off push left unrecorded, by the journal; for what
an administrator creates by hand — fields, options, macro categories, macros — by title under its parent);
:func:`make_plan` compares each pair in one canonical form (:func:`view`), so what the server or an editor
rewrites is no change and what a reader would notice is one.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
from dataclasses import dataclass, field
from typing import Any

from omnidesk_macros.compile import DesiredObject, DesiredState, article_tag
from omnidesk_macros.omnidesk_html import canonical_html, html_words

from .journal import Journal
from .live import LiveObject, LiveState, via
from .lockfile import LockFile

#: the fields compared, per kind (others, such as a category's sort, only guide the administrator)
COMPARED = {
    "custom_field": ("title", "field_type", "field_level"),
    "field_option": ("title",),
    "macro_category": ("title",),
    "macro": ("title", "html", "status"),
    "label": ("title",),
    "kb_category": ("title",),
    "kb_section": ("title", "description"),
    "kb_article": ("title", "html", "tags", "access_type"),
}
PARENT_KIND = {"field_option": "custom_field", "macro": "macro_category", "kb_section": "kb_category"}
#: the order creates are applied in (parents first); deletes go the other way
APPLY_ORDER = ("label", "kb_category", "kb_section", "kb_article", "custom_field", "field_option",
               "macro_category", "macro")
#: the language of the reply text in a macro with several
RUSSIAN_LANGUAGE_ID = "1"


@dataclass(frozen=True)
class Change:
    action: str  # create | update | delete
    kind: str
    key: str
    via: str  # api | manual
    title: str
    diff: str = ""
    desired: DesiredObject | None = None
    live: LiveObject | None = None
    live_hash: str | None = None
    #: changed in Omnidesk since the last push: pushing would overwrite someone's edit
    omnidesk_changed: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        diff = "".join(f"# {line}\n" for line in self.note.splitlines() if line) + self.diff
        return {"action": self.action, "kind": self.kind, "key": self.key, "via": self.via, "title": self.title,
                "diff": diff}


@dataclass
class Plan:
    changes: list[Change]
    requests: int
    matches: dict[str, LiveObject] = field(default_factory=dict)
    #: desired key → fingerprint of its canonical view
    fingerprints: dict[str, str] = field(default_factory=dict)

    @property
    def api_changes(self) -> list[Change]:
        return [c for c in self.changes if c.via == "api"]

    @property
    def manual_changes(self) -> list[Change]:
        return [c for c in self.changes if c.via == "manual"]

    def to_dict(self) -> dict[str, Any]:
        return {"changes": [c.as_dict() for c in self.changes], "requests": self.requests}

    def signature(self) -> list[tuple[str, str, str | None]]:
        """What a confirmation agreed to: each api change and the live state it was made against."""
        return sorted((c.action, c.key, c.live_hash) for c in self.api_changes)


def fingerprint(view_: dict[str, Any]) -> str:
    text = json.dumps(view_, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


#: compared only when set on either side, so fingerprints recorded before the field existed stay valid
OPTIONAL = frozenset({"status"})


def _compared(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    result = {name: _canon(name, fields.get(name)) for name in COMPARED[kind]}
    return {name: value for name, value in result.items() if value or name not in OPTIONAL}


def desired_view(obj: DesiredObject) -> dict[str, Any]:
    result = _compared(obj.kind, obj.fields)
    if obj.kind == "kb_article":
        result["sections"] = sorted(obj.fields.get("sections", []))
    elif obj.kind in PARENT_KIND:
        result["parent"] = obj.parent
    return result


def live_view(live: LiveObject, keys: dict[tuple[str, int], str]) -> dict[str, Any]:
    fields = dict(live.fields)
    if live.kind == "macro":
        replies = live.extra.get("replies", {})
        fields["html"] = replies.get(RUSSIAN_LANGUAGE_ID, next(iter(replies.values()), "")) if replies else ""
    result = _compared(live.kind, fields)
    if live.kind == "kb_article":
        result["sections"] = sorted(keys.get(("kb_section", s), f"#{s}") for s in live.extra.get("sections", []))
    elif live.kind in PARENT_KIND:
        parent_id = live.parent_id or 0
        result["parent"] = keys.get((PARENT_KIND[live.kind], parent_id), f"#{parent_id}")
    return result


def _canon(name: str, value: Any) -> Any:
    if name == "html":
        return canonical_html(str(value or ""))
    if name == "tags":
        return sorted(value or [])
    return " ".join(str(value or "").split())


def match(desired: DesiredState, live: LiveState, lock: LockFile, journal: Journal) -> dict[str, LiveObject]:
    """Desired key → the live object it stands for; each live object stands for at most one key."""
    matches: dict[str, LiveObject] = {}
    taken: set[tuple[str, int]] = set()
    owned = {(e.kind, e.id) for e in lock.entries.values()}

    def free(obj: LiveObject) -> bool:
        return (obj.kind, obj.id) not in taken

    for want in desired.objects:
        candidates = [o for o in live.of_kind(want.kind) if free(o)]
        found: LiveObject | None = None
        lock_id = lock.id_of(want.key)
        if lock_id is not None:
            found = next((o for o in candidates if o.id == lock_id), None)
        if found is None and want.kind == "kb_article":
            tag = article_tag(want.key.rsplit(":", 1)[-1])
            found = next((o for o in candidates if tag in o.fields["tags"]), None)
        intent = journal.pending.get(want.key)
        if found is None and intent is not None:
            found = next((o for o in candidates if o.title == intent.title and o.id not in intent.existing_ids
                          and (o.kind, o.id) not in owned), None)
        if found is None and via(want.kind) == "manual":
            parent = matches.get(want.parent) if want.parent else None
            found = next((o for o in candidates if o.title == want.title and (o.kind, o.id) not in owned
                          and (want.parent is None or (parent is not None and o.parent_id == parent.id))), None)
        if found is not None:
            matches[want.key] = found
            taken.add((found.kind, found.id))
    return matches


def make_plan(desired: DesiredState, live: LiveState, lock: LockFile, journal: Journal,
              prune: bool = False) -> Plan:
    matches = match(desired, live, lock, journal)
    keys = {(obj.kind, obj.id): key for key, obj in matches.items()}
    changes: list[Change] = []
    fingerprints: dict[str, str] = {}
    for want in desired.objects:
        wanted = desired_view(want)
        fingerprints[want.key] = fingerprint(wanted)
        have = matches.get(want.key)
        if have is None:
            changes.append(_create(want, live, lock))
            continue
        seen = live_view(have, keys)
        if seen == wanted:
            continue
        entry = lock.entries.get(want.key)
        live_hash = fingerprint(seen)
        changed_there = entry is not None and live_hash != entry.hash
        note = "changed in Omnidesk since the last push; pushing restores the text of templates_src/" \
            if changed_there else ""
        changes.append(Change("update", want.kind, want.key, via(want.kind), want.title, _diff(seen, wanted),
                              want, have, live_hash, changed_there, note))
    changes += _deletes(desired, live, lock, matches, keys, prune)
    return Plan(changes, live.requests, matches, fingerprints)


def _create(want: DesiredObject, live: LiveState, lock: LockFile) -> Change:
    note = ""
    kind_via = via(want.kind)
    if want.key in lock.entries:
        note = f"was Omnidesk id {lock.entries[want.key].id}, which no longer exists"
    if want.kind == "label":
        namesake = next((o for o in live.of_kind("label") if o.title == want.title), None)
        if namesake is not None:
            # Omnidesk refuses a second label of one title, and this one is not ours to take
            kind_via = "manual"
            note = (f"a label «{want.title}» (id {namesake.id}) exists and is not this tool's: rename or delete it "
                    "in Omnidesk (Настройки → Метки), or run `sync push --prune` to delete it")
    return Change("create", want.kind, want.key, kind_via, want.title,
                  _diff({}, desired_view(want)), want, None, None, False, note)


def _deletes(desired: DesiredState, live: LiveState, lock: LockFile, matches: dict[str, LiveObject],
             keys: dict[tuple[str, int], str], prune: bool) -> list[Change]:
    changes: list[Change] = []
    wanted = desired.by_key()
    matched = {(o.kind, o.id) for o in matches.values()}
    for key, entry in sorted(lock.entries.items()):
        if key in wanted:
            continue
        gone = live.find(entry.kind, entry.id)
        if gone is not None and (gone.kind, gone.id) not in matched:
            changes.append(Change("delete", gone.kind, key, via(gone.kind), gone.title,
                                  _diff(live_view(gone, keys), {}), None, gone, fingerprint(live_view(gone, keys))))
    if prune:
        # options of a select we manage that the sources do not list: cases may still carry them, so the
        # administrator removes them only when asked to prune (then as a manual step)
        our_fields = {o.id for k, o in matches.items() if o.kind == "custom_field"}
        for option in live.of_kind("field_option"):
            if option.parent_id in our_fields and ("field_option", option.id) not in matched:
                changes.append(Change("delete", "field_option", f"unlisted:field_option:{option.id}", "manual",
                                      option.title, _diff(live_view(option, keys), {}), None, option))
        changes += _prunable(desired, live, lock, matches, keys)
    return changes


def _prunable(desired: DesiredState, live: LiveState, lock: LockFile, matches: dict[str, LiveObject],
              keys: dict[tuple[str, int], str]) -> list[Change]:
    """Unowned objects in what the tool manages: the KB category «Типовые ответы», labels of our titles."""
    owned = {(e.kind, e.id) for e in lock.entries.values()} | {(o.kind, o.id) for o in matches.values()}
    our_category = matches.get("kb:category")
    our_sections = {o.id for k, o in matches.items() if k.startswith("kb:section:")}
    label_titles = {o.title for o in desired.of_kind("label")}
    doomed: list[LiveObject] = []
    for obj in live.objects:
        if (obj.kind, obj.id) in owned:
            continue
        if (obj.kind == "label" and obj.title in label_titles) \
                or (obj.kind == "kb_section" and our_category and obj.parent_id == our_category.id) \
                or (obj.kind == "kb_article" and set(obj.extra.get("sections", [])) & our_sections):
            doomed.append(obj)
    return [Change("delete", o.kind, f"unowned:{o.kind}:{o.id}", "api", o.title, _diff(live_view(o, keys), {}),
                   None, o, fingerprint(live_view(o, keys)), note="not this tool's; deleted because of --prune")
            for o in doomed]


def _lines(view_: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for name, value in view_.items():
        if name == "html":
            lines += ["html:", *("  " + line for line in html_words(value).splitlines())]
        else:
            lines.append(f"{name}: {value if not isinstance(value, list) else ', '.join(value)}")
    return lines


def _diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    # html_words wants raw HTML; the views hold canonical HTML, which it accepts unchanged
    return "\n".join(difflib.unified_diff(_lines(before), _lines(after), "omnidesk", "templates_src",
                                          lineterm="", n=1)) + ("\n" if before or after else "")


def record_found(plan: Plan, lock: LockFile) -> None:
    """Record each matched object that needs no change: manual steps found done, adopted objects."""
    pending = {c.key for c in plan.changes}
    for key, obj in plan.matches.items():
        if key not in pending:
            lock.record(key, obj.kind, obj.id, plan.fingerprints[key])


def format_plan(plan: Plan) -> str:
    """The plan for a person: one line per change, its diff indented, and a summary line."""
    signs = {"create": "+", "update": "~", "delete": "-"}
    lines: list[str] = []
    for change in plan.changes:
        lines.append(f"{signs[change.action]} {change.action} {change.kind} {change.key} «{change.title}» "
                     f"[{change.via}]")
        lines += [f"    # {line}" for line in change.note.splitlines()]
        if change.action == "update":
            lines += ["    " + line for line in change.diff.splitlines()]
    api, manual = len(plan.api_changes), len(plan.manual_changes)
    lines.append(f"{len(plan.changes)} change(s): {api} by the API, {manual} manual; "
                 f"{plan.requests} API request(s) to plan" if plan.changes
                 else f"Omnidesk matches templates_src/; {plan.requests} API request(s) to plan")
    return "\n".join(lines)


def format_plan_markdown(plan: Plan) -> str:
    """The plan for a pull request's job summary: a table of changes, each diff folded under it."""
    if not plan.changes:
        return f"### Omnidesk plan\n\nOmnidesk matches `templates_src/` ({plan.requests} API request(s)).\n"
    lines = ["### Omnidesk plan", "",
             f"{len(plan.changes)} change(s): {len(plan.api_changes)} by `sync push`, "
             f"{len(plan.manual_changes)} manual (the administrator's checklist); {plan.requests} API request(s).",
             "", "| | kind | key | title | via |", "|---|---|---|---|---|"]
    signs = {"create": "➕ create", "update": "✏️ update", "delete": "➖ delete"}
    for change in plan.changes:
        title = change.title.replace("|", "\\|")
        lines.append(f"| {signs[change.action]} | {change.kind} | `{change.key}` | {title} | {change.via} |")
    diffs = [c for c in plan.changes if c.action == "update" or c.note]
    for change in diffs:
        body = "".join(f"# {line}\n" for line in change.note.splitlines()) + change.diff
        lines += ["", f"<details><summary>{change.action} <code>{html.escape(change.key)}</code></summary>", "",
                  "```diff", body.rstrip("\n").replace("```", "`\u200b``"), "```", "", "</details>"]
    return "\n".join(lines) + "\n"
