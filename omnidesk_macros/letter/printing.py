"""Printing one letter to a file: the `render` command's work as library calls a web handler can use too.

    print_letter(sources, template_id, ctx, fill, out, pdf)            a context in, DOCX (and PDF) out
    print_letter_for_case_file(root, template_id, case_file, …)        the same for a case JSON file

    load_sources → the context → render_letter → write_atomic → convert_to_pdf

Bad input (a case file that is no case, missing or wrong data) is a CaseDataError; an output that cannot
be written is a RenderError naming the folder; a failed PDF is a ConversionError saying where the DOCX is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..atomic_file import write_atomic
from ..context import LetterContext
from ..errors import CaseDataError, ConversionError, RenderError
from ..model import SourceSet
from ..validate import load_sources
from .pdf import convert_to_pdf
from .provenance import source_commit
from .render import render_letter

MAX_CASE_FILE = 1_000_000  # bytes; a case is a few hundred, anything near this is not a case file


@dataclass(frozen=True)
class PrintedLetter:
    """What was printed, and where."""

    docx: Path
    pdf: Path | None
    template_id: str
    template_title: str
    case_number: str


def read_case_file(path: Path) -> LetterContext:
    """The placeholder context from a case JSON file; JSON errors come back with line and column."""
    origin = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CASE_FILE + 1)  # never the whole of a huge file
    except OSError as exc:
        raise CaseDataError(f"cannot read case file {path}: {exc.strerror}", origin=origin) from exc
    if len(raw) > MAX_CASE_FILE:
        raise CaseDataError(f"{path}: over {MAX_CASE_FILE} bytes is too large for a case file", origin=origin)
    try:
        # NaN and Infinity parse as floats, so that the context names the field holding each, with every
        # other problem of the file
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CaseDataError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8", origin=origin) from exc
    except json.JSONDecodeError as exc:
        raise CaseDataError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}", origin=origin) from exc
    except (RecursionError, ValueError) as exc:  # too deep, or a number of thousands of digits
        raise CaseDataError(f"{path}: not a case file ({str(exc).split(';')[0]})", origin=origin) from exc
    return LetterContext.from_mapping(data, origin=origin)


def default_output(template_id: str, case_number: str) -> Path:
    """``<template>_<case>.docx`` in the working directory, with only file-name-safe characters."""
    safe = re.sub(r"[^\w.-]+", "_", f"{template_id}_{case_number}", flags=re.ASCII).strip("._") or "letter"
    return Path(f"{safe[:120]}.docx")


def check_output(target: Path) -> None:
    """Fail before rendering when the letter could not be written: the folder must exist already."""
    if target.suffix.lower() != ".docx":
        raise RenderError(f"{target}: the letter is a DOCX file; name it *.docx")
    folder = target.parent
    if not folder.exists():
        raise RenderError(f"cannot write {target}: the folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise RenderError(f"cannot write {target}: {folder} is a file, not a folder")


def print_letter(
    sources: SourceSet,
    template_id: str,
    ctx: LetterContext,
    fill: Mapping[str, str] | None = None,
    out: Path | None = None,
    pdf: bool = False,
) -> PrintedLetter:
    """Render one letter for ``ctx`` (plus ``fill`` values) and write it to ``out`` (default: beside us)."""
    template = sources.template(template_id)
    if sources.company is None:
        raise RenderError(f"{sources.root}/company.yaml has no company block; the letterhead cannot be printed")
    if fill:
        ctx = ctx.with_fill(fill)
    target = out or default_output(template.id, ctx.case.number)
    check_output(target)
    data = render_letter(template, ctx, sources.company, staff=sources.staff,
                         source_commit=source_commit(sources.root))
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
    pdf_path = None
    if pdf:
        try:
            pdf_path = convert_to_pdf(target)
        except ConversionError as exc:
            raise ConversionError(f"{exc}. The DOCX is written: {target}", docx=target) from exc
    return PrintedLetter(target, pdf_path, template.id, template.title, ctx.case.number)


def print_letter_for_case_file(
    templates_root: Path,
    template_id: str,
    case_file: Path,
    fill: Mapping[str, str] | None = None,
    out: Path | None = None,
    pdf: bool = False,
) -> PrintedLetter:
    """Render one letter from the templates in ``templates_root`` for the case in ``case_file``."""
    sources = load_sources(templates_root)
    return print_letter(sources, template_id, read_case_file(case_file), fill, out, pdf)
