"""The case pages and the letter pages: what the specialist at the counter clicks through.

    CasePages    /cases/<number> (card, type → template → fill-in values), /check, /reply, /cases/new
    LetterPages  issue a numbered letter, show it on the letterhead, DOCX, PDF, attach to the case
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from omnidesk_macros import russian
from omnidesk_macros.context import FILL_MAX_LENGTH
from omnidesk_macros.errors import CaseDataError, OmnideskMacrosError, RenderError
from omnidesk_macros.letter.html_writer import reply_html
from omnidesk_macros.model import Template
from omnidesk_macros.placeholders import prepare, typed_fill
from sync.case_context import CaseCard

from .accounts import Account
from .letters import counter_context
from .service import Service, case_number
from .web import Refused, log

INPUT_TYPES = {"text": "text", "date": "date", "month": "month", "number": "text", "textarea": "text"}
SHOWN_FIELDS = ("case_number", "case_date", "full_name", "address", "account", "email", "phone", "employee",
                "appeal_type", "criterion", "service_center", "status")
FILL_MESSAGES = {"date": "Введите дату (с 1900 по 2199 год).", "month": "Введите месяц и год.",
                 "number": "Введите число.", "text": "Слишком длинный текст.", "textarea": "Слишком длинный текст."}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_ATTACHMENT = 25 * 1024 * 1024  # Omnidesk's limit per file


def fill_from(form: FormData | dict[str, Any], template: Template) -> dict[str, str]:
    """The template's fill-in values as typed (``fill.<name>`` fields); unknown names are ignored."""
    values = {}
    for var in template.variables:
        raw = form.get(f"fill.{var.name}")
        if isinstance(raw, str):
            values[var.name] = raw
    return values


def fill_problems(template: Template, typed: dict[str, str]) -> dict[str, str]:
    """A Russian message per fill-in value that cannot go into the letter (an empty one with a default is not)."""
    defaults = {v.name for v in template.variables if v.default is not None}
    problems = {}
    for var in template.variables:
        raw = typed.get(var.name, "").strip()
        if not raw:
            if var.required and var.name not in defaults:
                problems[var.name] = "Обязательное поле."
            continue
        if len(raw) > FILL_MAX_LENGTH[var.type]:
            problems[var.name] = f"Не длиннее {FILL_MAX_LENGTH[var.type]} знаков."
            continue
        if typed_fill(var, raw)[1] is not None:
            problems[var.name] = FILL_MESSAGES[var.type]
    return problems


def shown_value(value: Any) -> str:
    if isinstance(value, date):
        return russian.date_ru(value)
    return "" if value is None else str(value)


def letter_problem(exc: OmnideskMacrosError) -> str:
    """What keeps the letter from being made, for the specialist: bad case data by the fields' Russian
    labels (every one at once), anything else as the library words it."""
    if isinstance(exc, CaseDataError) and exc.problems:
        missing = [p.label or p.field for p in exc.problems if p.missing]
        wrong = [f"{p.label or p.field}: {p.issue}" for p in exc.problems if not p.missing]
        parts = ([f"в обращении не хватает данных — {', '.join(missing)}"] if missing else []) + (
            [f"неверные значения — {'; '.join(wrong)}"] if wrong else [])
        return f"Письмо не сформировано: {'; '.join(parts)}. Заполните их и повторите."
    return f"Письмо не сформировано: {exc}"


def letter_status(exc: OmnideskMacrosError) -> int:
    """Bad input is the form's 400; a letter that fails on good data is our 500."""
    return 400 if isinstance(exc, CaseDataError) else 500


