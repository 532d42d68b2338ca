"""One printable reply: template + case → a DOCX on the letterhead, complete or not at all.

    check   every datum the letter and the template need, all missing ones reported at once
    body    placeholders.prepare (once, with the check) → placeholders.render_prepared → markup.parse_blocks
            (values arrive Markdown-escaped)
    compose № line, recipient block, title, salutation, opening, body, signature (Приложение №2) as a
            LetterContent (content.py), which the HTML writer prints too
    package the cached letterhead parts + this letter's document, numbering and properties

Without an outgoing number the «№» line carries the appeal's own number and date, so the printed
«№ 664-245651 от 27.11.2026 г.» ties the paper to the Omnidesk case; with one (the print service's
registry) it carries that number and the letter's date, and the appeal's stays in the opening sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from .. import russian
from ..atomic_file import write_atomic
from ..context import PLACEHOLDERS, LetterContext
from ..errors import CaseDataError, DataProblem, RenderError
from ..markup import Block, MarkupError, parse_blocks
from ..model import Company, Signatory, Template
from ..placeholders import Prepared, prepare, render_prepared
from .content import TITLE, LetterContent, Outgoing, letter_content
from .docx_writer import BodyWriter, paragraph, text_run
from .letterhead import SECTION, W_NS, XML_DECL, letterhead_for, numbering_xml
from .provenance import core_xml, custom_xml
from .zip_writer import dynamic_part, write_zip

# What the letter itself prints besides the template body (spec 2.5): without these it is no reply.
LETTER_FIELDS = (("case", "number"), ("case", "date"), ("client", "full_name"), ("client", "address"), ("client", "account"))


def _missing(root: str, attr: str, issue: str | None = None) -> DataProblem:
    label = PLACEHOLDERS[root][attr][0]
    return DataProblem(f"{root}.{attr}", label) if issue is None else DataProblem(f"{root}.{attr}", label, issue)


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", name).casefold().replace("ё", "е")


def resolve_signatory(
    ctx: LetterContext, signatory: Signatory | None, staff: Sequence[Signatory]
) -> tuple[Signatory | None, list[DataProblem]]:
    """Who signs (spec 2.4: the employee who received the subscriber), or the data that is missing.

    The short name comes from staff.full_name; the position from the case, else from the company.yaml
    entry with the same short or full name.
    """
    if signatory is not None:
        return signatory, []
    if not ctx.staff.full_name:
        return None, [_missing("staff", "full_name")]
    short = russian.short_name(ctx.staff.full_name)
    position = ctx.staff.position
    if not position:
        wanted = {_name_key(short), _name_key(ctx.staff.full_name)}
        match = next((s for s in staff if {_name_key(s.short_name), _name_key(s.full_name)} & wanted), None)
        if match is None:
            return None, [_missing("staff", "position", "is not in the case, and no company.yaml staff entry matches")]
        position = match.position
    return Signatory(short, position, ctx.staff.full_name), []


def check_letter(template: Template, ctx: LetterContext, signatory: Signatory | None,
                 staff: Sequence[Signatory]) -> tuple[Signatory, Prepared]:
    """The signatory and the prepared body, or one CaseDataError naming every datum the letter and the
    template lack and every value that is wrong."""
    if "letter" not in template.channels:
        raise RenderError(f"template '{template.id}' is not meant for printed letters "
                          f"(channels: {', '.join(template.channels) or 'none'})")
    problems = [_missing(root, attr) for root, attr in LETTER_FIELDS if not getattr(getattr(ctx, root), attr)]
    signer, missing_signer = resolve_signatory(ctx, signatory, staff)
    problems += missing_signer
    prepared = prepare(template, ctx)
    problems += [p for p in prepared.missing_context if p not in problems] + prepared.fill_problems
    if problems or signer is None:
        raise CaseDataError.of(problems, ctx.origin, f"letter '{template.id}'")
    return signer, prepared


def body_blocks(template: Template, ctx: LetterContext, prepared: Prepared) -> list[Block]:
    text = render_prepared(prepared, ctx)
    try:
        return parse_blocks(text)
    except MarkupError as exc:
        raise RenderError(f"template '{template.id}' holds Markdown a letter cannot show ({exc}); "
                          "validate the templates") from exc


def compose_letter(
    template: Template,
    ctx: LetterContext,
    *,
    signatory: Signatory | None = None,
    staff: Sequence[Signatory] = (),
    outgoing: Outgoing | None = None,
) -> LetterContent:
    """Everything the letter says, checked (a RenderError names every gap); the DOCX and HTML print it."""
    signer, prepared = check_letter(template, ctx, signatory, staff)
    return letter_content(ctx, signer, body_blocks(template, ctx, prepared), outgoing)


def document_xml(content: LetterContent) -> tuple[str, str]:
    """word/document.xml and word/numbering.xml of one letter."""
    writer = BodyWriter()
    writer.parts.append(paragraph(text_run(content.number_line), "OutgoingNumber"))
    writer.parts += [paragraph(text_run(line), "Recipient") for line in content.recipient_lines()]
    writer.parts.append(paragraph(text_run(content.title), "LetterTitle"))
    writer.parts.append(paragraph(text_run(content.salutation), "Salutation"))
    writer.parts.append(paragraph(text_run(content.opening), "LetterBody"))
    writer.blocks(content.blocks)
    writer.keep_with_next()
    signer = content.signer
    signature = text_run(signer.position) + "<w:r><w:tab/></w:r>" + text_run(signer.short_name)
    writer.parts.append(paragraph(signature, "Signature"))
    document = f"{XML_DECL}<w:document {W_NS}><w:body>{writer.xml()}{SECTION}</w:body></w:document>"
    return document, numbering_xml(writer.lists)


def render_letter(
    template: Template,
    ctx: LetterContext,
    company: Company,
    *,
    signatory: Signatory | None = None,
    staff: Sequence[Signatory] = (),
    source_commit: str | None = None,
    created: datetime | None = None,
    outgoing_number: str | None = None,
    outgoing_date: date | None = None,
) -> bytes:
    """The DOCX bytes of the reply, or a RenderError; never a letter with a hole in it.

    ``outgoing_number`` (the registry's, e.g. «СКС-2026/000123») replaces the appeal number on the «№»
    line, dated ``outgoing_date`` (default: today); None keeps the appeal's number and date there.
    """
    outgoing = Outgoing(outgoing_number, outgoing_date or date.today()) if outgoing_number else None
    content = compose_letter(template, ctx, signatory=signatory, staff=staff, outgoing=outgoing)
    return docx_bytes(template, ctx, content, company, source_commit=source_commit, created=created)


def docx_bytes(template: Template, ctx: LetterContext, content: LetterContent, company: Company, *,
               source_commit: str | None = None, created: datetime | None = None) -> bytes:
    """The DOCX package of composed content (the print service composes once and writes DOCX and HTML)."""
    document, numbering = document_xml(content)
    properties = {
        "template_id": template.id,
        "template_sha256": template.text_hash,
        "source_commit": source_commit or "",
        "case_number": ctx.case.number,
    }
    core = core_xml(f"{TITLE} № {ctx.case.number}", template.title, f"omnidesk-macros {template.id}", created)
    letterhead = letterhead_for(company)
    return write_zip((
        *letterhead.head,
        dynamic_part("word/document.xml", document),
        dynamic_part("word/numbering.xml", numbering),
        *letterhead.shared,
        dynamic_part("docProps/core.xml", core),
        dynamic_part("docProps/custom.xml", custom_xml(properties)),
    ))


def render_letter_to_file(
    template: Template,
    ctx: LetterContext,
    company: Company,
    out: Path,
    *,
    signatory: Signatory | None = None,
    staff: Sequence[Signatory] = (),
    source_commit: str | None = None,
) -> Path:
    """render_letter, written atomically to ``out``."""
    data = render_letter(template, ctx, company, signatory=signatory, staff=staff, source_commit=source_commit)
    return write_atomic(out, data)
