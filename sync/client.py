"""The Omnidesk REST client: the only code in the project that speaks HTTP to Omnidesk.

It knows the transport facts of ``../shared/omnidesk-api.md`` §1 (Basic auth, envelopes, pages, dates,
``{"error": code}``), paces itself inside the per-minute budget (:mod:`sync.pacing`), retries what is safe
to retry, and turns every foreign failure into the project's :class:`~omnidesk_macros.errors.ApiError` tree.

Retry rules, because a duplicate letter note on a subscriber's case is worse than a failed run:

- throttled (429, or 403 whose body speaks of a rate limit): wait ``retry_after`` (capped, jittered), retry
  any method: a throttled request was not processed;
- 5xx, timeouts, dropped connections: retry GET, PUT and DELETE (idempotent) with backoff;
- POST is retried only when the connection was never made (connect error, connect or pool timeout). A read
  timeout or a dropped answer after sending may hide a write that happened.

Nothing here logs the API key, the Authorization header, query strings (they may hold a subscriber's email)
or bodies.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

import httpx
import tenacity

from omnidesk_macros.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    RateLimitError,
    ReadOnlyError,
    TransportError,
)

from .pacing import Backoff, Clock, RateBudget, header_int
from .resources import CustomField, MacroCategory, parse_custom_field, parse_macros
from .settings import OmnideskSettings
from .wire import list_items, unwrap, with_dates

__all__ = ["Client", "OmnideskSettings", "Attachment", "KbKind"]

logger = logging.getLogger("omnidesk_macros.sync")

#: ``(file name, content, MIME type)`` of a file to attach to a note
Attachment = tuple[str, bytes, str]
KbKind = Literal["category", "section", "article"]

CASE_NUMBER = re.compile(r"^\d{3}-\d{6}$")
READ_ONLY_RESOURCES = ("macros.json", "custom_fields.json")
#: palachX caps ``page`` at 500 (unconfirmed officially); we stop there rather than loop forever
MAX_PAGES = 500
#: pages of recent cases scanned when ``cases/{number}.json`` is not served (§9 item 6)
CASE_NUMBER_SCAN_PAGES = 5
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class _HideQuery(logging.Filter):
    """httpx logs each request's full URL at INFO; drop the query string, which may hold an email."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.copy_with(query=None) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


if not any(isinstance(f, _HideQuery) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_HideQuery())


class _Throttled(Exception):
    def __init__(self, response: httpx.Response, retry_after: int | None) -> None:
        super().__init__("throttled")
        self.response = response
        self.retry_after = retry_after


class _ServerFault(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"status {response.status_code}")
        self.response = response


