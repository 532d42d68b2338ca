"""``/api`` cases: list with filters, get by id or number, create, edit; their messages, notes and files.

Follows ``../shared/omnidesk-api.md`` §2 and §5. Error codes the digest names are used where they fit; the
others (``case_not_found``, ``wrong_status``, …) are **inferred** and documented in the README.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ..wire import parse_date
from .api_users import subscriber_for_case
from .resources import (
    checked_custom_fields,
    envelope,
    matches,
    now_text,
    paged,
    path_id,
    public,
    query_ids,
    require,
)
from .schema import Schema, choice, id_list, identifier, list_of, mapping, text
from .state import SandboxState
from .web import HttpError, Request, Router, UploadedFile, json_response

#: Omnidesk's own caps (digest §1): a file, and a whole request (enforced by the edge before reading)
MAX_FILE = 25 * 1024 * 1024
CASE_NUMBER = re.compile(r"^[0-9]{3}-[0-9]{6}$")
STATUSES = ("open", "waiting", "closed")
PRIORITIES = ("low", "normal", "high", "critical")
CASE_SORTS = {
    "created_at_asc": ("created_at", False), "created_at_desc": ("created_at", True),
    "updated_at_asc": ("updated_at", False), "updated_at_desc": ("updated_at", True),
}

CASE_CREATE = Schema({
    "subject": text(), "user_email": text(max_len=1000), "user_phone": text(max_len=100),
    "user_full_name": text(max_len=1000), "user_id": identifier, "staff_id": identifier,
    "group_id": identifier, "priority": choice(*PRIORITIES), "language_id": identifier, "custom_fields": mapping,
})
CASE_EDIT = Schema({
    "subject": text(min_len=1), "status": choice(*STATUSES), "priority": choice(*PRIORITIES),
    "group_id": identifier, "staff_id": identifier, "language_id": identifier, "custom_fields": mapping,
    "add_labels": id_list, "delete_labels": id_list,
}, codes={"add_labels": "wrong_labels", "delete_labels": "wrong_labels"})
NOTE = Schema({"content": text(), "content_html": text(), "attachment_urls": list_of(text(min_len=1, max_len=2048))})
#: the multipart names of a note's text fields
NOTE_FIELDS = ("note[content]", "note[content_html]")


def _as_int(value: Any) -> int | None:
    """A stored id as an int, or None when an older sandbox stored something else there."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Cases:
    """Route handlers for cases, bound to one sandbox's state."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = state.store

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
                cases = [c for c in cases if isinstance(c.get(name), str) and c[name] in wanted]
        for name in ("user_id", "staff_id", "group_id"):
            if q.get(name):
                wanted_ids = query_ids(q[name])
                cases = [c for c in cases if _as_int(c.get(name)) in wanted_ids]
        if q.get("subject"):
            cases = [c for c in cases if matches(q["subject"], c.get("subject"))]
        if q.get("labels"):
            wanted_ids = query_ids(q["labels"])
            cases = [c for c in cases if isinstance(c.get("labels"), list)
                     and wanted_ids & {_as_int(label) for label in c["labels"]}]
        if q.get("user_email"):
            users = {u["user_id"] for u in self.store.all("user") if matches(q["user_email"], u.get("user_email", ""))}
            cases = [c for c in cases if _as_int(c.get("user_id")) in users]
        field, descending = CASE_SORTS.get(q.get("sort", "created_at_desc"), ("created_at", True))
        cases.sort(key=lambda c: (parse_date(c[field]), c["case_id"]), reverse=descending)
        return paged(request, cases, "case")

    def get_case(self, _: Request, params: dict[str, str]) -> Response:
        return json_response(200, {"case": self.find_case(params["id"])})

    def create_case(self, request: Request, _: dict[str, str]) -> Response:
        data = CASE_CREATE.parse(envelope(request, "case"))
        if not data.get("subject") or not any(data.get(k) for k in ("user_id", "user_email", "user_phone")):
            raise HttpError(400, "subject_and_user_required")
        custom_fields = checked_custom_fields(self.store, data.get("custom_fields") or {}, {})
        user_id = subscriber_for_case(self.store, data)  # after every check: a refused case makes no profile
        case_id = self.store.next_id("case", 5000)
        stamp = now_text()
        case = {
            "case_id": case_id, "case_number": f"664-{245651 + case_id - 5000:06d}", "subject": data["subject"],
            "user_id": user_id, "staff_id": data.get("staff_id", 0), "group_id": data.get("group_id", 0),
            "status": "open", "priority": data.get("priority", "normal"), "channel": "web", "recipient": "",
            "cc_emails": "", "bcc_emails": "", "deleted": False, "spam": False, "created_at": stamp,
            "updated_at": stamp, "closed_at": "-", "last_response_at": "-", "closing_speed": "-",
            "language_id": data.get("language_id") or 1, "rating": "", "rating_comment": "",
            "rated_staff_id": 0, "custom_fields": custom_fields, "labels": [], "locked_labels": [],
        }
        self.store.insert("case", "case_id", case)
        return json_response(201, {"case": case})

    def edit_case(self, request: Request, params: dict[str, str]) -> Response:
        case = self.find_case(params["id"])
        data = CASE_EDIT.parse(envelope(request, "case"))
        # every check before the first change: a refused edit changes nothing
        custom_fields = checked_custom_fields(self.store, data["custom_fields"], case["custom_fields"]) \
            if "custom_fields" in data else case["custom_fields"]
        added, removed = set(data.get("add_labels", [])), set(data.get("delete_labels", []))
        if not added <= {label["label_id"] for label in self.store.all("label")}:
            raise HttpError(400, "label_not_found")
        if "status" in data:
            if data["status"] == "closed" and case["status"] != "closed":
                case["closed_at"] = now_text()
            elif data["status"] != "closed":
                case["closed_at"] = "-"
        for name in ("status", "priority", "subject", "group_id", "staff_id", "language_id"):
            if name in data:
                case[name] = data[name]
        case["custom_fields"] = custom_fields
        stored = case.get("labels")
        current = {label for label in stored if _as_int(label) is not None} if isinstance(stored, list) else set()
        case["labels"] = sorted((current | added) - removed)
        case["updated_at"] = now_text()
        self.store.put("case", case["case_id"], case)
        return json_response(200, {"case": case})

    def list_messages(self, request: Request, params: dict[str, str]) -> Response:
        case = self.find_case(params["id"])
        messages = [m for m in self.store.all("message") if m["case_id"] == case["case_id"]]
        return paged(request, [public(m, "case_id") for m in messages], "message")

    def add_note(self, request: Request, params: dict[str, str]) -> Response:
        case = self.find_case(params["id"])
        content, html, attachments = self.note_payload(request)
        staff = next((s for s in self.store.all("staff") if s["staff_email"] == self.state.config.email), None)
        note = self.store.insert("message", "message_id", {
            "case_id": case["case_id"], "user_id": 0, "staff_id": staff["staff_id"] if staff else 0,
            "content": content, "content_html": html, "attachments": attachments, "note": True,
            "sent_via_rule": False, "created_at": now_text(), "sent_at": "-", "rating": "", "rating_comment": "",
            "rated_staff_id": 0,
        }, start=80000)
        case["updated_at"] = now_text()
        self.store.put("case", case["case_id"], case)
        return json_response(201, {"message": public(note, "case_id")})

    def note_payload(self, request: Request) -> tuple[str, str, list[dict[str, Any]]]:
        """``(content, content_html, attachments)`` from a multipart form or a JSON ``{"note": …}``."""
        if request.is_multipart():
            form = request.form()
            # every check before the first file is stored: a refused note leaves no orphan files behind
            if any(len(upload.data) > MAX_FILE for upload in form.files):
                raise HttpError(413, "file_too_large")
            content, html = (form.fields.get(name, "") for name in NOTE_FIELDS)
            if not content and not html:
                raise HttpError(400, "content_required")
            return content, html, [self.stored_file(request, upload) for upload in form.files]
        note = NOTE.parse(envelope(request, "note"))
        content, html = note.get("content", ""), note.get("content_html", "")
        if not content and not html:
            raise HttpError(400, "content_required")
        # the sandbox does not fetch remote files (loopback only): it records them as they were named
        attachments = [
            {"file_id": 0, "file_name": url.rstrip("/").rsplit("/", 1)[-1], "file_size": 0,
             "mime_type": "application/octet-stream", "url": url}
            for url in note.get("attachment_urls", [])
        ]
        return content, html, attachments

    def stored_file(self, request: Request, upload: UploadedFile) -> dict[str, Any]:
        file_id = self.store.add_file(upload.name, upload.mime, upload.data)
        # quoted: a name with "?", "#" or "/" must stay one path segment of the URL
        return {"file_id": file_id, "file_name": upload.name, "file_size": len(upload.data), "mime_type": upload.mime,
                "url": f"{request.base_url}/files/{file_id}/{quote(upload.name, safe='')}"}

    def get_file(self, _: Request, params: dict[str, str]) -> Response:
        found = self.store.get_file(path_id(params["file_id"], "file"))
        if found is None:
            raise HttpError(404, "file_not_found")
        _name, mime, data = found
        return Response(data, 200, media_type=mime)


def register(router: Router, state: SandboxState) -> None:
    cases = Cases(state)
    router.add("GET", "cases.json", cases.list_cases)
    router.add("POST", "cases.json", cases.create_case)
    router.add("GET", "cases/{id}.json", cases.get_case)
    router.add("PUT", "cases/{id}.json", cases.edit_case)
    router.add("GET", "cases/{id}/messages.json", cases.list_messages)
    router.add("POST", "cases/{id}/note.json", cases.add_note)
    router.add("POST", "cases/{id}/notes.json", cases.add_note)
    router.add("GET", "files/{file_id}/{name}", cases.get_file)
