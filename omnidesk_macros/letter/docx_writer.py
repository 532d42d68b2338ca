"""Blocks of a letter as WordprocessingML, written as strings.

Building XML by string is what makes a letter take a millisecond instead of the tens a DOM costs, so
every character of text passes through :func:`esc`: XML-forbidden characters are dropped (context.py
already removed them; this is the second lock) and ``& < >`` escaped. Nothing else writes text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..markup import Block, ListBlock, Paragraph, Run, Table

# Characters XML 1.0 cannot hold, plus tabs and line ends, which Word would otherwise treat as spaces anyway.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile("[\t\n\r]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})

# The page in twips (A4; margins 30 mm left, 15 mm right, 20 mm top and bottom; headers 10 mm from the edge).
PAGE_W, PAGE_H = 11906, 16838
LEFT, RIGHT, TOP, BOTTOM, HEADER = 1701, 850, 1134, 1134, 567
TEXT_WIDTH = PAGE_W - LEFT - RIGHT
LIST_INDENT = 709  # twips per list level (1.25 cm, the Russian paragraph indent)
HANGING = 357  # twips from a list number to its text
MAX_LIST_LEVEL = 2  # numbering.xml defines levels 0–2; deeper lists print at level 2
MIN_COLUMN = 680  # 1.2 cm: the narrowest a table column gets (a «№» column)


def esc(text: str) -> str:
    """Text safe inside an element or a double-quoted attribute."""
    return _WHITESPACE.sub(" ", _NOT_XML.sub("", text)).translate(_ESCAPES)


def text_run(text: str, *, bold: bool = False, italic: bool = False) -> str:
    props = ("<w:b/><w:bCs/>" if bold else "") + ("<w:i/><w:iCs/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'


def runs_xml(runs: Sequence[Run], force_bold: bool = False) -> str:
    out = []
    for run in runs:
        if run.line_break:
            out.append("<w:r><w:br/></w:r>")
        elif run.text:
            out.append(text_run(run.text, bold=run.bold or force_bold, italic=run.italic))
    return "".join(out)


def paragraph(content: str, style: str | None = None, ppr: str = "") -> str:
    """A ``<w:p>`` with an optional paragraph style and extra properties (already XML)."""
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    props = f"<w:pPr>{style_xml}{ppr}</w:pPr>" if style_xml or ppr else ""
    return f"<w:p>{props}{content}</w:p>"


@dataclass
class BodyWriter:
    """Turns blocks into body XML, collecting the list instances numbering.xml must declare."""

    parts: list[str] = field(default_factory=list)
    # (numId, abstractNumId, level, start) for every list; each gets its own w:num so it restarts.
    lists: list[tuple[int, int, int, int]] = field(default_factory=list)

    def blocks(self, blocks: Sequence[Block], depth: int = 0) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                style = "LetterBody" if depth == 0 else "ListContinue"
                ppr = self._indent(depth) if depth else ""
                self.parts.append(paragraph(runs_xml(block.runs), style, ppr))
            elif isinstance(block, ListBlock):
                self.list_block(block, depth)
            else:
                self.table(block, depth)

    def list_block(self, block: ListBlock, depth: int) -> None:
        level = min(depth, MAX_LIST_LEVEL)
        num_id = len(self.lists) + 1
        self.lists.append((num_id, 2 if block.ordered else 1, level, block.start))
        numbering = f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
        for item in block.items:
            first = True
            for sub in item.blocks:
                if first and isinstance(sub, Paragraph):
                    self.parts.append(paragraph(runs_xml(sub.runs), "ListParagraph", numbering))
                else:
                    if first:  # an item that starts with a list or table still shows its number
                        self.parts.append(paragraph("", "ListParagraph", numbering))
                    self.blocks([sub], depth + 1)
                first = False
            if not item.blocks:
                self.parts.append(paragraph("", "ListParagraph", numbering))

    @staticmethod
    def _indent(depth: int) -> str:
        """A paragraph inside a list item starts where the item's text does, under no number."""
        return f'<w:ind w:left="{text_indent(depth)}" w:firstLine="0"/>'

    def table(self, table: Table, depth: int = 0) -> None:
        rows = [list(table.header), *[list(r) for r in table.rows]] if table.header else [list(r) for r in table.rows]
        ncols = max((len(r) for r in rows), default=0)
        if ncols == 0:
            return
        indent = text_indent(depth) if depth else 0
        widths = column_widths(rows, ncols, TEXT_WIDTH - indent)
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        out = [
            '<w:tbl><w:tblPr><w:tblStyle w:val="LetterTable"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblInd w:w="{indent}" w:type="dxa"/>'
            '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
        ]
        for index, row in enumerate(rows):
            header = index == 0 and bool(table.header)
            trpr = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
            cells = []
            for col in range(ncols):
                runs = row[col] if col < len(row) else ()
                shade = '<w:shd w:val="clear" w:color="auto" w:fill="E8F1FA"/>' if header else ""
                cells.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{widths[col]}" w:type="dxa"/>{shade}</w:tcPr>'
                    + paragraph(runs_xml(runs, force_bold=header), "TableText")
                    + "</w:tc>"
                )
            out.append(f"<w:tr>{trpr}{''.join(cells)}</w:tr>")
        out.append("</w:tbl>")
        self.parts.append("".join(out))
        # Word needs a paragraph between two tables and after a table that ends a cell or list item.
        self.parts.append(paragraph("", "TableAfter"))

    def keep_with_next(self) -> None:
        """Keep the last paragraph on the page of what follows, so a signature never stands alone."""
        last = self.parts[-1]
        if last.startswith("<w:p><w:pPr><w:pStyle "):
            end = last.index("/>") + 2  # right after w:pStyle, where CT_PPrBase puts w:keepNext
            self.parts[-1] = f"{last[:end]}<w:keepNext/>{last[end:]}"

    def xml(self) -> str:
        return "".join(self.parts)


def text_indent(depth: int) -> int:
    """Left indent of the text of a list item at nesting ``depth`` ≥ 1 (level depth-1 in numbering.xml)."""
    return LIST_INDENT * min(depth, MAX_LIST_LEVEL + 1) + HANGING


def column_widths(rows: Sequence[Sequence[Sequence[Run]]], ncols: int, total: int) -> list[int]:
    """Widths in twips that share ``total`` by how much text each column holds, none under MIN_COLUMN while they fit."""
    weights = []
    for col in range(ncols):
        longest = max(
            (sum(len(r.text) for r in row[col]) for row in rows if col < len(row)), default=0
        )
        weights.append(min(max(longest, 4), 60) ** 0.8)  # damped: long columns wrap instead of starving short ones
    floor = min(MIN_COLUMN, total // ncols)
    spare = total - floor * ncols
    widths = [floor + int(spare * w / sum(weights)) for w in weights]
    widths[-1] += total - sum(widths)
    return widths
