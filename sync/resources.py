"""Typed views of the two read-only Omnidesk resources: macros and custom-field definitions.

Both come in shapes that vary between sources (``../shared/omnidesk-api.md`` §3, §4): categories as an object
keyed ``"0"``… or an array, macros keyed by id, ``action_destination`` a string or a per-language object,
select options keyed by option id. The sync engine compares these against the desired state, so they are
normalised once, here, into frozen dataclasses with stable orders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .wire import ordered_values

#: a macro's «Изменить статус на» action (``action_type`` "status") carries the status as a numeric code;
#: "3" = closed is seen in a public example, 1 = open and 2 = waiting are inferred (omnidesk-api.md §3)
STATUS_ACTION = "status"
#: a macro's «Отправить ответ пользователю» action: its destination is the reply's HTML (per language id)
REPLY_ACTION = "email_to_user"
STATUS_CODES = {"open": "1", "waiting": "2", "closed": "3"}
#: the statuses as the Omnidesk UI names them, for the administrator's checklist
STATUS_TITLES_RU = {"open": "Открытое", "waiting": "В ожидании", "closed": "Закрытое"}


def status_of_code(code: str) -> str:
    """The case status a status action's destination stands for; an unknown code stays visible as itself."""
    return next((name for name, value in STATUS_CODES.items() if value == code.strip()), f"code {code.strip()}")


@dataclass(frozen=True)
class MacroAction:
    """One step of a macro. ``destination`` is a string, or for ``email_to_user`` HTML per language id."""

    action_id: int
    action_type: str
    display_name: str
    destination: str | dict[str, str]
    content: str
    subject: str
    position: int
    attachments: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Macro:
    """A macro («шаблон») as listed by ``GET /api/macros.json``."""

    macro_id: int
    title: str
    position: int
    group_name: str
    actions: tuple[MacroAction, ...]

    @property
    def reply(self) -> str | dict[str, str] | None:
        """The reply action's HTML, one string or per language id; None when the macro sends no reply."""
        return next((a.destination for a in self.actions if a.action_type == REPLY_ACTION), None)

    @property
    def status_code(self) -> str | None:
        """The status action's code (see :data:`STATUS_CODES`); None when the macro sets no status."""
        return next((str(a.destination) for a in self.actions if a.action_type == STATUS_ACTION), None)


@dataclass(frozen=True)
class MacroCategory:
    """A macro category; ``category_id`` 0 is the «Без категории» bucket. ``scope`` is common or personal."""

    category_id: int
    title: str
    sort: int
    scope: str
    macros: tuple[Macro, ...] = field(default=())


@dataclass(frozen=True)
class CustomField:
    """A custom-field definition. ``options`` maps select option ids to labels and is empty otherwise."""

    field_id: int
    title: str
    field_type: str
    field_level: str
    active: bool
    options: dict[int, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The key of this field's value on a case or user: ``cf_<field_id>``."""
        return f"cf_{self.field_id}"

    def option_label(self, value: object) -> str | None:
        """The label of a select value, which may come back as the option id (int or str) or the label."""
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            label = self.options.get(int(value))
            if label is not None:
                return label
        return value if isinstance(value, str) and value in self.options.values() else None


def _int(value: object, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default


def parse_macro_action(raw: Mapping[str, Any]) -> MacroAction:
    destination = raw.get("action_destination", "")
    if isinstance(destination, Mapping):
        destination = {str(k): str(v) for k, v in destination.items()}
    else:
        destination = "" if destination is None else str(destination)
    return MacroAction(
        action_id=_int(raw.get("macro_action_id")),
        action_type=str(raw.get("action_type", "")),
        display_name=str(raw.get("action_display_name", "")),
        destination=destination,
        content=str(raw.get("content") or ""),
        subject=str(raw.get("subject") or ""),
        position=_int(raw.get("position")),
        attachments=tuple(dict(a) for a in raw.get("action_attachments") or ()),
    )


def parse_macros(body: object) -> list[MacroCategory]:
    """Every category of ``common`` then ``personal``, macros ordered by position then id."""
    if not isinstance(body, Mapping):
        raise ValueError(f"macros.json: expected an object with 'common' and 'personal', got {type(body).__name__}")
    categories: list[MacroCategory] = []
    for scope in ("common", "personal"):
        for _, raw_category in ordered_values(body.get(scope) or []):
            if not isinstance(raw_category, Mapping):
                continue
            macros = []
            for key, raw_macro in ordered_values(raw_category.get("data") or {}):
                macro_id = _int(key) if key is not None else _int(raw_macro.get("macro_id", raw_macro.get("id")))
                actions = sorted(
                    (parse_macro_action(a) for _, a in ordered_values(raw_macro.get("actions") or [])),
                    key=lambda a: (a.position, a.action_id),
                )
                macros.append(
                    Macro(
                        macro_id=macro_id,
                        title=str(raw_macro.get("title", "")),
                        position=_int(raw_macro.get("position")),
                        group_name=str(raw_macro.get("group_name") or ""),
                        actions=tuple(actions),
                    )
                )
            macros.sort(key=lambda m: (m.position, m.macro_id))
            categories.append(
                MacroCategory(
                    category_id=_int(raw_category.get("macros_category_id")),
                    title=str(raw_category.get("title", "")),
                    sort=_int(raw_category.get("sort")),
                    scope=scope,
                    macros=tuple(macros),
                )
            )
    return categories


def parse_custom_field(raw: Mapping[str, Any]) -> CustomField:
    options: dict[int, str] = {}
    for key, label in ordered_values(raw.get("field_data") or {}):
        if key is not None and key.lstrip("-").isdigit():
            options[int(key)] = str(label)
    return CustomField(
        field_id=_int(raw.get("field_id")),
        title=str(raw.get("title", "")),
        field_type=str(raw.get("field_type", "")),
        field_level=str(raw.get("field_level", "")),
        active=bool(raw.get("active", True)),
        options=options,
    )
