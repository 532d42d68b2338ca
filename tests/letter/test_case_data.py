"""Bad input is a CaseDataError naming every problem at once, with structured problems a web form can show,
and messages that name no command-line flag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli import EXIT_CODES, exit_code, hint
from omnidesk_macros.context import LetterContext
from omnidesk_macros.errors import (
    CaseDataError,
    ConfigError,
    ConversionError,
    DataProblem,
    OmnideskMacrosError,
    RenderError,
    SourceError,
)
from omnidesk_macros.letter import render_letter
from omnidesk_macros.letter.printing import print_letter_for_case_file, read_case_file
from omnidesk_macros.model import Variable
from tests.helpers import TEMPLATES_SRC
from tests.letter.docx_text import case_data, make_template

THREE_MONTHS = (Variable("a", "Месяц А", "month"), Variable("b", "Месяц Б", "month"),
                Variable("c", "Месяц В", "month"))
BODY = "{{ client.address }} {{ fill.a }} {{ fill.b }} {{ fill.c }}"


def problems_of(raised: pytest.ExceptionInfo[CaseDataError]) -> list[tuple[str, str]]:
    return [(p.field, p.issue) for p in raised.value.problems]


def test_missing_date_address_and_account_are_named_together(company) -> None:
    ctx = LetterContext.from_mapping(case_data(case={"date": ""}, client={"address": "", "account": ""}),
                                     origin="case.json")
    with pytest.raises(CaseDataError) as raised:
        render_letter(make_template("Текст {{ case.date | date_long }}."), ctx, company)
    assert [p.field for p in raised.value.problems] == ["case.date", "client.address", "client.account"]
    assert all(p.missing for p in raised.value.problems)
    assert raised.value.origin == "case.json"
    assert str(raised.value) == (
        "case.json: letter 'sample' needs data the case does not have: case.date (дата обращения), "
        "client.address (адрес), client.account (номер лицевого счета)")


def test_every_bad_fill_value_is_reported_with_the_case_file_name(company) -> None:
    ctx = LetterContext.from_mapping(case_data(fill={"a": "2026-11-15", "b": "ноябрь", "c": "2026-13"}),
                                     origin="examples/case.json")
    with pytest.raises(CaseDataError) as raised:
        render_letter(make_template(BODY, variables=THREE_MONTHS), ctx, company)
    assert problems_of(raised) == [
        ("fill.a", "must be a month written like 2026-11, got '2026-11-15' (a date: give the year and month only)"),
        ("fill.b", "must be a month written like 2026-11, got 'ноябрь'"),
        ("fill.c", "must be a month written like 2026-11, got '2026-13'"),
    ]
    assert [p.label for p in raised.value.problems] == ["Месяц А", "Месяц Б", "Месяц В"]
    assert str(raised.value).startswith("examples/case.json: letter 'sample' has wrong values: fill.a (Месяц А)")


def test_missing_and_wrong_come_in_one_error(company) -> None:
    ctx = LetterContext.from_mapping(case_data(client={"account": ""}, fill={"a": "x", "b": "2026-01"}))
    with pytest.raises(CaseDataError) as raised:
        render_letter(make_template(BODY + " {{ client.account }}", variables=THREE_MONTHS), ctx, company)
    assert [(p.field, p.missing) for p in raised.value.problems] == [
        ("client.account", True), ("fill.a", False), ("fill.c", True)]
    assert " needs data the case does not have: client.account (номер лицевого счета), fill.c (Месяц В) and has " \
           "wrong values: fill.a (Месяц А) must be a month" in str(raised.value)


@pytest.mark.parametrize(("text", "field", "issue"), [
    ('{"client": {"full_name": NaN}}', "client.full_name", "is NaN, not a value a letter can print"),
    ('{"client": {"full_name": -Infinity}}', "client.full_name", "is -Infinity, not a value a letter can print"),
    ('{"client": {"account": 12345678901234567890.0}}', "client.account",
     "is the number 1.2345678901234567e+19; write it as text in quotes, since a number with a fraction or "
     "exponent loses digits"),
    ('{"client": {"account": 1e3}}', "client.account",
     "is the number 1000.0; write it as text in quotes, since a number with a fraction or exponent loses digits"),
])
def test_nan_infinity_and_float_numbers_are_refused(tmp_path: Path, text: str, field: str, issue: str) -> None:
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseDataError) as raised:
        read_case_file(path)
    assert str(path) in str(raised.value) and issue in str(raised.value)
    assert problems_of(raised) == [(field, issue)]


def test_every_nan_in_a_case_file_is_named_by_its_field(tmp_path: Path) -> None:
    """A web form marks the fields, so NaN is a problem of its field, reported with all the others."""
    path = tmp_path / "case.json"
    path.write_text('{"case": {"number": Infinity}, "client": {"full_name": NaN, "account": 1.5}, '
                    '"fill": {"month": NaN}}', encoding="utf-8")
    with pytest.raises(CaseDataError) as raised:
        read_case_file(path)
    assert [p.field for p in raised.value.problems] == ["case.number", "client.full_name", "client.account",
                                                        "fill.month"]
    assert str(raised.value).startswith(f"{path}: the case has wrong values: case.number (номер обращения) is "
                                        "Infinity, not a value a letter can print; client.full_name")


def test_nan_from_elsewhere_than_json_is_refused_too() -> None:
    with pytest.raises(CaseDataError) as raised:
        LetterContext.from_mapping(case_data(client={"full_name": float("nan")}))
    assert problems_of(raised) == [("client.full_name", "is NaN, not a value a letter can print")]


def test_an_integer_account_still_prints() -> None:
    ctx = LetterContext.from_mapping(case_data(client={"account": 1234567890}))
    assert ctx.client.account == "1234567890"


@pytest.mark.parametrize(("kind", "limit"), [("text", 1000), ("textarea", 5000)])
def test_an_overlong_fill_value_is_told_the_limit_of_its_type(company, kind: str, limit: int) -> None:
    template = make_template("{{ fill.note }}", variables=(Variable("note", "Примечание", kind),))
    ctx = LetterContext.from_mapping(case_data(fill={"note": "я" * 5001}))
    with pytest.raises(CaseDataError) as raised:
        render_letter(template, ctx, company)
    assert problems_of(raised) == [("fill.note", f"is 5001 characters long; at most {limit} allowed for {kind}")]


def test_unknown_sections_and_fields_are_all_named() -> None:
    with pytest.raises(CaseDataError) as raised:
        LetterContext.from_mapping({**case_data(client={"adress": "x", "acount": "1"}), "extra": {}}, "c.json")
    assert [p.field for p in raised.value.problems] == ["extra", "client.acount", "client.adress"]


def test_library_messages_name_no_command_line_flag(company, tmp_path: Path) -> None:
    template = make_template("{{ fill.a }}", variables=THREE_MONTHS[:1])
    messages = []
    for ctx_data in (case_data(client={"account": ""}), case_data(fill={"a": "x"}), case_data()):
        with pytest.raises(OmnideskMacrosError) as raised:
            render_letter(template, LetterContext.from_mapping(ctx_data), company)
        messages.append(str(raised.value))
    with pytest.raises(RenderError) as raised:
        print_letter_for_case_file(TEMPLATES_SRC, "e-receipt", _example(tmp_path), out=tmp_path / "x.txt")
    messages.append(str(raised.value))
    for message in messages:
        assert "--" not in message and "omnidesk-macros" not in message, message


def _example(folder: Path) -> Path:
    path = folder / "case.json"
    path.write_text(json.dumps(case_data(), ensure_ascii=False), encoding="utf-8")
    return path


def test_exit_codes_live_in_the_cli_not_on_the_errors() -> None:
    assert not any(hasattr(cls, "exit_code") for cls in (OmnideskMacrosError, ConfigError, RenderError))
    assert {ConfigError: 2} == EXIT_CODES
    assert [exit_code(e) for e in (ConfigError("x"), SourceError("x"), CaseDataError("x"), ConversionError("x"))] \
        == [2, 1, 1, 1]


def test_the_cli_words_the_fill_hint_itself() -> None:
    assert hint(CaseDataError.of([DataProblem("fill.a", "А")])) == "give fill-in values with --var NAME=VALUE"
    assert hint(CaseDataError.of([DataProblem("fill.a", "А", "must be a month")])) \
        == "correct the fill-in values (--var NAME=VALUE overrides the case file's)"
    assert hint(CaseDataError.of([DataProblem("client.address", "адрес")])) == ""
