"""Every check on ``templates_src/``, reported at once in compiler style.

Stages: load (YAML syntax, keys, types) → cross-references (appeal types, card fields, ids, titles,
file names) → each template body (Jinja syntax, placeholders, fill-in variables, Markdown the letter
can show, a trial render with sample data).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .context import PLACEHOLDERS
from .diagnostics import Diagnostic, Diagnostics, did_you_mean
from .errors import RenderError, SourceError
from .loader import APPEAL_TYPES_FILE, CARD_FILE, display_path, load_raw
from .macro_text import macro_problems
from .markup import check_markup
from .model import AppealType, CardField, SourceSet, Template
from .placeholders import ENV, ROOTS, Ref, parse_expression, references, render_body
from .samples import SAMPLE_CONTEXT, SAMPLE_FILL

KNOWN_PATHS = [f"{root}.{attr}" for root, attrs in PLACEHOLDERS.items() for attr in attrs]

def validate_sources(root: Path) -> tuple[SourceSet, Diagnostics]:
    """Load and check everything under ``root``; the sources come back even when there are errors."""
    diags = Diagnostics()
    sources, loaded = load_raw(root, diags)
    _check_appeal_types(root, loaded.appeal_types, diags)
    _check_card(root, loaded.card, sources, diags)
    _check_templates(sources, loaded.templates, loaded.appeal_types, diags)
    return sources, diags


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of one `validate` run, as plain data for a terminal, CI or a web page."""

    path: str
    templates: int
    diagnostics: tuple[Diagnostic, ...]
    strict: bool = False  # warnings count as errors

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def ok(self) -> bool:
        """Nothing fails: no error, and no warning when strict."""
        return not self.errors and not (self.strict and self.warnings)

    @property
    def clean(self) -> bool:
        """Neither an error nor a warning."""
        return not self.diagnostics

    def summary(self) -> str:
        return f"{self.templates} templates, {len(self.errors)} error(s), {len(self.warnings)} warning(s)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "templates": self.templates,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "ok": self.ok,
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


def validation_report(root: Path | str, strict: bool = False) -> ValidationReport:
    """Validate everything under ``root`` and report it; never raises for a broken template."""
    sources, diags = validate_sources(Path(root))
    return ValidationReport(str(root), len(sources.templates), tuple(diags.items), strict)


def load_sources(root: Path | str) -> SourceSet:
    """Load and validate; raises SourceError with every diagnostic when anything is an error."""
    sources, diags = validate_sources(Path(root))
    if diags.errors:
        shown = "\n".join(d.format() for d in diags.errors[:20])
        raise SourceError(f"templates in '{root}' have {len(diags.errors)} error(s):\n{shown}", diags.errors)
    return sources


def _duplicates(items: list[tuple[str, int]], file: str, what: str, diags: Diagnostics) -> None:
    first: dict[str, int] = {}
    for key, line in items:
        folded = key.casefold()
        if folded in first:
            diags.error(file, line, 1, f"duplicate {what} '{key}' (first at line {first[folded]})")
        else:
            first[folded] = line


def _check_appeal_types(root: Path, kinds: list[tuple[AppealType, int]], diags: Diagnostics) -> None:
    file = display_path(root / APPEAL_TYPES_FILE)
    _duplicates([(k.id, line) for k, line in kinds], file, "appeal type id", diags)
    _duplicates([(k.title, line) for k, line in kinds], file, "appeal type title", diags)


