"""Printable replies on the ООО «СКС» letterhead (spec 1.6, 2.4, 2.5, Приложение №2).

    render_letter(template, ctx, company, …) -> bytes     the DOCX, complete or a RenderError
    render_letter_to_file(…, out) -> Path                 the same, written atomically
    convert_to_pdf(docx, pdf=None) -> Path                LibreOffice, headless, own profile, timeout
    read_provenance(docx) -> dict                         which template and wording a copy carries
    source_commit(folder) -> str                          the templates' git commit, for the provenance
"""

from .pdf import convert_to_pdf
from .provenance import read_provenance, source_commit
from .render import render_letter, render_letter_to_file

__all__ = ["convert_to_pdf", "read_provenance", "render_letter", "render_letter_to_file", "source_commit"]
