"""Malformed and hostile requests against a running sandbox: each gets a well-formed JSON error, nothing bad is
stored, and the sandbox keeps serving (issue 8's probes, one row each).

Raw sockets send what httpx refuses to (a non-ASCII Content-Length, a raw byte in the path, a Host of "[");
after every probe a normal request must still work and every list filter must still read every case.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.sandbox import SandboxConfig, SandboxServer
from sync.sandbox.state import LOG_SIZE, LoggedRequest, RequestLog

AUTH = ("admin@sandbox.local", "sandbox-key")
BASIC = "Authorization: Basic YWRtaW5Ac2FuZGJveC5sb2NhbDpzYW5kYm94LWtleQ==\r\n"
#: every filter of GET cases.json, with a value that matches something in the demo data
FILTERS = [{"status": "open"}, {"channel": "web"}, {"priority": "normal,high"}, {"user_id": "301,abc"},
           {"staff_id": "202"}, {"group_id": "101"}, {"subject": "вода"}, {"labels": "401"},
           {"user_email": "example.com"}, {"sort": "updated_at_asc"}]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """One sandbox for the whole table (rate limit out of the way): each probe must leave it working."""
    config = SandboxConfig(rate_limit_per_minute=1_000_000)
    with SandboxServer(tmp_path_factory.mktemp("probes") / "sandbox.sqlite3", port=0, config=config).start() as server:
        yield server


@pytest.fixture
def http(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, auth=AUTH, timeout=10) as client:
        yield client


def read_answer(stream: Any) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 answer from a socket file: status, headers (lower-case names), body."""
    status_line = stream.readline()
    assert status_line.startswith(b"HTTP/1.1 "), status_line
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = stream.read(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers, body


def send_raw(sandbox: SandboxServer, data: bytes) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(sandbox.server_address, timeout=10) as conn, conn.makefile("rb") as stream:
        conn.sendall(data)
        return read_answer(stream)


def request_bytes(method: str, target: bytes | str, headers: str = "", body: bytes = b"") -> bytes:
    target = target.encode() if isinstance(target, str) else target
    length = f"Content-Length: {len(body)}\r\n" if body else ""
    return (method.encode() + b" " + target + b" HTTP/1.1\r\n"
            + f"Host: 127.0.0.1\r\n{BASIC}{length}{headers}\r\n".encode() + body)


def assert_still_serving(sandbox: SandboxServer) -> None:
    """A normal request works, and every case filter reads every stored case without error."""
    with httpx.Client(base_url=sandbox.url, auth=AUTH, timeout=10) as http:
        assert http.get("/api/labels.json").status_code == 200
        for params in FILTERS:
            response = http.get("/api/cases.json", params=params)
            assert response.status_code == 200, (params, response.text)


def assert_json_error(status: int, headers: dict[str, str], body: bytes, expected_status: int, code: str) -> None:
    assert (status, headers["content-type"]) == (expected_status, "application/json; charset=utf-8")
    assert json.loads(body) == {"error": code}


RAW_PROBES = {
    "content-length 10^12, no body": (request_bytes("POST", "/api/labels.json", "Content-Length: 1000000000000\r\n"),
                                      413, "request_too_large"),
    "content-length 10^20": (request_bytes("POST", "/api/labels.json", f"Content-Length: {10**20}\r\n"),
                             400, "bad_request"),  # refused by the HTTP parser already
    "300 MB declared, a little sent": (request_bytes("POST", "/api/labels.json", f"Content-Length: {300 * 2**20}\r\n")
                                       + b'{"label": ', 413, "request_too_large"),
    "content-length a superscript two": (request_bytes("POST", "/api/labels.json", "Content-Length: ²\r\n"),
                                         400, "bad_request"),
    "negative content-length": (request_bytes("POST", "/api/labels.json", "Content-Length: -1\r\n"), 400, "bad_request"),
    "path id of 60,000 digits": (request_bytes("GET", "/api/cases/" + "7" * 60_000 + ".json"), 404, "case_not_found"),
    "path id of 5,000 digits": (request_bytes("GET", "/api/cases/" + "7" * 5_000 + ".json"), 404, "case_not_found"),
    "raw byte in the path": (request_bytes("GET", b"/api/cases/\xb2.json"), 400, "bad_request"),
    "escaped superscript in the path": (request_bytes("GET", "/api/cases/%C2%B2.json"), 404, "case_not_found"),
    "label id past 64 bits": (request_bytes("DELETE", "/api/labels/99999999999999999999.json"), 404, "label_not_found"),
    "file id a superscript": (request_bytes("GET", "/files/%C2%B2/x.pdf"), 404, "file_not_found"),
    "Host: [": (request_bytes("GET", "/api/labels.json").replace(b"Host: 127.0.0.1", b"Host: ["), 400, "wrong_host"),
    "Origin: http://[::1": (request_bytes("GET", "/api/labels.json", "Origin: http://[::1\r\n"), 403, "loopback_only"),
    "JSON nested 100k deep": (request_bytes("POST", "/api/labels.json", "Content-Type: application/json\r\n",
                                            b"[" * 100_000 + b"]" * 100_000), 400, "wrong_json"),
    "JSON with NaN": (request_bytes("POST", "/api/labels.json", "", b'{"label": {"label_title": NaN}}'),
                      400, "wrong_json"),
}


@pytest.mark.parametrize("data, status, code", RAW_PROBES.values(), ids=RAW_PROBES.keys())
def test_raw_probe_gets_a_json_error(sandbox: SandboxServer, data: bytes, status: int, code: str) -> None:
    assert_json_error(*send_raw(sandbox, data), status, code)
    assert_still_serving(sandbox)


@pytest.mark.parametrize("query", ["user_id=%C2%B2", "labels=%C2%B9", "staff_id=%EF%BC%95", "page=%C2%B2"])
def test_unicode_digits_in_the_query_are_not_ids(sandbox: SandboxServer, query: str) -> None:
    status, _, body = send_raw(sandbox, request_bytes("GET", f"/api/cases.json?{query}"))
    if query.startswith("page"):
        assert (status, json.loads(body)) == (400, {"error": "wrong_page_or_limit"})
    else:
        assert (status, json.loads(body)["total_count"]) == (200, 0)
    assert_still_serving(sandbox)


BODY_PROBES = {
    "case subject an object": ("POST", "/api/cases.json", {"case": {"subject": {"$ne": 1}, "user_id": 301}}, "wrong_subject"),
    "case priority an object": ("POST", "/api/cases.json",
                                {"case": {"subject": "x", "user_id": 301, "priority": {"a": 1}}}, "wrong_priority"),
    "case staff_id abc": ("POST", "/api/cases.json", {"case": {"subject": "x", "user_id": 301, "staff_id": "abc"}},
                          "wrong_staff_id"),
    "case staff_id a list": ("POST", "/api/cases.json", {"case": {"subject": "x", "user_id": 301, "staff_id": [1]}},
                             "wrong_staff_id"),
    "case edit subject 123": ("PUT", "/api/cases/5001.json", {"case": {"subject": 123}}, "wrong_subject"),
    "case edit labels of text": ("PUT", "/api/cases/5001.json", {"case": {"add_labels": ["x"]}}, "wrong_labels"),
    "text custom field a float": ("PUT", "/api/cases/5001.json", {"case": {"custom_fields": {"cf_1001": 1.5e19}}},
                                  "wrong_custom_field_value"),
    "KB article section_id abc": ("POST", "/api/kb_article.json",
                                  {"kb_article": {"article_title": "x", "section_id": "abc"}}, "wrong_section_id"),
    "note content a number": ("POST", "/api/cases/5001/note.json", {"note": {"content": 5}}, "wrong_content"),
    "admin category sort abc": ("POST", "/_admin/macro_categories", {"title": "x", "sort": "abc"}, "wrong_sort"),
    "admin macro category_id abc": ("POST", "/_admin/macros", {"title": "x", "category_id": "abc"},
                                    "wrong_category_id"),
    "admin macro action not an object": ("POST", "/_admin/macros", {"title": "x", "actions": ["x"]}, "wrong_actions"),
    "admin field options of numbers": ("POST", "/_admin/custom_fields", {
        "title": "x", "field_type": "select", "field_level": "case", "field_data": [1, 2]}, "wrong_field_data"),
}


@pytest.mark.parametrize("method, path, body, code", BODY_PROBES.values(), ids=BODY_PROBES.keys())
def test_a_malformed_body_is_refused_and_nothing_stored(
    sandbox: SandboxServer, http: httpx.Client, method: str, path: str, body: dict[str, Any], code: str
) -> None:
    before = {kind: len(sandbox.store.all(kind)) for kind in ("case", "kb_article", "macro", "macro_category", "message")}
    case = sandbox.store.get("case", 5001)
    response = http.request(method, path, json=body)
    assert (response.status_code, response.json()) == (400, {"error": code})
    assert {kind: len(sandbox.store.all(kind)) for kind in before} == before
    assert sandbox.store.get("case", 5001) == case
    assert_still_serving(sandbox)


@pytest.mark.parametrize("part_head, payload, code", [
    ('Content-Type: text/plain; charset=klingon', b"hello", "wrong_charset"),
    ('Content-Type: text/plain; charset=utf-8', b"\xff\xfe broken", "wrong_encoding"),
])
def test_a_multipart_field_that_is_not_text_is_refused(
    sandbox: SandboxServer, part_head: str, payload: bytes, code: str
) -> None:
    body = (b'--b\r\nContent-Disposition: form-data; name="note[content]"\r\n' + part_head.encode()
            + b"\r\n\r\n" + payload + b"\r\n--b--\r\n")
    data = request_bytes("POST", "/api/cases/5002/note.json", "Content-Type: multipart/form-data; boundary=b\r\n", body)
    assert_json_error(*send_raw(sandbox, data), 400, code)
    assert_still_serving(sandbox)


def test_chunked_bodies_are_read_as_one_request(sandbox: SandboxServer) -> None:
    body = json.dumps({"label": {"label_title": "По частям"}}).encode()
    chunked = (b"POST /api/labels.json HTTP/1.1\r\nHost: 127.0.0.1\r\n" + BASIC.encode()
               + b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
               + b"%x\r\n%s\r\n" % (10, body[:10]) + b"%x\r\n%s\r\n" % (len(body) - 10, body[10:]) + b"0\r\n\r\n")
    with socket.create_connection(sandbox.server_address, timeout=10) as conn, conn.makefile("rb") as stream:
        conn.sendall(chunked + request_bytes("GET", "/api/labels.json?limit=100"))
        created = read_answer(stream)
        listed = read_answer(stream)
    assert created[0] == 201 and json.loads(created[2])["label"]["label_title"] == "По частям"
    assert listed[0] == 200 and "По частям" in listed[2].decode()


def test_a_note_whose_body_is_cut_short_is_not_stored(sandbox: SandboxServer) -> None:
    notes = len(sandbox.store.all("message"))
    pdf = b"%PDF-1.4 " + b"x" * 100_000
    body = (b'--b\r\nContent-Disposition: form-data; name="note[content]"\r\n\r\nletter\r\n'
            b'--b\r\nContent-Disposition: form-data; name="note[attachments][0]"; filename="letter.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n" + pdf + b"\r\n--b--\r\n")
    head = request_bytes("POST", "/api/cases/5003/note.json",
                         f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {len(body)}\r\n")
    with socket.create_connection(sandbox.server_address, timeout=10) as conn:
        conn.sendall(head + body[: len(body) // 2])
    assert_still_serving(sandbox)  # by now the server has seen the hang-up
    assert len(sandbox.store.all("message")) == notes


def test_a_file_over_25_mb_is_a_413_and_not_stored(sandbox: SandboxServer, http: httpx.Client) -> None:
    files = {"note[attachments][0]": ("big.pdf", b"%PDF" + b"0" * (25 * 2**20), "application/pdf")}
    response = http.post("/api/cases/5004/note.json", data={"note[content]": "x"}, files=files)
    assert (response.status_code, response.json()) == (413, {"error": "file_too_large"})
    assert_still_serving(sandbox)


def test_clients_that_hang_up_are_not_logged_as_errors(sandbox: SandboxServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    head = request_bytes("POST", "/api/labels.json", "Content-Length: 1000\r\n") + b'{"label": '
    for _ in range(50):
        with socket.create_connection(sandbox.server_address, timeout=10) as conn:
            conn.sendall(head)
    assert_still_serving(sandbox)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_unexpected_error_is_a_json_500_and_one_log_line(
    sandbox: SandboxServer, http: httpx.Client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(kind: str) -> list[dict[str, Any]]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sandbox.store, "all", broken)
    response = http.get("/api/labels.json", params={"user_email": "ivanov@example.com"})
    assert (response.status_code, response.json()) == (500, {"error": "internal_error"})
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "GET /api/labels.json" in record.getMessage() and "ivanov" not in record.getMessage()
    monkeypatch.undo()
    assert_still_serving(sandbox)


@pytest.mark.parametrize("faults", [{"latency_ms": -5}, {"latency_ms": 1e400}, {"latency_ms": "5"},
                                    {"error": {"status": 1000}}, {"error": {"status": 200}},
                                    {"throttle": {"status": 500}}, {"drop": {"count": -1}},
                                    {"error": {"methods": ["FETCH"]}}, {"error": {"count": "2"}}])
def test_admin_refuses_faults_that_would_break_every_request(sandbox: SandboxServer, faults: dict[str, Any]) -> None:
    with httpx.Client(base_url=sandbox.url + "/_admin", timeout=5) as admin:
        response = admin.post("/faults", content=json.dumps(faults).replace("Infinity", "1e400"),
                              headers={"Content-Type": "application/json"})
        assert (response.status_code, response.json()["error"]) == (400, "wrong_faults")
        assert admin.get("/faults").json() == {"latency_ms": 0.0, "rules": []}
    assert_still_serving(sandbox)


def test_records_an_older_sandbox_stored_stay_readable(sandbox: SandboxServer, http: httpx.Client) -> None:
    """What an older sandbox let through (an object as subject or priority, text as an id) breaks no filter."""
    for n, broken in enumerate([{"subject": {"$ne": 1}}, {"priority": {"a": 1}}, {"subject": 123},
                                {"staff_id": [1], "user_id": "abc", "labels": "x"}]):
        case = {**sandbox.store.get("case", 5000), **broken}
        case.update(case_id=9000 + n, case_number=f"999-{n:06d}")
        sandbox.store.insert("case", "case_id", case)
    assert_still_serving(sandbox)
    assert http.put("/api/cases/9003.json", json={"case": {"add_labels": [401]}}).json()["case"]["labels"] == [401]


def test_the_request_log_keeps_the_newest_entries_only() -> None:
    log = RequestLog(size=3)
    for n in range(5):
        log.append(LoggedRequest(float(n), "GET", f"/api/{n}", 200, "ok"))
    assert [entry.path for entry in log] == ["/api/2", "/api/3", "/api/4"]


def test_the_sandbox_log_is_bounded(tmp_path: Path) -> None:
    log = RequestLog()
    for n in range(LOG_SIZE + 5):
        log.append(LoggedRequest(float(n), "GET", "/api/labels.json", 200, "ok"))
    assert len(log) == LOG_SIZE and next(iter(log)).at == 5.0
    with SandboxServer(tmp_path / "s.sqlite3", port=0) as server:
        assert isinstance(server.app.log, RequestLog)
