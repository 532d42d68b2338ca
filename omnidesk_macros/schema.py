"""Declarative key schemas for the YAML sources, checked with every error reported at its position.

Each source model declares its keys once (name → :class:`Key`), documented where declared; one checker
walks a mapping against it: unknown keys (with a did-you-mean), missing required keys, wrong types,
values outside a fixed choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostics, did_you_mean
from .located_yaml import KeyPath, Located

_TYPE_NAMES = {
    "str": "a string",
    "bool": "true or false",
    "list": "a list",
    "mapping": "a mapping",
    "list|mapping": "a list or a mapping",
    "scalar": "a string or a number",
}


@dataclass(frozen=True)
class Key:
    kind: str  # one of _TYPE_NAMES
    required: bool = False
    doc: str = ""
    choices: tuple[str, ...] = ()


def _kind_ok(kind: str, value: Any) -> bool:
    match kind:
        case "str":
            return isinstance(value, str) and value.strip() != ""
        case "bool":
            return isinstance(value, bool)
        case "list":
            return isinstance(value, list)
        case "mapping":
            return isinstance(value, dict)
        case "list|mapping":
            return isinstance(value, list | dict)
        case "scalar":
            return isinstance(value, str | int | float) and not isinstance(value, bool)
    raise ValueError(f"unknown schema kind {kind!r}")


def check_mapping(
    doc: Located,
    path: KeyPath,
    schema: Mapping[str, Key],
    file: str,
    diags: Diagnostics,
    what: str,
) -> dict[str, Any] | None:
    """Check the mapping at ``path``; returns it when it is a mapping at all (maybe with errors)."""
    value = _get(doc.data, path)
    if not isinstance(value, dict):
        line, col = doc.value_pos(*path)
        diags.error(file, line, col, f"{what} must be a mapping of keys, got {_describe(value)}")
        return None
    for key in value:
        if str(key) not in schema:
            line, col = doc.key_pos(*path, str(key))
            known = ", ".join(schema)
            diags.error(
                file, line, col, f"unknown key '{key}' in {what}",
                did_you_mean(str(key), schema) or f"known keys: {known}",
            )
    for name, spec in schema.items():
        if name not in value or value[name] is None:
            if spec.required:
                line, col = doc.value_pos(*path)
                diags.error(file, line, col, f"missing required key '{name}' in {what}", spec.doc or None)
            continue
        item = value[name]
        line, col = doc.value_pos(*path, name)
        if not _kind_ok(spec.kind, item):
            diags.error(
                file, line, col,
                f"'{name}' in {what} must be {_TYPE_NAMES[spec.kind]}, got {_describe(item)}",
            )
        elif spec.choices and str(item) not in spec.choices:
            diags.error(
                file, line, col,
                f"'{name}' in {what} is '{item}', expected one of: {', '.join(spec.choices)}",
                did_you_mean(str(item), spec.choices),
            )
    return value


def report_duplicate_keys(doc: Located, file: str, diags: Diagnostics) -> None:
    for key_path, line, col in doc.duplicates:
        diags.error(file, line, col, f"duplicate key '{key_path[-1]}'", "YAML keeps only the last one; remove one")


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"