def _check_card(
    root: Path, fields: list[tuple[CardField, dict[str, tuple[int, int]]]], sources: SourceSet, diags: Diagnostics
) -> None:
    file = display_path(root / CARD_FILE)
    _duplicates([(f.id, pos["id"][0]) for f, pos in fields], file, "card field id", diags)
    _duplicates([(f.title, pos["title"][0]) for f, pos in fields], file, "card field title", diags)
    for field, pos in fields:
        where = f"card field '{field.id}'"
        line = pos["id"][0]
        if field.context and field.context not in KNOWN_PATHS:
            diags.error(file, *pos["context"], f"{where} feeds unknown placeholder '{field.context}'",
                        did_you_mean(field.context, KNOWN_PATHS))
        if field.type == "select" and not field.options and not field.options_from:
            diags.error(file, line, 1, f"{where} is a select without options", "add 'options:' or 'options_from:'")
        if field.type != "select" and (field.options or field.options_from):
            diags.error(file, line, 1, f"{where} has options but is of type '{field.type}'", "make it type: select")
        if field.type == "file" and not field.builtin:
            diags.error(file, line, 1, f"{where}: Omnidesk has no custom fields of type file",
                        "use builtin: attachments")
        titles = [o.title for o in field.options]
        if len({t.casefold() for t in titles}) != len(titles):
            diags.error(file, line, 1, f"{where} repeats an option")
    if fields and not sources.appeal_types:
        diags.warning(file, 1, 1, "no appeal types loaded, so the appeal type field has no options")


def _check_templates(
    sources: SourceSet, templates: list[Template], kinds: list[tuple[AppealType, int]], diags: Diagnostics
) -> None:
    kind_ids = [k.id for k in sources.appeal_types]
    by_id: dict[str, list[Template]] = defaultdict(list)
    by_title: dict[str, list[Template]] = defaultdict(list)
    for template in templates:
        by_id[template.id].append(template)
        by_title[template.title.casefold()].append(template)
        _check_template(template, kind_ids, diags)
    for group in (*by_id.values(), *by_title.values()):
        for later in group[1:]:
            same = "id" if later.id == group[0].id else "title"
            value = later.id if same == "id" else later.title
            diags.error(display_path(later.path), _front_line(later, same), 1,
                        f"duplicate template {same} '{value}' (also in {display_path(group[0].path)})")
    appeal_file = display_path(sources.root / APPEAL_TYPES_FILE)
    for kind, line in kinds:
        if not sources.templates_for(kind.id):
            diags.warning(appeal_file, line, 1,
                          f"appeal type '{kind.id}' offers no template",
                          f"add '{kind.id}' to 'appeal_types' in a reply's front matter")


