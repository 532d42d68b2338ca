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
from ..typography import NB_HYPHEN, typeset

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
MIN_COLUMN = 397  # 0.7 cm: the narrowest a table column gets
CHAR_WIDTH = 130  # twips per character of Times New Roman 12 pt, bold header included, with a margin
CELL_PADDING = 2 * 85 + 60  # the table style's left and right cell margins, and a little air


def esc(text: str) -> str:
    """Text safe inside an element or a double-quoted attribute."""
    return _WHITESPACE.sub(" ", _NOT_XML.sub("", text)).translate(_ESCAPES)


_NB_HYPHEN_XML = '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'


def text_run(text: str, *, bold: bool = False, italic: bool = False) -> str:
    """One run of text, typeset (non-breaking spaces and hyphens, see typography.py) and escaped."""
    props = ("<w:b/><w:bCs/>" if bold else "") + ("<w:i/><w:iCs/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    content = esc(typeset(text)).replace(NB_HYPHEN, _NB_HYPHEN_XML)
    return f'<w:r>{rpr}<w:t xml:space="preserve">{content}</w:t></w:r>'


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
    """Widths in twips that share ``total``: each column gets at least its longest word (so «онлайн-оплата»
    never breaks), a column whose whole content fits in that («№», «10») gets no more, and the rest of the
    width goes to the columns with longer text, in proportion to how much more they hold."""
    longest_text, longest_word = [0] * ncols, [0] * ncols
    for row in rows:
        for col in range(min(ncols, len(row))):
            text = "".join(r.text for r in row[col])
            longest_text[col] = max(longest_text[col], len(text))
            longest_word[col] = max([longest_word[col], *(len(w) for w in text.split())])
    least = [max(MIN_COLUMN, word * CHAR_WIDTH + CELL_PADDING) for word in longest_word]
    natural = [max(lo, min(text, 60) * CHAR_WIDTH + CELL_PADDING) for lo, text in zip(least, longest_text, strict=True)]
    if sum(least) > total:  # words too long for the page: share by need, as well as it goes
        widths = [total * lo // sum(least) for lo in least]
    else:
        wants = [n - lo for n, lo in zip(natural, least, strict=True)]
        spare = total - sum(least)
        if sum(wants) == 0:
            wants = [1] * ncols
        widths = [lo + spare * w // sum(wants) for lo, w in zip(least, wants, strict=True)]
    widths[-1] += total - sum(widths)
    return widths
