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
from .context import FILL_MAX_LENGTH, PLACEHOLDERS, LetterContext, check_year, clean_text, date_issue
from .errors import CaseDataError, DataProblem, RenderError
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
    default_refs: Mapping[str, tuple[Ref, ...]]  # what each default reads


@lru_cache(maxsize=256)
def compile_template(template: Template) -> Compiled:
    """Compile once per template text; raises RenderError when the source is broken."""
    try:
        ast = ENV.parse(template.body)
        jinja = ENV.from_string(ast)  # compiled from the tree just parsed, not from the text again
        refs = list(references(ast))
        defaults = {}
        default_refs = {}
        for var in template.variables:
            if var.default is not None:
                defaults[var.name] = ENV.compile_expression(str(var.default), undefined_to_none=False)
                default_refs[var.name] = tuple(references(parse_expression(str(var.default))))
                refs.extend(default_refs[var.name])
    except jinja2.TemplateError as exc:
        raise RenderError(f"template '{template.id}' does not compile ({exc}); validate the templates") from exc
    return Compiled(template, jinja, tuple(refs), defaults, default_refs)


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")


def typed_fill(var: Variable, raw: str) -> tuple[Any, str | None]:
    """A fill-in value as the template uses it (text, a date, the first day of a month, a number), or
    what is wrong with ``raw``."""
    text = raw.strip()
    match var.type:
        case "date":
            return date_issue(text)
        case "month":
            found = _MONTH.fullmatch(text)
            if found and 1 <= int(found.group(2)) <= 12:
                first = date(max(int(found.group(1)), 1), int(found.group(2)), 1)
                return date_issue(first.isoformat())
            what = " (a date: give the year and month only)" if _DATE_LIKE.fullmatch(text) else ""
            return None, f"must be a month written like 2026-11, got {text[:40]!r}{what}"
        case "number":
            try:
                return (int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text.replace(",", "."))), None
            except ValueError:
                return None, f"must be a number like 15 or 2,5, got {text[:40]!r}"
    limit = FILL_MAX_LENGTH[var.type]
    if len(raw) > limit:
        return None, f"is {len(raw)} characters long; at most {limit} allowed for {var.type}"
    return raw, None


def _reads_missing(refs: tuple[Ref, ...], ctx: LetterContext) -> bool:
    return any(ref.root in PLACEHOLDERS and ref.attr in PLACEHOLDERS[ref.root]
               and getattr(getattr(ctx, ref.root), ref.attr) in ("", None) for ref in refs)


def resolve_fill(compiled: Compiled, ctx: LetterContext) -> tuple[dict[str, Any], list[DataProblem]]:
    """Typed fill-in values (given, else default), and every problem with them: unknown names, wrong
    values, required ones still empty. A default that reads a datum the case lacks stays unset; the
    missing datum is reported instead."""
    template = compiled.template
    declared = {v.name for v in template.variables}
    known = ", ".join(v.name for v in template.variables) or "none"
    problems = [DataProblem(f"fill.{name}", "", f"is not a fill-in variable of '{template.id}' (it has: {known})")
                for name in sorted(set(ctx.fill) - declared)]
    base = {"case": ctx.case, "client": ctx.client, "staff": ctx.staff}
    values: dict[str, Any] = {}
    for var in template.variables:
        raw = ctx.fill.get(var.name, "")
        if raw.strip():
            values[var.name], issue = typed_fill(var, raw)
            if issue:
                problems.append(DataProblem(f"fill.{var.name}", var.label, issue))
        elif var.name in compiled.defaults:
            if _reads_missing(compiled.default_refs[var.name], ctx):
                values[var.name] = None
                continue
            try:
                value = compiled.defaults[var.name](**base)
            except (jinja2.TemplateError, ValueError, TypeError, OverflowError) as exc:
                raise RenderError(f"default of fill.{var.name} ({var.label}) cannot be computed: {exc}") from exc
            if isinstance(value, date):
                value = check_year(value.replace(day=1) if var.type == "month" else value,
                                   f"default of fill.{var.name} ({var.label})")
            else:
                value = clean_text(value, f"default of fill.{var.name}", FILL_MAX_LENGTH["textarea"])
            values[var.name] = value
        elif var.required:
            problems.append(DataProblem(f"fill.{var.name}", var.label))
        else:
            values[var.name] = ""
    return values, problems


def missing_data(compiled: Compiled, ctx: LetterContext) -> list[DataProblem]:
    """Context fields the template reads that the case leaves empty."""
    missing: list[DataProblem] = []
    for ref in compiled.refs:
        if ref.root in PLACEHOLDERS and ref.attr in PLACEHOLDERS[ref.root]:
            value = getattr(getattr(ctx, ref.root), ref.attr)
            if value in ("", None):
                problem = DataProblem(ref.dotted, PLACEHOLDERS[ref.root][ref.attr][0])
                if problem not in missing:
                    missing.append(problem)
    return missing


CHANNEL_NAMES = ("letter", "reply")


@dataclass(frozen=True)
class Prepared:
    """A template with its fill-in values resolved against one case, and what that case lacks."""

    compiled: Compiled
    fill: dict[str, Any]
    missing_context: list[DataProblem]  # case/client/staff fields the template reads that are empty
    fill_problems: list[DataProblem]  # fill-in values missing, unknown or wrong

    @property
    def problems(self) -> list[DataProblem]:
        return self.missing_context + self.fill_problems


def prepare(template: Template, ctx: LetterContext) -> Prepared:
    """Resolve the fill-in values (defaults evaluated once) and list the gaps, without rendering."""
    compiled = compile_template(template)
    fill, fill_problems = resolve_fill(compiled, ctx)
    return Prepared(compiled, fill, missing_data(compiled, ctx), fill_problems)


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
    """The template's Markdown with every placeholder filled, or a CaseDataError naming every problem."""
    prepared = prepare(template, ctx)
    if prepared.problems:
        raise CaseDataError.of(prepared.problems, ctx.origin, f"template '{template.id}'")
    return render_prepared(prepared, ctx, channel)
