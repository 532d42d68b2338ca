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
    POST   /_admin/macro_categories        {"title", "sort"}            PUT/DELETE /_admin/macro_categories/{id}
    POST   /_admin/macros                  {"title", "category_id", "scope", "position", "group_name", "actions"}
                                                                        PUT/DELETE /_admin/macros/{id}
    POST   /_admin/custom_fields           {"title", "field_type", "field_level", "field_data", "active"}
                                                                        PUT/DELETE /_admin/custom_fields/{id}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .api import deleter, require
from .app import HttpError, Request, Response, Router
from .seed import add_macro, seed

if TYPE_CHECKING:
    from .app import SandboxApp

FIELD_TYPES = ("text", "textarea", "checkbox", "select", "date")
FIELD_LEVELS = ("user", "case")
SETTINGS = ("email", "api_key", "rate_limit_per_minute", "rate_window", "throttle_status")
#: a wrong value would break every later /api request, so it is refused here
SETTING_CHECKS: dict[str, Callable[[Any], bool]] = {
    "email": lambda v: isinstance(v, str) and bool(v.strip()),
    "api_key": lambda v: isinstance(v, str) and bool(v),
    "rate_limit_per_minute": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
    "rate_window": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v > 0,
    "throttle_status": lambda v: v in (429, 403),
}


class Admin:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.store = app.store

    def body(self, request: Request) -> dict[str, Any]:
        data = request.json()
        if not isinstance(data, dict):
            raise HttpError(400, "expected_json_object")
        return data

    def index(self, _: Request, __: dict[str, str]) -> Response:
        return Response.json(200, {"routes": [line.strip() for line in (__doc__ or "").splitlines() if "/_admin" in line]})

    def settings(self, _: Request, __: dict[str, str]) -> Response:
        shown = {name: getattr(self.app.config, name) for name in SETTINGS}
        shown["api_key"] = "***"
        return Response.json(200, shown)

    def change_settings(self, request: Request, params: dict[str, str]) -> Response:
        data = self.body(request)
        unknown = set(data) - set(SETTINGS)
        if unknown:
            raise HttpError(400, f"unknown_settings:{','.join(sorted(unknown))}")
        for name, valid in SETTING_CHECKS.items():
            if name in data and not valid(data[name]):
                raise HttpError(400, f"wrong_{name}")
        self.app.reconfigure(**data)
        return self.settings(request, params)

    def faults(self, _: Request, __: dict[str, str]) -> Response:
        return Response.json(200, self.app.faults.describe())

    def add_faults(self, request: Request, params: dict[str, str]) -> Response:
        try:
            self.app.faults.configure(self.body(request))
        except (ValueError, TypeError) as exc:
            return Response.json(400, {"error": "wrong_faults", "detail": str(exc)})
        return self.faults(request, params)

    def clear_faults(self, request: Request, params: dict[str, str]) -> Response:
        self.app.faults.clear()
        return self.faults(request, params)

    def requests(self, _: Request, __: dict[str, str]) -> Response:
        return Response.json(200, {"requests": [asdict(entry) for entry in list(self.app.log)]})

    def clear_requests(self, _: Request, __: dict[str, str]) -> Response:
        self.app.log.clear()
        self.app.limiter.reset()
        return Response.json(200, {"requests": []})

    def reset(self, _: Request, __: dict[str, str]) -> Response:
        self.store.wipe()
        seed(self.store)
        return Response.json(200, {"reset": True})

    # ------------------------------------------------------------------ macros and fields

    def create_category(self, request: Request, _: dict[str, str]) -> Response:
        data = self.body(request)
        if not str(data.get("title", "")).strip():
            raise HttpError(400, "title_required")
        category = self.store.insert("macro_category", "macros_category_id",
                                     {"title": data["title"], "sort": int(data.get("sort", 1))}, start=100)
        return Response.json(201, category)

    def update_category(self, request: Request, params: dict[str, str]) -> Response:
        category = require(self.store, "macro_category", params["id"])
        data = self.body(request)
        category.update({k: data[k] for k in ("title", "sort") if k in data})
        self.store.put("macro_category", category["macros_category_id"], category)
        return Response.json(200, category)

    def delete_category(self, _: Request, params: dict[str, str]) -> Response:
        category = require(self.store, "macro_category", params["id"])
        # as in the UI, the macros of a removed category fall back to «Без категории»
        for macro in self.store.all("macro"):
            if macro.get("category_id") == category["macros_category_id"]:
                self.store.put("macro", macro["macro_id"], {**macro, "category_id": 0})
        self.store.delete("macro_category", category["macros_category_id"])
        return Response(200)

    def create_macro(self, request: Request, _: dict[str, str]) -> Response:
        data = self.macro_data(self.body(request), None)
        return Response.json(201, add_macro(self.store, data))

    def update_macro(self, request: Request, params: dict[str, str]) -> Response:
        current = require(self.store, "macro", params["id"])
        data = self.macro_data(self.body(request), current)
        self.store.delete("macro", current["macro_id"])
        return Response.json(200, add_macro(self.store, data))

    def macro_data(self, data: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        merged = {"category_id": 0, "scope": "common", "group_name": "", "actions": [], **(current or {}), **data}
        if not str(merged.get("title", "")).strip():
            raise HttpError(400, "title_required")
        if merged["scope"] not in ("common", "personal"):
            raise HttpError(400, "wrong_scope")
        if merged["category_id"] and self.store.get("macro_category", int(merged["category_id"])) is None:
            raise HttpError(400, "macro_category_not_found")
        if not isinstance(merged["actions"], list) or not all(isinstance(a, dict) for a in merged["actions"]):
            raise HttpError(400, "wrong_actions")
        if "position" not in merged:
            merged["position"] = len(self.store.all("macro"))
        return merged

    def create_field(self, request: Request, _: dict[str, str]) -> Response:
        field = self.field_data(self.body(request), {"active": True, "field_data": ""})
        return Response.json(201, self.store.insert("custom_field", "field_id", field, start=2000))

    def update_field(self, request: Request, params: dict[str, str]) -> Response:
        current = require(self.store, "custom_field", params["id"])
        field = self.field_data(self.body(request), current)
        self.store.put("custom_field", current["field_id"], field)
        return Response.json(200, field)

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
            merged["field_data"] = {str(k): str(v) for k, v in options.items()}
        else:
            merged["field_data"] = ""
        return merged



def register(router: Router, app: SandboxApp) -> None:
    admin = Admin(app)
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
    router.add("DELETE", "macros/{id}", deleter(app.store, "macro"))
    router.add("POST", "custom_fields", admin.create_field)
    router.add("PUT", "custom_fields/{id}", admin.update_field)
    router.add("DELETE", "custom_fields/{id}", deleter(app.store, "custom_field"))
    router.add("POST", "checklist", checklist_route(admin))


# ---------------------------------------------------------------------- the administrator performs a checklist
#     POST   /_admin/checklist               checklist.json of `sync push`: its open steps, done as in the UI


def checklist_route(admin: Admin) -> Callable[[Request, dict[str, str]], Response]:
    from .administrator import perform_steps

    def handler(request: Request, _: dict[str, str]) -> Response:
        steps = admin.body(request).get("steps")
        if not isinstance(steps, list):
            raise HttpError(400, "steps_required")
        return Response.json(200, perform_steps(admin.store, steps))
    return handler
