"""The Markdown subset a letter can hold, parsed into plain blocks that every output shares.

Supported: paragraphs; **bold** and *italic*; hard line breaks; bullet and numbered lists, nested;
pipe tables with a header row, with ``<br>`` for a line break inside a cell. Anything else (headings,
HTML, links, images, code, quotes, rules) is reported with its line, because the DOCX letter and the
Omnidesk reply could not show it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")
_BR_TAGS = {"<br>", "<br/>", "<br />"}
# A line break inside a placeholder's value. The placeholder renderer prints a value's newlines as this character, which
# Markdown treats as text, so a multi-line value can neither end a table row nor start a new block.
LINE_BREAK = "\u2028"


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    line_break: bool = False  # a break before nothing else: text is ""


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class ListItem:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Run, ...], ...]
    rows: tuple[tuple[tuple[Run, ...], ...], ...]


Block = Paragraph | ListBlock | Table


@dataclass(frozen=True)
class MarkupProblem:
    line: int  # 1-based within the parsed text
    message: str
    hint: str | None = None


class MarkupError(Exception):
    """Internal: the text holds Markdown a letter cannot show. Callers wrap it in a domain error."""

    def __init__(self, problems: list[MarkupProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems))
        self.problems = problems


_UNSUPPORTED_BLOCKS = {
    "heading_open": ("a heading", "write the title in front matter 'title', or use **bold** text"),
    "blockquote_open": ("a block quote", "remove the leading '>'"),
    "code_block": ("an indented code block", "remove the leading spaces (4 or more start code)"),
    "fence": ("a code block", "remove the ``` fence"),
    "html_block": ("HTML", "write Markdown instead; only <br> inside table cells is allowed"),
    "hr": ("a horizontal rule", "remove the line of dashes or stars"),
}
_UNSUPPORTED_INLINE = {
    "link_open": ("a link", "write the address as plain text, e.g. www.samcomsys.ru"),
    "image": ("an image", "letters carry only the letterhead logo"),
    "code_inline": ("inline code", "remove the backticks"),
}


def parse_blocks(text: str) -> list[Block]:
    """Blocks of a rendered body; raises MarkupError listing every unsupported construct."""
    problems: list[MarkupProblem] = []
    tokens = _MD.parse(text)
    blocks, _ = _blocks(tokens, 0, len(tokens), problems)
    if problems:
        raise MarkupError(problems)
    return blocks


def check_markup(text: str) -> list[MarkupProblem]:
    """Every unsupported construct in ``text``, for validation; empty when the letter can show it."""
    try:
        parse_blocks(text)
    except MarkupError as exc:
        return exc.problems
    return []


def plain_text(blocks: list[Block]) -> str:
    """The words of the blocks, a line per paragraph, list item or table row (tests, search, notes)."""
    lines: list[str] = []
    for block in blocks:
        _plain(block, lines)
    return "\n".join(lines)


def _plain(block: Block, lines: list[str]) -> None:
    if isinstance(block, Paragraph):
        lines.append(_runs_text(block.runs))
    elif isinstance(block, ListBlock):
        for item in block.items:
            for sub in item.blocks:
                _plain(sub, lines)
    else:
        for row in (block.header, *block.rows):
            lines.append("\t".join(_runs_text(cell) for cell in row))


def _runs_text(runs: tuple[Run, ...]) -> str:
    return "".join("\n" if r.line_break else r.text for r in runs)


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0


def _close_index(tokens: list[Token], start: int) -> int:
    """Index of the token closing the one at ``start`` (same level, matching nesting)."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def _blocks(tokens: list[Token], start: int, end: int, problems: list[MarkupProblem]) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    index = start
    last_line = 1
    while index < end:
        token = tokens[index]
        last_line = _line(token) or last_line
        if token.type == "paragraph_open":
            inline = tokens[index + 1]
            blocks.append(Paragraph(_inline(inline, last_line, problems, in_cell=False)))
            index = _close_index(tokens, index) + 1
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            close = _close_index(tokens, index)
            blocks.append(_list(tokens, index, close, problems))
            index = close + 1
        elif token.type == "table_open":
            close = _close_index(tokens, index)
            blocks.append(_table(tokens, index, close, problems))
            index = close + 1
        elif token.type in _UNSUPPORTED_BLOCKS:
            what, hint = _UNSUPPORTED_BLOCKS[token.type]
            problems.append(MarkupProblem(last_line, f"{what} cannot be shown in a letter", hint))
            index = _close_index(tokens, index) + 1 if token.nesting == 1 else index + 1
        else:
            index += 1
    return blocks, index


def _list(tokens: list[Token], open_index: int, close: int, problems: list[MarkupProblem]) -> ListBlock:
    opener = tokens[open_index]
    ordered = opener.type == "ordered_list_open"
    start = int(opener.attrGet("start") or 1) if ordered else 1
    items: list[ListItem] = []
    index = open_index + 1
    while index < close:
        if tokens[index].type == "list_item_open":
            item_close = _close_index(tokens, index)
            inner, _ = _blocks(tokens, index + 1, item_close, problems)
            items.append(ListItem(tuple(inner)))
            index = item_close + 1
        else:
            index += 1
    return ListBlock(ordered, tuple(items), start)


def _table(tokens: list[Token], open_index: int, close: int, problems: list[MarkupProblem]) -> Table:
    header: list[tuple[Run, ...]] = []
    rows: list[tuple[tuple[Run, ...], ...]] = []
    current: list[tuple[Run, ...]] = []
    in_head = False
    for token in tokens[open_index:close]:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            current = []
        elif token.type == "inline":
            current.append(_inline(token, _line(token), problems, in_cell=True))
        elif token.type == "tr_close":
            if in_head:
                header = current
            else:
                rows.append(tuple(current))
    return Table(tuple(header), tuple(rows))


def _inline(token: Token, line: int, problems: list[MarkupProblem], in_cell: bool) -> tuple[Run, ...]:
    runs: list[Run] = []
    bold = italic = False
    line = _line(token) or line
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            for index, piece in enumerate(child.content.split(LINE_BREAK)):
                if index:
                    runs.append(Run("", line_break=True))
                if piece:
                    runs.append(Run(piece, bold, italic))
        elif kind == "softbreak":
            runs.append(Run(" ", bold, italic))
            line += 1
        elif kind == "hardbreak":
            runs.append(Run("", line_break=True))
            line += 1
        elif kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "html_inline" and in_cell and child.content.strip().lower() in _BR_TAGS:
            runs.append(Run("", line_break=True))
        elif kind == "html_inline":
            hint = "<br> works only inside table cells; end the line with \\ for a line break"
            problems.append(MarkupProblem(line, f"HTML '{child.content}' cannot be shown in a letter", hint))
        elif kind in _UNSUPPORTED_INLINE:
            what, hint = _UNSUPPORTED_INLINE[kind]
            problems.append(MarkupProblem(line, f"{what} cannot be shown in a letter", hint))
        elif kind in ("link_close",):
            continue
    return _merge(runs)


def _merge(runs: list[Run]) -> tuple[Run, ...]:
    """Join neighbouring runs of the same style: fewer, longer runs make smaller, faster DOCX."""
    merged: list[Run] = []
    for run in runs:
        prev = merged[-1] if merged else None
        if (
            prev and not prev.line_break and not run.line_break
            and (prev.bold, prev.italic) == (run.bold, run.italic)
        ):
            merged[-1] = Run(prev.text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    return tuple(merged)
