"""Any Unicode in any field of the case: a valid DOCX or a clear RenderError, nothing from inside lxml."""

from __future__ import annotations

import io
from typing import Any

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnidesk_macros.context import LetterContext
from omnidesk_macros.errors import RenderError
from omnidesk_macros.letter import read_provenance, render_letter
from omnidesk_macros.model import Company, Variable
from tests.letter.docx_text import LOGO, make_template, xml_parts

COMPANY = Company(name="ООО «СКС»", short_name="ООО «СКС»", address="г. Самара", phone="000", logo=LOGO)
VARIABLES = (
    Variable("note", "Текст", "text"), Variable("details", "Подробности", "textarea", required=False),
    Variable("when", "Дата", "date"), Variable("month", "Месяц", "month"), Variable("amount", "Сумма", "number"),
)
BODY = """\
Абонент {{ client.full_name }}, {{ client.address }}, счет {{ client.account }}, {{ client.email }},
тел. {{ client.phone }}; принял {{ staff.full_name }} ({{ staff.position }}).

**{{ fill.note }}** *{{ fill.details }}* до {{ fill.when | date_ru }}, в {{ fill.month | month_year("prep") }}: {{ fill.amount }}

| Поле | Значение |
|---|---|
| ФИО | {{ client.full_name }} |
| Текст | {{ fill.note }} |

1. {{ fill.note }}
   - {{ client.address }}
"""
TEMPLATE = make_template(BODY, id="everything", variables=VARIABLES)

HOSTILE = ["<&>\"'", "</w:t>", "]]>", "\x00\x01\x1f\x7f\x85", "\ud800\udfff", "\ufffe\uffff", "**_|`<br>\\",
           "{{ client.full_name }}", "{% raw %}", "\u202e\u200b\ufeff", "\t\r\n\u2028", "1. - > #"]
unicode_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), min_size=1, max_size=60)
hostile_text = st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4).map("".join)
long_text = st.text(min_size=1, max_size=30).map(lambda s: s * 250)  # past every length bound
not_text = st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.text(), max_size=2))
any_value = st.one_of(unicode_text, hostile_text, long_text, not_text)
TYPED = {("case", "number"): "664-245651", ("case", "date"): "2026-11-27", ("fill", "when"): "2026-12-15",
         ("fill", "month"): "2026-12", ("fill", "amount"): "15"}
FIELDS = [("case", "number"), ("case", "date"), *[("client", n) for n in ("full_name", "address", "account", "email", "phone")],
          ("staff", "full_name"), ("staff", "position"), *[("fill", v.name) for v in VARIABLES]]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """Every text field arbitrary text; typed fields valid; then up to two fields anything at all."""
    mapping: dict[str, dict[str, Any]] = {"case": {}, "client": {}, "staff": {}, "fill": {}}
    for section, name in FIELDS:
        value = TYPED.get((section, name)) or draw(st.one_of(unicode_text, hostile_text))
        mapping[section][name] = value
    for section, name in draw(st.lists(st.sampled_from(FIELDS), max_size=2)):
        mapping[section][name] = draw(any_value)
    return mapping


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_any_case_gives_a_valid_letter_or_a_render_error(mapping: dict[str, Any]) -> None:
    try:
        ctx = LetterContext.from_mapping(mapping)
        data = render_letter(TEMPLATE, ctx, COMPANY)
    except RenderError as exc:
        assert str(exc)  # a message a person can act on
        return
    parts = xml_parts(data)  # each part well-formed, the properties python-docx never reads too
    assert {"docProps/core.xml", "docProps/custom.xml", "word/numbering.xml"} <= set(parts)
    assert read_provenance(data)["case_number"] == ctx.case.number
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    assert f"ФИО: {ctx.client.full_name}" in paragraphs
    assert document.tables[0].rows[1].cells[1].text.replace("\n", " ").strip() == ctx.client.full_name
