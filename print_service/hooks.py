"""POST /hooks/omnidesk: an Omnidesk rule's webhook prints the letter and attaches it to the case.

The syntax of Omnidesk's webhook variables is not documented, so the case (``case_id``, ``case_number`` or
``case``) and the template (``template`` or ``template_id``) are read from a JSON body, a form body or the
query string. The token comes as ``?token=`` or the ``X-Omnidesk-Macros-Token`` header and is compared in
constant time with OMNIDESK_MACROS_WEBHOOK_TOKEN; without that variable the hook does not exist (404).
The letter is signed by the case's own staff member. The body is read only after the token check and only
up to MAX_BODY (a rule's few fields need far less); a longer one is refused with 413 unread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message

from omnidesk_macros.errors import ApiError, CaseDataError, OmnideskMacrosError

from .omnidesk import russian_message
from .pages import DOCX_TYPE, letter_problem
from .service import CASE_NUMBER

if TYPE_CHECKING:
    from .service import Service

HOOK_STAFF = "omnidesk-webhook"
CASE_ID = re.compile(r"^[0-9]{1,12}$")
MAX_BODY = 64 * 1024


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()


async def _bounded_body(request: Request) -> bytes | None:
    """The body, or None when it is longer than MAX_BODY: a declared length is refused before reading, and a
    stream without one (chunked) stops as soon as it passes the cap, so no more than that is ever held."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            return None
    return bytes(raw)


async def _payload(request: Request, raw: bytes) -> dict[str, Any]:
    values: dict[str, Any] = dict(request.query_params)
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json") and raw:
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict):
            values.update(body)
    elif kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async def replay() -> Message:  # the stream is spent: the form parser reads the capped bytes instead
            return {"type": "http.request", "body": raw, "more_body": False}

        form = await Request(request.scope, replay).form()
        values.update({k: v for k, v in form.items() if isinstance(v, str)})
    return values


async def omnidesk_hook(service: Service, request: Request) -> Response:
    expected = service.settings.webhook_token
    if not expected:
        return JSONResponse({"error": "not_found"}, status_code=404)
    sent = request.query_params.get("token") or request.headers.get("x-omnidesk-macros-token") or ""
    # digests of equal length: compare_digest on the raw strings would still tell a guesser the token's length
    if not hmac.compare_digest(_digest(sent), _digest(expected)):
        return JSONResponse({"error": "wrong_token"}, status_code=403)
    raw = await _bounded_body(request)
    if raw is None:
        return JSONResponse({"error": "body_too_large",
                             "message": f"тело запроса больше {MAX_BODY // 1024} КиБ"}, status_code=413)
    payload = await _payload(request, raw)
    case_ref = str(payload.get("case_number") or payload.get("case_id") or payload.get("case") or "").strip()
    template = service.sources.templates.get(str(payload.get("template") or payload.get("template_id") or ""))
    if not (CASE_NUMBER.match(case_ref) or CASE_ID.match(case_ref)) or template is None:
        return JSONResponse({"error": "case_and_template_required",
                             "message": "нужны номер (664-245651) или id обращения и id типового ответа"}, status_code=400)
    try:
        card = await service.blocking(service.omnidesk.card, service.sources, case_ref, fresh=True)
    except ApiError as exc:
        return JSONResponse({"error": "omnidesk", "message": russian_message(exc, "Обращение")}, status_code=502)
    try:
        letter = await service.registry_write(service.desk.issue, service.sources, template, card.context,
                                        case_id=card.case_id, staff=HOOK_STAFF, channel="webhook")
    except OmnideskMacrosError as exc:
        status = 422 if isinstance(exc, CaseDataError) else 500  # the case lacks data, or a bug of ours
        return JSONResponse({"error": "letter", "message": letter_problem(exc)}, status_code=status)
    note = f"Письмо исх. № {letter.number} «{letter.template_title}» сформировано по правилу Omnidesk."
    try:
        await service.blocking(service.omnidesk.attach, letter.case_id, note,
                               (f"{letter.file_stem}.docx", letter.docx, DOCX_TYPE))
    except ApiError as exc:
        await service.registry_write(service.desk.void, letter.number, f"attach failed: {type(exc).__name__}",
                               HOOK_STAFF, letter.case_number, template.id)
        return JSONResponse({"error": "omnidesk", "message": russian_message(exc, "Прикрепление письма")},
                            status_code=502)
    await service.registry_write(service.desk.attached, letter, HOOK_STAFF)
    return JSONResponse({"number": letter.number, "case_number": letter.case_number, "template": template.id})
