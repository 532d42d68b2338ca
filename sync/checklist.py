"""The administrator's checklist: what only the Omnidesk admin UI can do, made easy to do by hand.

Written by every push as ``checklist.md``, a self-contained ``checklist.html`` (each macro's text with a
**copy** button that puts rich text on the clipboard, so it is pasted into Omnidesk's editor, not retyped)
and ``checklist.json`` (the same steps for machines: the sandbox's administrator performs them). Every manual
object of the desired state is listed; those the plan found done are shown as done.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from omnidesk_macros.atomic_file import write_atomic
from omnidesk_macros.compile import MACRO_LANGUAGE

from .live import UI_PLACES
from .plan import Change, Plan
from .resources import STATUS_TITLES_RU

FIELD_TYPES_RU = {"text": "Текстовое поле", "textarea": "Многострочное поле", "select": "Выпадающий список",
                  "checkbox": "Чекбокс", "date": "Дата"}
LEVELS_RU = {"case": "Обращение", "user": "Пользователь"}
ACTIONS_RU = {"create": "Создать", "update": "Изменить", "delete": "Удалить"}
#: the second action of a macro that sets the case status, as the macro editor names it
STATUS_STEP = "Действие 2: Изменить статус на"


@dataclass(frozen=True)
class Step:
    key: str
    kind: str
    action: str
    done: bool
    place: str
    title: str
    #: what to type, in the order the form asks for it
    values: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class Checklist:
    steps: list[Step]
    folder: Path | None = None

    @property
    def open_steps(self) -> list[Step]:
        return [s for s in self.steps if not s.done]


def build_checklist(plan: Plan) -> Checklist:
    pending = {c.key: c for c in plan.manual_changes}
    steps: list[Step] = []
    desired_keys: list[str] = list(plan.fingerprints)
    for key in desired_keys:
        change = pending.pop(key, None)
        kind = key.split(":", 1)[0]
        if change is None and kind not in ("field", "option", "category", "macro"):
            continue
        if change is not None:
            steps.append(_step(change, plan))
        else:
            found = plan.matches[key]
            steps.append(Step(key, found.kind, "create", True, UI_PLACES[found.kind], found.title,
                              {"omnidesk_id": found.id}))
    steps += [_step(change, plan) for change in pending.values()]  # deletes and blocked labels
    return Checklist(steps)


def _step(change: Change, plan: Plan) -> Step:
    want = change.desired
    values: dict[str, Any] = {}
    if want is not None:
        fields = want.fields
        if change.kind == "custom_field":
            values = {"Название": fields["title"], "Тип поля": FIELD_TYPES_RU.get(fields["field_type"],
                                                                              fields["field_type"]),
                      "Уровень": LEVELS_RU.get(fields["field_level"], fields["field_level"])}
        elif change.kind == "field_option":
            values = {"Поле": _title_of(plan, want.parent), "Вариант": fields["title"]}
        elif change.kind == "macro_category":
            values = {"Название": fields["title"], "Порядок": fields.get("sort", "")}
        elif change.kind == "macro":
            values = {"Категория": _title_of(plan, want.parent), "Название": fields["title"],
                      "Действие": "Отправить ответ пользователю", "Язык": MACRO_LANGUAGE, "html": fields["html"]}
            if fields.get("status"):
                values[STATUS_STEP] = STATUS_TITLES_RU[fields["status"]]
        elif change.kind == "label":
            values = {"Название": fields["title"]}
    place = UI_PLACES.get(change.kind, "Настройки → Метки")
    if change.live is not None:
        values["omnidesk_id"] = change.live.id
        values.setdefault("Сейчас", change.live.title)
    return Step(change.key, change.kind, change.action, False, place, change.title, values, change.note)


def _title_of(plan: Plan, key: str | None) -> str:
    for change in plan.changes:
        if change.key == key:
            return change.title
    found = plan.matches.get(key or "")
    return found.title if found else str(key)


def write_checklist(plan: Plan, folder: Path) -> Checklist:
    checklist = build_checklist(plan)
    folder.mkdir(parents=True, exist_ok=True)
    checklist.folder = folder
    data = {"steps": [asdict(s) for s in checklist.steps]}
    write_atomic(folder / "checklist.json", (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
    write_atomic(folder / "checklist.md", to_markdown(checklist).encode())
    write_atomic(folder / "checklist.html", to_html(checklist).encode())
    return checklist


def to_markdown(checklist: Checklist) -> str:
    open_count = len(checklist.open_steps)
    lines = ["# Omnidesk: шаги администратора", "",
             f"Осталось шагов: {open_count} из {len(checklist.steps)}. После них запустите `omnidesk-macros sync plan`: "
             "он найдет сделанное и запишет идентификаторы в `templates_src/omnidesk.lock.json`.", ""]
    for number, step in enumerate(checklist.steps, start=1):
        mark = "x" if step.done else " "
        lines.append(f"- [{mark}] {number}. {ACTIONS_RU[step.action]}: {step.place} — «{step.title}»")
        if step.done:
            continue
        for name, value in step.values.items():
            if name == "html":
                lines += ["  - Текст ответа (вставьте из checklist.html кнопкой «Копировать»):", "",
                          *("    " + line for line in str(value).splitlines()), ""]
            elif name != "omnidesk_id":
                lines.append(f"  - {name}: {value}")
        if step.note:
            lines.append(f"  - Примечание: {step.note}")
    return "\n".join(lines) + "\n"


_SCRIPT = """
async function copyRich(id, button) {
  const box = document.getElementById(id);
  try {
    await navigator.clipboard.write([new ClipboardItem({
      "text/html": new Blob([box.innerHTML], {type: "text/html"}),
      "text/plain": new Blob([box.innerText], {type: "text/plain"})})]);
  } catch (error) {
    // older browsers, or a page opened from file:// without clipboard permission
    box.focus();
    const range = document.createRange();
    range.selectNodeContents(box);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
    selection.removeAllRanges();
  }
  button.textContent = "Скопировано";
}
"""
_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
li.step { margin: 0 0 1.2rem; } li.done { color: #777; } li.done .title { text-decoration: line-through; }
.text { border: 1px solid #ccc; padding: .5rem .8rem; margin: .4rem 0; background: #fafafa; }
table.values td { padding: .1rem .6rem .1rem 0; vertical-align: top; } .note { color: #a40; }
"""


