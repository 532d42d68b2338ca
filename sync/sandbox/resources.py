"""What every resource module of the sandbox shares: paging, Omnidesk's search, lookup by id, delete.

Readers here tolerate what older sandboxes may have stored (a subject that is not a string, an id that is
not an int): such a value simply matches no filter, so one bad record cannot break a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from starlette.responses import Response

from ..wire import SAMARA, format_date, list_page
from .store import Store
from .web import Handler, HttpError, Request, ascii_id, empty_response, json_response

MAX_LIMIT = 100
#: Omnidesk caps ``page`` at 500 in one client library; a larger page is empty anyway
MAX_PAGE = 1_000_000


def now_text() -> str:
    return format_date(datetime.now(SAMARA).replace(microsecond=0))


def matches(pattern: str, value: Any) -> bool:
    """Omnidesk search: substring by default; ``^s^`` exact, ``^s`` prefix, ``s^`` suffix (case-insensitive)."""
    if not isinstance(value, str):
        return False
    value = value.lower()
    pattern = pattern.lower()
    if len(pattern) > 1 and pattern.startswith("^") and pattern.endswith("^"):
        return value == pattern[1:-1]
    if pattern.startswith("^"):
        return value.startswith(pattern[1:])
    if pattern.endswith("^"):
        return value.endswith(pattern[:-1])
    return pattern in value


def query_ids(raw: str) -> set[int]:
    """Ids from a comma-separated query value; what is not an ASCII id is skipped, as before."""
    return {parsed for part in raw.split(",") if (parsed := ascii_id(part.strip())) is not None}


def query_number(request: Request, name: str, default: int, high: int) -> int:
    """A ``page`` or ``limit`` clamped to [1, high]; what is not a number is a 400, as before."""
    raw = request.query.get(name, "").strip()
    if not raw:
        return default
    negative = raw.startswith("-")
    value = ascii_id(raw[1:] if negative else raw)
    if value is None:
        raise HttpError(400, "wrong_page_or_limit")
    return max(1, min(-value if negative else value, high))


def paged(request: Request, items: list[dict[str, Any]], key: str) -> Response:
    """One page of ``items`` in the documented list shape, honouring ``page`` and ``limit`` (≤ 100)."""
    page = query_number(request, "page", 1, MAX_PAGE)
    limit = query_number(request, "limit", MAX_LIMIT, MAX_LIMIT)
    chunk = items[(page - 1) * limit: page * limit]
    return json_response(200, list_page(chunk, key, len(items)))


def path_id(raw: str, what: str) -> int:
    """The id in a path segment, or 404 ``<what>_not_found`` (an id that cannot exist names nothing)."""
    parsed = ascii_id(raw)
    if parsed is None:
        raise HttpError(404, f"{what}_not_found")
    return parsed


def require(store: Store, kind: str, raw_id: str) -> dict[str, Any]:
    """The stored object of ``kind`` with the id in the path, or 404 ``<kind>_not_found``."""
    found = store.get(kind, path_id(raw_id, kind))
    if found is None:
        raise HttpError(404, f"{kind}_not_found")
    return found


def deleter(store: Store, kind: str) -> Handler:
    """A ``DELETE …/{id}`` handler for ``kind``: 200 with no body, or 404."""

    def handler(_: Request, params: dict[str, str]) -> Response:
        if not store.delete(kind, path_id(params["id"], kind)):
            raise HttpError(404, f"{kind}_not_found")
        return empty_response()

    return handler


def lister(store: Store, kind: str, key: str, filters: Iterable[str] = ()) -> Handler:
    """A ``GET <plural>.json`` handler: every object of ``kind``, searched by ``filters``, paged."""

    def handler(request: Request, _: dict[str, str]) -> Response:
        items = store.all(kind)
        for name in filters:
            if request.query.get(name):
                items = [i for i in items if matches(request.query[name], i.get(name, ""))]
        return paged(request, items, key)

    return handler


def getter(store: Store, kind: str, key: str) -> Handler:
    return lambda _, params: json_response(200, {key: require(store, kind, params["id"])})


def public(obj: dict[str, Any], *hidden: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in hidden}


def envelope(request: Request, key: str) -> Any:
    """The object inside Omnidesk's ``{"<key>": {…}}`` body, or 400 ``<key>_data_required``."""
    body = request.json()
    inner = body.get(key) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        raise HttpError(400, f"{key}_data_required")
    return inner


def checked_custom_fields(store: Store, values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Merge ``cf_N`` values (of a case or a user): a select takes an option id, a checkbox a boolean, the
    others text; an unknown field or a wrong value is a 400 and changes nothing."""
    fields = {f"cf_{f['field_id']}": f for f in store.all("custom_field")}
    merged = dict(current)
    for key, value in values.items():
        definition = fields.get(key)
        if definition is None:
            raise HttpError(400, "custom_field_not_found")
        kind = definition["field_type"]
        if kind == "select":
            if isinstance(value, bool) or str(value) not in (definition.get("field_data") or {}):
                raise HttpError(400, "wrong_custom_field_value")
            value = int(value)
        elif kind == "checkbox":
            if value not in (True, False) or not isinstance(value, bool | int):
                raise HttpError(400, "wrong_custom_field_value")
            value = bool(value)
        elif not isinstance(value, str):
            raise HttpError(400, "wrong_custom_field_value")
        merged[key] = value
    return merged
