"""The live state: what the account has of the kinds the desired state names, in six list requests.

Labels, the knowledge base (categories, sections, articles, each one paged list), macros and custom fields
are read through :class:`sync.client.Client` and reduced to :class:`LiveObject` — Omnidesk id, title, the
fields the plan compares, in the desired state's shape — so the plan compares like with like. Which kinds the
public API can write is decided here, once (``../shared/omnidesk-api.md`` §0).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .client import Client
from .resources import status_of_code

#: kinds the public API writes; the rest only an administrator in the Omnidesk UI can create or change
API_KINDS = frozenset({"label", "kb_category", "kb_section", "kb_article"})
#: where each manual kind lives in the admin UI
UI_PLACES = {
    "custom_field": "Настройки → Каналы → Поля данных",
    "field_option": "Настройки → Каналы → Поля данных → (поле) → Варианты",
    "macro_category": "Настройки → Шаблоны → Категории",
    "macro": "Настройки → Шаблоны → Общие шаблоны",
}
_SPACES = re.compile(r"\s+")


#: option ids are numbered per field ("1", "2", …): an option's id here is field id × this + option id
OPTION_ID_BASE = 1_000_000


def option_ident(field_id: int, option_id: int) -> int:
    return field_id * OPTION_ID_BASE + option_id


def via(kind: str) -> str:
    return "api" if kind in API_KINDS else "manual"


def clean_title(value: object) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()


def split_tags(value: object) -> list[str]:
    """Tags as Omnidesk may send them: ``"a,b"``, ``"a, b"`` or a list; sorted, no blanks."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return sorted({clean_title(item) for item in items if clean_title(item)})


@dataclass(frozen=True)
class LiveObject:
    kind: str
    id: int
    title: str
    fields: dict[str, Any]
    parent_id: int | None = None
    #: for articles, the section ids; for macros, the language id → HTML of the reply
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveState:
    objects: list[LiveObject]
    requests: int = 0

    def of_kind(self, kind: str) -> list[LiveObject]:
        return [o for o in self.objects if o.kind == kind]

    def find(self, kind: str, object_id: int) -> LiveObject | None:
        return next((o for o in self.objects if o.kind == kind and o.id == object_id), None)


def fetch_live(client: Client) -> LiveState:
    before = client.requests_made
    objects: list[LiveObject] = []
    for label in client.iter_labels():
        objects.append(LiveObject("label", int(label["label_id"]), clean_title(label.get("label_title")),
                                  {"title": clean_title(label.get("label_title"))}))
    for category in client.iter_kb("category"):
        title = _text(category.get("category_title"))
        objects.append(LiveObject("kb_category", int(category["category_id"]), title, {"title": title}))
    for section in client.iter_kb("section"):
        title = _text(section.get("section_title"))
        objects.append(LiveObject("kb_section", int(section["section_id"]), title,
                                  {"title": title, "description": _text(section.get("section_description"))},
                                  parent_id=_int(section.get("category_id"))))
    for article in client.iter_kb("article"):
        title = _text(article.get("article_title"))
        sections = article.get("section_id_arr") or [article.get("section_id")]
        section_ids = [int(s) for s in sections if _int(s)]
        objects.append(LiveObject(
            "kb_article", int(article["article_id"]), title,
            {"title": title, "html": str(_text(article.get("article_content"), keep_spaces=True)),
             "tags": split_tags(article.get("article_tags")), "access_type": str(article.get("access_type") or "")},
            parent_id=section_ids[0] if section_ids else None, extra={"sections": section_ids}))
    for bucket in client.list_macros():
        if bucket.scope != "common":
            continue  # personal macros belong to one staff member; ours are common
        if bucket.category_id:
            objects.append(LiveObject("macro_category", bucket.category_id, clean_title(bucket.title),
                                      {"title": clean_title(bucket.title)}))
        for macro in bucket.macros:
            reply, code = macro.reply, macro.status_code
            per_language = reply if isinstance(reply, Mapping) else {} if reply is None else {"": reply}
            status = status_of_code(code) if code is not None else ""
            objects.append(LiveObject("macro", macro.macro_id, clean_title(macro.title),
                                      {"title": clean_title(macro.title), "status": status},
                                      parent_id=bucket.category_id, extra={"replies": dict(per_language)}))
    for custom in client.list_custom_fields():
        objects.append(LiveObject("custom_field", custom.field_id, clean_title(custom.title),
                                  {"title": clean_title(custom.title), "field_type": custom.field_type,
                                   "field_level": custom.field_level}))
        for option_id, option_title in custom.options.items():
            objects.append(LiveObject("field_option", option_ident(custom.field_id, option_id), clean_title(option_title),
                                      {"title": clean_title(option_title)},
                                      parent_id=custom.field_id))
    return LiveState(objects, client.requests_made - before)


def _text(value: object, keep_spaces: bool = False) -> str:
    """KB titles and texts are a string or per language ``{"1": "…"}``; the first language is ours."""
    if isinstance(value, Mapping):
        value = next(iter(value.values()), "")
    return str(value or "") if keep_spaces else clean_title(value)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