class CasePages:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.web = service.web

    async def card(self, number: str, fresh: bool = False) -> CaseCard:
        service = self.service
        cached = None if fresh else service.omnidesk.cached_card(number)
        if cached is not None:  # a dict lookup: not worth a trip to a worker thread
            return cached
        return await service.from_omnidesk(f"Обращение № {number}", service.omnidesk.card, service.sources, number,
                                           fresh=fresh)

    def template(self, template_id: str) -> Template:
        template = self.service.sources.templates.get(template_id)
        if template is None:
            raise Refused(400, "Такого типового ответа нет. Выберите ответ из списка.")
        return template

    async def show(self, request: Request) -> Response:
        account = self.web.require(request)
        number = case_number(request)
        card = await self.card(number)
        query = request.query_params
        warnings = self.service.created_warnings.pop(account.username, number)
        return self.render(request, account, card, query.get("type"), query.get("template"), None,
                           created_warnings=warnings)

    def render(self, request: Request, account: Account, card: CaseCard, type_id: str | None,
               template_id: str | None, typed: dict[str, str] | None, error: str | None = None,
               status: int = 200, problems: dict[str, str] | None = None,
               created_warnings: list[str] | None = None) -> Response:
        sources = self.service.sources
        kinds = sources.appeal_types
        own = str(card.values.get("appeal_type") or "").casefold()
        if type_id not in {k.id for k in kinds}:
            type_id = next((k.id for k in kinds if k.title.casefold() == own), kinds[0].id if kinds else "")
        by_type = {k.id: sources.templates_for(k.id) for k in kinds}
        template = sources.templates.get(template_id or "")
        if template is not None and type_id not in template.appeal_types:
            template = None
        values: dict[str, str] = {}
        if template is not None:
            values = {v.name: "" for v in template.variables}
            if typed is None:
                values.update(self.defaults(template, card, account))
            else:
                values.update(typed)
        titles = {f.id: f.title for f in sources.card}
        shown = [(titles.get(i, i), shown_value(card.values.get(i))) for i in SHOWN_FIELDS if i in titles]
        return self.web.page(request, "case.html", status, account=account, card=card, shown=shown,
                             appeal_types=kinds, templates_by_type=by_type, chosen_type=type_id, template=template,
                             values=values, input_types=INPUT_TYPES, problems=problems or {}, error=error,
                             created_warnings=created_warnings or [])

    @staticmethod
    def defaults(template: Template, card: CaseCard, account: Account) -> dict[str, str]:
        """The fill-in defaults as the inputs show them (ISO dates, YYYY-MM months)."""
        try:
            resolved = prepare(template, counter_context(card.context, account, {})).fill
        except OmnideskMacrosError:
            return {}
        out = {}
        for var in template.variables:
            value = resolved.get(var.name)
            if isinstance(value, date):
                out[var.name] = value.strftime("%Y-%m") if var.type == "month" else value.isoformat()
            elif value not in (None, ""):
                out[var.name] = str(value)
        return out

    async def check(self, request: Request) -> Response:
        self.web.require(request)
        case_number(request)  # the path is validated on every route, even where only the template matters
        body = await self.web.json_body(request)
        template = self.template(str(body.get("template", "")))
        raw = body.get("fill")
        typed = {f"fill.{k}": str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        return JSONResponse({"problems": fill_problems(template, fill_from(typed, template))})

    async def posted(self, request: Request) -> tuple[Account, CaseCard, Template, dict[str, str], str]:
        """What the letter and reply forms post: who, the case, the template, the fill-in values as typed,
        and the appeal type chosen (else the template's first)."""
        account = self.web.require(request)
        form = await self.web.form(request)
        number = case_number(request)
        template = self.template(str(form.get("template", "")))
        typed = fill_from(form, template)
        card = await self.card(number)
        return account, card, template, typed, str(form.get("type", "")) or template.appeal_types[0]

    async def reply(self, request: Request) -> Response:
        account, card, template, typed, kind = await self.posted(request)
        try:
            ctx = counter_context(card.context, account, typed)
            html = reply_html(template, ctx)
        except OmnideskMacrosError as exc:
            return self.render(request, account, card, template.appeal_types[0], template.id, typed,
                               letter_problem(exc), letter_status(exc))
        return self.web.page(request, "reply.html", account=account, card=card, template=template,
                             reply_html=html, chosen_type=kind)

    # ------------------------------------------------------------------ a new in-person appeal

    def intake_fields(self) -> list[Any]:
        """The card's fields a specialist types (Omnidesk fills number, date and the responsible)."""
        skip = {"case_number", "created_at", "staff_id"}
        return [f for f in self.service.sources.card if f.builtin not in skip]

    def intake_options(self) -> dict[str, list[str]]:
        sources = self.service.sources
        return {f.id: ([k.title for k in sources.appeal_types] if f.options_from == "appeal_types"
                       else [o.title for o in f.options]) for f in sources.card if f.type == "select"}

    async def new_form(self, request: Request) -> Response:
        account = self.web.require(request)
        values = {"in_person": "1", "employee": account.full_name, "status": "Новый"}
        return self.web.page(request, "new_case.html", account=account, fields=self.intake_fields(),
                             options=self.intake_options(), values=values)

    async def create(self, request: Request) -> Response:
        account = self.web.require(request)
        form = await self.web.form(request)
        fields = self.intake_fields()
        values = {f.id: str(form.get(f.id, "")).strip() for f in fields if f.type != "file"}
        upload = next((form.get(f.id) for f in fields if f.type == "file"), None)
        attachment = None
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read(MAX_ATTACHMENT + 1)
                if len(data) > MAX_ATTACHMENT:
                    return self.intake_error(request, account, values, "Вложение больше 25 МБ: Omnidesk его не примет.")
                attachment = (upload.filename, data, upload.content_type or "application/octet-stream")
        finally:
            await form.close()  # the upload's temporary file
        missing = [f.title for f in fields if f.id in ("full_name", "address", "account", "appeal_type")
                   and not values.get(f.id)]
        if missing:
            return self.intake_error(request, account, values, "Заполните: " + ", ".join(missing) + ".")
        kind = values.get("appeal_type", "")
        subject = f"Очный приём: {kind}"
        content = values.get("comment") or f"Обращение зарегистрировано на очном приёме ({kind})."
        service = self.service
        try:
            created = await service.from_omnidesk(
                "Регистрация обращения", service.omnidesk.create_case, service.sources, values, subject=subject,
                content=content, no_email_domain=service.settings.no_email_domain, attachment=attachment)
        except Refused as exc:
            return self.intake_error(request, account, values, exc.message, exc.status)
        except RenderError as exc:
            return self.intake_error(request, account, values, f"Обращение не зарегистрировано: {exc}")
        for warning in created.warnings:  # field titles and option names only, never the subscriber's data
            log.warning("new case %s: %s", created.number, warning)
        service.created_warnings.put(account.username, created.number, created.warnings)  # shown on its page
        target = f"/cases/{created.number}"
        type_id = next((k.id for k in service.sources.appeal_types if k.title == kind), "")
        return RedirectResponse(target + (f"?type={type_id}" if type_id else ""), status_code=303)

    def intake_error(self, request: Request, account: Account, values: dict[str, str], message: str,
                     status: int = 400) -> Response:
        """The form again, with what was typed and what went wrong."""
        return self.web.page(request, "new_case.html", status, account=account, fields=self.intake_fields(),
                             options=self.intake_options(), values=values, error=message)


class LetterPages:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.web = service.web
        self.cases = CasePages(service)

    async def issue(self, request: Request) -> Response:
        account, card, template, typed, kind = await self.cases.posted(request)
        problems = fill_problems(template, typed)
        if problems:
            return self.cases.render(request, account, card, kind, template.id, typed,
                                     "Проверьте отмеченные поля.", 400, problems)
        ctx = counter_context(card.context, account, typed)
        service = self.service
        try:
            letter = await service.registry_write(service.desk.issue, service.sources, template, ctx, case_id=card.case_id,
                                            staff=account.username, channel="counter")
        except OmnideskMacrosError as exc:
            return self.cases.render(request, account, card, kind, template.id, typed, letter_problem(exc),
                                     letter_status(exc))
        return RedirectResponse(f"/letters/{letter.token}", status_code=303)

    def letter(self, request: Request, account: Account) -> Any:
        token = str(request.path_params["token"])
        letter = self.service.desk.get(token, account.username)
        if letter is None:
            raise Refused(404, "Письмо больше не хранится (прошло больше 30 минут). Откройте обращение и "
                               "сформируйте письмо снова.")
        return letter

    async def show(self, request: Request) -> Response:
        account = self.web.require(request)
        letter = self.letter(request, account)
        return self.web.page(request, "letter.html", account=account, letter=letter, letter_html=letter.html,
                             pdf=self.service.pdf_available, attached=self.service.desk.is_attached(letter.token),
                             notice="Письмо прикреплено к обращению." if request.query_params.get("attached") else None)

    async def docx(self, request: Request) -> Response:
        letter = self.letter(request, self.web.require(request))
        return Response(letter.docx, media_type=DOCX_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{letter.file_stem}.docx"'})

    async def pdf(self, request: Request) -> Response:
        letter = self.letter(request, self.web.require(request))
        try:
            data = await self.service.blocking(self.service.pdf.convert, letter.docx)
        except OmnideskMacrosError as exc:
            raise Refused(503, f"PDF не получен: {exc}") from exc
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{letter.file_stem}.pdf"'})

    async def attach(self, request: Request) -> Response:
        account = self.web.require(request)
        await self.web.form(request)
        letter = self.letter(request, account)
        service = self.service
        note = f"Письмо исх. № {letter.number} «{letter.template_title}» выдано на очном приёме."
        try:
            await service.from_omnidesk("Прикрепление письма", service.omnidesk.attach, letter.case_id, note,
                                        (f"{letter.file_stem}.docx", letter.docx, DOCX_TYPE))
        except Refused as exc:  # the letter was handed over; the audit says it is not on the case
            service.desk.attach_failed(letter, account.username, exc.status)
            raise
        await service.registry_write(service.desk.attached, letter, account.username)
        return RedirectResponse(f"/letters/{letter.token}?attached=1", status_code=303)
