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


def _proper(word: str) -> str:
    """«ПЕТР» / «петр» → «Петр», «анна-мария» → «Анна-Мария»; a mixed-case word is left as typed."""
    if word.casefold() in ("оглы", "кызы"):
        return word.casefold()
    if "." not in word and (word.isupper() or word.islower()):
        return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
    return word


def _is_initials(word: str) -> bool:
    return "." in word or len(word) == 1


def short_name(full_name: str) -> str:
    """«Самарина Наталья Николаевна» → «Самарина Н.Н.»; an already short or one-word name stays.

    «Иванов П.П.» and «Иванов П. П.» both give «Иванов П.П.»; the Turkic «оглы»/«кызы» adds no initial.
    """
    parts = [_proper(p) for p in full_name.split()]
    if not parts:
        return ""
    rest = parts[1:]
    if rest and _is_initials(rest[0]):
        return f"{parts[0]} {''.join(rest)}"
    initials = "".join(f"{p[0].upper()}." for p in rest[:2] if p[0].isalpha())
    return f"{parts[0]} {initials}" if initials else parts[0]


_MALE_PATRONYMIC = ("вич", "ич")
_FEMALE_PATRONYMIC = ("вна", "чна", "шна")
NEUTRAL_SALUTATION = "Уважаемый абонент!"


def salutation(full_name: str) -> str:
    """«Уважаемый Петр Петрович!», «Уважаемая Мария Ивановна!», or a neutral form.

    Gender comes from the patronymic's ending (-вич / -вна, -ична, and the Turkic оглы / кызы, kept in the
    greeting). Without a patronymic the form stays neutral: «Уважаемый(ая) Петр!» for «Иванов Петр», and
    «Уважаемый абонент!» when only a surname or initials are known, since a greeting by surname is rude.
    A name typed in capitals is printed in the usual case.
    """
    parts = [_proper(p) for p in full_name.split()]
    if len(parts) == 2 and parts[1].casefold().endswith(_MALE_PATRONYMIC + _FEMALE_PATRONYMIC):
        parts = ["", *parts]  # «Петр Петрович» without the surname
    if len(parts) < 2 or any(_is_initials(p) for p in parts[1:3]):
        return NEUTRAL_SALUTATION
    if len(parts) == 2:
        return f"Уважаемый(ая) {parts[1]}!"
    name, patronymic = parts[1], " ".join(parts[2:])
    low = parts[2].casefold()
    tail = " ".join(parts[3:]).casefold()
    if (low.endswith(_MALE_PATRONYMIC) and not tail) or tail == "оглы":
        return f"Уважаемый {name} {patronymic}!"
    if (low.endswith(_FEMALE_PATRONYMIC) and not tail) or tail == "кызы":
        return f"Уважаемая {name} {patronymic}!"
    return f"Уважаемый(ая) {name} {patronymic}!"


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s",
                   "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def transliterate(text: str) -> str:
    """«Оплата без комиссии» → «oplata bez komissii» (Russian passports' scheme, ъ and ь dropped)."""
    return "".join(_LATIN.get(char, char) for char in text.casefold())
