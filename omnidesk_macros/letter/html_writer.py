"""The letter as an HTML page on the letterhead, and a remote reply as HTML, from the DOCX's own pipeline.

    letter_html(content, company)      the <article> of one A4 page: letterhead, № line, recipient, title,
                                       salutation, opening, body blocks, signature (the same LetterContent
                                       render.py writes into the DOCX)
    LETTER_CSS                         screen and print CSS: @page A4, margins 30/15/20/20 mm as the DOCX,
                                       Times New Roman 12 pt
    letter_page(content, company)      a standalone HTML document (letter_html + LETTER_CSS)
    reply_html(template, ctx)          the remote answer (channel "reply") with every placeholder filled

Every character of text goes through html.escape: a subscriber's name is text, never markup.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from pathlib import Path

from ..context import LetterContext
from ..errors import RenderError
from ..markup import Block, ListBlock, MarkupError, Paragraph, Run, Table, parse_blocks
from ..model import Company, Template
from ..placeholders import render_body
from ..typography import typeset
from .content import LetterContent
from .letterhead import company_lines

LETTER_CSS = """
.letter { font-family: "Times New Roman", "Liberation Serif", Tinos, serif; font-size: 12pt; line-height: 1.15;
  color: #000; background: #fff; box-sizing: border-box; width: 210mm; min-height: 297mm;
  padding: 20mm 15mm 20mm 30mm; margin: 0 auto; }
.letter p { margin: 0; }
.letter .letterhead { display: flex; align-items: center; gap: 4mm; border-bottom: 1.5pt solid #0b549e;
  padding-bottom: 2mm; margin-bottom: 4mm; color: #0b549e; font-size: 9pt; }
.letter .letterhead .logo { width: 28mm; text-align: center; font-weight: bold; font-size: 8pt; }
.letter .letterhead .logo img { height: 22mm; display: block; margin: 0 auto; }
.letter .letterhead .name { font-weight: bold; font-size: 11pt; margin-bottom: 0.7mm; }
.letter .number { margin: 2mm 0 4mm; }
.letter .recipient { margin-left: 85mm; }
.letter .title { font-weight: bold; text-align: center; margin: 6mm 0 4mm; }
.letter .salutation { text-align: center; margin-bottom: 4mm; }
.letter .body p, .letter > p.opening { text-align: justify; text-indent: 12.5mm; margin-bottom: 2mm; }
.letter .body li p { text-indent: 0; margin-bottom: 1mm; }
.letter .body ul, .letter .body ol { margin: 0 0 2mm; padding-left: 12.5mm; text-align: justify; }
.letter .body table { border-collapse: collapse; width: 100%; margin-bottom: 2mm; font-size: 11pt;
  page-break-inside: auto; }
.letter .body th, .letter .body td { border: 0.5pt solid #000; padding: 0.5mm 1.5mm; vertical-align: top;
  text-align: left; }
.letter .body th { background: #e8f1fa; font-weight: bold; }
.letter .body thead { display: table-header-group; }
.letter .body tr { page-break-inside: avoid; }
.letter .signature { display: flex; justify-content: space-between; margin-top: 10mm; page-break-inside: avoid; }
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
@media print {
  .letter { width: auto; min-height: 0; padding: 0; margin: 0; box-shadow: none; }
}
"""


@lru_cache(maxsize=8)
def _text(text: str) -> str:
    """Text as the DOCX prints it: typeset (non-breaking spaces and hyphens, typography.py), then escaped."""
    return escape(typeset(text), quote=False)


def _logo_uri(path: Path, stamp: float) -> str:
    data = path.read_bytes()
    mime = "image/png" if data[:4] == b"\x89PNG" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def logo_uri(company: Company) -> str | None:
    """The logo as a data: URI (the page needs no second request), re-read when the file changes."""
    if company.logo is None:
        return None
    try:
        return _logo_uri(Path(company.logo), Path(company.logo).stat().st_mtime)
    except OSError as exc:
        raise RenderError(f"cannot read the logo {company.logo}: {exc.strerror}") from exc


def _runs(runs: Sequence[Run], force_bold: bool = False) -> str:
    out = []
    for run in runs:
        if run.line_break:
            out.append("<br>")
            continue
        text = _text(run.text)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold and not force_bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


def blocks_html(blocks: Sequence[Block]) -> str:
    """Paragraphs, lists (numbered ones keep their first number) and tables with a header row."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(f"<p>{_runs(block.runs)}</p>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
            items = "".join(f"<li>{blocks_html(item.blocks)}</li>" for item in block.items)
            out.append(f"<{tag}{start}>{items}</{tag}>")
        else:
            out.append(_table(block))
    return "".join(out)


def _table(table: Table) -> str:
    head = ""
    if table.header:
        head = "<thead><tr>" + "".join(f"<th>{_runs(cell, True)}</th>" for cell in table.header) + "</tr></thead>"
    rows = "".join("<tr>" + "".join(f"<td>{_runs(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    return f"<table>{head}<tbody>{rows}</tbody></table>"


def letterhead_html(company: Company) -> str:
    logo = logo_uri(company)
    left = ""
    if logo:
        brand = f"<div>{escape(company.brand)}</div>" if company.brand else ""
        left = f'<div class="logo"><img src="{logo}" alt="{escape(company.short_name)}">{brand}</div>'
    lines = "".join(f"<div>{escape(line)}</div>" for line in company_lines(company))
    return f'<header class="letterhead">{left}<div><div class="name">{escape(company.name)}</div>{lines}</div></header>'


def letter_html(content: LetterContent, company: Company) -> str:
    """One letter as an ``<article class="letter">``: what the DOCX holds, in the same order."""
    recipient = "".join(f"<p>{_text(line)}</p>" for line in content.recipient_lines())
    signer = content.signer
    return (
        f'<article class="letter" lang="ru">{letterhead_html(company)}'
        f'<p class="number">{_text(content.number_line)}</p>'
        f'<div class="recipient">{recipient}</div>'
        f'<p class="title">{_text(content.title)}</p>'
        f'<p class="salutation">{_text(content.salutation)}</p>'
        f'<p class="opening">{_text(content.opening)}</p>'
        f'<div class="body">{blocks_html(content.blocks)}</div>'
        f'<div class="signature"><span>{_text(signer.position)}</span><span>{_text(signer.short_name)}</span></div>'
        "</article>"
    )


def letter_page(content: LetterContent, company: Company) -> str:
    """A standalone HTML document of the letter, ready to print."""
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{escape(content.title)}</title>'
        f"<style>{LETTER_CSS}</style></head><body>{letter_html(content, company)}</body></html>"
    )


def reply_html(template: Template, ctx: LetterContext) -> str:
    """The remote reply (channel "reply") as HTML for Omnidesk's reply box, every placeholder filled."""
    if "reply" not in template.channels:
        raise RenderError(f"template '{template.id}' is not meant for remote replies "
                          f"(channels: {', '.join(template.channels) or 'none'})")
    text = render_body(template, ctx, channel="reply")
    try:
        return blocks_html(parse_blocks(text))
    except MarkupError as exc:
        raise RenderError(f"template '{template.id}' holds Markdown a reply cannot show ({exc}); "
                          "run `omnidesk-macros validate`") from exc
