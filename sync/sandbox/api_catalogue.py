"""``/api`` catalogue: users, staff, groups, labels (CRUD), and the read-only custom fields, languages, macros.

Macros and custom fields have no write routes, so a write to them answers 405 (**inferred**: the public API
has no such routes; an administrator changes them in the UI, which ``/_admin`` stands in for).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .resources import deleter, envelope, getter, lister, require
from .schema import Schema, text
from .state import SandboxState
from .store import Store
from .web import HttpError, Request, Router, json_response

LABEL = Schema({"label_title": text(max_len=1000)})


class Labels:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, request: Request, _: dict[str, str]) -> Response:
        title = self.title(request)
        label = self.store.insert("label", "label_id", {"label_title": title}, start=500)
        return json_response(201, {"label": label})

    def update(self, request: Request, params: dict[str, str]) -> Response:
        label = require(self.store, "label", params["id"])
        label["label_title"] = self.title(request, label["label_id"])
        self.store.put("label", label["label_id"], label)
        return json_response(200, {"label": label})

    def title(self, request: Request, own_id: int | None = None) -> str:
        title = str(LABEL.parse(envelope(request, "label")).get("label_title", "")).strip()
        if not title:
            raise HttpError(400, "label_title_required")
        if any(lb.get("label_title") == title and lb["label_id"] != own_id for lb in self.store.all("label")):
            raise HttpError(400, "label_title_already_exist")
        return title


def render_macros(categories: list[dict[str, Any]], macros: list[dict[str, Any]]) -> dict[str, Any]:
    """``/macros.json`` exactly as §3: common and personal, categories keyed ``"0"``…, macros keyed by id."""
    result: dict[str, Any] = {}
    for scope in ("common", "personal"):
        mine = [m for m in macros if m.get("scope", "common") == scope]
        buckets = [*categories, {"macros_category_id": 0, "title": "Без категории", "sort": 99999}]
        rendered = []
        for category in sorted(buckets, key=_category_order):
            inside = [m for m in mine if m.get("category_id", 0) == category["macros_category_id"]]
            if not inside and (category["macros_category_id"] == 0 or scope == "personal"):
                continue
            data = {
                str(m["macro_id"]): {k: m.get(k) for k in ("title", "position", "group_name", "actions")}
                for m in sorted(inside, key=_macro_order)
            }
            rendered.append({**category, "data": data})
        result[scope] = {str(i): c for i, c in enumerate(rendered)} if rendered else []
    return result


def _number(value: Any) -> int:
    """An order key from a stored value; what an older sandbox stored as text sorts last instead of crashing."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 2**63


def _category_order(category: dict[str, Any]) -> tuple[int, int]:
    return _number(category.get("sort")), _number(category.get("macros_category_id"))


def _macro_order(macro: dict[str, Any]) -> tuple[int, int]:
    return _number(macro.get("position")), _number(macro.get("macro_id"))


def register(router: Router, state: SandboxState) -> None:
    store = state.store
    for kind, plural, filters in (
        ("user", "users", ("user_email", "user_phone", "user_full_name")),
        ("staff", "staff", ("staff_email",)),
        ("group", "groups", ()),
    ):
        router.add("GET", f"{plural}.json", lister(store, kind, kind, filters))
        router.add("GET", f"{plural}/{{id}}.json", getter(store, kind, kind))
    labels = Labels(store)
    router.add("GET", "labels.json", lister(store, "label", "label"))
    router.add("POST", "labels.json", labels.create)
    router.add("PUT", "labels/{id}.json", labels.update)
    router.add("DELETE", "labels/{id}.json", deleter(store, "label"))
    router.add("GET", "custom_fields.json", lister(store, "custom_field", "custom_field"))
    router.add("GET", "languages.json", lister(store, "language", "language"))
    router.add("GET", "macros.json", lambda _, __: json_response(
        200, render_macros(store.all("macro_category"), store.all("macro"))))
