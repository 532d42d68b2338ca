"""``/api`` users beyond list and get: the profile a new case files under, and the profile edit.

Omnidesk files a case created with a ``user_email`` or ``user_phone`` it does not know under a new profile of
that contact, named by ``user_full_name``; a known contact keeps its profile, name included (**inferred** from
../shared/omnidesk-api.md §6: every contact on a channel gets a profile, linked by email or phone). ``PUT users/{id}.json`` edits a profile's
name, company, note, language and custom fields (§4: user-level values are written on the user).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .resources import checked_custom_fields, envelope, now_text, require
from .schema import Schema, identifier, mapping, text
from .state import SandboxState
from .store import Store
from .web import HttpError, Request, Router, json_response

USER_EDIT = Schema({
    "user_full_name": text(max_len=1000), "company_name": text(max_len=1000), "company_position": text(max_len=1000),
    "user_note": text(), "language_id": identifier, "custom_fields": mapping,
})
#: the contacts a case create may name its subscriber by, and the profile ``type`` each gives
CONTACTS = (("user_email", "email"), ("user_phone", "phone"))


def subscriber_for_case(store: Store, data: dict[str, Any]) -> int:
    """The ``user_id`` a new case files under: the given id, the profile of its email or phone, or a new one."""
    if data.get("user_id"):
        return int(data["user_id"])
    for key, kind in CONTACTS:
        contact = str(data.get(key) or "").strip()
        if not contact:
            continue
        known = next((u for u in store.all("user") if str(u.get(key) or "").casefold() == contact.casefold()), None)
        if known is not None:
            return int(known["user_id"])
        return int(new_profile(store, {key: contact}, kind, str(data.get("user_full_name") or "").strip())["user_id"])
    raise HttpError(400, "subject_and_user_required")


def new_profile(store: Store, contact: dict[str, str], kind: str, full_name: str) -> dict[str, Any]:
    stamp = now_text()
    return store.insert("user", "user_id", {
        "user_full_name": full_name, "company_name": "", "company_position": "", "thumbnail": "", "user_note": "",
        "confirmed": False, "active": True, "deleted": False, "created_at": stamp, "updated_at": stamp,
        "last_contact_at": stamp, "type": kind, "user_email": "", "user_phone": "", **contact, "language_id": 1,
        "custom_fields": {}, "linked_users": [],
    }, start=1000)


def edit_user(store: Store, request: Request, params: dict[str, str]) -> Response:
    user = require(store, "user", params["id"])
    data = USER_EDIT.parse(envelope(request, "user"))
    # checked before the first change: a refused edit changes nothing
    custom_fields = checked_custom_fields(store, data.get("custom_fields", {}), user.get("custom_fields") or {})
    for name in ("user_full_name", "company_name", "company_position", "user_note", "language_id"):
        if name in data:
            user[name] = data[name]
    user["custom_fields"] = custom_fields
    user["updated_at"] = now_text()
    store.put("user", user["user_id"], user)
    return json_response(200, {"user": user})


def register(router: Router, state: SandboxState) -> None:
    router.add("PUT", "users/{id}.json", lambda request, params: edit_user(state.store, request, params))
