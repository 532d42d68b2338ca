"""The sandbox plays the administrator: it performs a sync checklist's steps as a person would in the UI.

``POST /_admin/checklist`` takes ``checklist.json`` (written by ``sync push``) and, for each open step,
finds things by their titles the way a person does, creates or changes custom fields, their options, macro
categories and macros, and stores each macro text as the editor would after a paste (:mod:`.editor`). Steps a
person must decide on (a label of someone else's with our title) are skipped and reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from omnidesk_macros.errors import ApiError, TransportError

from ..checklist import STATUS_STEP
from ..resources import STATUS_ACTION, STATUS_CODES, STATUS_TITLES_RU
from .editor import as_pasted
from .seed import add_custom_field, add_macro, add_macro_category, remove_macro_category, replace_macro
from .store import Store

REPLY_ACTION = {"action_type": "email_to_user", "action_display_name": "Отправить ответ пользователю"}
FIELD_TYPES = {"Текстовое поле": "text", "Многострочное поле": "textarea", "Выпадающий список": "select",
               "Чекбокс": "checkbox", "Дата": "date"}
LEVELS = {"Обращение": "case", "Пользователь": "user"}


def perform_steps(store: Store, steps: list[dict[str, Any]]) -> dict[str, Any]:
    performed: list[str] = []
    skipped: list[str] = []
    with store.transaction():
        for step in steps:
            if step.get("done"):
                continue
            handler = _HANDLERS.get((step["kind"], step["action"]))
            if handler is None:
                skipped.append(step["key"])
                continue
            handler(store, step["values"])
            performed.append(step["key"])
    return {"performed": performed, "skipped": skipped}


def _field_by_title(store: Store, title: str) -> dict[str, Any]:
    return next(f for f in store.all("custom_field") if f["title"] == title)


def _category_id(store: Store, title: str) -> int:
    return int(next(c for c in store.all("macro_category") if c["title"] == title)["macros_category_id"])


def _create_field(store: Store, values: dict[str, Any]) -> None:
    field_type = FIELD_TYPES[values["Тип поля"]]
    add_custom_field(store, {
        "title": values["Название"], "field_type": field_type, "field_level": LEVELS[values["Уровень"]],
        "active": True, "field_data": {} if field_type == "select" else ""})


def _update_field(store: Store, values: dict[str, Any]) -> None:
    current = store.get("custom_field", int(values["omnidesk_id"]))
    assert current is not None
    current.update(title=values["Название"], field_type=FIELD_TYPES[values["Тип поля"]],
                   field_level=LEVELS[values["Уровень"]])
    store.put("custom_field", current["field_id"], current)


def _add_option(store: Store, values: dict[str, Any]) -> None:
    field = _field_by_title(store, values["Поле"])
    options = dict(field["field_data"] or {})
    options[str(max((int(k) for k in options), default=0) + 1)] = values["Вариант"]
    store.put("custom_field", field["field_id"], {**field, "field_data": options})


def _option(store: Store, values: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The field and the option key of a step; the sync tool numbers options field id × 10⁶ + option id."""
    field_id, option_id = divmod(int(values["omnidesk_id"]), 1_000_000)
    field = store.get("custom_field", field_id)
    assert field is not None
    return field, str(option_id)


def _rename_option(store: Store, values: dict[str, Any]) -> None:
    field, option = _option(store, values)
    options = {k: (values["Вариант"] if k == option else v) for k, v in field["field_data"].items()}
    store.put("custom_field", field["field_id"], {**field, "field_data": options})


def _delete_option(store: Store, values: dict[str, Any]) -> None:
    field, option = _option(store, values)
    options = {k: v for k, v in field["field_data"].items() if k != option}
    store.put("custom_field", field["field_id"], {**field, "field_data": options})


def _create_category(store: Store, values: dict[str, Any]) -> None:
    add_macro_category(store, values["Название"], int(values.get("Порядок") or 1))


def _rename_category(store: Store, values: dict[str, Any]) -> None:
    category = store.get("macro_category", int(values["omnidesk_id"]))
    assert category is not None
    store.put("macro_category", category["macros_category_id"], {**category, "title": values["Название"]})


def _macro_fields(store: Store, values: dict[str, Any]) -> dict[str, Any]:
    actions = [{**REPLY_ACTION, "action_destination": {"1": as_pasted(values["html"])}}]
    if values.get(STATUS_STEP):
        status = next(k for k, title in STATUS_TITLES_RU.items() if title == values[STATUS_STEP])
        actions.append({"action_type": STATUS_ACTION, "action_display_name": "Изменить статус на",
                        "action_destination": STATUS_CODES[status]})
    return {"title": values["Название"], "category_id": _category_id(store, values["Категория"]),
            "scope": "common", "group_name": "", "actions": actions}


def _create_macro(store: Store, values: dict[str, Any]) -> None:
    add_macro(store, _macro_fields(store, values))


def _update_macro(store: Store, values: dict[str, Any]) -> None:
    current = store.get("macro", int(values["omnidesk_id"]))
    assert current is not None
    replace_macro(store, current["macro_id"], {**current, **_macro_fields(store, values)})


def _delete(kind: str) -> Any:
    return lambda store, values: store.delete(kind, int(values["omnidesk_id"]))


_HANDLERS: dict[tuple[str, str], Any] = {
    ("custom_field", "create"): _create_field,
    ("custom_field", "update"): _update_field,
    ("custom_field", "delete"): _delete("custom_field"),
    ("field_option", "create"): _add_option,
    ("field_option", "update"): _rename_option,
    ("field_option", "delete"): _delete_option,
    ("macro_category", "create"): _create_category,
    ("macro_category", "update"): _rename_category,
    ("macro_category", "delete"): lambda store, values: remove_macro_category(store, int(values["omnidesk_id"])),
    ("macro", "create"): _create_macro,
    ("macro", "update"): _update_macro,
    ("macro", "delete"): _delete("macro"),
}


def post_checklist(url: str, checklist: Path) -> dict[str, Any]:
    """Send ``checklist.json`` to a running sandbox's ``/_admin/checklist``; its answer."""
    path = "/_admin/checklist"
    try:
        response = httpx.post(f"{url.rstrip('/')}{path}", content=checklist.read_bytes(),
                              headers={"Content-Type": "application/json"}, timeout=60)
    except httpx.HTTPError as exc:
        raise TransportError(f"no sandbox answers at {url} ({type(exc).__name__}); is it running?",
                             method="POST", path=path) from exc
    if response.status_code != 200:
        code = response.json().get("error") if response.headers.get("content-type", "").startswith(
            "application/json") else None
        raise ApiError(f"the sandbox refused the checklist: HTTP {response.status_code} {code or ''}".rstrip(),
                       method="POST", path=path, status=response.status_code, code=code)
    result: dict[str, Any] = response.json()
    return result
