"""The client against a handler transport: requests it sends, answers it understands, failures it survives."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx
import pytest

from omnidesk_macros.errors import (
    ApiError,
    AuthError,
    ConfigError,
    NotFoundError,
    RateLimitError,
    ReadOnlyError,
    TransportError,
)
from sync.client import Client
from sync.settings import SANDBOX_URL, OmnideskSettings
from sync.wire import parse_date

if TYPE_CHECKING:
    from conftest import FakeTime

Handler = Callable[[httpx.Request], httpx.Response]


def answer(status: int = 200, payload: object = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers) if payload is not None else httpx.Response(
        status, headers=headers
    )


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with ``responses`` in turn (an exception is raised), and the requests it saw."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


# ---------------------------------------------------------------- settings


def test_no_variables_mean_the_local_sandbox() -> None:
    settings = OmnideskSettings.from_env({})
    assert (settings.url, settings.email, settings.is_sandbox) == (SANDBOX_URL, "admin@sandbox.local", True)


def test_all_three_variables_point_at_an_account() -> None:
    env = {"OMNIDESK_URL": "https://demo.omnidesk.ru/api/", "OMNIDESK_EMAIL": "staff@example.com",
           "OMNIDESK_API_KEY": "key-0f9e"}
    settings = OmnideskSettings.from_env(env)
    assert settings.api_base == "https://demo.omnidesk.ru/api"
    assert "key-0f9e" not in repr(settings)


def test_some_variables_are_a_config_error_naming_the_missing_ones() -> None:
    with pytest.raises(ConfigError, match="OMNIDESK_EMAIL, OMNIDESK_API_KEY not set"):
        OmnideskSettings.from_env({"OMNIDESK_URL": "https://demo.omnidesk.ru"})
    with pytest.raises(ConfigError, match="must start with https://"):
        OmnideskSettings.from_env({"OMNIDESK_URL": "demo.omnidesk.ru", "OMNIDESK_EMAIL": "a", "OMNIDESK_API_KEY": "b"})


@pytest.mark.parametrize("url", ["http://demo.omnidesk.ru", "http://127.0.0.1.example.com:8765", "ftp://x"])
def test_the_key_is_never_sent_in_clear_text_off_this_machine(url: str) -> None:
    with pytest.raises(ConfigError, match="must start with https://"):
        OmnideskSettings(url=url).validated()
    assert OmnideskSettings(url="http://localhost:8765").validated().api_base == "http://localhost:8765/api"


def test_a_client_checks_settings_it_is_given_directly() -> None:
    with pytest.raises(ConfigError, match="must start with https://"):
        Client(OmnideskSettings(url="http://demo.omnidesk.ru", email="staff@example.com", api_key="k"))


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigError, match="must not contain credentials") as caught:
        OmnideskSettings(url="https://staff@example.com:key-0f9e@demo.omnidesk.ru").validated()
    assert "key-0f9e" not in str(caught.value) and "staff@" not in str(caught.value)


# ---------------------------------------------------------------- requests and answers


def test_basic_auth_envelope_and_path(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(200, {"case": {"case_id": 7, "closed_at": "-", "closing_speed": "-",
                                                   "created_at": "Mon, 05 May 2014 00:15:17 +0300"}}))
    case = mock_client(handler).get_case(7)
    assert case == {"case_id": 7, "closed_at": None, "closing_speed": None, "created_at": parse_date(
        "Mon, 05 May 2014 00:15:17 +0300")}
    request = seen[0]
    assert str(request.url) == "https://example.omnidesk.ru/api/cases/7.json"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"staff@example.com:secret-key-123").decode()


def test_lists_page_until_total_count(mock_client: Callable[..., Client]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        assert request.url.params["limit"] == "100"
        items = {str(i): {"label": {"label_id": (page - 1) * 100 + i}} for i in range(100 if page < 3 else 5)}
        return answer(200, {**items, "total_count": 205})

    labels = list(mock_client(handler).iter_labels())
    assert [label["label_id"] for label in labels] == list(range(205))


def test_a_list_started_at_a_later_page_stops_at_total_count(mock_client: Callable[..., Client]) -> None:
    pages: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        pages.append(int(request.url.params["page"]))
        page = pages[-1]
        return answer(200, {**{str(i): {"label": {"label_id": page * 10 + i}} for i in range(10)}, "total_count": 30})

    labels = list(mock_client(handler).iter_list("labels.json", "label", {"page": 2, "limit": 10}))
    assert (len(labels), pages) == (20, [2, 3])


def test_an_endpoint_that_ignores_page_is_read_once(mock_client: Callable[..., Client]) -> None:
    full_array = [{"custom_field": {"field_id": n}} for n in range(100)]  # no total_count, a full page each time
    handler, seen = sequence(answer(200, full_array))
    assert len(mock_client(handler).list_custom_fields()) == 100
    assert len(seen) == 2


def test_array_pages_stop_on_a_short_page(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(200, [{"group": {"group_id": 1}}, {"group": {"group_id": 2}}]))
    assert [g["group_id"] for g in mock_client(handler).iter_groups()] == [1, 2]
    assert len(seen) == 1


def test_case_edit_sends_custom_fields_labels_and_status(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(200, {"case": {"case_id": 7, "status": "closed"}}))
    mock_client(handler).update_case(7, custom_fields={"cf_1004": 2}, add_labels=[403], status="closed")
    assert seen[0].method == "PUT"
    assert json.loads(seen[0].content) == {"case": {"custom_fields": {"cf_1004": 2}, "add_labels": [403],
                                                    "status": "closed"}}


def test_note_with_a_file_is_multipart(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(201, {"message": {"message_id": 2000, "note": True}}))
    note = mock_client(handler).add_note(7, "Письмо", html="<p>Письмо</p>",
                                         attachment=("letter.pdf", b"%PDF-1.4", "application/pdf"))
    assert note == {"message_id": 2000, "note": True}
    body = seen[0].content
    assert seen[0].headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="note[attachments][0]"; filename="letter.pdf"' in body
    assert b'name="note[content_html]"' in body and b"%PDF-1.4" in body


def test_note_path_falls_back_to_notes_json_and_remembers(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(404, {"error": "not_found"}), answer(201, {"note": {"message_id": 1}}))
    client = mock_client(handler)
    assert client.add_note(7, "a", attachment_urls=["https://render.example/letter.pdf"]) == {"message_id": 1}
    client.add_note(7, "b")
    assert [r.url.path for r in seen] == ["/api/cases/7/note.json", "/api/cases/7/notes.json", "/api/cases/7/notes.json"]
    assert json.loads(seen[1].content)["note"]["attachment_urls"] == ["https://render.example/letter.pdf"]


def test_case_number_falls_back_to_a_scan_of_recent_cases(mock_client: Callable[..., Client]) -> None:
    page = {"0": {"case": {"case_id": 1, "case_number": "664-000001"}},
            "1": {"case": {"case_id": 2, "case_number": "664-245651"}}, "total_count": 2}
    handler, seen = sequence(answer(404, {"error": "case_not_found"}), answer(200, page))
    assert mock_client(handler).get_case("664-245651")["case_id"] == 2
    assert seen[1].url.params["sort"] == "updated_at_desc"


def test_an_id_cannot_reach_another_endpoint(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(200, {"case": {"case_id": 1}}))
    mock_client(handler).update_case("1/trash", status="closed")
    assert seen[0].url.raw_path == b"/api/cases/1%2Ftrash.json"  # not PUT cases/1/trash.json


def test_a_missing_case_id_does_not_scan(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(404, {"error": "case_not_found"}))
    with pytest.raises(NotFoundError) as caught:
        mock_client(handler).get_case(99)
    assert (caught.value.method, caught.value.path, caught.value.status, caught.value.code) == (
        "GET", "/api/cases/99.json", 404, "case_not_found")
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("status", "payload", "error", "text"),
    [
        (401, {"error": "authentication_failed"}, AuthError, "check OMNIDESK_EMAIL and OMNIDESK_API_KEY"),
        (403, {"error": "staff_has_not_access"}, AuthError, "lacks access"),
        (405, {"error": "method_not_allowed"}, ReadOnlyError, "admin UI"),
        (404, {"error": "not_found"}, ReadOnlyError, "can only be read"),
        (400, {"error": "wrong_email"}, ApiError, "400 (wrong_email)"),
    ],
)
def test_refusals_become_typed_errors(
    mock_client: Callable[..., Client], status: int, payload: dict[str, str], error: type[ApiError], text: str
) -> None:
    handler, _ = sequence(answer(status, payload))
    with pytest.raises(error, match=text.replace("(", r"\(").replace(")", r"\)")) as caught:
        mock_client(handler).request("POST", "macros.json", json={"macro": {}})
    assert caught.value.code == payload["error"]
    assert caught.value.status == status


# ---------------------------------------------------------------- rate limits and faults


def test_429_waits_retry_after_then_succeeds(
    mock_client: Callable[..., Client], fake_time: FakeTime, wait_messages: list[str]
) -> None:
    handler, seen = sequence(
        answer(429, {"error": "rate limit exceeded"}, retry_after="12", api_calls_left="0", rate_limit_per_minute="50"),
        answer(200, {"label": {"label_id": 1}}),
    )
    client = mock_client(handler)
    assert client.create_label("x") == {"label_id": 1}
    assert len(seen) == 2  # a throttled POST was not processed, so it is safe to send again
    assert 12 <= fake_time.sleeps[-1] <= 13
    assert wait_messages[-1].startswith("waiting 12 s for the Omnidesk rate limit (api_calls_left=0")


def test_403_with_rate_limit_text_is_throttling(mock_client: Callable[..., Client], fake_time: FakeTime) -> None:
    handler, seen = sequence(httpx.Response(403, text="Rate limit exceeded"), answer(200, {"group": {"group_id": 1}}))
    assert mock_client(handler).get_group(1) == {"group_id": 1}
    assert len(seen) == 2


def test_retry_after_is_capped(mock_client: Callable[..., Client], fake_time: FakeTime) -> None:
    handler, _ = sequence(answer(429, {"error": "x"}, retry_after="3600"), answer(200, {"group": {}}))
    mock_client(handler, max_wait=30).get_group(1)
    assert fake_time.sleeps[-1] <= 30 + 1


def test_endless_throttling_ends_at_the_deadline(mock_client: Callable[..., Client], fake_time: FakeTime) -> None:
    handler, seen = sequence(answer(429, {"error": "rate limit exceeded"}, retry_after="20"))
    with pytest.raises(RateLimitError, match="deadline ran out") as caught:
        mock_client(handler, deadline=100, max_attempts=50).get_group(1)
    assert caught.value.status == 429
    assert sum(fake_time.sleeps) <= 100
    assert 4 <= len(seen) <= 6


def test_get_survives_a_5xx_burst(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(502, {"error": "x"}), answer(503), answer(500), answer(200, {"staff": {"staff_id": 1}}))
    assert mock_client(handler).get_staff(1) == {"staff_id": 1}
    assert len(seen) == 4


def test_post_is_not_retried_after_a_5xx(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(502, {"error": "bad_gateway"}), answer(201, {"label": {}}))
    with pytest.raises(ApiError, match="502") as caught:
        mock_client(handler).create_label("x")
    assert caught.value.status == 502 and len(seen) == 1


def test_post_is_retried_when_the_connection_was_never_made(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), answer(201, {"label": {"label_id": 3}}))
    assert mock_client(handler).create_label("x") == {"label_id": 3}
    assert len(seen) == 3


@pytest.mark.parametrize("method", ["PATCH", "post"])
def test_other_non_idempotent_methods_are_not_retried_after_a_5xx_or_a_drop(
    mock_client: Callable[..., Client], method: str
) -> None:
    handler, seen = sequence(answer(503), answer(200, {"case": {}}))
    with pytest.raises(ApiError, match="503"):
        mock_client(handler).request(method, "cases/7.json", json={"case": {}})
    handler, seen_dropped = sequence(httpx.RemoteProtocolError("dropped"), answer(200, {"case": {}}))
    with pytest.raises(TransportError, match="may have reached Omnidesk"):
        mock_client(handler).request(method, "cases/7.json", json={"case": {}})
    assert (len(seen), len(seen_dropped)) == (1, 1)


def test_delete_is_retried_after_a_5xx(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(answer(503), answer(200))
    mock_client(handler).delete_label(3)
    assert [r.method for r in seen] == ["DELETE", "DELETE"]


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")])
def test_post_is_not_retried_once_it_may_have_arrived(mock_client: Callable[..., Client], failure: Exception) -> None:
    handler, seen = sequence(failure, answer(201, {"message": {}}))
    with pytest.raises(TransportError, match="may have reached Omnidesk"):
        mock_client(handler).add_note(7, "letter")
    assert len(seen) == 1


def test_get_is_retried_after_a_dropped_connection(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(httpx.RemoteProtocolError("dropped"), httpx.ReadTimeout("slow"), answer(200, {"user": {}}))
    assert mock_client(handler).get_user(1) == {}
    assert len(seen) == 3


def test_connection_failures_end_as_transport_error(mock_client: Callable[..., Client]) -> None:
    handler, seen = sequence(httpx.ConnectError("refused"))
    with pytest.raises(TransportError, match="to GET /api/users/1.json: ConnectError. Check OMNIDESK_URL"):
        mock_client(handler, max_attempts=3).get_user(1)
    assert len(seen) == 3


def test_a_failure_outside_httpx_gives_its_budget_slot_back(mock_client: Callable[..., Client]) -> None:
    handler, _ = sequence(RuntimeError("a bug in a transport"))
    client = mock_client(handler)
    with pytest.raises(RuntimeError):
        client.get_group(1)
    assert client.budget._in_flight == 0  # otherwise the slot stays taken for the client's lifetime


def test_pacing_waits_instead_of_running_into_the_limit(
    mock_client: Callable[..., Client], fake_time: FakeTime, wait_messages: list[str]
) -> None:
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(fake_time.now)
        left = sum(1 for t in calls if t > fake_time.now - 60)
        return answer(200, {"group": {}}, rate_limit_per_minute="5", api_calls_left=str(5 - left))

    client = mock_client(handler)
    for _ in range(12):
        client.get_group(1)
    assert all(sum(1 for t in calls if c - 60 < t <= c) <= 5 for c in calls)
    assert any(m.startswith("waiting 60 s for the Omnidesk rate limit") for m in wait_messages)


def test_no_secret_or_query_string_in_any_log_line(
    mock_client: Callable[..., Client], caplog: pytest.LogCaptureFixture
) -> None:
    handler, _ = sequence(answer(503), answer(200, {"0": {"case": {"case_id": 1}}, "total_count": 1}))
    caplog.set_level(logging.DEBUG)
    list(mock_client(handler).iter_cases(user_email="ivanov@example.com"))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/api/cases.json" in text
    for secret in ("secret-key-123", "c3RhZmZAZXhhbXBsZS5jb206", "ivanov", "Authorization"):
        assert secret not in text


def test_an_attempt_never_outlives_the_deadline(mock_client: Callable[..., Client]) -> None:
    timeouts: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"])
        return answer(200, {"group": {}})

    mock_client(handler, timeout=30, deadline=5).get_group(1)
    assert timeouts[0]["read"] == 5


def test_a_body_that_is_not_json_is_an_api_error(mock_client: Callable[..., Client]) -> None:
    handler, _ = sequence(httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(ApiError, match="not JSON") as caught:
        mock_client(handler).get_group(1)
    assert caught.value.status == 200


@pytest.mark.parametrize(
    ("call", "payload"),
    [
        (lambda client: client.get_group(1), [1, 2]),
        (lambda client: list(client.iter_groups()), "maintenance"),
        (lambda client: list(client.iter_groups()), {"0": "not an object", "total_count": 1}),
        (lambda client: list(client.iter_groups()), {"0": {"group": {}}, "total_count": "many"}),
        (lambda client: client.list_macros(), ["not", "categories"]),
    ],
)
def test_an_answer_in_an_unexpected_shape_is_an_api_error(
    mock_client: Callable[..., Client], call: Callable[[Client], object], payload: object
) -> None:
    handler, _ = sequence(answer(200, payload))
    with pytest.raises(ApiError, match="unexpected shape") as caught:
        call(mock_client(handler))
    assert caught.value.method == "GET" and caught.value.path.startswith("/api/")


def test_no_sandbox_running_says_how_to_start_it() -> None:
    settings = OmnideskSettings(url="http://127.0.0.1:9").validated(max_attempts=1)  # nothing listens on port 9
    with Client(settings, on_wait=lambda m: None) as client, pytest.raises(TransportError, match="Is the sandbox running") \
            as raised:
        client.get_group(1)
    assert raised.value.sandbox_down
