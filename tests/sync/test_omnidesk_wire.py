"""The wire format: dates, envelopes, list pages, and the read-only resource shapes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.resources import parse_custom_field, parse_macros
from sync.wire import format_date, list_items, list_page, parse_date, unwrap, with_dates


def test_documented_date_parses_to_an_aware_datetime() -> None:
    parsed = parse_date("Mon, 05 May 2014 00:15:17 +0300")
    assert parsed == datetime(2014, 5, 5, 0, 15, 17, tzinfo=timezone(timedelta(hours=3)))
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize("empty", ["-", "", None])
def test_empty_dates_are_none(empty: str | None) -> None:
    assert parse_date(empty) is None
    assert format_date(None) == "-"


@pytest.mark.parametrize("bad", ["2014-05-05", "Mon, 05 Mai 2014 00:15:17 +0300", 1399238117])
def test_malformed_date_names_the_expected_format(bad: object) -> None:
    with pytest.raises(ValueError, match="expected like 'Mon, 05 May 2014"):
        parse_date(bad)


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_dates_round_trip(moment: datetime, offset_minutes: int) -> None:
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert parse_date(format_date(aware)) == aware


def test_with_dates_parses_dates_and_keeps_surprises() -> None:
    parsed = with_dates({"created_at": "Mon, 05 May 2014 00:15:17 +0300", "closed_at": "-", "closing_speed": "-",
                         "sent_at": "2014-05-05T00:15:17Z", "subject": "-"})
    assert parsed["created_at"] == datetime(2014, 5, 5, 0, 15, 17, tzinfo=timezone(timedelta(hours=3)))
    assert (parsed["closed_at"], parsed["closing_speed"]) == (None, None)
    assert parsed["sent_at"] == "2014-05-05T00:15:17Z"  # an unknown spelling stays readable
    assert parsed["subject"] == "-"


def test_keyed_and_array_pages_read_the_same() -> None:
    keyed = {"1": {"label": {"label_id": 2}}, "0": {"label": {"label_id": 1}}, "total_count": 7}
    assert list_items(keyed, "label") == ([{"label_id": 1}, {"label_id": 2}], 7)
    assert list_items([{"label": {"label_id": 1}}, {"label_id": 2}], "label") == ([{"label_id": 1}, {"label_id": 2}], None)
    assert list_items(list_page([{"label_id": 1}], "label", 9), "label") == ([{"label_id": 1}], 9)


def test_unwrap_accepts_envelope_or_bare_object() -> None:
    assert unwrap({"case": {"case_id": 1}}, "case") == {"case_id": 1}
    assert unwrap({"case_id": 1}, "case") == {"case_id": 1}


DOCUMENTED_MACROS = {
    "common": {"0": {"title": "Без категории", "sort": 99999, "macros_category_id": 0, "data": {"196529": {
        "title": "Требуется помощь бухгалтерии", "position": 0, "group_name": "Общие вопросы", "actions": [
            {"macro_action_id": 866679, "action_type": "group_id", "action_display_name": "Выставить группу",
             "action_destination": "81765", "content": "", "subject": "", "position": 2},
            {"macro_action_id": 866678, "action_type": "add_note", "action_display_name": "Добавить заметку",
             "action_destination": "", "content": "<notify rel=\"g81765\">@Вопросы по оплате</notify> нужна помощь",
             "subject": "", "position": 1}]}}}},
    "personal": [],
}


def test_macros_normalise_the_documented_fixture() -> None:
    [category] = parse_macros(DOCUMENTED_MACROS)
    assert (category.category_id, category.title, category.scope) == (0, "Без категории", "common")
    [macro] = category.macros
    assert macro.macro_id == 196529
    assert [a.action_type for a in macro.actions] == ["add_note", "group_id"]
    assert macro.actions[1].destination == "81765"


def test_macros_accept_array_categories_and_per_language_destinations() -> None:
    body = {"common": [], "personal": [{"title": "Мои", "sort": 1, "macros_category_id": 7, "data": {
        "5": {"title": "Ответ", "position": 1, "group_name": "", "actions": [
            {"macro_action_id": 1, "action_type": "email_to_user", "action_destination": {"1": "Здравствуйте!", "2": "Hello!"},
             "position": 1}]}}}]}
    [category] = parse_macros(body)
    assert category.scope == "personal"
    assert category.macros[0].actions[0].destination == {"1": "Здравствуйте!", "2": "Hello!"}


def test_select_field_options_and_values_in_every_spelling() -> None:
    field = parse_custom_field({"field_id": 9, "title": "Field title 4", "field_type": "select", "field_level": "case",
                                "active": True, "field_data": {"1": "First choice", "2": "Second choice"}})
    assert field.key == "cf_9"
    assert field.options == {1: "First choice", 2: "Second choice"}
    assert [field.option_label(v) for v in (2, "2", "Second choice", "nope", None)] == [
        "Second choice", "Second choice", "Second choice", None, None]
    text = parse_custom_field({"field_id": 5, "title": "t", "field_type": "text", "field_level": "user", "field_data": ""})
    assert text.options == {}
