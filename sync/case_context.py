"""The letter's placeholder context read from an Omnidesk case (ТЗ 2.5: data filled in automatically).

    case (number, created_at, staff, custom fields) + its user (name, email, phone, custom fields)
      + the live custom-field definitions, matched to card.yaml by title → CaseCard (values + LetterContext)

The card says which field feeds which placeholder (``context:``); built-in attributes come from the case
and user objects, custom fields from ``cf_<id>`` values found through the live definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from omnidesk_macros.context import LetterContext
from omnidesk_macros.model import CardField, SourceSet

from .client import Client
from .resources import CustomField

# Built-in Omnidesk attributes a card field may stand for: (object, key) holding the value.
_BUILTIN_SOURCES = {
    "case_number": ("case", "case_number"),
    "created_at": ("case", "created_at"),
    "user_full_name": ("user", "user_full_name"),
    "user_email": ("user", "user_email"),
    "user_phone": ("user", "user_phone"),
}


@dataclass(frozen=True)
class CaseCard:
    """A case as its intake card shows it (the print service's case page) and its letter context."""

    case_id: int
    number: str
    #: card field id → the value as a person reads it (select labels, dates), None when Omnidesk has none
    values: dict[str, Any]
    context: LetterContext


def context_from_case(client: Client, sources: SourceSet, case_ref: str | Mapping[str, Any]) -> LetterContext:
    """Fetch the case (unless given the case object itself) and its subscriber and build the context;
    missing data is left empty for the renderer, which names every gap at once."""
    return read_card(client, sources, case_ref).context


def read_card(client: Client, sources: SourceSet, case_ref: str | Mapping[str, Any]) -> CaseCard:
    """The case (fetched unless given the case object itself), its subscriber and the live field
    definitions, read through card.yaml."""
    case = dict(case_ref) if isinstance(case_ref, Mapping) else client.get_case(case_ref)
    case_ref = str(case.get("case_number", "")) if isinstance(case_ref, Mapping) else case_ref
    user = client.get_user(case["user_id"]) if case.get("user_id") else {}
    live = {f.title.casefold(): f for f in client.list_custom_fields()}
    objects = {"case": case, "user": user}
    data: dict[str, dict[str, Any]] = {"case": {}, "client": {}, "staff": {}, "fill": {}}
    values: dict[str, Any] = {}
    for card_field in sources.card:
        value = values[card_field.id] = _field_value(card_field, objects, live)
        if not card_field.context or value in (None, ""):
            continue
        section, name = card_field.context.split(".", 1)
        data[section][name] = value
    data["case"].setdefault("number", case.get("case_number", ""))
    data["case"].setdefault("date", _as_date(case.get("created_at")))
    if not data["staff"].get("full_name") and case.get("staff_id"):
        staff = client.get_staff(case["staff_id"])
        data["staff"]["full_name"] = staff.get("staff_full_name", "")
        signer = next((s for s in sources.staff if s.email and s.email == staff.get("staff_email")), None)
        if signer:
            data["staff"]["position"] = signer.position
    # a case without a creation date is named by the letter, among everything else it lacks
    data["case"]["date"] = data["case"]["date"].isoformat() if data["case"]["date"] else None
    number = str(case.get("case_number", case_ref))
    context = LetterContext.from_mapping(data, origin=f"Omnidesk case {number}")
    return CaseCard(int(case.get("case_id") or 0), number, values, context)


def _field_value(card_field: CardField, objects: dict[str, dict[str, Any]], live: dict[str, CustomField]) -> Any:
    if card_field.builtin == "status":  # shown by its card option title: open → Новый
        raw = objects["case"].get("status")
        return next((o.title for o in card_field.options if o.value == raw), raw)
    if card_field.builtin:
        where = _BUILTIN_SOURCES.get(card_field.builtin)
        if where is None:
            return None
        value = objects[where[0]].get(where[1])
        return _as_date(value) if card_field.builtin == "created_at" else value
    definition = live.get(card_field.title.casefold())
    if definition is None:
        return None
    holder = objects["case" if definition.field_level == "case" else "user"]
    value = (holder.get("custom_fields") or {}).get(definition.key)
    if definition.field_type == "select":
        return definition.option_label(value)
    return None if isinstance(value, bool) else value


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None
