"""Placeholders: the sandboxed Jinja environment, what a template refers to, and rendering a body.

Templates are Jinja2 in a sandbox with StrictUndefined, so a misspelt placeholder fails loudly instead
of printing an empty string to a subscriber. Every value printed into the Markdown body is escaped as
Markdown, so a name with ``*`` or ``|`` or ``<`` prints literally and never turns into markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import StrictUndefined, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import russian
from .context import FILL_MAX_LENGTH, PLACEHOLDERS, LetterContext, check_year, clean_text, parse_iso_date
from .errors import RenderError
from .markup import LINE_BREAK
from .model import Template, Variable

ROOTS = ("case", "client", "staff", "fill", "channel")
_MD_SPECIAL = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def _add_days(value: date, days: int) -> date:
    return value + timedelta(days=int(days))


def _on_dates(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A date filter that says what it needs when a template hands it text (a TypeError, not a crash)."""

    def checked(value: Any, *args: Any) -> Any:
        if not isinstance(value, date):
            raise TypeError(f"filter '{name}' needs a date, got {type(value).__name__} {str(value)[:30]!r}")
        return func(value, *args)

    return checked


_DATE_FILTERS: dict[str, Callable[..., Any]] = {
    "date_ru": russian.date_ru,
    "date_long": russian.date_long,
    "month_year": russian.month_year,
    "month_name": russian.month_name,
    "add_months": russian.add_months,
    "add_days": _add_days,
}


def _finalize(value: Any) -> str:
    if isinstance(value, date):
        value = russian.date_ru(value)
    text = "" if value is None else str(value)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", LINE_BREAK)


def _make_env() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, finalize=_finalize, keep_trailing_newline=True
    )
    env.filters.update({name: _on_dates(name, func) for name, func in _DATE_FILTERS.items()})
    return env


ENV = _make_env()


@dataclass(frozen=True)
class Ref:
    """One use of a placeholder: ``client.account`` → Ref("client", "account", line)."""

    root: str
    attr: str | None
    line: int  # 1-based within the parsed text

    @property
    def dotted(self) -> str:
        return f"{self.root}.{self.attr}" if self.attr else self.root


def references(ast: nodes.Template) -> Iterator[Ref]:
    """Every context name the template reads, with the attribute directly taken from it."""
    stored = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    inside: set[int] = set()
    for getattr_node in ast.find_all(nodes.Getattr):
        if isinstance(getattr_node.node, nodes.Name) and getattr_node.node.name not in stored:
            inside.add(id(getattr_node.node))
            yield Ref(getattr_node.node.name, getattr_node.attr, getattr_node.lineno)
    for getitem in ast.find_all(nodes.Getitem):
        node, arg = getitem.node, getitem.arg
        if isinstance(node, nodes.Name) and isinstance(arg, nodes.Const) and node.name not in stored:
            inside.add(id(node))
            yield Ref(node.name, str(arg.value), getitem.lineno)
    for name in ast.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in stored and id(name) not in inside:
            yield Ref(name.name, None, name.lineno)


def parse_expression(expression: str) -> nodes.Template:
    """Parse a default expression such as ``case.date | add_months(1)``; raises TemplateSyntaxError."""
    return ENV.parse("{{ " + expression + " }}")


@dataclass(frozen=True)
class Compiled:
    template: Template
    jinja: jinja2.Template
    refs: tuple[Ref, ...]  # of the body and of the defaults of the variables it uses
    defaults: Mapping[str, Callable[..., Any]]


@lru_cache(maxsize=256)
def compile_template(template: Template) -> Compiled:
    """Compile once per template text; raises RenderError when the source is broken."""
    try:
        jinja = ENV.from_string(template.body)
        refs = list(references(ENV.parse(template.body)))
        defaults = {}
        for var in template.variables:
            if var.default is not None:
                defaults[var.name] = ENV.compile_expression(str(var.default), undefined_to_none=False)
                refs.extend(references(parse_expression(str(var.default))))
    except jinja2.TemplateError as exc:
        raise RenderError(
            f"template '{template.id}' does not compile ({exc}); run `omnidesk-macros validate`"
        ) from exc
    return Compiled(template, jinja, tuple(refs), defaults)


def typed_fill(var: Variable, raw: str, template_id: str) -> Any:
    """A fill-in value as the template uses it: text, a date, the first day of a month, a number."""
    where = f"fill.{var.name} ({var.label})"
    limit = FILL_MAX_LENGTH[var.type]
    if len(raw) > limit:
        raise RenderError(f"{where} is {len(raw)} characters long; at most {limit} allowed")
    match var.type:
        case "date":
            return parse_iso_date(raw, where)
        case "month":
            match_ = re.fullmatch(r"(\d{4})-(\d{2})(-\d{2})?", raw.strip())
            if not match_ or not 1 <= int(match_.group(2)) <= 12:
                raise RenderError(f"{where} must be a month like 2026-12, got {raw[:40]!r}")
            return check_year(date(max(int(match_.group(1)), 1), int(match_.group(2)), 1), where)
        case "number":
            try:
                return int(raw) if re.fullmatch(r"[+-]?\d+", raw.strip()) else float(raw.replace(",", "."))
            except ValueError:
                raise RenderError(f"{where} must be a number, got {raw[:40]!r}") from None
        case _:
            return raw


