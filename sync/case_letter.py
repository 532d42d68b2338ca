"""Printing a letter for an Omnidesk case: `render --case` and the print service as one call.

    load_sources → context_from_case (the case, its subscriber, the live custom fields) → print_letter
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from omnidesk_macros.letter.printing import PrintedLetter, print_letter
from omnidesk_macros.validate import load_sources

from .case_context import context_from_case
from .client import Client


def render_case_letter(
    client: Client,
    templates_root: Path,
    template_id: str,
    case_ref: str,
    fill: Mapping[str, str] | None = None,
    out: Path | None = None,
    pdf: bool = False,
) -> PrintedLetter:
    """Print template ``template_id`` for the Omnidesk case ``case_ref`` (its number or id)."""
    sources = load_sources(templates_root)
    sources.template(template_id)  # an unknown id fails before any request
    ctx = context_from_case(client, sources, case_ref)
    return print_letter(sources, template_id, ctx, fill, out, pdf)
