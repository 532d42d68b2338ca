"""One contract, two targets: the sandbox always, a live Omnidesk account when one is configured.

Set ``OMNIDESK_URL``, ``OMNIDESK_EMAIL`` and ``OMNIDESK_API_KEY`` to run the ``live`` half; without them it
is skipped. Against a live account these tests only read, except labels, which they create and delete again.
A test that passes on the sandbox and fails live shows where the sandbox (or the digest) is wrong. Where the
digest leaves a fact open, the assertion accepts every variant it names.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from omnidesk_macros.errors import AuthError, NotFoundError, ReadOnlyError
from sync.client import Client
from sync.settings import ENV_VARS, OmnideskSettings
from sync.wire import list_items, parse_date

LIVE = all(os.environ.get(name) for name in ENV_VARS)
CASE_NUMBER = re.compile(r"^\d{3}-\d{6}$")
FIELD_TYPES = {"text", "textarea", "checkbox", "select", "date"}


@dataclass
class Target:
    name: str
    client: Client
    settings: OmnideskSettings


@pytest.fixture(params=["sandbox", pytest.param("live", marks=pytest.mark.skipif(
    not LIVE, reason="set OMNIDESK_URL, OMNIDESK_EMAIL and OMNIDESK_API_KEY to check a live account"))])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.param == "sandbox":
        server = request.getfixturevalue("sandbox")
        settings = OmnideskSettings(url=server.url).validated(timeout=5.0, deadline=20.0)
    else:
        settings = OmnideskSettings.from_env(timeout=30.0, deadline=120.0)
    with Client(settings, on_wait=lambda message: None) as client:
        yield Target(request.param, client, settings)


def assert_date(value: object) -> None:
    assert value == "-" or parse_date(value) is not None


def test_cases_list_shape_and_pagination(target: Target) -> None:
    body = target.client.request("GET", "cases.json", params={"page": 1, "limit": 2})
    items, total = list_items(body, "case")
    assert isinstance(body, dict | list)
    if isinstance(body, dict):
        assert isinstance(body["total_count"], int)
        assert all(key.isdigit() for key in body if key != "total_count")
    assert len(items) <= 2
    for case in items:
        assert isinstance(case["case_id"], int)
        assert CASE_NUMBER.match(case["case_number"])
        assert case["status"] in {"open", "waiting", "closed"}
        for name in ("created_at", "updated_at", "closed_at"):
            assert_date(case[name])
        assert isinstance(case.get("custom_fields", {}), dict | list)
    if total and total > 2:
        second, _ = list_items(target.client.request("GET", "cases.json", params={"page": 2, "limit": 2}), "case")
        assert {c["case_id"] for c in second}.isdisjoint({c["case_id"] for c in items})


def test_case_by_id_and_number(target: Target) -> None:
    first = next(iter(target.client.iter_cases(limit=1)), None)
    if first is None:
        pytest.skip("the account has no cases")
    assert target.client.get_case(first["case_id"])["case_number"] == first["case_number"]
    assert target.client.get_case(first["case_number"])["case_id"] == first["case_id"]


def test_rate_limit_headers_on_every_answer(target: Target) -> None:
    next(iter(target.client.iter_groups()), None)
    assert target.client.budget.limit is not None and target.client.budget.limit > 0
    assert target.client.budget.calls_left is not None


def test_macros_parse(target: Target) -> None:
    body = target.client.request("GET", "macros.json")
    assert set(body) >= {"common", "personal"}
    for category in target.client.list_macros():
        assert category.scope in {"common", "personal"}
        for macro in category.macros:
            assert macro.macro_id > 0 and macro.title
            assert all(isinstance(a.destination, str | dict) for a in macro.actions)


def test_custom_fields_parse(target: Target) -> None:
    fields = target.client.list_custom_fields()
    for field in fields:
        assert field.field_id > 0 and field.title
        assert field.field_level in {"user", "case"}
        assert field.field_type in FIELD_TYPES, f"new field type {field.field_type!r}: add it to the digest"
        assert bool(field.options) == (field.field_type == "select")


def test_people_and_settings_lists(target: Target) -> None:
    staff = list(target.client.iter_staff())
    assert staff and all({"staff_id", "staff_email", "staff_full_name"} <= set(s) for s in staff)
    assert all({"group_id", "group_title"} <= set(g) for g in target.client.iter_groups())
    assert all({"language_id", "code", "title"} <= set(lang) for lang in target.client.list_languages())


def test_labels_round_trip(target: Target) -> None:
    title = f"omnidesk-macros contract {uuid.uuid4().hex[:8]}"
    label = target.client.create_label(title)
    try:
        assert label["label_title"] == title
        renamed = target.client.update_label(label["label_id"], title + " (renamed)")
        assert renamed["label_title"] == title + " (renamed)"
        assert any(item["label_id"] == label["label_id"] for item in target.client.iter_labels())
    finally:
        target.client.delete_label(label["label_id"])
    assert all(item["label_id"] != label["label_id"] for item in target.client.iter_labels())


def test_missing_case_is_not_found_with_an_error_code(target: Target) -> None:
    with pytest.raises(NotFoundError) as caught:
        target.client.get_case(999999999)
    assert caught.value.status == 404 and caught.value.code


def test_wrong_key_is_an_auth_error(target: Target) -> None:
    wrong = OmnideskSettings(url=target.settings.url, email=target.settings.email, api_key="wrong-key")
    with Client(wrong.validated(max_attempts=1), on_wait=lambda m: None) as client, pytest.raises(AuthError):
        client.request("GET", "groups.json")


def test_macros_and_custom_fields_refuse_writes(target: Target) -> None:
    if target.name == "live":
        pytest.skip("no write is tried on macros of a live account")
    for path in ("macros.json", "custom_fields.json"):
        with pytest.raises(ReadOnlyError):
            target.client.request("POST", path, json={"macro": {"title": "x"}})
