"""An Omnidesk macro's HTML as the Markdown of a template body, so an existing account starts from its macros.

markdownify does the conversion, configured and extended so that the result is the Markdown
:mod:`markup` accepts and compiles back to the same text (compared with
:func:`omnidesk_html.canonical_html`): ``**bold**``, ``*italic*``, ``-`` and ``1.`` lists, pipe tables with
their first row as the header, ``<br>`` inside a cell, a trailing ``\\`` for a line break, and a paragraph for
two breaks in a row. What a template cannot hold is written as text and named in :attr:`Converted.notes`:
a heading becomes a bold paragraph, a link its text and address, an image its description. Jinja's
delimiters in the text are escaped, because a template body is a Jinja template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markdownify import MarkdownConverter

_DOUBLE_BREAK = re.compile(r"(?:<br\s*/?>\s*){2,}", re.IGNORECASE)
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_BLANK_LINES = re.compile(r"\n{3,}")
_EDGE_BREAK = re.compile(r"\\(?=\n\n|$)")
_PARAGRAPH_MARK = "<br data-paragraph>"


@dataclass(frozen=True)
class Converted:
    markdown: str
    #: what the Markdown could not keep, in words for the person who pulled the macro
    notes: tuple[str, ...] = ()


class _Converter(MarkdownConverter):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.notes: list[str] = []

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def convert_br(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if el.has_attr("data-paragraph"):
            return "\n\n" if not parent_tags & {"td", "th", "li"} else ("<br><br>" if parent_tags & {"td", "th"}
                                                                          else "\\\n")
        if parent_tags & {"td", "th"}:
            return "<br>"
        return "\\\n"

    def convert_hN(self, n: int, el: Any, text: str, parent_tags: set[str]) -> str:
        self._note("a heading became a bold paragraph")
        text = text.strip()
        return f"\n\n**{text}**\n\n" if text else ""

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        href = str(el.get("href") or "").removeprefix("mailto:")
        if href and href not in text:
            self._note("a link became its text and address")
            return f"{text} ({href})" if text.strip() else href
        return text

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self._note("an image was left out (a template holds text only)")
        return str(el.get("alt") or "")

    def convert_blockquote(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self._note("a quotation became plain paragraphs")
        return f"\n\n{text.strip()}\n\n"

    def convert_code(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return text

    def convert_pre(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self._note("preformatted text became a paragraph")
        return f"\n\n{text.strip()}\n\n"

    def convert_hr(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self._note("a horizontal rule was left out")
        return "\n\n"

    def convert_s(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self._note("struck-through text became plain text")
        return text

    convert_del = convert_s


def html_to_markdown(html_text: str) -> Converted:
    """The Markdown body of a template whose reply is ``html_text``."""
    converter = _Converter(bullets="-", strong_em_symbol="*", heading_style="atx", autolinks=False,
                           table_infer_header=True, escape_misc=False)
    marked = _DOUBLE_BREAK.sub(_PARAGRAPH_MARK, html_text)
    if re.search(r"<u\b", marked, re.IGNORECASE):
        converter._note("underlining was left out (a template has bold and italic only)")
    text = converter.convert(marked)
    text = _ENTITY_LIKE.sub(r"\\&", text)
    text = _JINJA_OPEN.sub('{{ "{" }}', text)
    lines = [line.rstrip(" ") if not line.endswith("\\") else line for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
    # a break at the end of a paragraph shows nothing, and a lone trailing backslash would print itself
    text = _EDGE_BREAK.sub("", text)
    return Converted(text + "\n", tuple(converter.notes))
