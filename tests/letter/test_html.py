"""The on-screen letter and the DOCX come from one pipeline: the same words, in the same order."""

from __future__ import annotations

import io
import re
from datetime import date
from html.parser import HTMLParser

import docx
import pytest
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from omnidesk_macros import default_templates_dir, load_sources
from omnidesk_macros.context import LetterContext
from omnidesk_macros.errors import RenderError
from omnidesk_macros.letter import render_letter
from omnidesk_macros.letter.content import Outgoing
from omnidesk_macros.letter.html_writer import letter_html, letter_page, reply_html
from omnidesk_macros.letter.render import compose_letter, docx_bytes
from omnidesk_macros.typography import NB_HYPHEN
from tests.letter.docx_text import make_template, read_letter

SOURCES = load_sources(default_templates_dir())
LETTERS = sorted(t.id for t in SOURCES.templates.values() if "letter" in t.channels)
REPLIES = sorted(t.id for t in SOURCES.templates.values() if "reply" in t.channels)


class _Text(HTMLParser):
    """The words of an HTML page as a reader sees them (no tags, no <style>, no alt text)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("style", "script", "title")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "script", "title")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words += data.split()


def html_words(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    # both are typeset alike; python-docx reads Word's w:noBreakHyphen as a plain hyphen, as a reader sees it
    return [word.replace(NB_HYPHEN, "-") for word in parser.words]


def docx_words(data: bytes) -> list[str]:
    """The first-page header, then the body's paragraphs and table cells in document order."""
    document = docx.Document(io.BytesIO(data))
    words = [w for line in read_letter(data).header for w in line.split()]
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            words += item.text.split()
        elif isinstance(item, DocxTable):
            words += [w for row in item.rows for cell in row.cells for w in cell.text.split()]
    return words


SAMPLE = {"date": "2026-12-15", "month": "2026-12", "number": "15", "text": "пример", "textarea": "пример"}


def sample_fill(template_id: str) -> dict[str, str]:
    """A value for every fill-in variable without a default, by its type."""
    return {v.name: SAMPLE[v.type] for v in SOURCES.templates[template_id].variables if v.default is None}


def context(**fill: str) -> LetterContext:
    return LetterContext.from_mapping({
        "case": {"number": "664-245651", "date": "2026-11-27"},
        "client": {"full_name": "Иванов Петр Петрович", "address": "443000, г. Самара, ул. Примерная, д. 1, кв. 1",
                   "account": "0000000001", "email": "ivanov@example.com"},
        "staff": {"full_name": "Самарина Наталья Николаевна"},
        "fill": fill,
    })


@pytest.mark.parametrize("template_id", LETTERS)
def test_the_html_letter_says_what_the_docx_says(template_id: str) -> None:
    template = SOURCES.templates[template_id]
    assert SOURCES.company is not None
    content = compose_letter(template, context(**sample_fill(template_id)), staff=SOURCES.staff,
                             outgoing=Outgoing("СКС-2026/000007", date(2026, 11, 28)))
    html = letter_page(content, SOURCES.company)
    data = docx_bytes(template, context(), content, SOURCES.company)
    assert html_words(html) == docx_words(data)
    assert "СКС-2026/000007" in html_words(html)


def test_the_outgoing_number_takes_the_number_line_and_the_appeal_number_stays_in_the_opening(company, staff) -> None:
    template = make_template("Текст ответа.")
    text = read_letter(render_letter(template, context(), company, staff=staff,
                                     outgoing_number="СКС-2026/000123", outgoing_date=date(2026, 12, 1)))
    assert text.paragraphs[0] == "№ СКС-2026/000123 от 01.12.2026 г."
    assert "На Ваше обращение № 664-245651 от 27.11.2026 г. сообщаем следующее." in text.paragraphs
    default = read_letter(render_letter(template, context(), company, staff=staff))
    assert default.paragraphs[0] == "№ 664-245651 от 27.11.2026 г."


def test_text_from_the_case_is_text_in_html(company, staff) -> None:
    ctx = LetterContext.from_mapping({
        "case": {"number": "664-245651", "date": "2026-11-27"},
        "client": {"full_name": "Иванов <script>alert(1)</script> Петрович", "address": "a & b",
                   "account": "1"},
        "staff": {"full_name": "Самарина Наталья Николаевна"},
    })
    html = letter_html(compose_letter(make_template("Для {{ client.full_name }}."), ctx, staff=staff), company)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b" in html


def test_the_print_css_sets_an_a4_page_with_the_docx_margins() -> None:
    assert SOURCES.company is not None
    html = letter_page(compose_letter(SOURCES.templates["e-receipt"], context(), staff=SOURCES.staff),
                       SOURCES.company)
    assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*20mm 15mm 20mm 30mm;", html)
    assert "Times New Roman" in html and "12pt" in html


@pytest.mark.parametrize("template_id", REPLIES)
def test_a_remote_reply_has_every_placeholder_filled(template_id: str) -> None:
    html = reply_html(SOURCES.templates[template_id], context(**sample_fill(template_id)))
    assert html.startswith("<") and "{{" not in html and "{%" not in html
    assert html_words(html)


def test_a_reply_greets_only_when_the_template_says_so_for_the_reply_channel() -> None:
    template = make_template('{% if channel == "reply" %}Доброго времени суток.{% endif %}\n\nТекст.')
    assert html_words(reply_html(template, context())) == ["Доброго", "времени", "суток.", "Текст."]


def test_a_letter_only_template_gives_no_remote_reply() -> None:
    with pytest.raises(RenderError, match="not meant for remote replies"):
        reply_html(make_template("Текст.", channels=("letter",)), context())
