"""Reading letters back as a person would: paragraphs, tables, header text, properties; never bytes."""

from __future__ import annotations

import copy
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from omnidesk_macros.model import Template, Variable
from tests.helpers import REPO

LOGO = REPO / "templates_src" / "assets" / "logo.png"

CASE: dict[str, Any] = {
    "case": {"number": "664-245651", "date": "2026-11-27"},
    "client": {
        "full_name": "Иванов Петр Петрович",
        "address": "443000, г. Самара, ул. Примерная, д. 1, кв. 1",
        "account": "0000000001",
        "email": "ivanov@example.com",
    },
    "staff": {"full_name": "Самарина Наталья Николаевна", "position": "Начальник отдела продаж населению"},
    "fill": {},
}


def case_data(**sections: dict[str, Any]) -> dict[str, Any]:
    """The sample case with some fields replaced: ``case_data(client={"email": ""})``."""
    data = copy.deepcopy(CASE)
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return data


def make_template(body: str, *, id: str = "sample", variables: tuple[Variable, ...] = (),
                  channels: tuple[str, ...] = ("letter", "reply")) -> Template:
    text = f"---\nid: {id}\n---\n{body}"
    return Template(id=id, title=f"Шаблон {id}", appeal_types=("other",), channels=channels,
                    variables=variables, body=body, path=Path(f"{id}.md"), body_line=4, text=text)


def plain(text: str) -> str:
    """Text with the typesetting's non-breaking spaces as plain ones, to compare with the sources' words."""
    return text.replace("\u00a0", " ")


@dataclass
class LetterText:
    paragraphs: list[str]  # the body's paragraphs, in order, tables left out; non-breaking spaces plain
    styles: list[str]  # the style name of each paragraph
    tables: list[list[list[str]]]  # body tables: rows of cell texts
    header: list[str]  # the first-page header's non-empty lines
    document: Any = field(repr=False)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def after(self, label: str) -> str:
        """The text of the first paragraph starting with ``label``."""
        return next(p for p in self.paragraphs if p.startswith(label))


def xml_parts(data: bytes) -> dict[str, Any]:
    """Every XML part of the package, parsed strictly: python-docx never reads docProps/custom.xml."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith((".xml", ".rels"))}


def read_letter(data: bytes | Path) -> LetterText:
    raw = data.read_bytes() if isinstance(data, Path) else data
    document = docx.Document(io.BytesIO(raw))
    paragraphs, styles, tables = [], [], []
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            paragraphs.append(plain(item.text))
            styles.append(item.style.name if item.style is not None else "")
        elif isinstance(item, DocxTable):
            tables.append([[plain(cell.text) for cell in row.cells] for row in item.rows])
    section = document.sections[0]
    header_parts = [p.text for p in section.first_page_header.paragraphs]
    for table in section.first_page_header.tables:
        header_parts += [cell.text for row in table.rows for cell in row.cells]
    header = [plain(line) for part in header_parts for line in part.split("\n") if line]
    return LetterText(paragraphs, styles, tables, header, document)
