"""The source models: what ``templates_src/`` holds once loaded.

    templates_src/
      appeal_types.yaml   the popup of appeal types (ТЗ 1.5, 2.3.8)   → AppealType
      card.yaml           the in-person intake card (ТЗ 1.4)           → CardField
      company.yaml        letterhead and signatories (Приложение №2)   → Company, Signatory
      replies/<id>.md     one standard reply each (Приложение №1, №2)  → Template, Variable
      assets/logo.png     the letterhead logo

The key schemas beside each model are the single place where the source format is defined.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .schema import Key

CHANNELS = ("letter", "reply")
#: the case status a macro may leave the case in (the values of card.yaml's builtin status field)
CASE_STATUSES = ("open", "waiting", "closed")
VARIABLE_TYPES = ("text", "textarea", "date", "month", "number")
FIELD_TYPES = ("text", "textarea", "select", "checkbox", "date", "file")
FIELD_LEVELS = ("case", "user")
# Omnidesk attributes that a card field may stand for instead of a custom field.
BUILTINS = (
    "case_number", "created_at", "user_full_name", "user_email", "user_phone",
    "status", "staff_id", "attachments",
)

TEMPLATE_KEYS = {
    "id": Key("str", True, "the template id, equal to the file name without .md"),
    "title": Key("str", True, "the title specialists see in the popup list"),
    "source": Key("str", False, "where in the specification the text comes from"),
    "appeal_types": Key("list", True, "ids from appeal_types.yaml that offer this template"),
    "channels": Key("list", True, "letter (printed at the counter) and/or reply (remote answer)"),
    "variables": Key("mapping", False, "fill-in variables: name → {label, type, default, required}"),
    "status_after": Key("str", False, "the case status the Omnidesk macro sets with the reply: open, waiting or "
                        "closed; unset leaves the status alone", CASE_STATUSES),
}
VARIABLE_KEYS = {
    "label": Key("str", True, "the Russian label shown to the specialist"),
    "type": Key("str", False, "text (default), textarea, date, month or number", VARIABLE_TYPES),
    "default": Key("scalar", False, "a Jinja expression over case/client/staff, e.g. case.date | add_months(1)"),
    "required": Key("bool", False, "false lets the value be empty"),
}
APPEAL_TYPE_KEYS = {
    "id": Key("str", True, "a stable ASCII id"),
    "title": Key("str", True, "the title in the popup list"),
    "source": Key("str", False, "where in the specification it comes from"),
}
CARD_FIELD_KEYS = {
    "id": Key("str", True, "a stable ASCII id"),
    "title": Key("str", True, "the Russian title on the card"),
    "level": Key("str", True, "case or user", FIELD_LEVELS),
    "type": Key("str", True, "text, textarea, select, checkbox, date (file only for builtin attachments)", FIELD_TYPES),
    "builtin": Key("str", False, "the Omnidesk attribute this field is, instead of a custom field", BUILTINS),
    "context": Key("str", False, "the letter placeholder this field feeds, e.g. client.account"),
    "options": Key("list", False, "select options: strings or {title, value}"),
    "options_from": Key("str", False, "take the options from another source", ("appeal_types",)),
    "note": Key("str", False, "a hint for the specialist"),
    "required": Key("bool", False, "whether the card cannot be saved without it"),
}
OPTION_KEYS = {
    "title": Key("str", True, "the option as shown"),
    "value": Key("str", False, "the Omnidesk value it maps to"),
}
COMPANY_KEYS = {
    "name": Key("str", True), "short_name": Key("str", True), "brand": Key("str", False),
    "address": Key("str", True), "phone": Key("str", True), "fax": Key("str", False),
    "site": Key("str", False), "email": Key("str", False),
    "logo": Key("str", False, "path of the logo image relative to templates_src/"),
}
STAFF_KEYS = {
    "short_name": Key("str", True, "the signature form, «Фамилия И.О.»"),
    "position": Key("str", True, "the position printed above the signature"),
    "full_name": Key("str", False), "email": Key("str", False, "the Omnidesk staff login"),
}


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: str = "text"
    default: str | None = None
    required: bool = True
    line: int = 1
    col: int = 1


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    appeal_types: tuple[str, ...]
    channels: tuple[str, ...]
    variables: tuple[Variable, ...]
    body: str
    path: Path
    body_line: int  # 1-based line of the file where the body starts
    text: str = field(repr=False, default="")  # the whole file, for provenance
    source: str = ""
    status_after: str | None = None  # the case status the macro sets, one of CASE_STATUSES

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)


@dataclass(frozen=True)
class AppealType:
    id: str
    title: str
    source: str = ""


@dataclass(frozen=True)
class CardOption:
    title: str
    value: str | None = None


@dataclass(frozen=True)
class CardField:
    id: str
    title: str
    level: str
    type: str
    builtin: str | None = None
    context: str | None = None
    options: tuple[CardOption, ...] = ()
    options_from: str | None = None
    note: str = ""
    required: bool = False


@dataclass(frozen=True)
class Company:
    name: str
    short_name: str
    address: str
    phone: str
    brand: str = ""
    fax: str = ""
    site: str = ""
    email: str = ""
    logo: Path | None = None


@dataclass(frozen=True)
class Signatory:
    short_name: str
    position: str
    full_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class SourceSet:
    """Everything under templates_src/, loaded and cross-checked."""

    root: Path
    templates: dict[str, Template]
    appeal_types: tuple[AppealType, ...]
    card: tuple[CardField, ...]
    company: Company | None
    staff: tuple[Signatory, ...]

    def templates_for(self, appeal_type: str) -> list[Template]:
        """The popup list for one appeal type, alphabetical as a specialist scans it."""
        found = [t for t in self.templates.values() if appeal_type in t.appeal_types]
        return sorted(found, key=lambda t: t.title.casefold())

    def template(self, template_id: str) -> Template:
        from .diagnostics import did_you_mean
        from .errors import SourceError

        try:
            return self.templates[template_id]
        except KeyError:
            hint = did_you_mean(template_id, self.templates) or "the list of templates shows every id"
            raise SourceError(f"no template with id '{template_id}' in {self.root}; {hint}") from None

