"""The declared shape of every request body the sandbox accepts, checked before anything is stored.

A :class:`Schema` names the fields a body may carry and what each must be; a field it does not name is left
out of what is stored (Omnidesk ignores unknown keys too), a field of the wrong type is a 400
``wrong_<field>``. So a case subject is always a string and a staff id always an int, and every list filter
can read every stored case. Ids are accepted as JSON ints or ASCII digit strings (clients send both).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .web import MAX_ID_DIGITS, HttpError, ascii_id


class Invalid(Exception):
    """A value that does not fit its field; :meth:`Schema.parse` names the field."""


#: takes a JSON value, returns it cleaned (e.g. "5" → 5) or raises :class:`Invalid`
Check = Callable[[Any], Any]


def text(*, min_len: int = 0, max_len: int = 1_000_000) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not min_len <= len(value) <= max_len:
            raise Invalid
        return value
    return check


def identifier(value: Any) -> int:
    """A non-negative id: a JSON int or a string of ASCII digits."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**MAX_ID_DIGITS:
        return value
    if isinstance(value, str) and (parsed := ascii_id(value)) is not None:
        return parsed
    raise Invalid


def integer(low: int, high: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid
        return value
    return check


def number(low: float, high: float, *, above_low: bool = False) -> Check:
    """A finite JSON number in [low, high] (or (low, high] with ``above_low``)."""
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise Invalid
        if value > high or value < low or (above_low and value == low):
            raise Invalid
        return value
    return check


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid
    return value


def choice(*allowed: Any) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int) or value not in allowed:
            raise Invalid
        return value
    return check


def list_of(item: Check) -> Check:
    def check(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid
        return [item(v) for v in value]
    return check


def id_list(value: Any) -> list[int]:
    """Ids as a JSON array or a comma-separated string (both seen in clients); empty means none."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [identifier(part.strip()) for part in value.split(",")]
    if isinstance(value, list):
        return [identifier(v) for v in value]
    return [identifier(value)]


def mapping(value: Any) -> dict[str, Any]:
    """An object whose values are scalars (the caller checks them against their definitions)."""
    if not isinstance(value, dict) or not all(
        v is None or isinstance(v, str | int | float | bool) for v in value.values()
    ):
        raise Invalid
    return dict(value)


def per_language(value: Any) -> str | dict[str, str]:
    """A knowledge-base or macro text: a string, or ``{"<language_id>": "…"}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(ascii_id(k) is not None and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise Invalid


def select_options(value: Any) -> dict[str, str] | list[str] | str:
    """A custom field's ``field_data``: ``{"1": "…"}``, a list of labels, or "" for a field with no options."""
    if value == "" or value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, dict) and all(ascii_id(str(k)) is not None and isinstance(v, str) for k, v in value.items()):
        return {str(k): v for k, v in value.items()}
    raise Invalid


def nested(schema: Schema) -> Check:
    def check(value: Any) -> dict[str, Any]:
        try:
            return schema.parse(value)
        except HttpError as exc:
            raise Invalid from exc
    return check


@dataclass(frozen=True)
class Schema:
    """Fields a body may carry, each with its check and, optionally, its own error code."""

    fields: Mapping[str, Check]
    codes: Mapping[str, str] | None = None
    #: refuse a body with a field not named here (settings, where a typo would silently do nothing)
    closed: bool = False
    #: the error code of an unknown field in a closed schema, followed by the names
    unknown_code: str = "unknown_fields"

    def parse(self, body: Any) -> dict[str, Any]:
        """The named fields of ``body``, checked and cleaned; :class:`HttpError` 400 on the first bad one."""
        if not isinstance(body, dict):
            raise HttpError(400, "expected_json_object")
        if self.closed and (unknown := sorted(set(body) - set(self.fields))):
            raise HttpError(400, f"{self.unknown_code}:{','.join(unknown)}")
        clean: dict[str, Any] = {}
        for name, check in self.fields.items():
            if name not in body:
                continue
            try:
                clean[name] = check(body[name])
            except Invalid as exc:
                raise HttpError(400, (self.codes or {}).get(name, f"wrong_{name}")) from exc
        return clean
