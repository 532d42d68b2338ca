"""``/api`` knowledge base: categories, sections and articles (CRUD, enable, disable), per digest §6.

Titles and content are a string or a per-language object ``{"1": "…"}``; an article's ``section_id`` is a
list (or one id) on input, and its first id plus ``section_id_arr`` on output.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .resources import deleter, envelope, getter, lister, now_text, path_id, require
from .schema import Schema, choice, id_list, identifier, per_language, text
from .state import SandboxState
from .store import Store
from .web import Handler, HttpError, Request, Router, json_response

#: KB kind → (id field, title field, the schema of what a POST or PUT may set)
KB_KINDS: dict[str, tuple[str, str, Schema]] = {
    "kb_category": ("category_id", "category_title", Schema({"category_title": per_language})),
    "kb_section": ("section_id", "section_title", Schema({
        "section_title": per_language, "section_description": per_language, "category_id": identifier})),
    "kb_article": ("article_id", "article_title", Schema({
        "article_title": per_language, "article_content": per_language, "article_tags": text(),
        "section_id": id_list, "access_type": choice("public", "staff_only")})),
}


def shaped(kind: str, data: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stored form of ``data`` over ``current``: an article's sections as first id plus the list."""
    merged = {**(current or {}), **data}
    if kind != "kb_article":
        return merged
    sections = data["section_id"] if "section_id" in data else (current or {}).get("section_id_arr", [])
    return {"article_content": "", "article_tags": "", "access_type": "public", **merged,
            "section_id": sections[0] if sections else 0, "section_id_arr": sections}


class KnowledgeBase:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, kind: str) -> Handler:
        id_field, title_field, schema = KB_KINDS[kind]

        def handler(request: Request, _: dict[str, str]) -> Response:
            data = schema.parse(envelope(request, kind))
            if not data.get(title_field):
                raise HttpError(400, f"{title_field}_required")
            stamp = now_text()
            obj = {**shaped(kind, data), "active": True, "created_at": stamp, "updated_at": stamp}
            return json_response(201, {kind: self.store.insert(kind, id_field, obj, start=100)})
        return handler

    def update(self, kind: str) -> Handler:
        _, _, schema = KB_KINDS[kind]

        def handler(request: Request, params: dict[str, str]) -> Response:
            obj = require(self.store, kind, params["id"])
            obj = {**shaped(kind, schema.parse(envelope(request, kind)), obj), "updated_at": now_text()}
            self.store.put(kind, path_id(params["id"], kind), obj)
            return json_response(200, {kind: obj})
        return handler

    def toggle(self, kind: str, active: bool) -> Handler:
        def handler(_: Request, params: dict[str, str]) -> Response:
            obj = {**require(self.store, kind, params["id"]), "active": active, "updated_at": now_text()}
            self.store.put(kind, path_id(params["id"], kind), obj)
            return json_response(200, {kind: obj})
        return handler


def register(router: Router, state: SandboxState) -> None:
    kb = KnowledgeBase(state.store)
    for kind in KB_KINDS:
        router.add("GET", f"{kind}.json", lister(state.store, kind, kind))
        router.add("POST", f"{kind}.json", kb.create(kind))
        router.add("GET", f"{kind}/{{id}}.json", getter(state.store, kind, kind))
        router.add("PUT", f"{kind}/{{id}}.json", kb.update(kind))
        router.add("DELETE", f"{kind}/{{id}}.json", deleter(state.store, kind))
        router.add("PUT", f"{kind}/{{id}}/enable.json", kb.toggle(kind, True))
        router.add("PUT", f"{kind}/{{id}}/disable.json", kb.toggle(kind, False))
