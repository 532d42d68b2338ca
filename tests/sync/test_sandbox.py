"""The sandbox as a server on loopback: the documented shapes, auth, read-only resources, admin, persistence."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import socket
import sqlite3
import threading
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from starlette.responses import Response

from omnidesk_macros.errors import ConfigError, NotFoundError, ReadOnlyError
from sync.client import Client
from sync.sandbox import SandboxConfig, SandboxServer
from sync.sandbox.edge import SandboxEdge
from sync.sandbox.web import Request
from sync.wire import parse_date

AUTH = ("admin@sandbox.local", "sandbox-key")


@pytest.fixture
def http(sandbox: SandboxServer):
    with httpx.Client(base_url=sandbox.url, auth=AUTH, timeout=5) as client:
        yield client


def test_cases_list_has_the_documented_shape(http: httpx.Client) -> None:
    response = http.get("/api/cases.json", params={"limit": 10, "page": 3})
    assert response.status_code == 200
    assert response.headers["rate_limit_per_minute"] == "300"
    assert int(response.headers["api_calls_left"]) == 299
    assert "retry_after" not in response.headers
    body = response.json()
    assert body["total_count"] == 24
    assert sorted(k for k in body if k != "total_count") == [str(i) for i in range(4)]
    case = body["0"]["case"]
    assert re.fullmatch(r"\d{3}-\d{6}", case["case_number"])
    assert parse_date(case["created_at"]) is not None
    assert case["closed_at"] == "-" or parse_date(case["closed_at"]) is not None
    assert set(case["custom_fields"]) == {"cf_1003", "cf_1004", "cf_1005"}


def test_limit_is_capped_at_100(sandbox: SandboxServer, http: httpx.Client) -> None:
    for n in range(120):
        sandbox.store.insert("label", "label_id", {"label_title": f"Метка {n}"})
    body = http.get("/api/labels.json", params={"limit": 500}).json()
    assert (body["total_count"], len(body) - 1) == (124, 100)


@pytest.mark.parametrize("limit", [1, 5, 7, 24, 100])
def test_paging_with_any_limit_yields_every_case_once(api: Client, limit: int) -> None:
    cases = list(api.iter_list("cases.json", "case", {"limit": limit, "sort": "created_at_asc"}))
    assert sorted(case["case_id"] for case in cases) == list(range(5000, 5024))
    created = [case["created_at"] for case in cases]
    assert created == sorted(created)


@pytest.mark.parametrize("auth", [None, ("admin@sandbox.local", "wrong"), ("someone@example.com", "sandbox-key")])
def test_api_needs_the_staff_email_and_key(sandbox: SandboxServer, auth: tuple[str, str] | None) -> None:
    response = httpx.get(f"{sandbox.url}/api/cases.json", auth=auth)
    assert response.status_code == 401
    assert response.json() == {"error": "authentication_failed"}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/api/macros.json", "/api/custom_fields.json", "/api/macros/196501.json"])
def test_macros_and_custom_fields_cannot_be_written_through_api(http: httpx.Client, method: str, path: str) -> None:
    response = http.request(method, path, json={"macro": {"title": "x"}})
    # a known list refuses the method; a single macro has no route at all
    expected = (404, "not_found") if path.endswith("196501.json") else (405, "method_not_allowed")
    assert (response.status_code, response.json()["error"]) == expected


def test_client_reports_read_only_resources(api: Client) -> None:
    with pytest.raises(ReadOnlyError) as caught:
        api.request("POST", "macros.json", json={"macro": {"title": "Новый"}})
    assert (caught.value.status, caught.value.code) == (405, "method_not_allowed")
    with pytest.raises(ReadOnlyError):
        api.request("PUT", "custom_fields.json", json={"custom_field": {}})


def test_seed_is_believable_and_invented(api: Client) -> None:
    staff = {s["staff_full_name"]: s for s in api.iter_staff()}
    signatory = staff["Самарина Наталья Николаевна"]
    assert signatory["staff_signature"].splitlines()[1] == "Начальник отдела продаж населению"
    assert all(s["staff_email"].endswith(("@example.com", "@sandbox.local")) for s in staff.values())
    users = list(api.iter_users())
    assert all(u["user_email"].endswith(("@example.com", "@example.org")) for u in users)
    fields = {f.title: f for f in api.list_custom_fields()}
    assert sorted(fields["Адрес ЦОК"].options.values()) == sorted([
        "ул. Луначарского, 56", "пр. Металлургов, 56", "ул. Советской Армии, 146", "ул. Павла Маркина, 1",
        "ул. Бакинская, 22А"])
    assert list(fields["Критерий обращения"].options.values()) == ["первично", "повторно", "жалоба"]
    categories = api.list_macros()
    assert [c.title for c in categories] == ["Начисления и оплата", "Приборы учёта", "Без категории"]
    assert categories[-1].category_id == 0 and categories[-1].sort == 99999


def test_macros_json_is_shaped_as_documented(http: httpx.Client) -> None:
    body = http.get("/api/macros.json").json()
    assert set(body) == {"common", "personal"} and body["personal"] == []
    bucket = body["common"]["2"]
    assert (bucket["title"], bucket["macros_category_id"]) == ("Без категории", 0)
    macro = bucket["data"]["196529"]
    assert set(macro) == {"title", "position", "group_name", "actions"}
    assert [a["position"] for a in macro["actions"]] == [1, 2]
    assert set(macro["actions"][0]) == {"macro_action_id", "action_type", "action_display_name",
                                        "action_destination", "content", "subject", "position"}


def test_case_by_id_and_by_number(api: Client) -> None:
    by_number = api.get_case("664-245653")
    assert api.get_case(by_number["case_id"]) == by_number
    with pytest.raises(NotFoundError):
        api.get_case(1)


def test_case_edit_changes_fields_labels_status(api: Client) -> None:
    case = api.update_case(5001, custom_fields={"cf_1004": "5"}, add_labels=[403], delete_labels=[401], status="closed")
    assert case["custom_fields"]["cf_1004"] == 5
    assert case["labels"] == [403]
    assert case["status"] == "closed" and case["closed_at"] is not None
    assert api.get_case(5001) == case


def test_case_edit_refuses_unknown_fields_and_options(http: httpx.Client) -> None:
    bad_field = http.put("/api/cases/5001.json", json={"case": {"custom_fields": {"cf_9999": "x"}}})
    bad_option = http.put("/api/cases/5001.json", json={"case": {"custom_fields": {"cf_1004": 9}}})
    assert (bad_field.status_code, bad_field.json()) == (400, {"error": "custom_field_not_found"})
    assert (bad_option.status_code, bad_option.json()) == (400, {"error": "wrong_custom_field_value"})


def test_note_with_attachment_is_stored_and_served(api: Client, http: httpx.Client) -> None:
    note = api.add_note("664-245652", "Письмо", html="<p>Письмо</p>",
                        attachment=("письмо.pdf", b"%PDF-1.4 demo", "application/pdf"))
    assert note["note"] is True
    [attachment] = note["attachments"]
    assert (attachment["file_name"], attachment["file_size"]) == ("письмо.pdf", 13)
    assert http.get(attachment["url"]).content == b"%PDF-1.4 demo"
    messages = list(api.iter_messages(5001))
    assert [m["note"] for m in messages] == [False, True]


def test_an_attachment_named_like_a_url_is_served_back(api: Client, http: httpx.Client) -> None:
    note = api.add_note(5003, "Письмо", attachment=("акт #2 / итог?.pdf", b"%PDF-1.4 odd", "application/pdf"))
    [attachment] = note["attachments"]
    assert attachment["file_name"] == "акт #2 / итог?.pdf"
    url = httpx.URL(attachment["url"])
    assert (url.query, url.fragment) == (b"", "")
    assert unquote(url.raw_path.decode().rsplit("/", 1)[-1]) == "акт #2 / итог?.pdf"
    assert http.get(url).content == b"%PDF-1.4 odd"


def test_a_refused_note_stores_no_file(sandbox: SandboxServer, http: httpx.Client) -> None:
    files = {"note[attachments][0]": ("letter.pdf", b"%PDF", "application/pdf")}
    assert http.post("/api/cases/5003/note.json", files=files).json() == {"error": "content_required"}
    assert sandbox.store.get_file(1) is None


def test_no_secret_or_personal_data_in_any_log_line_over_a_real_socket(
    api: Client, caplog: pytest.LogCaptureFixture
) -> None:
    """httpx and httpcore log at INFO and DEBUG over a real connection; none of it may carry the key or an email."""
    caplog.set_level(logging.DEBUG)
    assert [c["user_id"] for c in api.iter_cases(user_email="ivanov@example.com")]
    api.add_note(5003, "Письмо", attachment=("letter.pdf", b"%PDF", "application/pdf"))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/api/cases.json" in text
    credentials = base64.b64encode(b"admin@sandbox.local:sandbox-key").decode()
    for secret in ("sandbox-key", credentials, "ivanov", "authorization"):
        assert secret.lower() not in text.lower()


def test_note_by_url_on_either_path(http: httpx.Client) -> None:
    for leaf in ("note.json", "notes.json"):
        response = http.post(f"/api/cases/5002/{leaf}", json={"note": {
            "content": "x", "attachment_urls": ["https://render.example/letter.pdf"]}})
        assert response.status_code == 201
        assert response.json()["message"]["attachments"][0]["file_name"] == "letter.pdf"


def test_labels_crud(api: Client) -> None:
    label = api.create_label("Печать на бланке")
    assert api.update_label(label["label_id"], "Печать")["label_title"] == "Печать"
    api.delete_label(label["label_id"])
    assert label["label_id"] not in {item["label_id"] for item in api.iter_labels()}
    with pytest.raises(NotFoundError):
        api.delete_label(label["label_id"])


def test_knowledge_base_crud(api: Client) -> None:
    category = api.create_kb("category", category_title="Письма")
    section = api.create_kb("section", section_title="Ответы", category_id=category["category_id"])
    article = api.create_kb("article", article_title="Перерасчёт", article_content="<p>…</p>",
                            section_id=[section["section_id"]], access_type="staff_only")
    assert (article["section_id"], article["section_id_arr"]) == (section["section_id"], [section["section_id"]])
    assert api.update_kb("article", article["article_id"], article_title="Перерасчёт ХВС")["article_title"] == "Перерасчёт ХВС"
    assert api.get_kb("section", section["section_id"])["category_id"] == category["category_id"]
    assert api.set_kb_active("article", article["article_id"], False)["active"] is False
    api.delete_kb("article", article["article_id"])
    assert article["article_id"] not in {a["article_id"] for a in api.iter_kb("article")}


def test_people_and_languages(api: Client) -> None:
    assert [g["group_title"] for g in api.iter_groups()][0] == "ЦОК — приём граждан"
    assert api.get_user(301)["user_full_name"] == "Иванов Пётр Петрович"
    assert [lang["code"] for lang in api.list_languages()] == ["РУС", "ENG"]
    assert [u["user_id"] for u in api.iter_users(user_email="^petrova@example.com^")] == [302]


def test_admin_creates_macros_and_fields_as_the_ui_would(sandbox: SandboxServer, api: Client) -> None:
    with httpx.Client(base_url=sandbox.url + "/_admin", timeout=5) as admin:
        category = admin.post("/macro_categories", json={"title": "Письма", "sort": 3}).json()
        macro = admin.post("/macros", json={"title": "Ответ о поверке", "category_id": category["macros_category_id"],
                                            "actions": [{"action_type": "email_to_user",
                                                         "action_destination": {"1": "Здравствуйте!"}}]}).json()
        field = admin.post("/custom_fields", json={"title": "Канал ответа", "field_type": "select",
                                                   "field_level": "case", "field_data": ["почта", "email"]}).json()
        assert admin.post("/custom_fields", json={"title": "x", "field_type": "number", "field_level": "case"}).status_code == 400
    [letters] = [c for c in api.list_macros() if c.title == "Письма"]
    assert letters.macros[0].macro_id == macro["macro_id"]
    assert letters.macros[0].actions[0].destination == {"1": "Здравствуйте!"}
    assert {f.field_id: f.options for f in api.list_custom_fields()}[field["field_id"]] == {1: "почта", 2: "email"}


def test_state_survives_a_restart_without_reseeding(tmp_path: Path) -> None:
    data = tmp_path / "state.sqlite3"
    with SandboxServer(data, port=0).start() as server, httpx.Client(auth=AUTH) as http:
        label = http.post(f"{server.url}/api/labels.json", json={"label": {"label_title": "Остаётся"}}).json()["label"]
    with SandboxServer(data, port=0).start() as server, httpx.Client(auth=AUTH) as http:
        titles = [item["label"]["label_title"] for key, item in http.get(f"{server.url}/api/labels.json").json().items()
                  if key != "total_count"]
    assert titles.count("Остаётся") == 1 and label["label_id"] > 404
    assert titles.count("Срочно") == 1


def test_changed_credentials(tmp_path: Path) -> None:
    config = SandboxConfig(email="boss@example.com", api_key="other")
    with SandboxServer(tmp_path / "s.sqlite3", port=0, config=config).start() as server:
        assert httpx.get(f"{server.url}/api/labels.json", auth=AUTH).status_code == 401
        assert httpx.get(f"{server.url}/api/labels.json", auth=("boss@example.com", "other")).status_code == 200


def test_close_lets_an_answer_in_progress_finish_and_ends_the_server_thread(tmp_path: Path) -> None:
    server = SandboxServer(tmp_path / "s.sqlite3", port=0).start()
    entered = threading.Event()
    handle = server.app.handle

    async def slow_handle(request: Request) -> Response:
        entered.set()
        await asyncio.sleep(0.3)  # close() is called meanwhile
        return await handle(request)

    server.app.handle = slow_handle  # type: ignore[method-assign]
    answers: list[int] = []
    with httpx.Client(auth=AUTH, timeout=10) as http:
        caller = threading.Thread(target=lambda: answers.append(http.get(f"{server.url}/api/labels.json").status_code))
        caller.start()
        assert entered.wait(10)
        server.close()
        caller.join(10)
    assert answers == [200]  # answered from a database that was still open
    assert not [t for t in threading.enumerate() if t.name == "omnidesk-sandbox"]


def test_a_busy_port_is_a_config_error(sandbox: SandboxServer, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="choose another port$") as raised:
        SandboxServer(tmp_path / "other.sqlite3", port=sandbox.server_address[1])
    assert raised.value.setting == "port"


def test_its_own_rate_limit_answers_429_with_retry_after(sandbox: SandboxServer, http: httpx.Client) -> None:
    sandbox.app.reconfigure(rate_limit_per_minute=3)
    statuses = [http.get("/api/labels.json") for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert [r.headers["api_calls_left"] for r in statuses] == ["2", "1", "0", "0"]
    assert 1 <= int(statuses[-1].headers["retry_after"]) <= 60
    assert statuses[-1].json() == {"error": "rate limit exceeded"}


def test_admin_controls_over_http(sandbox: SandboxServer, http: httpx.Client) -> None:
    with httpx.Client(base_url=sandbox.url + "/_admin", timeout=5) as admin:
        assert any("/_admin/faults" in route for route in admin.get("").json()["routes"])
        assert admin.put("/settings", json={"rate_limit_per_minute": 50}).json()["api_key"] == "***"
        assert admin.put("/settings", json={"plan": "pro"}).status_code == 400
        rules = admin.post("/faults", json={"latency_ms": 1, "error": {"count": 1, "status": 500}}).json()["rules"]
        assert rules[0]["kind"] == "error"
        assert admin.post("/faults", json={"error": {"cont": 1}}).json()["error"] == "wrong_faults"
        assert http.get("/api/labels.json").status_code == 500
        assert http.get("/api/labels.json").headers["rate_limit_per_minute"] == "50"
        assert [r["outcome"] for r in admin.get("/requests").json()["requests"]] == ["fault", "ok"]
        assert admin.delete("/faults").json() == {"latency_ms": 0.0, "rules": []}
        assert admin.delete("/requests").json() == {"requests": []}
        http.post("/api/labels.json", json={"label": {"label_title": "Временная"}})
        assert admin.post("/reset").json() == {"reset": True}
    assert [item["label"]["label_title"] for key, item in http.get("/api/labels.json").json().items()
            if key != "total_count"] == ["Личный приём", "Письменный ответ", "Печать письма", "Срочно"]


@pytest.mark.parametrize("change", [{"rate_limit_per_minute": 0}, {"rate_limit_per_minute": "50"},
                                    {"rate_window": -1}, {"throttle_status": 500}, {"api_key": ""}])
def test_admin_refuses_settings_that_would_break_the_api(
    sandbox: SandboxServer, http: httpx.Client, change: dict[str, object]
) -> None:
    with httpx.Client(base_url=sandbox.url + "/_admin", timeout=5) as admin:
        assert admin.put("/settings", json=change).status_code == 400
    assert http.get("/api/labels.json").status_code == 200


@pytest.mark.parametrize("length", ["-1", "ten"])
def test_a_malformed_content_length_is_a_400_at_once(sandbox: SandboxServer, length: str) -> None:
    host, port = sandbox.server_address[0], sandbox.server_address[1]
    with socket.create_connection((str(host), port), timeout=5) as conn:
        conn.sendall(f"POST /api/labels.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n\r\n".encode())
        with conn.makefile("rb") as answer:  # read to the end: the server closes the connection after it
            assert answer.read().startswith(b"HTTP/1.1 400")


def test_only_loopback_clients_are_served(sandbox: SandboxServer) -> None:
    """The server listens on loopback only; the edge refuses any other client address all the same."""
    answers: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        answers.append(message)

    for client in (("192.0.2.10", 50000), ("127.0.0.1", 50000)):
        scope = {"type": "http", "method": "GET", "path": "/_admin/faults", "raw_path": b"/_admin/faults",
                 "query_string": b"", "headers": [(b"host", b"127.0.0.1")], "client": client,
                 "server": ("127.0.0.1", 8765)}
        asyncio.run(SandboxEdge(sandbox.app, drop=lambda scope: None)(scope, receive, send))
    assert [m["status"] for m in answers if m["type"] == "http.response.start"] == [403, 200]


def test_a_body_that_stops_coming_is_a_408(sandbox: SandboxServer) -> None:
    answers: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        await asyncio.Event().wait()  # the client declared a body and sends nothing more
        raise AssertionError("unreachable")

    async def send(message: dict[str, object]) -> None:
        answers.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/labels.json", "raw_path": b"/api/labels.json",
             "query_string": b"", "headers": [(b"host", b"127.0.0.1"), (b"content-length", b"10")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8765)}
    asyncio.run(SandboxEdge(sandbox.app, drop=lambda scope: None, body_timeout=0.05)(scope, receive, send))
    assert [(m["status"], dict(m["headers"])[b"connection"]) for m in answers if m["type"] == "http.response.start"] \
        == [(408, b"close")]
    assert answers[-1]["body"] == b'{"error": "request_timeout"}'


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Host": "rebound.evil.example:8765"}]
)
def test_a_web_page_in_a_local_browser_cannot_steer_the_sandbox(
    sandbox: SandboxServer, headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=sandbox.url, timeout=5) as local:
        refused = local.post("/_admin/faults", json={"drop": {"count": 100}}, headers=headers)
        assert (refused.status_code, refused.json()) == (403, {"error": "loopback_only"})
        assert local.get("/_admin/faults").json()["rules"] == []
        assert local.post("/_admin/faults", json={}, headers={"Origin": sandbox.url}).status_code == 200


def test_a_data_file_that_is_not_sqlite_is_a_config_error(tmp_path: Path) -> None:
    data = tmp_path / "notes.txt"
    data.write_text("this is not a database, " * 100, encoding="utf-8")
    with pytest.raises(ConfigError, match="not a sandbox data file"):
        SandboxServer(data, port=0)


def test_another_programs_sqlite_file_is_a_config_error_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "crm.sqlite3"
    with contextlib.closing(sqlite3.connect(data)) as db, db:
        db.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(ConfigError, match="not a sandbox data file"):
        SandboxServer(data, port=0)
    with contextlib.closing(sqlite3.connect(data)) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master")] == ["customers"]


def test_a_case_for_an_unknown_contact_files_under_a_new_profile_of_that_name(api: Client) -> None:
    """As Omnidesk: an unknown user_email or user_phone becomes a profile; a known one keeps its own."""
    users_before = len(list(api.iter_users()))
    by_email = api.request("POST", "cases.json", json={"case": {
        "subject": "Обращение", "user_email": "lesnaya@example.com", "user_full_name": "Лесная Вера Павловна"}})["case"]
    again = api.request("POST", "cases.json", json={"case": {
        "subject": "Ещё одно", "user_email": "LESNAYA@example.com", "user_full_name": "Другое Имя"}})["case"]
    by_phone = api.request("POST", "cases.json", json={"case": {
        "subject": "По телефону", "user_phone": "+79000000099", "user_full_name": "Полевой Иван Ильич"}})["case"]
    known = api.request("POST", "cases.json", json={"case": {
        "subject": "Известный", "user_email": "petrova@example.com", "user_full_name": "Не Петрова"}})["case"]
    profile = api.get_user(by_email["user_id"])
    assert (profile["user_email"], profile["user_full_name"], profile["type"]) == (
        "lesnaya@example.com", "Лесная Вера Павловна", "email")
    assert again["user_id"] == by_email["user_id"] and api.get_user(again["user_id"])["user_full_name"] == profile[
        "user_full_name"]
    phone_profile = api.get_user(by_phone["user_id"])
    assert (phone_profile["user_phone"], phone_profile["user_full_name"]) == ("+79000000099", "Полевой Иван Ильич")
    assert known["user_id"] == 302 and api.get_user(302)["user_full_name"] == "Петрова Мария Ивановна"
    assert len(list(api.iter_users())) == users_before + 2
    assert [c["case_id"] for c in api.iter_list("cases.json", "case", {"user_id": by_email["user_id"]})] == sorted(
        [again["case_id"], by_email["case_id"]], reverse=True)


def test_a_refused_case_makes_no_profile(http: httpx.Client, api: Client) -> None:
    users_before = len(list(api.iter_users()))
    bad = http.post("/api/cases.json", json={"case": {"subject": "x", "user_email": "new@example.com",
                                                        "custom_fields": {"cf_9999": "x"}}})
    nobody = http.post("/api/cases.json", json={"case": {"subject": "x", "user_full_name": "Без Контакта"}})
    assert (bad.status_code, bad.json()) == (400, {"error": "custom_field_not_found"})
    assert (nobody.status_code, nobody.json()) == (400, {"error": "subject_and_user_required"})
    assert len(list(api.iter_users())) == users_before


def test_a_profile_edit_writes_its_custom_fields(api: Client, http: httpx.Client) -> None:
    user = api.request("PUT", "users/303.json", json={"user": {"custom_fields": {"cf_1001": "0000000099"},
                                                                "user_note": "заметка"}})["user"]
    assert user["custom_fields"]["cf_1001"] == "0000000099" and user["user_note"] == "заметка"
    assert http.get("/api/users/303.json").json() == {"user": user}
    bad = http.put("/api/users/303.json", json={"user": {"custom_fields": {"cf_1001": 5}}})
    wrong = http.put("/api/users/303.json", json={"user": {"user_full_name": ["x"]}})
    missing = http.put("/api/users/99999.json", json={"user": {"user_note": "x"}})
    assert (bad.status_code, bad.json()) == (400, {"error": "wrong_custom_field_value"})
    assert (wrong.status_code, wrong.json()) == (400, {"error": "wrong_user_full_name"})
    assert (missing.status_code, missing.json()) == (404, {"error": "user_not_found"})
    assert http.get("/api/users/303.json").json() == {"user": user}


def test_the_admin_index_names_every_admin_route(sandbox: SandboxServer) -> None:
    """GET /_admin is how a person finds the controls: a route registered but not named there is invisible."""
    from types import SimpleNamespace

    from sync.sandbox.admin import register
    from sync.sandbox.web import Router

    router = Router()
    register(router, SimpleNamespace(store=None))  # type: ignore[arg-type]  # registering reads no state
    with httpx.Client(base_url=sandbox.url, timeout=5) as admin:
        listed = admin.get("/_admin").json()["routes"]
    paths = {"/_admin/" + regex.pattern.strip("^$").replace("(?P<id>[^/]+)", "{id}") for regex, _ in router._routes}
    assert "/_admin/checklist" in paths
    for path in sorted(paths):
        named = [line for line in listed if re.search(re.escape(path.rstrip("/")) + r"(\s|$)", line)]
        assert named, f"{path} is served but GET /_admin does not name it"
