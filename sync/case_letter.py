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
    """Print template ``template_id`` for the Omnidesk case ``case_ref`` (its number or id).

    The case is fetched before the templates are loaded and checked, so an Omnidesk that is down fails
    at once; an unknown template id still fails before any request, by its file name.
    """
    if not (Path(templates_root) / "replies" / f"{template_id}.md").is_file():
        load_sources(templates_root).template(template_id)  # the SourceError naming the known ids
    case = client.get_case(case_ref)
    sources = load_sources(templates_root)
    sources.template(template_id)
    ctx = context_from_case(client, sources, case)
    return print_letter(sources, template_id, ctx, fill, out, pdf)
