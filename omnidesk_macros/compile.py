"""Compile the source set into the desired Omnidesk state: plain objects with stable keys, no HTTP.

    card.yaml (non-builtin fields)   → custom_field, and field_option per select option
    appeal_types.yaml                → macro_category, label, kb_section (one each per appeal type),
                                       and the options of the appeal-type select
    replies/<id>.md with `reply`     → macro, in the category of each appeal type that offers it (its reply
                                       text, and the case status it sets when the template names one)
    replies/<id>.md                  → kb_article in the staff-only category «Типовые ответы»
    (fixed)                          → label «Печать ответа» (the print service's trigger), kb_category

Each object's ``key`` is stable across renames of titles (it is built from the ids in ``templates_src/``), so
the sync engine sees a renamed template as an update. Which objects the public API can write is an Omnidesk
fact and is decided in ``sync/``, not here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .atomic_file import write_atomic
from .errors import RenderError, SourceError
from .macro_text import macro_html
from .markup import MarkupError
from .model import CardField, SourceSet, Template
from .validate import validate_sources

KINDS = ("custom_field", "field_option", "macro_category", "macro", "label", "kb_category", "kb_section",
         "kb_article")
PRINT_LABEL = "Печать ответа"
KB_CATEGORY = "Типовые ответы"
MACRO_LANGUAGE = "РУС"
#: the tag that marks a knowledge-base article as this tool's, carrying the template id
ARTICLE_TAG_PREFIX = "tpl-"


@dataclass(frozen=True)
class DesiredObject:
    """One object Omnidesk should have. ``fields`` holds only what is compared; ``parent`` is a key."""

    kind: str
    key: str
    title: str
    fields: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "title": self.title, "parent": self.parent,
                "fields": self.fields}


@dataclass(frozen=True)
class DesiredState:
    objects: tuple[DesiredObject, ...]

    def by_key(self) -> dict[str, DesiredObject]:
        return {o.key: o for o in self.objects}

    def of_kind(self, kind: str) -> list[DesiredObject]:
        return [o for o in self.objects if o.kind == kind]

    def to_json(self) -> str:
        """Deterministic JSON: the same sources give the same bytes."""
        return json.dumps({"version": 1, "objects": [o.as_dict() for o in self.objects]},
                          ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def article_tag(template_id: str) -> str:
    return f"{ARTICLE_TAG_PREFIX}{template_id}"


def compile_sources(sources: SourceSet) -> DesiredState:
    """The desired state of the validated sources, in a fixed order (kinds, then source order)."""
    objects: list[DesiredObject] = []
    objects += _custom_fields(sources)
    kinds = sources.appeal_types
    # a template offered under several appeal types has one macro text in each, and its article the same
    html_of = cache(_html)
    for sort, kind in enumerate(kinds, start=1):
        objects.append(DesiredObject("macro_category", f"category:{kind.id}", kind.title, {"title": kind.title,
                                                                                          "sort": sort}))
    for kind in kinds:
        for position, template in enumerate(t for t in sources.templates_for(kind.id) if "reply" in t.channels):
            fields = {"title": template.title, "html": html_of(template, "reply"), "language": MACRO_LANGUAGE,
                      "position": position}
            if template.status_after:
                fields["status"] = template.status_after  # a second action: «Изменить статус на»
            objects.append(DesiredObject("macro", f"macro:{kind.id}:{template.id}", template.title, fields,
                                         parent=f"category:{kind.id}"))
    objects.append(DesiredObject("label", "label:print", PRINT_LABEL, {"title": PRINT_LABEL}))
    for kind in kinds:
        objects.append(DesiredObject("label", f"label:{kind.id}", kind.title, {"title": kind.title}))
    objects.append(DesiredObject("kb_category", "kb:category", KB_CATEGORY, {"title": KB_CATEGORY}))
    for kind in kinds:
        objects.append(DesiredObject("kb_section", f"kb:section:{kind.id}", kind.title,
                                     {"title": kind.title, "description": kind.source}, parent="kb:category"))
    for template in sorted(sources.templates.values(), key=lambda t: t.id):
        sections = [f"kb:section:{k}" for k in template.appeal_types if any(a.id == k for a in kinds)]
        channel = "reply" if "reply" in template.channels else "letter"
        objects.append(DesiredObject(
            "kb_article", f"kb:article:{template.id}", template.title,
            {"title": template.title, "html": html_of(template, channel), "tags": [article_tag(template.id)],
             "sections": sections, "access_type": "staff_only"},
            parent=sections[0] if sections else "kb:category"))
    return DesiredState(tuple(objects))


def _custom_fields(sources: SourceSet) -> list[DesiredObject]:
    objects: list[DesiredObject] = []
    for card_field in sources.card:
        if card_field.builtin:
            continue  # an Omnidesk attribute, not a custom field
        key = f"field:{card_field.id}"
        objects.append(DesiredObject("custom_field", key, card_field.title, {
            "title": card_field.title, "field_type": card_field.type, "field_level": card_field.level}))
        for option_key, title in _options(card_field, sources):
            objects.append(DesiredObject("field_option", f"option:{card_field.id}:{option_key}", title,
                                         {"title": title}, parent=key))
    return objects


def _options(card_field: CardField, sources: SourceSet) -> list[tuple[str, str]]:
    if card_field.options_from == "appeal_types":
        return [(kind.id, kind.title) for kind in sources.appeal_types]
    return [(option.value or option.title, option.title) for option in card_field.options]


def _html(template: Template, channel: str) -> str:
    try:
        return macro_html(template, channel)
    except (MarkupError, RenderError) as exc:  # validate reports these with their lines
        raise SourceError(f"{template.path}: template '{template.id}' cannot be compiled ({exc}); "
                          "run `omnidesk-macros validate`") from exc


def build(root: Path, out: Path) -> Path:
    """Validate ``root``, compile it and write ``out/omnidesk-desired.json``; SourceError on errors."""
    sources, diags = validate_sources(root)
    if diags.errors:
        raise SourceError(f"{len(diags.errors)} error(s) in {root}; run `omnidesk-macros validate`",
                          diags.errors)
    out.mkdir(parents=True, exist_ok=True)
    return write_atomic(out / "omnidesk-desired.json", compile_sources(sources).to_json().encode("utf-8"))
