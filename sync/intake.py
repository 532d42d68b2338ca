"""A new in-person appeal: the intake card's values (card.yaml, spec 1.4) → an Omnidesk case.

    values by card field id → the case (subject, first message, case-level custom fields) with the
    subscriber identified by email, else phone, else a no-mail address made from the account number;
    user-level fields (account, address) written to the subscriber's profile; the attachment as a note.

Omnidesk numbers and dates the case itself. What could not be written is returned as warnings rather
than lost silently: a card field the account has no custom field for, a profile the API would not update.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from omnidesk_macros.errors import ApiError, RenderError
from omnidesk_macros.model import CardField, SourceSet

from .client import Attachment, Client
from .resources import CustomField

_CONTACTS = {"user_full_name", "user_email", "user_phone"}


@dataclass(frozen=True)
class NewCase:
    case_id: int
    number: str
    warnings: list[str] = field(default_factory=list)


def subscriber_identity(values: Mapping[str, str], no_email_domain: str) -> dict[str, str]:
    """How Omnidesk will know the subscriber: email, else phone, else «<account>@<no_email_domain>»."""
    email, phone, account = (values.get(k, "").strip() for k in ("email", "phone", "account"))
    if email:
        return {"user_email": email}
    if phone:
        return {"user_phone": phone}
    if account:
        return {"user_email": f"{account}@{no_email_domain}"}
    raise RenderError("a subscriber with neither email nor phone needs the account number (№ лицевого счета)")


def create_case(client: Client, sources: SourceSet, values: Mapping[str, str], *, subject: str, content: str,
                no_email_domain: str, attachment: Attachment | None = None) -> NewCase:
    live = {f.title.casefold(): f for f in client.list_custom_fields()}
    warnings: list[str] = []
    identity = subscriber_identity(values, no_email_domain)
    user = _find_user(client, identity)
    case: dict[str, Any] = {"subject": subject, "content": content, **identity}
    if values.get("full_name"):
        case["user_full_name"] = values["full_name"]
    if user:
        case["user_id"] = user["user_id"]
    case_fields: dict[str, Any] = {}
    user_fields: dict[str, Any] = {}
    for card_field in sources.card:
        value = values.get(card_field.id, "").strip()
        if not value or card_field.builtin in _CONTACTS | {"case_number", "created_at", "attachments", "staff_id"}:
            continue
        if card_field.builtin == "status":
            continue  # a new case is open; another status is set below
        definition = live.get(card_field.title.casefold())
        if definition is None:
            warnings.append(f"«{card_field.title}»: в Omnidesk нет такого поля, значение не сохранено")
            continue
        encoded = _encode(card_field, definition, value)
        if encoded is None:
            warnings.append(f"«{card_field.title}»: в Omnidesk нет варианта «{value}»")
            continue
        (user_fields if definition.field_level == "user" else case_fields)[definition.key] = encoded
    case["custom_fields"] = case_fields
    created = client.request("POST", "cases.json", json={"case": case})
    created = (created or {}).get("case", created) or {}
    case_id = int(created.get("case_id") or 0)
    if not case_id:
        raise ApiError("Omnidesk created the case but did not say its id", method="POST", path="/api/cases.json")
    status = next((o.value for f in sources.card if f.builtin == "status" for o in f.options
                   if o.title == values.get(f.id)), None)
    if status and status != "open":
        client.update_case(case_id, status=status)
    user_id = created.get("user_id") or (user or {}).get("user_id")
    if user_fields and user_id:
        try:
            client.request("PUT", f"users/{int(user_id)}.json", json={"user": {"custom_fields": user_fields}})
        except ApiError:
            warnings.append("профиль абонента в Omnidesk не обновлён (лицевой счет, адрес): проверьте его вручную")
    if attachment is not None:
        client.add_note(case_id, "Вложение к обращению с очного приёма", attachment=attachment)
    return NewCase(case_id, str(created.get("case_number", "")), warnings)


def _find_user(client: Client, identity: Mapping[str, str]) -> dict[str, Any] | None:
    (key, value), = identity.items()
    for user in client.iter_users(**{key: value}):
        if str(user.get(key, "")).casefold() == value.casefold():
            return user
    return None


def _encode(card_field: CardField, definition: CustomField, value: str) -> Any:
    if definition.field_type == "select":
        wanted = value.casefold()
        return next((option_id for option_id, label in definition.options.items() if label.casefold() == wanted), None)
    if definition.field_type == "checkbox" or card_field.type == "checkbox":
        return value not in ("", "0", "false", "off")
    return value
