"""The Omnidesk REST client: the resources this project uses, over :mod:`sync.requester`.

It knows the shapes of ``../shared/omnidesk-api.md``: the ``{"case": {...}}`` envelopes, lists paged with
``page``/``limit`` (keyed ``"0"``… or arrays, with ``total_count``), dates (parsed to aware datetimes, ``"-"``
to None), and the facts the digest leaves open, for which it accepts every variant (the note path, a case
by number). Pacing, retries and error translation live in :mod:`sync.requester`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal
from urllib.parse import quote

import httpx

from omnidesk_macros.errors import ApiError, NotFoundError

from .pacing import Backoff, Clock, RateBudget
from .requester import Requester, logger
from .resources import CustomField, MacroCategory, parse_custom_field, parse_macros
from .settings import OmnideskSettings
from .wire import list_items, unwrap, with_dates

__all__ = ["Attachment", "Client", "KbKind", "OmnideskSettings"]

#: ``(file name, content, MIME type)`` of a file to attach to a note
Attachment = tuple[str, bytes, str]
KbKind = Literal["category", "section", "article"]

CASE_NUMBER = re.compile(r"^\d{3}-\d{6}$")
#: anything that can be an Omnidesk case number in a URL (ASCII digits only): the print service's case pages
CASE_NUMBER_SHAPE = re.compile(r"^[0-9]{1,12}-[0-9]{1,12}$")
#: palachX caps ``page`` at 500 (unconfirmed officially); we stop there rather than loop forever
MAX_PAGES = 500
#: pages of recent cases scanned when ``cases/{number}.json`` is not served (§9 item 6)
CASE_NUMBER_SCAN_PAGES = 5


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
        # validated here too: settings built directly must not send the key over plain http either
        self.settings = (settings or OmnideskSettings.from_env()).validated()
        self._requester = Requester(
            self.settings, transport=transport, clock=clock, sleep=sleep, on_wait=on_wait, backoff=backoff
        )
        self._note_paths = ["note.json", "notes.json"]
        #: API calls made through :meth:`request` (a call the requester retries counts once)
        self.requests_made = 0

    @property
    def budget(self) -> RateBudget:
        """The rate budget as the last answers reported it."""
        return self._requester.budget

    def close(self) -> None:
        self._requester.close()

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
        self.requests_made += 1
        response = self._requester.send(method, path, params=params, json=json, data=data, files=files)
        if not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(
                f"Omnidesk answered {method} /api/{path} with a body that is not JSON",
                method=method, path=f"/api/{path}", status=response.status_code,
            ) from exc

    def _object(self, method: str, path: str, key: str, **kwargs: Any) -> dict[str, Any]:
        """One call whose answer is one object in its ``key`` envelope, dates parsed."""
        answer = self.request(method, path, **kwargs)
        with _shape_errors(method, path):
            return with_dates(unwrap(answer, key))

    def iter_list(self, path: str, key: str, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged list, unwrapped, fetching pages of up to 100 as it goes."""
        query = dict(params or {})
        limit = max(1, min(int(query.pop("limit", 100)), 100))
        page = int(query.pop("page", 1))
        seen = (page - 1) * limit  # total_count counts from the first page, wherever we start
        previous: list[dict[str, Any]] = []
        while True:
            body = self.request("GET", path, params={**query, "page": page, "limit": limit})
            with _shape_errors("GET", path):
                items, total = list_items(body, key)
            if items and items == previous:
                # an endpoint that ignores ``page`` answers every page alike: the list was complete already
                logger.warning("/api/%s ignores page: page %d repeats page %d; stopped there", path, page, page - 1)
                return
            previous = items
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
            return self._object("GET", f"cases/{_segment(id_or_number)}.json", "case")
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
        return self._object("PUT", f"cases/{_segment(case_id)}.json", "case", json={"case": body})

    def iter_messages(self, case_id: int | str) -> Iterator[dict[str, Any]]:
        return self.iter_list(f"cases/{_segment(case_id)}/messages.json", "message")

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
            path = f"cases/{_segment(case_id)}/{leaf}"
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
            with _shape_errors("POST", path):
                return with_dates(unwrap(answer, key))
        raise AssertionError("unreachable: the note path list is never empty")

    # ------------------------------------------------------------------ read-only definitions

    def list_macros(self) -> list[MacroCategory]:
        """Macro categories (common, then the API user's personal ones) with their macros."""
        body = self.request("GET", "macros.json")
        with _shape_errors("GET", "macros.json"):
            return parse_macros(body)

    def list_custom_fields(self) -> list[CustomField]:
        return [parse_custom_field(raw) for raw in self.iter_list("custom_fields.json", "custom_field")]

    # ------------------------------------------------------------------ labels

    def iter_labels(self) -> Iterator[dict[str, Any]]:
        return self.iter_list("labels.json", "label")

    def create_label(self, title: str) -> dict[str, Any]:
        return self._object("POST", "labels.json", "label", json={"label": {"label_title": title}})

    def update_label(self, label_id: int, title: str) -> dict[str, Any]:
        return self._object("PUT", f"labels/{_segment(label_id)}.json", "label", json={"label": {"label_title": title}})

    def delete_label(self, label_id: int) -> None:
        self.request("DELETE", f"labels/{_segment(label_id)}.json")

    # ------------------------------------------------------------------ knowledge base

    def iter_kb(self, kind: KbKind, **filters: Any) -> Iterator[dict[str, Any]]:
        return self.iter_list(f"kb_{kind}.json", f"kb_{kind}", filters)

    def get_kb(self, kind: KbKind, object_id: int) -> dict[str, Any]:
        return self._object("GET", f"kb_{kind}/{_segment(object_id)}.json", f"kb_{kind}")

    def create_kb(self, kind: KbKind, **fields: Any) -> dict[str, Any]:
        """Create a KB object, e.g. ``create_kb("article", article_title=…, section_id=[10])``."""
        return self._object("POST", f"kb_{kind}.json", f"kb_{kind}", json={f"kb_{kind}": fields})

    def update_kb(self, kind: KbKind, object_id: int, **fields: Any) -> dict[str, Any]:
        return self._object("PUT", f"kb_{kind}/{_segment(object_id)}.json", f"kb_{kind}", json={f"kb_{kind}": fields})

    def delete_kb(self, kind: KbKind, object_id: int) -> None:
        self.request("DELETE", f"kb_{kind}/{_segment(object_id)}.json")

    def set_kb_active(self, kind: KbKind, object_id: int, active: bool) -> dict[str, Any]:
        """Publish or hide a KB object (``…/enable.json`` / ``…/disable.json``)."""
        action = "enable" if active else "disable"
        return self._object("PUT", f"kb_{kind}/{_segment(object_id)}/{action}.json", f"kb_{kind}")

    # ------------------------------------------------------------------ people and settings

    def iter_users(self, **filters: Any) -> Iterator[dict[str, Any]]:
        return self.iter_list("users.json", "user", filters)

    def get_user(self, user_id: int) -> dict[str, Any]:
        return self._object("GET", f"users/{_segment(user_id)}.json", "user")

    def iter_staff(self) -> Iterator[dict[str, Any]]:
        return self.iter_list("staff.json", "staff")

    def get_staff(self, staff_id: int) -> dict[str, Any]:
        return self._object("GET", f"staff/{_segment(staff_id)}.json", "staff")

    def iter_groups(self) -> Iterator[dict[str, Any]]:
        return self.iter_list("groups.json", "group")

    def get_group(self, group_id: int) -> dict[str, Any]:
        return self._object("GET", f"groups/{_segment(group_id)}.json", "group")

    def list_languages(self) -> list[dict[str, Any]]:
        return list(self.iter_list("languages.json", "language"))


def _segment(value: int | str) -> str:
    """An id or case number as one path segment: ``"1/trash"`` must not become ``cases/1/trash.json``."""
    return quote(str(value), safe="")


@contextmanager
def _shape_errors(method: str, path: str) -> Iterator[None]:
    """An answer in a shape the client cannot read is an :class:`ApiError` naming the call, not a ValueError."""
    try:
        yield
    except (ValueError, TypeError, AttributeError) as exc:
        raise ApiError(
            f"Omnidesk answered {method} /api/{path} in an unexpected shape: {exc}", method=method, path=f"/api/{path}"
        ) from exc
