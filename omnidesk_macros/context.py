"""The one placeholder context every template renders against, and how it is read from a case file.

    case.number        номер обращения (Omnidesk case number, e.g. 664-245651)
    case.date          дата обращения (a date; ISO 8601 in case files: 2026-11-27)
    client.full_name   ФИО абонента
    client.address     адрес
    client.account     номер лицевого счета
    client.email       адрес эл. почты (may be empty)
    client.phone       телефон (may be empty)
    staff.full_name    ФИО сотрудника, принявшего абонента (the signature's «Фамилия И.О.» is derived)
    staff.position     его должность
    fill.<name>        a fill-in variable the template declares

Text from outside is cleaned here, once: control characters removed, lengths bounded, so nothing
downstream (Jinja, the DOCX writer) ever sees a character it cannot print.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import RenderError

# name → (description, maximum length); the order is the documented order.
PLACEHOLDERS: dict[str, dict[str, tuple[str, int]]] = {
    "case": {
        "number": ("номер обращения", 64),
        "date": ("дата обращения", 10),
    },
    "client": {
        "full_name": ("ФИО абонента", 200),
        "address": ("адрес", 500),
        "account": ("номер лицевого счета", 64),
        "email": ("адрес эл. почты", 254),
        "phone": ("телефон", 64),
    },
    "staff": {
        "full_name": ("ФИО сотрудника", 200),
        "position": ("должность сотрудника", 200),
    },
}
FILL_MAX_LENGTH = {"text": 1000, "textarea": 5000, "date": 10, "month": 7, "number": 20}
OPTIONAL_CLIENT_FIELDS = ("email", "phone")

# C0/C1 controls, surrogates and the XML-forbidden noncharacters; tab and newline are folded to spaces.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\n\u2028\u2029]+")


def clean_text(value: object, where: str, max_length: int, multiline: bool = False) -> str:
    """Printable text or a RenderError naming ``where``. Never silently truncates."""
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise RenderError(f"{where} must be text, got {type(value).__name__}")
    text = unicodedata.normalize("NFC", str(value))
    text = _FORBIDDEN.sub("", text)
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in re.split(r"\r\n|\r|\n", text)]
        text = "\n".join(line for line in lines if line)
    else:
        text = _SPACES.sub(" ", text).strip()
    if len(text) > max_length:
        raise RenderError(f"{where} is {len(text)} characters long; at most {max_length} fit in a letter")
    return text


# Dates a letter may carry: wide enough for any real appeal or meter, narrow enough that «15.01.1» or a
# month after 9999 never reaches a filter.
MIN_YEAR, MAX_YEAR = 1900, 2199


def check_year(value: date, where: str) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise RenderError(f"{where} is {value.isoformat()}; a letter takes dates from {MIN_YEAR} to {MAX_YEAR}")
    return value


def parse_iso_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return check_year(value, where)
    if isinstance(value, str):
        try:
            return check_year(date.fromisoformat(value.strip()), where)
        except ValueError:
            pass
    raise RenderError(f"{where} must be an ISO 8601 date like 2026-11-27, got {str(value)[:40]!r}")


@dataclass(frozen=True)
class CaseInfo:
    number: str
    date: date


@dataclass(frozen=True)
class Subscriber:
    full_name: str = ""
    address: str = ""
    account: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Staff:
    full_name: str = ""
    position: str = ""


@dataclass(frozen=True)
class LetterContext:
    case: CaseInfo
    client: Subscriber
    staff: Staff
    fill: Mapping[str, str] = field(default_factory=dict)  # raw values, typed per template on render

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], origin: str = "case file") -> LetterContext:
        """Build from the JSON shape ``{"case": …, "client": …, "staff": …, "fill": …}``."""
        if not isinstance(data, Mapping):
            raise RenderError(f"{origin}: expected a JSON object with case, client, staff and fill")
        unknown = sorted(set(data) - {"case", "client", "staff", "fill"})
        if unknown:
            raise RenderError(f"{origin}: unknown section '{unknown[0]}'; expected case, client, staff, fill")
        sections: dict[str, dict[str, Any]] = {}
        for section, names in PLACEHOLDERS.items():
            raw = data.get(section) or {}
            if not isinstance(raw, Mapping):
                raise RenderError(f"{origin}: '{section}' must be an object")
            extra = sorted(set(raw) - set(names))
            if extra:
                raise RenderError(
                    f"{origin}: unknown field '{section}.{extra[0]}'; known: "
                    + ", ".join(f"{section}.{n}" for n in names)
                )
            sections[section] = {
                name: clean_text(raw.get(name), f"{origin}: {section}.{name}", limit)
                for name, (_, limit) in names.items()
                if not (section == "case" and name == "date")
            }
        case_raw = data.get("case") or {}
        if "date" not in case_raw or case_raw.get("date") in (None, ""):
            raise RenderError(f"{origin}: case.date is missing; give the appeal date as 2026-11-27")
        case_date = parse_iso_date(case_raw["date"], f"{origin}: case.date")
        fill_raw = data.get("fill") or {}
        if not isinstance(fill_raw, Mapping):
            raise RenderError(f"{origin}: 'fill' must be an object of name → value")
        fill = {str(k): clean_text(v, f"{origin}: fill.{k}", 5000, multiline=True) for k, v in fill_raw.items()}
        return cls(
            case=CaseInfo(number=sections["case"]["number"], date=case_date),
            client=Subscriber(**sections["client"]),
            staff=Staff(**sections["staff"]),
            fill=fill,
        )

    def with_fill(self, values: Mapping[str, str]) -> LetterContext:
        merged = dict(self.fill)
        for name, value in values.items():
            merged[name] = clean_text(value, f"--var {name}", 5000, multiline=True)
        return LetterContext(self.case, self.client, self.staff, merged)
