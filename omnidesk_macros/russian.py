"""Russian conventions for dates and names in letters: 27.11.2026, «ноября 2026 г.», «Самарина Н.Н.»."""

from __future__ import annotations

import calendar
from datetime import date

_MONTHS = {
    "nom": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
            "октябрь", "ноябрь", "декабрь"),
    "gen": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
            "октября", "ноября", "декабря"),
    "prep": ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
             "октябре", "ноябре", "декабре"),
}
MONTH_FORMS = tuple(_MONTHS)


def date_ru(value: date) -> str:
    """27.11.2026"""
    return value.strftime("%d.%m.%Y")


def date_long(value: date) -> str:
    """27 ноября 2026 г."""
    return f"{value.day} {_MONTHS['gen'][value.month - 1]} {value.year} г."


def month_name(value: date, form: str = "nom") -> str:
    """ноябрь / ноября / ноябре"""
    if form not in _MONTHS:
        raise ValueError(f"unknown month form '{form}'; use one of {', '.join(MONTH_FORMS)}")
    return _MONTHS[form][value.month - 1]


def month_year(value: date, form: str = "nom") -> str:
    """ноябрь 2026 г. / ноября 2026 г. / ноябре 2026 г."""
    return f"{month_name(value, form)} {value.year} г."


def add_months(value: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's end (31 января + 1 → 28/29 февраля)."""
    index = value.year * 12 + value.month - 1 + int(months)
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def short_name(full_name: str) -> str:
    """«Самарина Наталья Николаевна» → «Самарина Н.Н.»; an already short or one-word name stays."""
    parts = full_name.split()
    if not parts:
        return ""
    initials = "".join(f"{p[0].upper()}." for p in parts[1:3] if p[0].isalpha())
    return f"{parts[0]} {initials}" if initials else parts[0]


def salutation(full_name: str) -> str:
    """«Уважаемый Петр Петрович!», «Уважаемая Мария Ивановна!», or a neutral form.

    Gender comes from the patronymic's ending (-вич / -вна, -ична, and the Turkic оглы / кызы); with no
    patronymic the name and patronymic cannot be told apart from a surname, so the form stays neutral.
    """
    parts = full_name.split()
    if len(parts) >= 3:
        name, patronymic = parts[1], parts[2]
        tail = " ".join(parts[3:]).casefold()
        low = patronymic.casefold()
        if low.endswith(("вич", "ич")) or tail == "оглы":
            return f"Уважаемый {name} {patronymic}!"
        if low.endswith(("вна", "чна", "шна")) or tail == "кызы":
            return f"Уважаемая {name} {patronymic}!"
        return f"Уважаемый(ая) {name} {patronymic}!"
    if len(parts) == 2:
        return f"Уважаемый(ая) {parts[1]}!"
    if parts:
        return f"Уважаемый(ая) {parts[0]}!"
    return "Уважаемый абонент!"
