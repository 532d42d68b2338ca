"""What Omnidesk's rich-text editor does to pasted HTML, so tests meet the real normalisation problem.

A pasted text comes back rewritten the way WYSIWYG editors (CKEditor, TinyMCE) write HTML: loose text and
inline runs wrapped in ``<p>``, ``<strong>``/``<em>`` spelt ``<b>``/``<i>``, ``<br>`` spelt ``<br />``,
typographic characters as named entities (``&laquo;``, ``&nbsp;``), one block per line. The words, the bold,
the lists and the tables stay what they were: a sync plan right after the paste must be empty.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

_RENAMED = {"strong": "b", "em": "i"}
_BLOCKS = {"p", "ul", "ol", "li", "table", "thead", "tbody", "tr", "td", "th", "div"}
_TOP_BLOCKS = {"p", "ul", "ol", "table", "div"}
_ENTITIES = {"«": "&laquo;", "»": "&raquo;", "—": "&mdash;", "–": "&ndash;", "\u00a0": "&nbsp;", "№": "&#8470;"}


def _text(data: str) -> str:
    escaped = html.escape(data, quote=False)
    for char, entity in _ENTITIES.items():
        escaped = escaped.replace(char, entity)
    return escaped


class _Editor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.depth = 0  # open top-level blocks
        self.wrapped = False  # a <p> we opened around loose inline content

    def _open_wrapper(self) -> None:
        if self.depth == 0 and not self.wrapped:
            self.out.append("<p>")
            self.wrapped = True

    def _close_wrapper(self) -> None:
        if self.wrapped:
            self.out.append("</p>\n")
            self.wrapped = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._open_wrapper()
            self.out.append("<br />")
            return
        if tag in _TOP_BLOCKS and self.depth == 0:
            self._close_wrapper()
        if tag in _TOP_BLOCKS:
            self.depth += 1
        elif tag not in _BLOCKS:
            self._open_wrapper()
        kept = "".join(f' {name}="{html.escape(value or "")}"' for name, value in attrs if name == "start")
        self.out.append(f"<{_RENAMED.get(tag, tag)}{kept}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            return
        self.out.append(f"</{_RENAMED.get(tag, tag)}>")
        if tag in _TOP_BLOCKS:
            self.depth = max(0, self.depth - 1)
            if self.depth == 0:
                self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.depth == 0 and not data.strip():
            return  # whitespace between blocks
        self._open_wrapper()
        self.out.append(_text(data))

    def result(self) -> str:
        self._close_wrapper()
        return "".join(self.out).strip() + "\n"


def as_pasted(text: str) -> str:
    """The HTML Omnidesk stores after ``text`` is pasted into its editor and saved."""
    editor = _Editor()
    editor.feed(text)
    editor.close()
    return editor.result()
