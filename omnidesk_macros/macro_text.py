"""A template's text as Omnidesk shows it in a macro: every placeholder a visible Russian marker.

Omnidesk fills no variables in macros (``../shared/omnidesk-api.md`` §8: agents type over bracketed blanks such
as ``[день недели]``), so ``{{ case.number }}`` becomes «[№ обращения]» and ``{{ fill.recalc_month |
month_year("prep") }}`` becomes «[месяц перерасчёта]» (the variable's own label). The template is rendered
for the ``reply`` channel with markers in place of values; date filters pass a marker through, a shift such
as ``add_months(-1)`` is spelt out. A condition on anything but ``channel`` (or a loop) cannot be kept in a
macro and is reported with its line by :func:`macro_problems`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes

from .errors import RenderError
from .markup import parse_blocks
from .model import Template
from .omnidesk_html import blocks_to_html
from .placeholders import ENV, references

#: markers for the case, subscriber and staff placeholders, worded as the specialist's card words them
CONTEXT_MARKERS: dict[str, dict[str, str]] = {
    "case": {"number": "№ обращения", "date": "дата обращения"},
    "client": {"full_name": "ФИО абонента", "address": "адрес", "account": "№ лицевого счета",
               "email": "адрес эл. почты", "phone": "телефон"},
    "staff": {"full_name": "ФИО сотрудника", "position": "должность сотрудника"},
}
_DUPLICATE_MARKERS = re.compile(r"(\[[^\[\]<>]+\])(?:\s+\1)+")


class Marker(str):
    """A blank for the specialist, «[label]»; date filters keep it, ``.year`` and ``.day`` are the same blank."""

    label: str

    def __new__(cls, label: str) -> Marker:
        marker = super().__new__(cls, f"[{label}]")
        marker.label = label
        return marker

    @property
    def year(self) -> Marker:
        return self

    @property
    def day(self) -> Marker:
        return self

    @property
    def month(self) -> Marker:
        return self


def _shifted(unit: str) -> Callable[[Any, Any], Any]:
    def shift(value: Any, amount: Any) -> Any:
        if not isinstance(value, Marker) or not isinstance(amount, int) or amount == 0:
            return value
        sign = "+" if amount > 0 else "−"
        return Marker(f"{value.label} {sign} {abs(amount)} {unit}")
    return shift


def _passing(value: Any, *_: Any) -> Any:
    return value


def _marker_env() -> jinja2.Environment:
    env = ENV.overlay()
    env.filters = dict(ENV.filters)  # overlay shares the dict; ours must not leak into the letter's filters
    for name in ("date_ru", "date_long", "month_year", "month_name"):
        env.filters[name] = _passing
    env.filters["add_months"] = _shifted("мес.")
    env.filters["add_days"] = _shifted("дн.")
    return env


_ENV = _marker_env()


@dataclass(frozen=True)
class MacroProblem:
    line: int  # within the body
    message: str
    hint: str


def _namespace(names: dict[str, str]) -> dict[str, Marker]:
    return {attr: Marker(label) for attr, label in names.items()}


class _Namespace:
    """``case``/``client``/``staff``/``fill`` whose every attribute is a marker."""

    def __init__(self, markers: dict[str, Marker]) -> None:
        self.__dict__.update(markers)


def _lower_first(label: str) -> str:
    # «Месяц перерасчёта» → «месяц перерасчёта», but «ФИО …» and «ИПУ …» keep their capitals
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


def macro_problems(template: Template) -> list[MacroProblem]:
    """What keeps the template from becoming a macro: conditions on data and loops."""
    try:
        ast = _ENV.parse(template.body)
    except jinja2.TemplateSyntaxError:
        return []  # validation reports the syntax error itself
    problems: list[MacroProblem] = []
    for node in ast.find_all((nodes.If, nodes.CondExpr)):
        assert isinstance(node, nodes.If | nodes.CondExpr)
        test = nodes.Template([nodes.Output([node.test])])
        data = sorted({ref.dotted for ref in references(test)} - {"channel"})
        if data:
            problems.append(MacroProblem(
                node.lineno, f"a condition on {', '.join(data)} cannot be kept in an Omnidesk macro",
                "a macro has no conditions: test only channel, or drop 'reply' from channels"))
    for loop in ast.find_all(nodes.For):
        problems.append(MacroProblem(
            loop.lineno, "a loop cannot be kept in an Omnidesk macro", "write the items out, or drop 'reply' from channels"))
    return sorted(problems, key=lambda p: p.line)


def macro_markdown(template: Template, channel: str = "reply") -> str:
    """The body rendered for ``channel`` with a marker for every placeholder."""
    fill = {v.name: Marker(_lower_first(v.label)) for v in template.variables}
    values = {root: _Namespace(_namespace(names)) for root, names in CONTEXT_MARKERS.items()}
    try:
        return _ENV.from_string(template.body).render(**values, fill=_Namespace(fill), channel=channel)
    except (jinja2.TemplateError, ValueError, TypeError) as exc:
        raise RenderError(f"template '{template.id}' cannot be written as a macro: {exc}") from exc


def macro_html(template: Template, channel: str = "reply") -> str:
    """The Omnidesk HTML of the template, with neighbouring repeats of one marker merged."""
    html_text = blocks_to_html(parse_blocks(macro_markdown(template, channel)))
    return _DUPLICATE_MARKERS.sub(r"\1", html_text)