def resolve_fill(compiled: Compiled, ctx: LetterContext) -> tuple[dict[str, Any], list[str]]:
    """Typed fill-in values (given, else default), and the names of required ones still empty."""
    template = compiled.template
    unknown = sorted(set(ctx.fill) - {v.name for v in template.variables})
    if unknown:
        known = ", ".join(v.name for v in template.variables) or "none"
        raise RenderError(f"template '{template.id}' has no fill-in variable '{unknown[0]}' (it has: {known})")
    base = {"case": ctx.case, "client": ctx.client, "staff": ctx.staff}
    values: dict[str, Any] = {}
    missing: list[str] = []
    for var in template.variables:
        raw = ctx.fill.get(var.name, "")
        if raw.strip():
            values[var.name] = typed_fill(var, raw, template.id)
        elif var.name in compiled.defaults:
            try:
                value = compiled.defaults[var.name](**base)
            except (jinja2.TemplateError, ValueError, TypeError, OverflowError) as exc:
                raise RenderError(f"default of fill.{var.name} ({var.label}) cannot be computed: {exc}") from exc
            if isinstance(value, date):
                value = check_year(value.replace(day=1) if var.type == "month" else value,
                                   f"default of fill.{var.name} ({var.label})")
            elif not isinstance(value, date):
                value = clean_text(value, f"default of fill.{var.name}", FILL_MAX_LENGTH["textarea"])
            values[var.name] = value
        elif var.required:
            missing.append(f"fill.{var.name} ({var.label})")
        else:
            values[var.name] = ""
    return values, missing


def missing_data(compiled: Compiled, ctx: LetterContext) -> list[str]:
    """Context fields the template reads that the case leaves empty."""
    missing = []
    for ref in compiled.refs:
        if ref.root in PLACEHOLDERS and ref.attr in PLACEHOLDERS[ref.root]:
            value = getattr(getattr(ctx, ref.root), ref.attr)
            if value in ("", None):
                label = PLACEHOLDERS[ref.root][ref.attr][0]
                entry = f"{ref.dotted} ({label})"
                if entry not in missing:
                    missing.append(entry)
    return missing


CHANNEL_NAMES = ("letter", "reply")


@dataclass(frozen=True)
class Prepared:
    """A template with its fill-in values resolved against one case, and what that case lacks."""

    compiled: Compiled
    fill: dict[str, Any]
    missing_context: list[str]  # case/client/staff fields the template reads that are empty
    missing_fill: list[str]  # required fill-in variables with no value and no default

    @property
    def missing(self) -> list[str]:
        return self.missing_context + self.missing_fill


def prepare(template: Template, ctx: LetterContext) -> Prepared:
    """Resolve the fill-in values (defaults evaluated once) and list the gaps, without rendering."""
    compiled = compile_template(template)
    fill, missing_fill = resolve_fill(compiled, ctx)
    return Prepared(compiled, fill, missing_data(compiled, ctx), missing_fill)


def render_prepared(prepared: Prepared, ctx: LetterContext, channel: str = "letter") -> str:
    """The Markdown of a prepared template; the caller has checked that nothing is missing.

    ``channel`` is "letter" (printed; the letter has its own opening) or "reply" (a remote answer); a
    template may test it, e.g. to greet only in a remote reply.
    """
    if channel not in CHANNEL_NAMES:
        raise RenderError(f"unknown channel '{channel}'; use letter or reply")
    compiled = prepared.compiled
    try:
        return compiled.jinja.render(case=ctx.case, client=ctx.client, staff=ctx.staff, fill=prepared.fill,
                                     channel=channel)
    except (jinja2.TemplateError, ValueError, TypeError, OverflowError) as exc:
        # Raised by a filter or a placeholder misused in the source; validate catches these earlier.
        raise RenderError(f"template '{compiled.template.id}' failed to render: {exc}") from exc


def render_body(template: Template, ctx: LetterContext, channel: str = "letter") -> str:
    """The template's Markdown with every placeholder filled, or a RenderError naming what is missing."""
    prepared = prepare(template, ctx)
    if prepared.missing:
        raise RenderError(
            f"template '{template.id}' needs data the case does not have: {', '.join(prepared.missing)}; "
            "add them to the case file or pass --var NAME=VALUE"
        )
    return render_prepared(prepared, ctx, channel)
