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

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import CaseDataError, DataProblem, RenderError

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
# Raw fill-in values are bounded per type when a template types them; this only keeps absurd input out.
FILL_RAW_MAX = 100_000
OPTIONAL_CLIENT_FIELDS = ("email", "phone")

# C0/C1 controls, surrogates and the XML-forbidden noncharacters; tab and newline are folded to spaces.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\n\u2028\u2029]+")


def text_issue(value: object, max_length: int, multiline: bool = False,
               numbers: bool = False) -> tuple[str, str | None]:
    """``value`` as printable text, and what is wrong with it (None when nothing is). Never truncates.

    A JSON number with a fraction or an exponent is refused unless ``numbers`` allows it (a fill-in
    number): an account number read as a float has already lost digits (1.2345678901234567e+19), and NaN
    or Infinity is no text at all.
    """
    if value is None:
        return "", None
    if isinstance(value, float):
        if not math.isfinite(value):
            spelling = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            return "", f"is {spelling}, not a value a letter can print"
        if not numbers:
            return "", (f"is the number {value!r}; write it as text in quotes, "
                        "since a number with a fraction or exponent loses digits")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return "", f"must be text, got {type(value).__name__}"
    text = unicodedata.normalize("NFC", str(value))
    text = _FORBIDDEN.sub("", text)
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in re.split(r"\r\n|\r|\n", text)]
        text = "\n".join(line for line in lines if line)
    else:
        text = _SPACES.sub(" ", text).strip()
    if len(text) > max_length:
        return text, f"is {len(text)} characters long; at most {max_length} fit in a letter"
    return text, None


def clean_text(value: object, where: str, max_length: int, multiline: bool = False) -> str:
    """Printable text or a RenderError naming ``where``."""
    text, issue = text_issue(value, max_length, multiline)
    if issue:
        raise RenderError(f"{where} {issue}")
    return text


# Dates a letter may carry: wide enough for any real appeal or meter, narrow enough that «15.01.1» or a
# month after 9999 never reaches a filter.
MIN_YEAR, MAX_YEAR = 1900, 2199


def check_year(value: date, where: str) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise RenderError(f"{where} is {value.isoformat()}; a letter takes dates from {MIN_YEAR} to {MAX_YEAR}")
    return value


def date_issue(value: object) -> tuple[date | None, str | None]:
    """An ISO date, or what is wrong with ``value``."""
    try:
        return parse_iso_date(value, ""), None
    except RenderError as exc:
        return None, str(exc).strip()


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
    date: date | None  # None when the case has none: the letter names it among everything missing


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

    origin: str = ""  # where the data came from (a case file), named in every CaseDataError

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], origin: str = "case file") -> LetterContext:
        """Build from the JSON shape ``{"case": …, "client": …, "staff": …, "fill": …}``.

        Every wrong value is reported at once in one CaseDataError; what is merely missing is left empty,
        for the letter to name together with everything else its template needs.
        """
        if not isinstance(data, Mapping):
            raise CaseDataError(f"{origin}: expected a JSON object with case, client, staff and fill",
                                origin=origin)
        problems = [DataProblem(str(name), "", "is not a section; expected case, client, staff, fill")
                    for name in sorted(set(data) - {"case", "client", "staff", "fill"}, key=str)]
        sections: dict[str, dict[str, Any]] = {}
        for section, names in PLACEHOLDERS.items():
            raw = data.get(section) or {}
            if not isinstance(raw, Mapping):
                problems.append(DataProblem(section, "", "must be an object"))
                raw = {}
            known = ", ".join(f"{section}.{n}" for n in names)
            problems += [DataProblem(f"{section}.{name}", "", f"is not a known field (known: {known})")
                         for name in sorted(set(raw) - set(names), key=str)]
            values: dict[str, Any] = {}
            for name, (label, limit) in names.items():
                value: object
                if section == "case" and name == "date":
                    value, issue = (None, None) if raw.get(name) in (None, "") else date_issue(raw[name])
                else:
                    value, issue = text_issue(raw.get(name), limit)
                if issue:
                    problems.append(DataProblem(f"{section}.{name}", label, issue))
                values[name] = value
            sections[section] = values
        fill_raw = data.get("fill") or {}
        fill: dict[str, str] = {}
        if not isinstance(fill_raw, Mapping):
            problems.append(DataProblem("fill", "", "must be an object of name → value"))
            fill_raw = {}
        for key, value in fill_raw.items():
            fill[str(key)], issue = text_issue(value, FILL_RAW_MAX, multiline=True, numbers=True)
            if issue:
                problems.append(DataProblem(f"fill.{key}", "", issue))
        if problems:
            raise CaseDataError.of(problems, origin)
        return cls(
            case=CaseInfo(**sections["case"]),
            client=Subscriber(**sections["client"]),
            staff=Staff(**sections["staff"]),
            fill=fill,
            origin=origin,
        )

    def with_fill(self, values: Mapping[str, str]) -> LetterContext:
        """The same case with fill-in values set (checked per type when a template uses them)."""
        merged = dict(self.fill)
        problems = []
        for name, value in values.items():
            merged[name], issue = text_issue(value, FILL_RAW_MAX, multiline=True, numbers=True)
            if issue:
                problems.append(DataProblem(f"fill.{name}", "", issue))
        if problems:
            raise CaseDataError.of(problems, self.origin)
        return LetterContext(self.case, self.client, self.staff, merged, self.origin)
