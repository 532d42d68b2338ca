"""The `render` command's work as one library call: a case in, letter (and PDF) out.

    load_sources → the case (a JSON file, or Omnidesk) → render_letter → write_atomic → convert_to_pdf
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..atomic_file import write_atomic
from ..context import LetterContext
from ..errors import RenderError
from ..model import SourceSet
from ..validate import load_sources
from .pdf import convert_to_pdf
from .provenance import source_commit
from .render import render_letter

MAX_CASE_FILE = 1_000_000  # bytes; a case is a few hundred, anything near this is not a case file


@dataclass(frozen=True)
class RenderedLetter:
    docx: Path
    pdf: Path | None = None


def read_case_file(path: Path) -> LetterContext:
    """The placeholder context from a case JSON file; JSON errors come back with line and column."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CASE_FILE + 1)  # never the whole of a huge file
    except OSError as exc:
        raise RenderError(f"cannot read case file {path}: {exc.strerror}") from exc
    if len(raw) > MAX_CASE_FILE:
        raise RenderError(f"{path}: over {MAX_CASE_FILE} bytes is too large for a case file")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise RenderError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise RenderError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    except (RecursionError, ValueError) as exc:  # nesting too deep, a number of thousands of digits
        raise RenderError(f"{path}: not a case file ({str(exc).split(';')[0]})") from exc
    return LetterContext.from_mapping(data, origin=str(path))


def default_output(template_id: str, case_number: str) -> Path:
    """``<template>_<case>.docx`` in the working directory, with only file-name-safe characters."""
    safe = re.sub(r"[^\w.-]+", "_", f"{template_id}_{case_number}", flags=re.ASCII).strip("._") or "letter"
    return Path(f"{safe[:120]}.docx")


def render_case(
    root: Path,
    template_id: str,
    case_file: Path,
    variables: Mapping[str, str] | None = None,
    out: Path | None = None,
    pdf: bool = False,
) -> RenderedLetter:
    """Render one letter from the templates in ``root`` for the case in ``case_file``."""
    return render_with(root, template_id, lambda _: read_case_file(case_file), variables, out, pdf)


def render_with(
    root: Path,
    template_id: str,
    load_context: Callable[[SourceSet], LetterContext],
    variables: Mapping[str, str] | None = None,
    out: Path | None = None,
    pdf: bool = False,
) -> RenderedLetter:
    """Render one letter for the context ``load_context`` builds (from a file, or from Omnidesk)."""
    sources = load_sources(root)
    template = sources.template(template_id)
    if sources.company is None:
        raise RenderError(f"{root}/company.yaml has no company block; the letterhead cannot be printed")
    ctx = load_context(sources)
    if variables:
        ctx = ctx.with_fill(variables)
    data = render_letter(template, ctx, sources.company, staff=sources.staff,
                         source_commit=source_commit(Path(root)))
    target = out or default_output(template.id, ctx.case.number)
    if target.suffix.lower() != ".docx":
        raise RenderError(f"--out {target}: the letter is a DOCX file; name it *.docx")
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return RenderedLetter(target, convert_to_pdf(target) if pdf else None)
