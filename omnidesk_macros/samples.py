"""Invented data for trial renders (validate) and sample letters (the demo): nobody's personal data.

Sample fill-in values are chosen relative to the appeal date, so that a printed sample reads sensibly: a
period (``*_start`` … ``*_end``) starts three months before the appeal and ends the week before it, other
dates (a reading, a verification) fall in that week, and a month is the one before the appeal's.
"""

from __future__ import annotations

from datetime import date, timedelta

from . import russian
from .context import CaseInfo, LetterContext, Staff, Subscriber
from .model import Template

SAMPLE_CONTEXT = LetterContext(
    case=CaseInfo(number="000-000001", date=date(2026, 11, 27)),
    client=Subscriber(full_name="Образцов Пример Примерович", address="г. Самара, ул. Примерная, д. 1",
                      account="0000000001", email="sample@example.com", phone="+7 000 000-00-00"),
    staff=Staff(full_name="Сотрудникова Проба Тестовна", position="Специалист"),
)
# By type only, for trial renders that just need a well-formed value of each type.
SAMPLE_FILL = {"text": "образец", "textarea": "образец", "date": "2026-12-15", "month": "2026-12", "number": "1"}


def sample_value(name: str, kind: str, appeal: date) -> str:
    """A value of type ``kind`` for variable ``name`` that makes sense for an appeal dated ``appeal``."""
    if kind == "date":
        if name.endswith("_start"):
            return russian.add_months(appeal.replace(day=1), -3).isoformat()
        if name.endswith("_end"):
            return (appeal - timedelta(days=8)).isoformat()
        return (appeal - timedelta(days=7)).isoformat()
    if kind == "month":
        return russian.add_months(appeal.replace(day=1), -1).isoformat()[:7]
    return SAMPLE_FILL.get(kind, "образец")


def sample_fill(template: Template, appeal: date, *, every: bool = False) -> dict[str, str]:
    """Values for the variables that have no default (``every``: for all of them)."""
    return {v.name: sample_value(v.name, v.type, appeal) for v in template.variables
            if every or v.default is None}