def _front_line(template: Template, key: str) -> int:
    """The line of ``key:`` in the front matter (good enough for pointing at it)."""
    for number, line in enumerate(template.text.split("\n")[: template.body_line], start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _check_template(template: Template, kind_ids: list[str], diags: Diagnostics) -> None:
    file = display_path(template.path)
    if template.id != template.path.stem:
        diags.error(file, _front_line(template, "id"), 1,
                    f"id '{template.id}' differs from the file name '{template.path.name}'",
                    f"rename the file to {template.id}.md or set id: {template.path.stem}")
    for kind in template.appeal_types:
        if kind not in kind_ids:
            diags.error(file, _line_of(template, kind, "appeal_types"), 1,
                        f"unknown appeal type '{kind}'",
                        did_you_mean(kind, kind_ids) or f"appeal types are listed in {APPEAL_TYPES_FILE}")
    if not template.appeal_types:
        diags.warning(file, _front_line(template, "appeal_types"), 1,
                      f"template '{template.id}' is reachable from no appeal type",
                      "list the appeal types that offer it under 'appeal_types'")
    if not template.channels:
        diags.error(file, _front_line(template, "channels"), 1, "no channel", "use channels: [letter, reply]")
    _check_body(template, file, diags)
    _check_defaults(template, file, diags)
    if not any(d.path == file for d in diags.errors):
        _trial_render(template, file, diags)
    if "reply" in template.channels:
        for problem in macro_problems(template):
            diags.error(file, problem.line + template.body_line - 1, 1, problem.message, problem.hint)


def _line_of(template: Template, needle: str, key: str) -> int:
    lines = template.text.split("\n")[: template.body_line]
    start = _front_line(template, key)
    for number in range(start, len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return start


def _check_body(template: Template, file: str, diags: Diagnostics) -> None:
    offset = template.body_line - 1
    try:
        ast = ENV.parse(template.body)
        ENV.from_string(ast)  # compiles the tree: unknown filters and tests fail here
    except jinja2.TemplateSyntaxError as exc:
        diags.error(file, (exc.lineno or 1) + offset, 1, f"template syntax: {exc.message}")
        return
    except jinja2.TemplateError as exc:
        diags.error(file, template.body_line, 1, f"template syntax: {exc}")
        return
    used = _check_refs(template, list(references(ast)), file, offset, diags, allow_fill=True)
    for var in template.variables:
        if var.name not in used:
            diags.warning(file, var.line, var.col, f"fill-in variable '{var.name}' is never used in the text",
                          f"use {{{{ fill.{var.name} }}}} in the body or remove the variable")
    for problem in check_markup(template.body):
        diags.error(file, problem.line + offset, 1, problem.message, problem.hint)


def _check_refs(
    template: Template, refs: list[Ref], file: str, offset: int, diags: Diagnostics, allow_fill: bool
) -> set[str]:
    """Report placeholders outside the documented context; returns the fill names used."""
    declared = [v.name for v in template.variables]
    used: set[str] = set()
    for ref in refs:
        line = ref.line + offset
        if ref.root == "channel":
            if ref.attr is not None:
                diags.error(file, line, 1, f"unknown placeholder '{ref.dotted}'",
                            "channel is a plain value: {% if channel == \"reply\" %}…{% endif %}")
        elif ref.root not in ROOTS:
            diags.error(file, line, 1, f"unknown placeholder '{ref.dotted}'",
                        did_you_mean(ref.dotted, [*KNOWN_PATHS, "channel"]) or f"the context is {', '.join(ROOTS)}")
        elif ref.root == "fill":
            if not allow_fill:
                diags.error(file, line, 1, f"a default cannot use '{ref.dotted}'",
                            "defaults may use case, client and staff")
            elif ref.attr is None:
                diags.error(file, line, 1, "'fill' alone is not a placeholder", "use fill.<name>")
            elif ref.attr not in declared:
                diags.error(file, line, 1, f"unknown placeholder 'fill.{ref.attr}'",
                            did_you_mean(ref.attr, declared, prefix="fill.")
                            or "declare it under 'variables:' in the front matter")
            else:
                used.add(ref.attr)
        elif ref.attr is None or ref.attr not in PLACEHOLDERS[ref.root]:
            diags.error(file, line, 1, f"unknown placeholder '{ref.dotted}'",
                        did_you_mean(ref.dotted, KNOWN_PATHS)
                        or "known: " + ", ".join(p for p in KNOWN_PATHS if p.startswith(ref.root)))
    return used


def _check_defaults(template: Template, file: str, diags: Diagnostics) -> None:
    for var in template.variables:
        if var.default is None:
            continue
        try:
            ast = parse_expression(var.default)
            ENV.compile_expression(var.default)
        except jinja2.TemplateError as exc:
            diags.error(file, var.line, var.col, f"default of '{var.name}' is not a valid expression: {exc}",
                        "write an expression such as case.date | add_months(1), or quote a literal: '\"15\"'")
            continue
        _check_refs(template, list(references(ast)), file, var.line - 1, diags, allow_fill=False)


def _trial_render(template: Template, file: str, diags: Diagnostics) -> None:
    """Render with sample data: catches misuse only running shows (a wrong filter argument, a bad default)."""
    every = {v.name: SAMPLE_FILL.get(v.type, "образец") for v in template.variables}
    no_default = {v.name: SAMPLE_FILL.get(v.type, "образец") for v in template.variables if v.default is None}
    try:
        for channel in template.channels:
            render_body(template, SAMPLE_CONTEXT.with_fill(every), channel)
        if len(no_default) < len(every):
            render_body(template, SAMPLE_CONTEXT.with_fill(no_default))
    except RenderError as exc:
        cause = exc.__cause__ or exc
        diags.error(file, template.body_line, 1, f"does not render with sample data: {cause}")
