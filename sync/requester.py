"""Sending one Omnidesk API call: paced, retried where that is safe, failures translated once.

Retry rules, because a duplicate letter note on a subscriber's case is worse than a failed run:

- throttled (429, or 403 whose body speaks of a rate limit): wait ``retry_after`` (capped, jittered), retry
  any method: a throttled request was not processed;
- 5xx, timeouts, dropped connections: retry GET, PUT and DELETE (idempotent) with backoff;
- POST (like any method that is not idempotent) is retried only when the connection was never made (connect
  error, connect or pool timeout). A read timeout or a dropped answer after sending may hide a write that
  happened.
- a connection refused on a loopback address is final at once: nothing listens on this machine (the sandbox
  is not running), and no network in between could make a second try succeed.

Every wait, and every attempt's timeout, stays inside one deadline per call. httpx and tenacity errors end
here as the project's :class:`~omnidesk_macros.errors.ApiError` tree. Nothing here logs the API key, the
Authorization header, query strings (they may hold a subscriber's email) or bodies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

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
from .settings import LOOPBACK_HOSTS, OmnideskSettings

logger = logging.getLogger("omnidesk_macros.sync")

READ_ONLY_RESOURCES = ("macros.json", "custom_fields.json")
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: methods whose repetition cannot add a second effect; any other (POST, PATCH) is sent again only when it
#: surely never left this machine
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


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


class Requester:
    """Sends calls to ``settings.api_base`` with Basic auth, inside the rate budget, with retries."""

    def __init__(
        self,
        settings: OmnideskSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[str], None] | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait or logger.info
        self.backoff = backoff or Backoff(max_wait=settings.max_wait)
        self.budget = RateBudget(window=settings.rate_window, reserve=settings.reserve_calls, clock=clock)
        self._loopback = httpx.URL(settings.api_base).host in LOOPBACK_HOSTS
        self._http = httpx.Client(
            base_url=settings.api_base + "/",
            auth=httpx.BasicAuth(settings.email, settings.api_key),
            timeout=httpx.Timeout(settings.timeout),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "omnidesk-macros"},
        )

    def close(self) -> None:
        self._http.close()

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call (``path`` relative to ``/api``); a successful response or a typed error."""
        deadline = self._clock() + self.settings.deadline
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(
                lambda exc: self._retryable(method, exc) and not (self._loopback and _refused(exc))),
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
            if isinstance(exc, _NEVER_SENT):
                again = (
                    " Is the sandbox running? Start it first."
                    if self.settings.is_sandbox
                    else f" Check OMNIDESK_URL ({self.settings.api_base}) and the network."
                )
            elif method not in IDEMPOTENT:
                again = (
                    " It was not retried because the request may have reached Omnidesk: check the case "
                    "before running again."
                )
            else:
                again = ""
            raise TransportError(
                f"no answer from Omnidesk to {method} /api/{path}: {type(exc).__name__}.{again}",
                method=method, path=f"/api/{path}",
                sandbox_down=isinstance(exc, _NEVER_SENT) and self.settings.is_sandbox,
            ) from exc
        if response.is_success:
            return response
        raise _api_error(method, path, response)

    def _attempt(self, method: str, path: str, deadline: float, **kwargs: Any) -> httpx.Response:
        self._pace(method, path, deadline)  # counts the call in flight once it may go
        started = self._clock()
        try:
            # no attempt may outlive the call's deadline
            timeout = max(0.1, min(self.settings.timeout, deadline - started))
            response = self._http.request(
                method, path, timeout=timeout, **{k: v for k, v in kwargs.items() if v is not None}
            )
        except BaseException:  # any failure, not only httpx's: the slot taken above must be given back
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
        while (delay := self.budget.take_slot()) > 0:
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
            return method in IDEMPOTENT
        if isinstance(exc, httpx.TransportError):
            return method in IDEMPOTENT or isinstance(exc, _NEVER_SENT)
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


def _refused(exc: BaseException) -> bool:
    """Whether the connection was actively refused (httpx wraps httpcore, which wraps the OSError)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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