def to_html(checklist: Checklist) -> str:
    items: list[str] = []
    for number, step in enumerate(checklist.steps, start=1):
        esc = html.escape
        head = (f'<span class="state">{"✓ сделано" if step.done else "☐"}</span> {number}. '
                f'{esc(ACTIONS_RU[step.action])}: {esc(step.place)} — <span class="title">«{esc(step.title)}»</span>')
        body = ""
        if not step.done:
            rows = "".join(f"<tr><td>{esc(str(k))}</td><td><b>{esc(str(v))}</b></td></tr>"
                           for k, v in step.values.items() if k not in ("html", "omnidesk_id"))
            body = f'<table class="values">{rows}</table>' if rows else ""
            if "html" in step.values:
                box = f"text-{number}"
                # the text is this project's own HTML, compiled from templates_src/: inserted as is
                body += (f'<div class="text" id="{box}" contenteditable="true">{step.values["html"]}</div>'
                         f'<button type="button" onclick="copyRich(\'{box}\', this)">Копировать</button>')
            if step.note:
                body += f'<p class="note">{esc(step.note)}</p>'
        items.append(f'<li class="step{" done" if step.done else ""}">{head}{body}</li>')
    left = len(checklist.open_steps)
    return (f'<!doctype html>\n<html lang="ru"><head><meta charset="utf-8"><title>Omnidesk: шаги администратора'
            f'</title><style>{_STYLE}</style><script>{_SCRIPT}</script></head><body>'
            f'<h1>Omnidesk: шаги администратора</h1><p>Осталось шагов: {left} из {len(checklist.steps)}. '
            'После них запустите <code>omnidesk-macros sync plan</code>.</p>'
            f'<ol style="list-style:none;padding:0">{"".join(items)}</ol></body></html>\n')
