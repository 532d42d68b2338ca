"""Every real template of templates_src/ prints for male, female and unknown-gender subscribers."""

from __future__ import annotations

import pytest

from omnidesk_macros.context import LetterContext
from omnidesk_macros.letter import read_provenance, render_letter
from omnidesk_macros.markup import parse_blocks, plain_text
from omnidesk_macros.placeholders import render_body
from omnidesk_macros.validate import SAMPLE_FILL, load_sources
from tests.helpers import TEMPLATES_SRC
from tests.letter.docx_text import case_data, read_letter

SOURCES = load_sources(TEMPLATES_SRC)
LETTERS = sorted(t.id for t in SOURCES.templates.values() if "letter" in t.channels)
CLIENTS = {
    "male": {"full_name": "Иванов Петр Петрович"},
    "female": {"full_name": "Петрова Мария Ивановна", "email": ""},
    "unknown": {"full_name": "Смит Джон", "address": "443000, г. Самара, " + "ул. Длинная, " * 30 + "д. 1"},
}


def sample_case(template_id: str, client: dict[str, str]) -> LetterContext:
    template = SOURCES.templates[template_id]
    fill = {v.name: SAMPLE_FILL[v.type] for v in template.variables}
    return LetterContext.from_mapping(case_data(client=client, fill=fill))


def test_the_sources_hold_letters() -> None:
    assert len(LETTERS) >= 20


@pytest.mark.parametrize("who", sorted(CLIENTS))
@pytest.mark.parametrize("template_id", LETTERS)
def test_every_template_prints(template_id: str, who: str) -> None:
    template = SOURCES.templates[template_id]
    ctx = sample_case(template_id, CLIENTS[who])
    data = render_letter(template, ctx, SOURCES.company, staff=SOURCES.staff)
    text = read_letter(data)
    expected = plain_text(parse_blocks(render_body(template, ctx)))
    printed = "\n".join(text.paragraphs + ["\t".join(row) for table in text.tables for row in table])
    for line in expected.split("\n"):
        assert line.strip() in printed
    assert "{{" not in printed and "{%" not in printed
    assert text.paragraphs[0] == "№ 664-245651 от 27.11.2026 г."
    assert ("Адрес эл. почты: ivanov@example.com" in text.paragraphs) == (who != "female")
    assert text.paragraphs[-1].endswith("\tСамарина Н.Н.")
    assert read_provenance(data)["template_sha256"] == template.text_hash


def test_schedules_and_payment_methods_are_tables() -> None:
    tabled = [t for t in LETTERS if "\n|" in SOURCES.templates[t].body]
    assert tabled, "the specification has tables (centre schedules, payment methods)"
    for template_id in tabled:
        ctx = sample_case(template_id, CLIENTS["male"])
        text = read_letter(render_letter(SOURCES.templates[template_id], ctx, SOURCES.company))
        assert text.tables and all(len(row) == len(text.tables[0][0]) for row in text.tables[0])
