"""Reply text as Omnidesk HTML, and the canonical form two HTML texts are compared in.

:func:`blocks_to_html` writes the blocks of :mod:`markup` (the same parse the DOCX letter uses) as the HTML a
macro or a knowledge-base article carries. :func:`canonical_html` reduces an HTML text to what a reader
sees, so that the rewrites a rich-text editor or the server makes — ``<br>``/``<br />``, ``<b>``/``<strong>``,
entities, a wrapping ``<p>``, spaces and line breaks between tags, ``&nbsp;`` — compare equal, while a
changed word, a removed bold, a new list item or a different table cell do not.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from .markup import Block, ListBlock, Paragraph, Run

_SPACES = re.compile(r"[ \t\r\n\u00a0\u2028\u2029]+")


def blocks_to_html(blocks: list[Block]) -> str:
    """The blocks as HTML: ``<p>``, ``<strong>``, ``<em>``, ``<br>``, ``<ul>``/``<ol>``, ``<table>``."""
    return "\n".join(_block(block) for block in blocks)


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{_runs(block.runs)}</p>"
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        items = "".join(f"<li>{_item(item.blocks)}</li>" for item in block.items)
        return f"<{tag}{start}>{items}</{tag}>"
    head = "".join(f"<th>{_runs(cell)}</th>" for cell in block.header)
    rows = "".join("<tr>" + "".join(f"<td>{_runs(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _item(blocks: tuple[Block, ...]) -> str:
    # a tight list item is one paragraph: write its text bare, as editors do, and nested lists after it
    return "".join(_runs(b.runs) if isinstance(b, Paragraph) else _block(b) for b in blocks)


def _runs(runs: tuple[Run, ...]) -> str:
    out: list[str] = []
    for run in runs:
        if run.line_break:
            out.append("<br>")
            continue
        text = html.escape(run.text, quote=False)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        out.append(text)
    return "".join(out)


# ---------------------------------------------------------------------------------------------- comparing

#: tags that differ only in spelling
_SYNONYMS = {"b": "strong", "i": "em"}
#: tags that carry structure; a paragraph boundary next to one of them adds nothing (thead and tbody only
#: group rows, and editors add or drop them, so they are not kept)
_STRUCTURE = {"ul", "ol", "li", "table", "tr", "td", "th"}
#: tags kept in the canonical form; everything else (span, font, div wrappers…) is dropped, its text kept
_KEPT = {"strong", "em", "u", "s", "br", "p", *_STRUCTURE}
#: tags kept with the one attribute a reader notices: where a link goes, which picture shows
_KEPT_WITH = {"a": "href", "img": "src"}
_PARA = "\x00P"


class _Canon(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, closing=False, attrs=attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, closing=False, attrs=attrs)

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag, closing=True, attrs=[])

    def _tag(self, tag: str, *, closing: bool, attrs: list[tuple[str, str | None]]) -> None:
        tag = _SYNONYMS.get(tag.lower(), tag.lower())
        if tag in ("p", "div"):
            self.tokens.append(_PARA)
        elif tag == "br":
            if not closing:
                self.tokens.append("<br>")
        elif tag in _KEPT_WITH:
            if not closing:
                value = html.escape((dict(attrs).get(_KEPT_WITH[tag]) or "").strip())
                self.tokens.append(f'<{tag} {_KEPT_WITH[tag]}="{value}">')
            elif tag == "a":
                self.tokens.append("</a>")
        elif tag in _KEPT:
            start = dict(attrs).get("start") if tag == "ol" and not closing else None
            suffix = f' start="{start}"' if start not in (None, "1") else ""
            self.tokens.append(f"</{tag}>" if closing else f"<{tag}{suffix}>")

    def handle_data(self, data: str) -> None:
        self.tokens.append(html.escape(data, quote=False))


def canonical_html(text: str) -> str:
    """The reader-visible form of an HTML text: equal for editor rewrites, different for real changes."""
    parser = _Canon()
    parser.feed(text)
    parser.close()
    merged: list[str] = []
    for token in parser.tokens:
        if token.startswith("<") or token == _PARA:
            merged.append(token)
        elif merged and not (merged[-1].startswith("<") or merged[-1] == _PARA):
            merged[-1] += token
        else:
            merged.append(token)
    out: list[str] = []
    for token in merged:
        if token.startswith("<") or token == _PARA:
            out.append(token)
            continue
        text_ = _SPACES.sub(" ", token)
        if text_.strip():
            out.append(text_)
        elif out and out[-1] not in (_PARA, "<br>") and not _is_structure(out[-1]):
            out.append(" ")  # a space between two inline runs is visible; between blocks it is not
    return _join(_drop_empty_inline(_breaks(out)))


def _breaks(tokens: list[str]) -> list[str]:
    """Two or more ``<br>`` in a row are a paragraph break (how editors without ``<p>`` write one); a lone
    ``<br>`` at the edge of a paragraph or a cell shows nothing."""
    out: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index] != "<br>":
            out.append(tokens[index])
            index += 1
            continue
        end, count = index, 0
        while end < len(tokens) and tokens[end] in ("<br>", " "):
            count += tokens[end] == "<br>"
            end += 1
        following = tokens[end] if end < len(tokens) else _PARA
        at_edge = not out or out[-1] == _PARA or _is_structure(out[-1]) or following == _PARA \
            or _is_structure(following)
        if count >= 2:
            out.append(_PARA)
        elif not at_edge:
            out.append("<br>")
        index = end
    return out


def _is_structure(token: str) -> bool:
    name = token.strip("</>").split(" ")[0]
    return name in _STRUCTURE


def _drop_empty_inline(tokens: list[str]) -> list[str]:
    """``<strong></strong>`` and the like show nothing; editors leave them behind."""
    out: list[str] = []
    for token in tokens:
        if out and token.startswith("</") and not _is_structure(token) and out[-1] == token.replace("/", "", 1):
            out.pop()
            continue
        out.append(token)
    return out


def _join(tokens: list[str]) -> str:
    """Paragraph boundaries become one ``¶``; none at the ends, beside structure, or repeated."""
    out: list[str] = []
    for token in tokens:
        if token == _PARA:
            if out and out[-1] != "¶" and not _is_structure(out[-1]):
                out.append("¶")
            continue
        if _is_structure(token) and out and out[-1] == "¶":
            out.pop()
        out.append(token)
    while out and out[-1] in ("¶", " "):
        out.pop()
    text = "".join(out)
    # spaces at the edge of a paragraph, a line break or a cell are not visible
    text = re.sub(r" *(¶|<br>|</?(?:li|td|th|tr|ul|ol|table|thead|tbody)[^>]*>) *", r"\1", text)
    return text.strip()


def html_words(text: str) -> str:
    """The canonical form split into lines at paragraphs and breaks, for a readable unified diff."""
    canon = canonical_html(text)
    return re.sub(r"(¶|<br>|</li>|</tr>|</p>)", lambda m: m.group(1) + "\n", canon)
