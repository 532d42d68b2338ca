"""Russian typography at render time: what must stay on one line does, in the letters' own text."""

from __future__ import annotations

import pytest

from omnidesk_macros.context import LetterContext
from omnidesk_macros.letter import render_letter
from omnidesk_macros.letter.docx_writer import CELL_PADDING, CHAR_WIDTH, TEXT_WIDTH, column_widths
from omnidesk_macros.markup import Run
from omnidesk_macros.typography import NB_HYPHEN, NBSP, typeset
from omnidesk_macros.validate import load_sources
from tests.helpers import TEMPLATES_SRC
from tests.letter.docx_text import case_data, read_letter, xml_parts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.mark.parametrize(("text", "expected"), [
    ("г. Самара, ул. Садовая, д. 12, кв. 5", f"г.{NBSP}Самара, ул.{NBSP}Садовая, д.{NBSP}12, кв.{NBSP}5"),
    ("по тел. 207-48-80", f"по тел.{NBSP}207{NB_HYPHEN}48{NB_HYPHEN}80"),
    ("Тел. +7 (846) 336-14-02", f"Тел.{NBSP}+7{NBSP}(846){NBSP}336{NB_HYPHEN}14{NB_HYPHEN}02"),
    ("с 7 по 20 число", f"с{NBSP}7 по{NBSP}20 число"),
    ("Правил № 354", f"Правил №{NBSP}354"),
    ("от 27.11.2026 г. сообщаем", f"от 27.11.2026{NBSP}г. сообщаем"),  # «г.» after a year binds back only
    ("25 руб. и 10 %", f"25{NBSP}руб. и 10{NBSP}%"),
    ("обращение № 664-245651", f"обращение №{NBSP}664-245651"),  # a case number is no phone number
    ("5 мая, с ними, в т.ч. и", "5 мая, с ними, в т.ч. и"),  # no unit, no number: untouched
])
def test_typeset(text: str, expected: str) -> None:
    assert typeset(text) == expected


def body_xml(data: bytes) -> tuple[str, int]:
    document = xml_parts(data)["word/document.xml"]
    text = "".join(t.text or "" for t in document.iter(f"{W}t"))
    return text, len(list(document.iter(f"{W}noBreakHyphen")))


def test_the_readings_letter_keeps_phone_days_and_address_together(company) -> None:
    sources = load_sources(TEMPLATES_SRC)
    ctx = LetterContext.from_mapping(case_data(client={"address": "443000, г. Самара, ул. Садовая, д. 12, кв. 5"}))
    data = render_letter(sources.templates["readings-submission"], ctx, company)
    text, hyphens = body_xml(data)
    assert f"тел.{NBSP}207" in text and "207-25-40" not in text and hyphens >= 2
    assert f"(с{NBSP}7 по{NBSP}20 число каждого месяца)" in text
    assert f"ул.{NBSP}Садовая, д.{NBSP}12, кв.{NBSP}5" in text
    assert f"№{NBSP}664-245651 от 27.11.2026{NBSP}г." in text
    # Word (and python-docx) read a w:noBreakHyphen as a hyphen: the words are unchanged
    assert "по тел. 207-25-40" in read_letter(data).text


def cells(*texts: str) -> list[Run]:
    return [Run(text) for text in texts]


def test_narrow_columns_get_their_content_and_no_word_breaks(company) -> None:
    sources = load_sources(TEMPLATES_SRC)
    ctx = LetterContext.from_mapping(case_data())
    table = read_letter(render_letter(sources.templates["payment-without-commission"], ctx, company)).tables[0]
    rows = [[cells(text) for text in row] for row in table]
    number, name, way = column_widths(rows, 3, TEXT_WIDTH)
    assert number <= 2 * CHAR_WIDTH + CELL_PADDING  # «10» and «№», not 2 cm
    assert way >= len("онлайн-оплата") * CHAR_WIDTH + CELL_PADDING
    assert number + name + way == TEXT_WIDTH and name > way


def test_columns_too_wide_for_the_page_share_it() -> None:
    rows = [[cells("а" * 80), cells("б" * 80)]]
    assert column_widths(rows, 2, TEXT_WIDTH) == [TEXT_WIDTH // 2, TEXT_WIDTH - TEXT_WIDTH // 2]
