"""``sync pull``: the account's existing macros as template files, so a utility that has macros starts from them.

    GET macros.json (one request) → each common macro's reply (language 1) → Markdown (omnidesk_macros.from_html)
    → front matter: id from the title, the appeal types whose titles match the macro's categories, channels
      [reply], status_after from a «Изменить статус на» action → DIR/<id>.md

A macro of one title and text in several categories (as ``sync push`` lays them out) becomes one template
offered by each matching appeal type. Nothing is overwritten without ``force``; every macro not written is
named with the reason: a personal macro, one without a reply, one the lock file says came from
``templates_src/``, one whose title a template already has, a file that exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from omnidesk_macros.atomic_file import write_atomic
from omnidesk_macros.diagnostics import Diagnostics
from omnidesk_macros.from_html import html_to_markdown
from omnidesk_macros.loader import REPLIES_DIR, load_appeal_types, load_templates_dir
from omnidesk_macros.omnidesk_html import canonical_html
from omnidesk_macros.template_file import template_id, template_text

from .client import Client
from .live import clean_title
from .lockfile import LockFile
from .plan import RUSSIAN_LANGUAGE_ID
from .resources import STATUS_CODES, Macro, MacroCategory, status_of_code


@dataclass(frozen=True)
class Skipped:
    title: str
    macro_id: int
    reason: str


@dataclass(frozen=True)
class Pulled:
    path: Path
    title: str
    macro_ids: tuple[int, ...]
    appeal_types: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass
class PullResult:
    written: list[Pulled] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    requests: int = 0


@dataclass
class _Draft:
    title: str
    html: str
    macro_ids: list[int]
    categories: list[str]
    status: str | None
    notes: list[str]


def pull(root: Path, client: Client, out: Path, *, force: bool = False) -> PullResult:
    """Write a template per macro of the account into ``out``; ``root`` gives the appeal types and lock file."""
    start = client.requests_made
    diags = Diagnostics()
    appeal_ids = {clean_title(kind.title).casefold(): kind.id for kind, _ in load_appeal_types(root, diags)}
    existing = {t.title: t.id for t in load_templates_dir(root, diags)} if (root / REPLIES_DIR).is_dir() else {}
    owned = {entry.id for entry in LockFile.load(root).entries.values() if entry.kind == "macro"}
    result = PullResult()
    drafts = _drafts(client.list_macros(), owned, existing, result)
    out.mkdir(parents=True, exist_ok=True)
    taken = set(existing.values())  # and the ids given in this run; a file of the same name in out is skipped
    for draft in drafts:
        new_id = template_id(draft.title, taken)
        path = out / f"{new_id}.md"
        if path.exists() and not force:
            result.skipped += [Skipped(draft.title, m, f"{path} exists (pass --force to overwrite it)")
                               for m in draft.macro_ids]
            continue
        taken.add(new_id)
        kinds = [appeal_ids[c.casefold()] for c in draft.categories if c.casefold() in appeal_ids]
        unmatched = [c for c in draft.categories if c.casefold() not in appeal_ids]
        notes = [f"Omnidesk category «{c}» matches no appeal type title in appeal_types.yaml: add the ids of "
                 "the appeal types that offer this reply to appeal_types" for c in unmatched] + draft.notes
        converted = html_to_markdown(draft.html)
        notes += [f"converted from HTML: {note}" for note in converted.notes]
        ids = ", ".join(str(m) for m in draft.macro_ids)
        write_atomic(path, template_text(
            id=new_id, title=draft.title, appeal_types=list(dict.fromkeys(kinds)), channels=["reply"],
            body=converted.markdown, source=f"Omnidesk, шаблон {ids}", status_after=draft.status,
            notes=notes).encode("utf-8"))
        result.written.append(Pulled(path, draft.title, tuple(draft.macro_ids), tuple(dict.fromkeys(kinds)),
                                     tuple(notes)))
    result.requests = client.requests_made - start
    return result


def _drafts(categories: list[MacroCategory], owned: set[int], existing: dict[str, str],
            result: PullResult) -> list[_Draft]:
    """One draft per title and text; every macro that will not be written goes to ``result.skipped``."""
    drafts: list[_Draft] = []
    for category in categories:
        for macro in category.macros:
            title = clean_title(macro.title)
            reason = _reason_to_skip(category, macro, owned, existing)
            html = _reply_html(macro)
            if reason is None and not html.strip():
                reason = "no reply text (no «Отправить ответ пользователю» action in Russian)"
            if reason is not None:
                result.skipped.append(Skipped(title, macro.macro_id, reason))
                continue
            status, notes = _status(macro)
            twin = next((d for d in drafts if d.title == title), None)
            if twin is not None and canonical_html(twin.html) == canonical_html(html) and twin.status == status:
                twin.macro_ids.append(macro.macro_id)
                if category.category_id:
                    twin.categories.append(clean_title(category.title))
                continue
            if twin is not None:
                notes.append(f"another macro «{title}» ({twin.macro_ids[0]}) has a different text; renamed")
                title = _free_title(title, {d.title for d in drafts} | set(existing))
            drafts.append(_Draft(title, html, [macro.macro_id],
                                 [clean_title(category.title)] if category.category_id else [], status, notes))
    for draft in drafts:
        if not draft.categories:
            draft.notes.insert(0, "in Omnidesk this macro has no category: add the ids of the appeal types "
                                  "that offer it to appeal_types")
    return drafts


def _reason_to_skip(category: MacroCategory, macro: Macro, owned: set[int], existing: dict[str, str]) -> str | None:
    if category.scope != "common":
        return "a personal macro of one staff member"
    if macro.macro_id in owned:
        return "made from templates_src/ (it is in omnidesk.lock.json)"
    title = clean_title(macro.title)
    if title in existing:
        return f"the template '{existing[title]}' has this title already"
    return None


def _reply_html(macro: Macro) -> str:
    reply = macro.reply
    if isinstance(reply, dict):
        return reply.get(RUSSIAN_LANGUAGE_ID, "")
    return reply or ""


def _status(macro: Macro) -> tuple[str | None, list[str]]:
    code = macro.status_code
    if code is None:
        return None, []
    status = status_of_code(code)
    if status in STATUS_CODES:
        return status, []
    return None, [f"the macro sets a status Omnidesk codes {code!r}, which this tool does not know: left out"]


def _free_title(title: str, used: set[str]) -> str:
    number = 2
    while f"{title} ({number})" in used:
        number += 1
    return f"{title} ({number})"
