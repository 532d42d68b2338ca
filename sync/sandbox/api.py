"""The ``/api`` routes of the sandbox, following the catalogue of ``../shared/omnidesk-api.md`` §2.

Served: cases (list with filters, get by id or number, create, edit), messages, notes (``note.json`` and
``notes.json``, multipart or JSON with ``attachment_urls``), users, staff, groups, labels (CRUD), the knowledge
base (CRUD plus enable/disable), and the read-only lists: custom fields, macros, languages. Macros and custom
fields have no write routes, so a write to them answers 405 (see :mod:`.app`).

Error codes the digest names are used where they fit; the others (``case_not_found``, ``wrong_status``, …)
are **inferred** and documented in the README (section "Omnidesk").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..wire import SAMARA, format_date, list_page, parse_date
from .app import HttpError, Request, Response, Router

if TYPE_CHECKING:
    from .app import SandboxApp
    from .store import Store

MAX_LIMIT = 100
MAX_FILE = 25 * 1024 * 1024
MAX_FILES_TOTAL = 50 * 1024 * 1024
CASE_NUMBER = re.compile(r"^\d{3}-\d{6}$")
STATUSES = ("open", "waiting", "closed")
PRIORITIES = ("low", "normal", "high", "critical")
CASE_SORTS = {
    "created_at_asc": ("created_at", False), "created_at_desc": ("created_at", True),
    "updated_at_asc": ("updated_at", False), "updated_at_desc": ("updated_at", True),
}

#: KB kind → (id field, title field, fields a POST may set)
KB_KINDS = {
    "kb_category": ("category_id", "category_title", ("category_title",)),
    "kb_section": ("section_id", "section_title", ("section_title", "section_description", "category_id")),
    "kb_article": ("article_id", "article_title",
                   ("article_title", "article_content", "article_tags", "section_id", "access_type")),
}


def now_text() -> str:
    return format_date(datetime.now(SAMARA).replace(microsecond=0))


def matches(pattern: str, value: str) -> bool:
    """Omnidesk search: substring by default; ``^s^`` exact, ``^s`` prefix, ``s^`` suffix (case-insensitive)."""
    value = value.lower()
    pattern = pattern.lower()
    if len(pattern) > 1 and pattern.startswith("^") and pattern.endswith("^"):
        return value == pattern[1:-1]
    if pattern.startswith("^"):
        return value.startswith(pattern[1:])
    if pattern.endswith("^"):
        return value.endswith(pattern[:-1])
    return pattern in value


def paged(request: Request, items: list[dict[str, Any]], key: str) -> Response:
    """One page of ``items`` in the documented list shape, honouring ``page`` and ``limit`` (≤ 100)."""
    try:
        page = max(1, int(request.query.get("page", 1)))
        limit = max(1, min(int(request.query.get("limit", MAX_LIMIT)), MAX_LIMIT))
    except ValueError as exc:
        raise HttpError(400, "wrong_page_or_limit") from exc
    chunk = items[(page - 1) * limit: page * limit]
    return Response.json(200, list_page(chunk, key, len(items)))


def as_id(raw: str, what: str) -> int:
    if not raw.isdigit():
        raise HttpError(404, f"{what}_not_found")
    return int(raw)


def require(store: Store, kind: str, raw_id: str) -> dict[str, Any]:
    """The stored object of ``kind`` with the id in the path, or 404 ``<kind>_not_found``."""
    found = store.get(kind, as_id(raw_id, kind))
    if found is None:
        raise HttpError(404, f"{kind}_not_found")
    return found


def deleter(store: Store, kind: str) -> Callable[[Request, dict[str, str]], Response]:
    """A ``DELETE …/{id}`` handler for ``kind``: 200 with no body, or 404."""

    def handler(_: Request, params: dict[str, str]) -> Response:
        if not store.delete(kind, as_id(params["id"], kind)):
            raise HttpError(404, f"{kind}_not_found")
        return Response(200)

    return handler


class Api:
    """Route handlers bound to one app's store."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.store = app.store

    def envelope(self, request: Request, key: str) -> dict[str, Any]:
        body = request.json()
        inner = body.get(key) if isinstance(body, dict) else None
        if not isinstance(inner, dict):
            raise HttpError(400, f"{key}_data_required")
        return inner

    # ------------------------------------------------------------------ cases

    def find_case(self, raw: str) -> dict[str, Any]:
        if CASE_NUMBER.match(raw):
            for case in self.store.all("case"):
                if case["case_number"] == raw:
                    return case
            raise HttpError(404, "case_not_found")
        return require(self.store, "case", raw)

    def list_cases(self, request: Request, _: dict[str, str]) -> Response:
        q = request.query
        cases = [c for c in self.store.all("case") if not c.get("deleted") and not c.get("spam")]
        for name in ("status", "channel", "priority"):
            if q.get(name):
                wanted = set(q[name].split(","))
                cases = [c for c in cases if c.get(name) in wanted]
        for name in ("user_id", "staff_id", "group_id"):
            if q.get(name):
                wanted_ids = {int(v) for v in q[name].split(",") if v.isdigit()}
                cases = [c for c in cases if c.get(name) in wanted_ids]
        if q.get("subject"):
            cases = [c for c in cases if matches(q["subject"], c["subject"])]
        if q.get("labels"):
            wanted_ids = {int(v) for v in q["labels"].split(",") if v.isdigit()}
            cases = [c for c in cases if wanted_ids & set(c.get("labels", []))]
        if q.get("user_email"):
            users = {u["user_id"] for u in self.store.all("user") if matches(q["user_email"], u.get("user_email", ""))}
            cases = [c for c in cases if c["user_id"] in users]
        field, descending = CASE_SORTS.get(q.get("sort", "created_at_desc"), ("created_at", True))
        cases.sort(key=lambda c: (parse_date(c[field]), c["case_id"]), reverse=descending)
        return paged(request, cases, "case")

    def get_case(self, _: Request, params: dict[str, str]) -> Response:
        return Response.json(200, {"case": self.find_case(params["id"])})

    def create_case(self, request: Request, _: dict[str, str]) -> Response:
        data = self.envelope(request, "case")
        if not data.get("subject") or not (data.get("user_email") or data.get("user_id")):
            raise HttpError(400, "subject_and_user_required")
        user_id = data.get("user_id") or next(
            (u["user_id"] for u in self.store.all("user") if u.get("user_email") == data.get("user_email")), 0
        )
        case_id = self.store.next_id("case", 5000)
        stamp = now_text()
        case = {
            "case_id": case_id, "case_number": f"664-{245651 + case_id - 5000:06d}", "subject": data["subject"],
            "user_id": user_id, "staff_id": int(data.get("staff_id") or 0), "group_id": int(data.get("group_id") or 0),
            "status": "open", "priority": data.get("priority", "normal"), "channel": "web", "recipient": "",
            "cc_emails": "", "bcc_emails": "", "deleted": False, "spam": False, "created_at": stamp,
            "updated_at": stamp, "closed_at": "-", "last_response_at": "-", "closing_speed": "-",
            "language_id": int(data.get("language_id") or 1), "rating": "", "rating_comment": "",
            "rated_staff_id": 0, "custom_fields": {}, "labels": [], "locked_labels": [],
        }
        case["custom_fields"] = self.checked_custom_fields(data.get("custom_fields") or {}, {})
        self.store.insert("case", "case_id", case)
        return Response.json(201, {"case": case})

    def edit_case(self, request: Request, params: dict[str, str]) -> Response:
        case = self.find_case(params["id"])
        data = self.envelope(request, "case")
        if "status" in data:
            if data["status"] not in STATUSES:
                raise HttpError(400, "wrong_status")
            if data["status"] == "closed" and case["status"] != "closed":
                case["closed_at"] = now_text()
            elif data["status"] != "closed":
                case["closed_at"] = "-"
            case["status"] = data["status"]
        if "priority" in data:
            if data["priority"] not in PRIORITIES:
                raise HttpError(400, "wrong_priority")
            case["priority"] = data["priority"]
        for name in ("subject", "group_id", "staff_id", "language_id"):
            if name in data:
                case[name] = data[name]
        if "custom_fields" in data:
            case["custom_fields"] = self.checked_custom_fields(data["custom_fields"], case["custom_fields"])
        known_labels = {label["label_id"] for label in self.store.all("label")}
        added = id_list(data.get("add_labels"))
        if not added <= known_labels:
            raise HttpError(400, "label_not_found")
        removed = id_list(data.get("delete_labels"))
        case["labels"] = sorted((set(case["labels"]) | added) - removed)
        case["updated_at"] = now_text()
        self.store.put("case", case["case_id"], case)
        return Response.json(200, {"case": case})

    def checked_custom_fields(self, values: Any, current: dict[str, Any]) -> dict[str, Any]:
        """Merge ``cf_N`` values, refusing unknown fields and select values that are not an option id."""
        if not isinstance(values, dict):
            raise HttpError(400, "wrong_custom_fields")
        fields = {f"cf_{f['field_id']}": f for f in self.store.all("custom_field")}
        merged = dict(current)
        for key, value in values.items():
            definition = fields.get(key)
            if definition is None:
                raise HttpError(400, "custom_field_not_found")
            if definition["field_type"] == "select":
                options = definition.get("field_data") or {}
                if str(value) not in options:
                    raise HttpError(400, "wrong_custom_field_value")
                value = int(value)
            merged[key] = value
        return merged

    def list_messages(self, request: Request, params: dict[str, str]) -> Response:
        case = self.find_case(params["id"])
        messages = [m for m in self.store.all("message") if m["case_id"] == case["case_id"]]
        return paged(request, [public(m, "case_id") for m in messages], "message")

    def add_note(self, request: Request, params: dict[str, str]) -> Response:
        case = self.find_case(params["id"])
        content, html, attachments = self.note_payload(request)
        if not content and not html:
            raise HttpError(400, "content_required")
        staff = next((s for s in self.store.all("staff") if s["staff_email"] == self.app.config.email), None)
        note = self.store.insert("message", "message_id", {
            "case_id": case["case_id"], "user_id": 0, "staff_id": staff["staff_id"] if staff else 0,
            "content": content, "content_html": html, "attachments": attachments, "note": True,
            "sent_via_rule": False, "created_at": now_text(), "sent_at": "-", "rating": "", "rating_comment": "",
            "rated_staff_id": 0,
        }, start=80000)
        case["updated_at"] = now_text()
        self.store.put("case", case["case_id"], case)
        return Response.json(201, {"message": public(note, "case_id")})

    def note_payload(self, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        """``(content, content_html, attachments)`` from a multipart form or a JSON ``{"note": …}``."""
        if request.header("Content-Type").startswith("multipart/form-data"):
            form, files = parse_multipart(request)
            # every check before the first file is stored: a refused note leaves no orphan files behind
            if any(len(data) > MAX_FILE for _, _, data in files):
                raise HttpError(400, "file_too_large")
            if sum(len(data) for _, _, data in files) > MAX_FILES_TOTAL:
                raise HttpError(400, "files_too_large")
            content, html = form.get("note[content]", ""), form.get("note[content_html]", "")
            if not content and not html:
                raise HttpError(400, "content_required")
            return content, html, [self.stored_file(request, name, mime, data) for name, mime, data in files]
        note = self.envelope(request, "note")
        urls = note.get("attachment_urls") or []
        if not isinstance(urls, list):
            raise HttpError(400, "wrong_attachment_urls")
        # the sandbox does not fetch remote files (loopback only): it records them as they were named
        attachments = [
            {"file_id": 0, "file_name": str(url).rstrip("/").rsplit("/", 1)[-1], "file_size": 0,
             "mime_type": "application/octet-stream", "url": str(url)}
            for url in urls
        ]
        return str(note.get("content", "")), str(note.get("content_html", "")), attachments

    def stored_file(self, request: Request, name: str, mime: str, data: bytes) -> dict[str, Any]:
        file_id = self.store.add_file(name, mime, data)
        # quoted: a name with "?", "#" or "/" must stay one path segment of the URL
        return {"file_id": file_id, "file_name": name, "file_size": len(data), "mime_type": mime,
                "url": f"{request.base_url}/files/{file_id}/{quote(name, safe='')}"}

    def get_file(self, _: Request, params: dict[str, str]) -> Response:
        found = self.store.get_file(as_id(params["file_id"], "file"))
        if found is None:
            raise HttpError(404, "file_not_found")
        name, mime, data = found
        return Response(200, data, {"Content-Type": mime})

    # ------------------------------------------------------------------ generic CRUD

    def lister(self, kind: str, key: str, filters: Iterable[str] = ()) -> Callable[[Request, dict[str, str]], Response]:
        def handler(request: Request, _: dict[str, str]) -> Response:
            items = self.store.all(kind)
            for name in filters:
                if request.query.get(name):
                    items = [i for i in items if matches(request.query[name], str(i.get(name, "")))]
            return paged(request, items, key)
        return handler

    def getter(self, kind: str, key: str) -> Callable[[Request, dict[str, str]], Response]:
        return lambda _, params: Response.json(200, {key: require(self.store, kind, params["id"])})

    def create_label(self, request: Request, _: dict[str, str]) -> Response:
        title = self.label_title(request)
        label = self.store.insert("label", "label_id", {"label_title": title}, start=500)
        return Response.json(201, {"label": label})

    def update_label(self, request: Request, params: dict[str, str]) -> Response:
        label = require(self.store, "label", params["id"])
        label["label_title"] = self.label_title(request, label["label_id"])
        self.store.put("label", label["label_id"], label)
        return Response.json(200, {"label": label})

    def label_title(self, request: Request, own_id: int | None = None) -> str:
        title = str(self.envelope(request, "label").get("label_title", "")).strip()
        if not title:
            raise HttpError(400, "label_title_required")
        if any(lb["label_title"] == title and lb["label_id"] != own_id for lb in self.store.all("label")):
            raise HttpError(400, "label_title_already_exist")
        return title

    def kb_create(self, kind: str) -> Callable[[Request, dict[str, str]], Response]:
        id_field, title_field, allowed = KB_KINDS[kind]

        def handler(request: Request, _: dict[str, str]) -> Response:
            data = {k: v for k, v in self.envelope(request, kind).items() if k in allowed}
            if not data.get(title_field):
                raise HttpError(400, f"{title_field}_required")
            stamp = now_text()
            obj = {**kb_shape(kind, data), "active": True, "created_at": stamp, "updated_at": stamp}
            obj = self.store.insert(kind, id_field, obj, start=100)
            return Response.json(201, {kind: obj})
        return handler

    def kb_update(self, kind: str) -> Callable[[Request, dict[str, str]], Response]:
        _, _, allowed = KB_KINDS[kind]

        def handler(request: Request, params: dict[str, str]) -> Response:
            obj = require(self.store, kind, params["id"])
            data = {k: v for k, v in self.envelope(request, kind).items() if k in allowed}
            obj.update(kb_shape(kind, {**obj, **data}))
            obj["updated_at"] = now_text()
            self.store.put(kind, int(params["id"]), obj)
            return Response.json(200, {kind: obj})
        return handler

    def kb_toggle(self, kind: str, active: bool) -> Callable[[Request, dict[str, str]], Response]:
        def handler(_: Request, params: dict[str, str]) -> Response:
            obj = require(self.store, kind, params["id"])
            obj["active"] = active
            obj["updated_at"] = now_text()
            self.store.put(kind, int(params["id"]), obj)
            return Response.json(200, {kind: obj})
        return handler

    # ------------------------------------------------------------------ read-only

    def list_macros(self, _: Request, __: dict[str, str]) -> Response:
        return Response.json(200, render_macros(self.store.all("macro_category"), self.store.all("macro")))


def kb_shape(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """An article's ``section_id`` is a list on input and first-id plus ``section_id_arr`` on output."""
    if kind != "kb_article":
        return data
    sections = data.get("section_id_arr") or data.get("section_id") or []
    sections = [int(s) for s in (sections if isinstance(sections, list) else [sections])]
    return {"article_content": "", "article_tags": "", "access_type": "public", **data,
            "section_id": sections[0] if sections else 0, "section_id_arr": sections}


def render_macros(categories: list[dict[str, Any]], macros: list[dict[str, Any]]) -> dict[str, Any]:
    """``/macros.json`` exactly as §3: common and personal, categories keyed ``"0"``…, macros keyed by id."""
    result: dict[str, Any] = {}
    for scope in ("common", "personal"):
        mine = [m for m in macros if m.get("scope", "common") == scope]
        buckets = [*categories, {"macros_category_id": 0, "title": "Без категории", "sort": 99999}]
        rendered = []
        for category in sorted(buckets, key=lambda c: (c["sort"], c["macros_category_id"])):
            inside = [m for m in mine if m.get("category_id", 0) == category["macros_category_id"]]
            if not inside and (category["macros_category_id"] == 0 or scope == "personal"):
                continue
            data = {
                str(m["macro_id"]): {k: m[k] for k in ("title", "position", "group_name", "actions")}
                for m in sorted(inside, key=lambda m: (m["position"], m["macro_id"]))
            }
            rendered.append({**category, "data": data})
        result[scope] = {str(i): c for i, c in enumerate(rendered)} if rendered else []
    return result


def public(obj: dict[str, Any], *hidden: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in hidden}


def id_list(raw: Any) -> set[int]:
    """Label ids given as a JSON array or a comma-separated string (both seen in clients)."""
    if raw is None or raw == "":
        return set()
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else [raw]
    try:
        return {int(item) for item in items}
    except (TypeError, ValueError) as exc:
        raise HttpError(400, "wrong_labels") from exc


def parse_multipart(request: Request) -> tuple[dict[str, str], list[tuple[str, str, bytes]]]:
    """Form fields and ``(file name, MIME type, bytes)`` files of a multipart body, via the stdlib parser."""
    head = f"Content-Type: {request.header('Content-Type')}\r\n\r\n".encode()
    message: Message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    if not message.is_multipart():
        raise HttpError(400, "wrong_multipart")
    form: dict[str, str] = {}
    files: list[tuple[str, str, bytes]] = []
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files.append((filename, part.get_content_type(), payload))
        elif name:
            form[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
    return form, files


def register(router: Router, app: SandboxApp) -> None:
    api = Api(app)
    router.add("GET", "cases.json", api.list_cases)
    router.add("POST", "cases.json", api.create_case)
    router.add("GET", "cases/{id}.json", api.get_case)
    router.add("PUT", "cases/{id}.json", api.edit_case)
    router.add("GET", "cases/{id}/messages.json", api.list_messages)
    router.add("POST", "cases/{id}/note.json", api.add_note)
    router.add("POST", "cases/{id}/notes.json", api.add_note)
    router.add("GET", "files/{file_id}/{name}", api.get_file)
    for kind, key, plural, filters in (
        ("user", "user", "users", ("user_email", "user_phone", "user_full_name")),
        ("staff", "staff", "staff", ("staff_email",)),
        ("group", "group", "groups", ()),
    ):
        router.add("GET", f"{plural}.json", api.lister(kind, key, filters))
        router.add("GET", f"{plural}/{{id}}.json", api.getter(kind, key))
    router.add("GET", "labels.json", api.lister("label", "label"))
    router.add("POST", "labels.json", api.create_label)
    router.add("PUT", "labels/{id}.json", api.update_label)
    router.add("DELETE", "labels/{id}.json", deleter(app.store, "label"))
    for kind in KB_KINDS:
        router.add("GET", f"{kind}.json", api.lister(kind, kind))
        router.add("POST", f"{kind}.json", api.kb_create(kind))
        router.add("GET", f"{kind}/{{id}}.json", api.getter(kind, kind))
        router.add("PUT", f"{kind}/{{id}}.json", api.kb_update(kind))
        router.add("DELETE", f"{kind}/{{id}}.json", deleter(app.store, kind))
        router.add("PUT", f"{kind}/{{id}}/enable.json", api.kb_toggle(kind, True))
        router.add("PUT", f"{kind}/{{id}}/disable.json", api.kb_toggle(kind, False))
    router.add("GET", "custom_fields.json", api.lister("custom_field", "custom_field"))
    router.add("GET", "languages.json", api.lister("language", "language"))
    router.add("GET", "macros.json", api.list_macros)
