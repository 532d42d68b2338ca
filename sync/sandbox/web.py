"""The sandbox's HTTP primitives: the request a handler sees, answers, errors as answers, and the router.

Starlette carries the bytes (:mod:`.edge` reads the request, Starlette's :class:`Response` writes the answer);
what is left here is the sandbox's own vocabulary. A handler is a plain function ``(Request, params) ->
Response`` over a request whose body is already read and capped, so handlers never wait on a socket.
Every parser here accepts what it documents and turns anything else into an :class:`HttpError`; none lets a
foreign exception through (``int("²")`` works in Python, so ids are ASCII digits only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from starlette.responses import Response

#: a larger id cannot be a row id in SQLite (64-bit), so it names nothing
MAX_ID_DIGITS = 18


class DropConnection(Response):
    """Not an answer: the edge closes the connection without replying (an injected fault)."""

    def __init__(self) -> None:
        super().__init__(status_code=599)


class HttpError(Exception):
    """An ``{"error": code}`` answer raised from deep inside a handler."""

    def __init__(self, status: int, code: str, **headers: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers

    def response(self) -> Response:
        return json_response(self.status, {"error": self.code}, **self.headers)


def json_response(status: int, payload: Any, **headers: str) -> Response:
    """Omnidesk's JSON answer: UTF-8, non-ASCII kept as is (Cyrillic stays readable)."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(body, status, headers, media_type="application/json; charset=utf-8")


def empty_response(status: int = 200) -> Response:
    return Response(b"", status)


def http_url(host: str, port: int) -> str:
    """``http://host:port``, an IPv6 host in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@dataclass(frozen=True)
class UploadedFile:
    name: str
    mime: str
    data: bytes


@dataclass(frozen=True)
class Form:
    """A multipart body: text fields and files."""

    fields: dict[str, str]
    files: list[UploadedFile]


@dataclass(frozen=True)
class Request:
    """One request as the sandbox sees it: the body already read, within the caps of :mod:`.edge`."""

    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes = b""
    #: where this server is, for the URLs of uploaded files
    base_url: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), "")

    def json(self) -> Any:
        """The JSON body (``{}`` when empty), or :class:`HttpError` 400 ``wrong_json``."""
        if "json" not in self._cache:
            self._cache["json"] = parse_json(self.body or b"{}")
        return self._cache["json"]

    def json_object(self, code: str = "expected_json_object") -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise HttpError(400, code)
        return data

    def is_multipart(self) -> bool:
        return self.header("Content-Type").lower().startswith("multipart/form-data")

    def form(self) -> Form:
        if "form" not in self._cache:
            self._cache["form"] = parse_multipart(self.header("Content-Type"), self.body)
        return self._cache["form"]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity would be stored and served as invalid JSON


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested thousands deep
        raise HttpError(400, "wrong_json") from exc


def ascii_id(raw: str) -> int | None:
    """``raw`` as a non-negative id if it is 1-18 ASCII digits, else None (``"²".isdigit()`` is True)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS:
        return int(raw)
    return None


def parse_multipart(content_type: str, body: bytes) -> Form:
    """Form fields and files of a multipart body, via the stdlib parser; a field must be valid text."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("utf-8", "replace")
    message: Message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise HttpError(400, "wrong_multipart")
    fields: dict[str, str] = {}
    files: list[UploadedFile] = []
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files.append(UploadedFile(str(filename), part.get_content_type(), payload))
        elif name:
            try:
                fields[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
            except LookupError as exc:  # charset=klingon
                raise HttpError(400, "wrong_charset") from exc
            except UnicodeDecodeError as exc:
                raise HttpError(400, "wrong_encoding") from exc
    return Form(fields, files)


Handler = Callable[[Request, dict[str, str]], Response]


class Router:
    """Paths like ``cases/{id}.json`` to handlers, per method: 404 for an unknown path, 405 for a method."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], dict[str, Handler]]] = []

    def add(self, methods: str, pattern: str, handler: Handler) -> None:
        parts = re.split(r"\{(\w+)\}", pattern)  # literal, name, literal, name, …
        regex = "".join(f"(?P<{part}>[^/]+)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
        compiled = re.compile(f"^{regex}$")
        table = next((t for existing, t in self._routes if existing.pattern == compiled.pattern), None)
        if table is None:
            table = {}
            self._routes.append((compiled, table))
        for method in methods.split():
            table[method] = handler

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        allowed: set[str] = set()
        for regex, table in self._routes:
            match = regex.match(path)
            if match:
                if method in table:
                    return table[method], match.groupdict()
                allowed.update(table)
        if allowed:
            raise HttpError(405, "method_not_allowed", Allow=", ".join(sorted(allowed)))
        raise HttpError(404, "not_found")

    def dispatch(self, request: Request, path: str) -> Response:
        try:
            handler, params = self.resolve(request.method, path)
            return handler(request, params)
        except HttpError as exc:
            return exc.response()
