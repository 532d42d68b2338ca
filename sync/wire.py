"""The wire format of the Omnidesk REST API, shared by the client and the sandbox.

One place knows how Omnidesk writes dates, wraps objects and shapes lists, so the client reads exactly what
the sandbox writes and both follow ``../shared/omnidesk-api.md`` §1:

- dates look like ``Mon, 05 May 2014 00:15:17 +0300``; an empty date or duration is ``"-"``;
- an object travels inside its singular name: ``{"case": {...}}``;
- a list is an object keyed ``"0"``, ``"1"``, … (each item wrapped) plus ``total_count``; some fixtures use a
  JSON array instead, so readers accept both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

DATE_FORMAT = "%a, %d %b %Y %H:%M:%S %z"
EMPTY = "-"

#: Samara time (UTC+4, no DST): the sandbox writes its dates in the utility's own zone.
SAMARA = timezone(timedelta(hours=4), "Europe/Samara")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_date(value: object) -> datetime | None:
    """An aware datetime from an Omnidesk date; ``"-"``, ``""`` and ``None`` mean "no date".

    ``strptime`` with ``%a``/``%b`` depends on the process locale, so the names are matched by hand.
    """
    if value is None or value == EMPTY or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not an Omnidesk date: {value!r} (expected like 'Mon, 05 May 2014 00:15:17 +0300')")
    try:
        _day_name, rest = value.split(", ", 1)
        day, month, year, clock, offset = rest.split()
        hours, minutes, seconds = (int(part) for part in clock.split(":"))
        sign = -1 if offset[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        return datetime(int(year), _MONTHS.index(month) + 1, int(day), hours, minutes, seconds, tzinfo=tz)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"not an Omnidesk date: {value!r} (expected like 'Mon, 05 May 2014 00:15:17 +0300')") from exc


def format_date(value: datetime | None) -> str:
    """The Omnidesk spelling of an aware datetime, ``"-"`` for None; locale-independent."""
    if value is None:
        return EMPTY
    if value.tzinfo is None:
        raise ValueError("Omnidesk dates carry a UTC offset; pass an aware datetime")
    offset = value.utcoffset() or timedelta(0)
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return (
        f"{_DAYS[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1]} {value.year} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


def with_dates(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy with every ``*_at`` date parsed to an aware datetime, and ``"-"`` dates and durations as None.

    A date in an unexpected spelling is left as the string it was rather than failing a whole listing: the
    value is still there for a person to read, and the contract suite flags the new format.
    """
    result = dict(obj)
    for key, value in obj.items():
        if value == EMPTY and (key.endswith("_at") or key.endswith("_speed")):
            result[key] = None
        elif key.endswith("_at") and isinstance(value, str):
            with contextlib.suppress(ValueError):
                result[key] = parse_date(value)
    return result


def unwrap(body: object, key: str) -> dict[str, Any]:
    """The object inside a ``{key: {...}}`` envelope; a bare object is accepted as it is."""
    if isinstance(body, Mapping) and isinstance(body.get(key), Mapping):
        return dict(body[key])
    if isinstance(body, Mapping):
        return dict(body)
    raise ValueError(f"expected a JSON object wrapped in {key!r}, got {type(body).__name__}")


def list_items(body: object, key: str) -> tuple[list[dict[str, Any]], int | None]:
    """The unwrapped items of one list page, and ``total_count`` when the page states it.

    Accepts the documented object keyed ``"0"``, ``"1"``, … and a plain JSON array; items keep their order
    (numeric key order for the object shape).
    """
    if isinstance(body, list):
        return [unwrap(item, key) for item in body], None
    if not isinstance(body, Mapping):
        raise ValueError(f"expected a list page, got {type(body).__name__}")
    total = body.get("total_count")
    keys = sorted((k for k in body if k.isdigit()), key=int)
    items = [unwrap(body[k], key) for k in keys]
    return items, int(total) if total is not None else None


def list_page(items: Sequence[Mapping[str, Any]], key: str, total_count: int) -> dict[str, Any]:
    """One list page in the documented shape: items keyed ``"0"``… plus ``total_count``."""
    page: dict[str, Any] = {str(i): {key: dict(item)} for i, item in enumerate(items)}
    page["total_count"] = total_count
    return page


def ordered_values(container: object) -> Iterator[tuple[str | None, Any]]:
    """``(key, value)`` pairs of a JSON object or array, for shapes that come either way (§3).

    Objects yield their keys (numeric keys in numeric order); arrays yield ``None`` as the key.
    """
    if isinstance(container, list):
        for value in container:
            yield None, value
    elif isinstance(container, Mapping):
        keys = sorted(container, key=lambda k: (0, int(k), "") if str(k).isdigit() else (1, 0, str(k)))
        for key in keys:
            yield str(key), container[key]