class Client:
    """A paced, retrying client for the parts of the Omnidesk API this project uses.

    ``transport`` replaces the network (``httpx.MockTransport`` in unit tests); ``clock`` and ``sleep``
    replace time; ``on_wait`` receives a one-line progress message whenever the client waits a while.
    Methods return plain dicts (the object without its envelope) or the dataclasses of :mod:`sync.resources`.
    """

    def __init__(
        self,
        settings: OmnideskSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.settings = settings or OmnideskSettings.from_env()
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait or logger.info
        self.backoff = backoff or Backoff(max_wait=self.settings.max_wait)
        self.budget = RateBudget(
            window=self.settings.rate_window, reserve=self.settings.reserve_calls, clock=clock
        )
        self._note_paths = ["note.json", "notes.json"]
        self._http = httpx.Client(
            base_url=self.settings.api_base + "/",
            auth=httpx.BasicAuth(self.settings.email, self.settings.api_key),
            timeout=httpx.Timeout(self.settings.timeout),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "omnidesk-macros"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ low level

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Attachment] | None = None,
    ) -> Any:
        """One API call with pacing and retries; the parsed JSON answer (None for an empty body).

        ``path`` is relative to ``/api``, e.g. ``"cases/12.json"``.
        """
        method = method.upper()
        response = self._send(method, path, params=params, json=json, data=data, files=files)
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(
                f"Omnidesk answered {method} /api/{path} with a body that is not JSON",
                method=method, path=f"/api/{path}", status=response.status_code,
            ) from exc

    def iter_list(self, path: str, key: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged list, unwrapped, fetching pages of up to 100 as it goes."""
        query = dict(params or {})
        limit = max(1, min(int(query.pop("limit", 100)), 100))
        page = int(query.pop("page", 1))
        seen = 0
        while True:
            items, total = list_items(self.request("GET", path, params={**query, "page": page, "limit": limit}), key)
            yield from (with_dates(item) for item in items)
            seen += len(items)
            if not items or len(items) < limit or (total is not None and seen >= total):
                return
            if page >= MAX_PAGES:
                logger.warning("stopped listing /api/%s at page %d, the most Omnidesk serves", path, page)
                return
            page += 1

    # ------------------------------------------------------------------ cases and notes

    def iter_cases(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Cases matching Omnidesk's list filters (``status``, ``user_id``, ``labels``, ``sort``, …)."""
        return self.iter_list("cases.json", "case", filters)

    def get_case(self, id_or_number: int | str) -> dict[str, Any]:
        """A case by ``case_id`` or ``case_number`` (``"664-245651"``).

        Whether ``cases/{number}.json`` works is unconfirmed (§9 item 6): if it answers 404 for a number,
        the most recently updated cases are scanned for it.
        """
        try:
            return _object(self.request("GET", f"cases/{id_or_number}.json"), "case")
        except NotFoundError:
            if not CASE_NUMBER.match(str(id_or_number)):
                raise
        scanned = self.iter_list("cases.json", "case", {"sort": "updated_at_desc"})
        for index, case in enumerate(scanned):
            if case.get("case_number") == str(id_or_number):
                return case
            if index + 1 >= CASE_NUMBER_SCAN_PAGES * 100:
                break
        raise NotFoundError(
            f"case {id_or_number} not found (looked it up directly and among the "
            f"{CASE_NUMBER_SCAN_PAGES * 100} most recently updated cases)",
            method="GET", path="/api/cases.json", status=404,
        )

    def update_case(
        self,
        case_id: int | str,
        *,
        custom_fields: Mapping[str, Any] | None = None,
        add_labels: Sequence[int] | None = None,
        delete_labels: Sequence[int] | None = None,
        status: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Edit a case: custom-field values (``{"cf_N": value}``), labels, status and other case fields."""
        body: dict[str, Any] = dict(fields)
        if custom_fields is not None:
            body["custom_fields"] = dict(custom_fields)
        if add_labels is not None:
            body["add_labels"] = list(add_labels)
        if delete_labels is not None:
            body["delete_labels"] = list(delete_labels)
        if status is not None:
            body["status"] = status
        return _object(self.request("PUT", f"cases/{case_id}.json", json={"case": body}), "case")

    def iter_messages(self, case_id: int | str) -> Iterator[dict[str, Any]]:
        return self.iter_list(f"cases/{case_id}/messages.json", "message")

    def add_note(
        self,
        case_id: int | str,
        content: str,
        *,
        html: str | None = None,
        attachment: Attachment | None = None,
        attachment_urls: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Add a staff-only note, optionally with one file (multipart) or files Omnidesk fetches by URL.

        The path is ``note.json`` or ``notes.json`` depending on the source (§9 item 1); a 404 from one
        means "no such route", so the other is tried once and remembered.
        """
        for path_index, leaf in enumerate(list(self._note_paths)):
            path = f"cases/{case_id}/{leaf}"
            try:
                if attachment is not None:
                    form = {"note[content]": content}
                    if html is not None:
                        form["note[content_html]"] = html
                    answer = self.request("POST", path, data=form, files={"note[attachments][0]": attachment})
                else:
                    note: dict[str, Any] = {"content": content}
                    if html is not None:
                        note["content_html"] = html
                    if attachment_urls:
                        note["attachment_urls"] = list(attachment_urls)
                    answer = self.request("POST", path, json={"note": note})
            except NotFoundError:
                if path_index + 1 < len(self._note_paths):
                    continue
                raise
            if path_index:
                self._note_paths = [leaf] + [p for p in self._note_paths if p != leaf]
            key = "message" if isinstance(answer, Mapping) and "message" in answer else "note"
            return _object(answer, key)
        raise AssertionError("unreachable: the note path list is never empty")

    # ------------------------------------------------------------------ read-only definitions

    def list_macros(self) -> list[MacroCategory]:
        """Macro categories (common, then the API user's personal ones) with their macros."""
        try:
            return parse_macros(self.request("GET", "macros.json"))
        except ValueError as exc:
            raise ApiError(f"unexpected /api/macros.json shape: {exc}", method="GET", path="/api/macros.json") from exc

    def list_custom_fields(self) -> list[CustomField]:
        return [parse_custom_field(raw) for raw in self.iter_list("custom_fields.json", "custom_field")]

    # ------------------------------------------------------------------ labels

    def iter_labels(self) -> Iterator[dict[str, Any]]:
        return self.iter_list("labels.json", "label")

    def create_label(self, title: str) -> dict[str, Any]:
        return _object(self.request("POST", "labels.json", json={"label": {"label_title": title}}), "label")

    def update_label(self, label_id: int, title: str) -> dict[str, Any]:
        answer = self.request("PUT", f"labels/{label_id}.json", json={"label": {"label_title": title}})
        return _object(answer, "label")

    def delete_label(self, label_id: int) -> None:
        self.request("DELETE", f"labels/{label_id}.json")

    # ------------------------------------------------------------------ knowledge base

    def iter_kb(self, kind: KbKind, **filters: Any) -> Iterator[dict[str, Any]]:
        return self.iter_list(f"kb_{kind}.json", f"kb_{kind}", filters)

    def get_kb(self, kind: KbKind, object_id: int) -> dict[str, Any]:
        return _object(self.request("GET", f"kb_{kind}/{object_id}.json"), f"kb_{kind}")

    def create_kb(self, kind: KbKind, **fields: Any) -> dict[str, Any]:
        """Create a KB object, e.g. ``create_kb("article", article_title=…, section_id=[10])``."""
        return _object(self.request("POST", f"kb_{kind}.json", json={f"kb_{kind}": fields}), f"kb_{kind}")

    def update_kb(self, kind: KbKind, object_id: int, **fields: Any) -> dict[str, Any]:
        answer = self.request("PUT", f"kb_{kind}/{object_id}.json", json={f"kb_{kind}": fields})
        return _object(answer, f"kb_{kind}")

    def delete_kb(self, kind: KbKind, object_id: int) -> None:
        self.request("DELETE", f"kb_{kind}/{object_id}.json")

    def set_kb_active(self, kind: KbKind, object_id: int, active: bool) -> dict[str, Any]:
        """Publish or hide a KB object (``…/enable.json`` / ``…/disable.json``)."""
        action = "enable" if active else "disable"
        return _object(self.request("PUT", f"kb_{kind}/{object_id}/{action}.json"), f"kb_{kind}")

    # ------------------------------------------------------------------ people and settings

    def iter_users(self, **filters: Any) -> Iterator[dict[str, Any]]:
        return self.iter_list("users.json", "user", filters)

    def get_user(self, user_id: int) -> dict[str, Any]:
        return _object(self.request("GET", f"users/{user_id}.json"), "user")

    def iter_staff(self) -> Iterator[dict[str, Any]]:
        return self.iter_list("staff.json", "staff")

    def get_staff(self, staff_id: int) -> dict[str, Any]:
        return _object(self.request("GET", f"staff/{staff_id}.json"), "staff")

    def iter_groups(self) -> Iterator[dict[str, Any]]:
        return self.iter_list("groups.json", "group")

    def get_group(self, group_id: int) -> dict[str, Any]:
        return _object(self.request("GET", f"groups/{group_id}.json"), "group")

    def list_languages(self) -> list[dict[str, Any]]:
        return list(self.iter_list("languages.json", "language"))

    # ------------------------------------------------------------------ sending

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        deadline = self._clock() + self.settings.deadline
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda exc: self._retryable(method, exc)),
            wait=self._wait,
            stop=lambda state: (
                state.attempt_number >= self.settings.max_attempts
                or self._clock() + state.upcoming_sleep > deadline
            ),
            sleep=self._sleep,
            before_sleep=lambda state: self._report_retry(method, path, state),
            reraise=True,
        )
        try:
            response = retrying(self._attempt, method, path, deadline, **kwargs)
        except _Throttled as exc:
            raise RateLimitError(
                f"Omnidesk kept throttling {method} /api/{path} "
                f"(retry_after={exc.retry_after}); the retry budget or the {self.settings.deadline:.0f} s "
                "deadline ran out. Run again later, or raise the plan's rate limit.",
                method=method, path=f"/api/{path}", status=exc.response.status_code, code=_error_code(exc.response),
            ) from None
        except _ServerFault as exc:
            response = exc.response
        except httpx.TransportError as exc:
            again = "" if method != "POST" or isinstance(exc, _NEVER_SENT) else (
                " It was not retried because the request may have reached Omnidesk: check the case before "
                "running again."
            )
            raise TransportError(
                f"no answer from Omnidesk to {method} /api/{path}: {type(exc).__name__}.{again}",
                method=method, path=f"/api/{path}",
            ) from exc
        if response.is_success:
            return response
        raise _api_error(method, path, response)

    def _attempt(self, method: str, path: str, deadline: float, **kwargs: Any) -> httpx.Response:
        self._pace(method, path, deadline)
        self.budget.started()
        started = self._clock()
        try:
            response = self._http.request(method, path, **{k: v for k, v in kwargs.items() if v is not None})
        except httpx.TransportError:
            self.budget.finished()
            logger.debug("%s /api/%s: no answer after %.0f ms", method, path, (self._clock() - started) * 1000)
            raise
        headers = response.headers
        self.budget.finished(header_int(headers.get("rate_limit_per_minute")), header_int(headers.get("api_calls_left")))
        logger.debug("%s /api/%s -> %d in %.0f ms", method, path, response.status_code, (self._clock() - started) * 1000)
        if _is_throttled(response):
            self.budget.throttled()
            raise _Throttled(response, header_int(headers.get("retry_after")))
        if response.status_code >= 500:
            raise _ServerFault(response)
        return response

    def _pace(self, method: str, path: str, deadline: float) -> None:
        while (delay := self.budget.delay()) > 0:
            if self._clock() + delay > deadline:
                raise RateLimitError(
                    f"the Omnidesk rate limit ({self.budget.limit}/min) leaves no room for {method} /api/{path} "
                    f"within the {self.settings.deadline:.0f} s deadline",
                    method=method, path=f"/api/{path}",
                )
            if delay >= 1:
                self._on_wait(
                    f"waiting {delay:.0f} s for the Omnidesk rate limit (api_calls_left={self.budget.calls_left})…"
                )
            self._sleep(delay)

    @staticmethod
    def _retryable(method: str, exc: BaseException) -> bool:
        if isinstance(exc, _Throttled):
            return True
        if isinstance(exc, _ServerFault):
            return method != "POST"
        if isinstance(exc, httpx.TransportError):
            return method != "POST" or isinstance(exc, _NEVER_SENT)
        return False

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Throttled):
            return self.backoff.after_throttle(exc.retry_after, state.attempt_number)
        return self.backoff.after_failure(state.attempt_number)

    def _report_retry(self, method: str, path: str, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        seconds = state.upcoming_sleep
        if isinstance(exc, _Throttled):
            self._on_wait(
                f"waiting {seconds:.0f} s for the Omnidesk rate limit "
                f"(api_calls_left={exc.response.headers.get('api_calls_left', '?')}, retry_after={exc.retry_after})…"
            )
            return
        what = f"answered {exc.response.status_code}" if isinstance(exc, _ServerFault) else f"failed ({type(exc).__name__})"
        self._on_wait(
            f"Omnidesk {what} to {method} /api/{path}; retrying in {seconds:.0f} s "
            f"(attempt {state.attempt_number + 1} of {self.settings.max_attempts})…"
        )


def _object(answer: object, key: str) -> dict[str, Any]:
    """The object in its envelope, with dates parsed (:func:`sync.wire.with_dates`)."""
    return with_dates(unwrap(answer, key))


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, Mapping) else None
    return str(code) if code is not None else None


