"""``/_admin``: what an Omnidesk administrator does in the web UI, plus the test controls.

The public API cannot write macros or custom-field definitions, so the sandbox offers these routes in their
place; they are the stand-in for a person clicking in «Шаблоны» and «Поля данных», not part of Omnidesk.
JSON in, JSON out, no envelope, no auth (the server only answers loopback clients).

    GET    /_admin                         this list
    GET    /_admin/settings                credentials (key masked) and rate limit
    PUT    /_admin/settings                {"email", "api_key", "rate_limit_per_minute", "rate_window", "throttle_status"}
    GET    /_admin/faults                  active fault rules
    POST   /_admin/faults                  {"latency_ms": 50, "error": {...}, "throttle": {...}, "drop": {...}}
    DELETE /_admin/faults                  clear every fault
    GET    /_admin/requests                the /api request log (time, method, path, status, outcome)
    DELETE /_admin/requests                clear the log and the rate-limit window
    POST   /_admin/reset                   wipe the data and seed the demo data again
    POST   /_admin/checklist               checklist.json of `sync push`: its open steps, done as a person would
    POST   /_admin/macro_categories        {"title", "sort"}            PUT/DELETE /_admin/macro_categories/{id}
    POST   /_admin/macros                  {"title", "category_id", "scope", "position", "group_name", "actions"}
                                                                        PUT/DELETE /_admin/macros/{id}
    POST   /_admin/custom_fields           {"title", "field_type", "field_level", "field_data", "active"}
                                                                        PUT/DELETE /_admin/custom_fields/{id}
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.responses import Response

from .administrator import perform_steps
from .resources import deleter, require
from .schema import (
    Schema,
    choice,
    flag,
    identifier,
    integer,
    list_of,
    nested,
    number,
    per_language,
    select_options,
    text,
)
from .seed import add_custom_field, add_macro, add_macro_category, remove_macro_category, replace_macro, seed
from .state import THROTTLE_STATUSES, SandboxState
from .web import HttpError, Request, Router, empty_response, json_response

FIELD_TYPES = ("text", "textarea", "checkbox", "select", "date")
FIELD_LEVELS = ("user", "case")
#: a wrong value would break every later /api request, so it is refused here
SETTINGS = Schema({
    "email": text(min_len=1, max_len=1000),
    "api_key": text(min_len=1, max_len=1000),
    "rate_limit_per_minute": integer(1, 1_000_000),
    "rate_window": number(0, 86_400, above_low=True),
    "throttle_status": choice(*THROTTLE_STATUSES),
}, closed=True, unknown_code="unknown_settings")
CATEGORY = Schema({"title": text(max_len=1000), "sort": integer(-(2**31), 2**31)})
ACTION = Schema({
    "action_type": text(max_len=200), "action_display_name": text(max_len=1000),
    "action_destination": per_language, "content": text(), "subject": text(),
})
MACRO = Schema({
    "title": text(max_len=1000), "category_id": identifier, "scope": choice("common", "personal"),
    "position": integer(0, 2**31), "group_name": text(max_len=1000), "actions": list_of(nested(ACTION)),
})
FIELD = Schema({
    "title": text(max_len=1000), "field_type": choice(*FIELD_TYPES), "field_level": choice(*FIELD_LEVELS),
    "field_data": select_options, "active": flag,
})


class Admin:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = state.store

    def index(self, _: Request, __: dict[str, str]) -> Response:
        return json_response(200, {"routes": [line.strip() for line in (__doc__ or "").splitlines() if "/_admin" in line]})

    def settings(self, _: Request, __: dict[str, str]) -> Response:
        shown = {name: getattr(self.state.config, name) for name in SETTINGS.fields}
        shown["api_key"] = "***"
        return json_response(200, shown)

    def change_settings(self, request: Request, params: dict[str, str]) -> Response:
        self.state.reconfigure(**SETTINGS.parse(request.json()))
        return self.settings(request, params)

    def faults(self, _: Request, __: dict[str, str]) -> Response:
        return json_response(200, self.state.faults.describe())

    def add_faults(self, request: Request, params: dict[str, str]) -> Response:
        try:
            self.state.faults.configure(request.json_object())
        except (ValueError, TypeError) as exc:
            return json_response(400, {"error": "wrong_faults", "detail": str(exc)})
        return self.faults(request, params)

    def clear_faults(self, request: Request, params: dict[str, str]) -> Response:
        self.state.faults.clear()
        return self.faults(request, params)

    def requests(self, _: Request, __: dict[str, str]) -> Response:
        return json_response(200, {"requests": [asdict(entry) for entry in self.state.log.snapshot()]})

    def clear_requests(self, _: Request, __: dict[str, str]) -> Response:
        self.state.log.clear()
        self.state.limiter.reset()
        return json_response(200, {"requests": []})

    def reset(self, _: Request, __: dict[str, str]) -> Response:
        self.store.wipe()
        seed(self.store)
        return json_response(200, {"reset": True})

    # ------------------------------------------------------------------ the administrator performs a checklist
    #     POST /_admin/checklist   checklist.json of `sync push`: its open steps, done as a person would in the UI

    def perform_checklist(self, request: Request, _: dict[str, str]) -> Response:
        steps = request.json_object().get("steps")
        if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
            raise HttpError(400, "steps_required")
        try:
            return json_response(200, perform_steps(self.store, steps))
        except (KeyError, StopIteration, ValueError, TypeError, AssertionError) as exc:
            # a step that names a field, option or category the sandbox does not have: nothing is stored
            return json_response(400, {"error": "wrong_step", "detail": f"{type(exc).__name__}: {exc}"[:200]})

    # ------------------------------------------------------------------ macros and fields

    def create_category(self, request: Request, _: dict[str, str]) -> Response:
        data = CATEGORY.parse(request.json())
        if not data.get("title", "").strip():
            raise HttpError(400, "title_required")
        category = add_macro_category(self.store, data["title"], data.get("sort", 1))
        return json_response(201, category)

    def update_category(self, request: Request, params: dict[str, str]) -> Response:
        category = require(self.store, "macro_category", params["id"])
        data = CATEGORY.parse(request.json())
        if "title" in data and not data["title"].strip():
            raise HttpError(400, "title_required")
        category.update(data)
        self.store.put("macro_category", category["macros_category_id"], category)
        return json_response(200, category)

    def delete_category(self, _: Request, params: dict[str, str]) -> Response:
        category = require(self.store, "macro_category", params["id"])
        remove_macro_category(self.store, category["macros_category_id"])
        return empty_response()

    def create_macro(self, request: Request, _: dict[str, str]) -> Response:
        data = self.macro_data(MACRO.parse(request.json()), None)
        return json_response(201, add_macro(self.store, data))

    def update_macro(self, request: Request, params: dict[str, str]) -> Response:
        current = require(self.store, "macro", params["id"])
        data = self.macro_data(MACRO.parse(request.json()), current)
        return json_response(200, replace_macro(self.store, current["macro_id"], data))

    def macro_data(self, data: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        merged = {"category_id": 0, "scope": "common", "group_name": "", "actions": [], **(current or {}), **data}
        if not str(merged.get("title", "")).strip():
            raise HttpError(400, "title_required")
        if merged["category_id"] and self.store.get("macro_category", merged["category_id"]) is None:
            raise HttpError(400, "macro_category_not_found")
        return merged

    def create_field(self, request: Request, _: dict[str, str]) -> Response:
        field = self.field_data(FIELD.parse(request.json()), {"active": True, "field_data": ""})
        return json_response(201, add_custom_field(self.store, field))

    def update_field(self, request: Request, params: dict[str, str]) -> Response:
        current = require(self.store, "custom_field", params["id"])
        field = self.field_data(FIELD.parse(request.json()), current)
        self.store.put("custom_field", current["field_id"], field)
        return json_response(200, field)

    def field_data(self, data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        merged = {**current, **data}
        if not str(merged.get("title", "")).strip():
            raise HttpError(400, "title_required")
        if merged.get("field_type") not in FIELD_TYPES:
            raise HttpError(400, "wrong_field_type")
        if merged.get("field_level") not in FIELD_LEVELS:
            raise HttpError(400, "wrong_field_level")
        options = merged.get("field_data")
        if merged["field_type"] == "select":
            if isinstance(options, list):  # a list of labels is numbered from 1, as the UI does
                options = {str(i): str(label) for i, label in enumerate(options, start=1)}
            if not isinstance(options, dict) or not options:
                raise HttpError(400, "select_needs_options")
            merged["field_data"] = dict(options)
        else:
            merged["field_data"] = ""
        return merged


def register(router: Router, state: SandboxState) -> None:
    admin = Admin(state)
    router.add("GET", "", admin.index)
    router.add("GET", "settings", admin.settings)
    router.add("PUT", "settings", admin.change_settings)
    router.add("GET", "faults", admin.faults)
    router.add("POST", "faults", admin.add_faults)
    router.add("DELETE", "faults", admin.clear_faults)
    router.add("GET", "requests", admin.requests)
    router.add("DELETE", "requests", admin.clear_requests)
    router.add("POST", "reset", admin.reset)
    router.add("POST", "macro_categories", admin.create_category)
    router.add("PUT", "macro_categories/{id}", admin.update_category)
    router.add("DELETE", "macro_categories/{id}", admin.delete_category)
    router.add("POST", "macros", admin.create_macro)
    router.add("PUT", "macros/{id}", admin.update_macro)
    router.add("DELETE", "macros/{id}", deleter(state.store, "macro"))
    router.add("POST", "custom_fields", admin.create_field)
    router.add("PUT", "custom_fields/{id}", admin.update_field)
    router.add("DELETE", "custom_fields/{id}", deleter(state.store, "custom_field"))
    router.add("POST", "checklist", admin.perform_checklist)
