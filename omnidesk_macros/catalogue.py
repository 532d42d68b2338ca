"""The catalogue a specialist picks from: appeal type → its templates → each template's fill-in variables.

The `list` command prints it and the web print page renders the same popup from it, so it is plain data
(frozen dataclasses with ``as_dict()``), in popup order: appeal types as appeal_types.yaml lists them,
templates alphabetical by title, variables in front-matter order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import SourceSet, Template
from .validate import load_sources


@dataclass(frozen=True)
class VariableEntry:
    name: str
    label: str
    type: str  # text, textarea, date, month, number
    default: str | None  # a Jinja expression over case/client/staff, or None
    required: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type, "default": self.default,
                "required": self.required}


@dataclass(frozen=True)
class TemplateEntry:
    id: str
    title: str
    channels: tuple[str, ...]
    variables: tuple[VariableEntry, ...]

    def as_dict(self, variable_names_only: bool = False) -> dict[str, Any]:
        variables = [v.name if variable_names_only else v.as_dict() for v in self.variables]
        return {"id": self.id, "title": self.title, "channels": list(self.channels), "variables": variables}


@dataclass(frozen=True)
class AppealTypeEntry:
    id: str
    title: str
    templates: tuple[TemplateEntry, ...]

    def as_dict(self, variable_names_only: bool = False) -> dict[str, Any]:
        return {"id": self.id, "title": self.title,
                "templates": [t.as_dict(variable_names_only) for t in self.templates]}


@dataclass(frozen=True)
class Catalogue:
    appeal_types: tuple[AppealTypeEntry, ...]

    def only(self, appeal_type: str) -> Catalogue | None:
        """The catalogue of one appeal type, or None when there is no such type."""
        kept = tuple(k for k in self.appeal_types if k.id == appeal_type)
        return Catalogue(kept) if kept else None

    def as_dict(self, variable_names_only: bool = False) -> list[dict[str, Any]]:
        """JSON-ready; ``variable_names_only`` gives the short form `list --format json` prints."""
        return [k.as_dict(variable_names_only) for k in self.appeal_types]


def template_entry(template: Template) -> TemplateEntry:
    return TemplateEntry(
        template.id, template.title, tuple(template.channels),
        tuple(VariableEntry(v.name, v.label, v.type, v.default, v.required) for v in template.variables),
    )


def build_catalogue(sources: SourceSet) -> Catalogue:
    return Catalogue(tuple(
        AppealTypeEntry(kind.id, kind.title, tuple(template_entry(t) for t in sources.templates_for(kind.id)))
        for kind in sources.appeal_types
    ))


def load_catalogue(templates_root: Path | str) -> Catalogue:
    """The catalogue of the templates in ``templates_root``; a SourceError when they do not validate."""
    return build_catalogue(load_sources(templates_root))