def _is_throttled(response: httpx.Response) -> bool:
    if response.status_code == 429:
        return True
    if response.status_code == 403:
        text = response.text.lower()
        return "rate limit" in text or "rate_limit" in text or "too many" in text
    return False


def _api_error(method: str, path: str, response: httpx.Response) -> ApiError:
    """The typed error for a refused call; the message names the call and what to do, never secrets."""
    status = response.status_code
    code = _error_code(response)
    where = f"{method} /api/{path}"
    details: dict[str, Any] = {"method": method, "path": f"/api/{path}", "status": status, "code": code}
    said = f" ({code})" if code else ""
    writes_read_only = method != "GET" and path.split("/")[0] in READ_ONLY_RESOURCES
    if status == 405 or (status == 404 and writes_read_only):
        return ReadOnlyError(
            f"Omnidesk does not allow {where}{said}: macros and custom-field definitions can only be read "
            "through the API; change them in the Omnidesk admin UI.",
            **details,
        )
    if status == 401 or (status == 403 and code not in ("staff_has_not_access", "staff_not_active")):
        return AuthError(
            f"Omnidesk refused {where} with {status}{said}: check OMNIDESK_EMAIL and OMNIDESK_API_KEY "
            "(a staff email and its key from «Настройки → API»).",
            **details,
        )
    if status == 403:
        return AuthError(
            f"Omnidesk refused {where}{said}: the staff member lacks access; use a full-access account.",
            **details,
        )
    if status == 404:
        return NotFoundError(f"Omnidesk has no {where.split(' ', 1)[1]}{said}", **details)
    return ApiError(f"Omnidesk answered {where} with {status}{said}", **details)
