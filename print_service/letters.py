"""Issuing a letter at the counter or from a webhook: number → compose → DOCX + HTML → registry → audit.

    check first (no number is spent on a case that lacks data), then, in one registry transaction, take
    the number, compose the letter with it, write the DOCX and the HTML from that one LetterContent, and
    record the DOCX's SHA-256; a render failing after the number was taken records it void with the reason.

Issued letters stay in memory for a while (they hold personal data, so never on disk) under a random
token, so the page can offer the DOCX, the PDF and "attach to the case" without rendering again; whether a
kept letter went onto its case is kept beside it and forgotten with it (bounded by KEEP_LETTERS).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from omnidesk_macros.context import LetterContext, Staff
from omnidesk_macros.errors import OmnideskMacrosError
from omnidesk_macros.letter.content import Outgoing
from omnidesk_macros.letter.html_writer import letter_html
from omnidesk_macros.letter.render import compose_letter, docx_bytes
from omnidesk_macros.model import SourceSet, Template

from . import registry
from .accounts import Account
from .db import Database

audit = logging.getLogger("omnidesk_macros.print_service.audit")
KEEP_SECONDS = 30 * 60
KEEP_LETTERS = 500


@dataclass(frozen=True)
class IssuedLetter:
    token: str
    number: str
    case_id: int
    case_number: str
    template_id: str
    template_title: str
    staff: str
    html: str
    docx: bytes
    expires: float

    @property
    def file_stem(self) -> str:
        """ASCII file name without personal data: the outgoing number's safe characters."""
        return "letter-" + "".join(c if c.isascii() and c.isalnum() else "-" for c in self.number).strip("-")


def counter_context(ctx: LetterContext, account: Account, fill: Mapping[str, str]) -> LetterContext:
    """The case's context signed by the staff member at the counter (spec 2.4), with the fill-in values
    typed in the form; a blank one is left out, so its default (or the "required" problem) applies."""
    signed = replace(ctx, staff=Staff(account.full_name, account.position), fill={})
    given = {name: value for name, value in fill.items() if value.strip()}
    return signed.with_fill(given) if given else signed


class LetterDesk:
    def __init__(self, db: Database, number_format: str, source_commit: str, *, keep_letters: int = KEEP_LETTERS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.number_format = number_format
        self.source_commit = source_commit
        self.keep_letters = keep_letters
        self.clock = clock
        self._issued: OrderedDict[str, IssuedLetter] = OrderedDict()
        self._attached: set[str] = set()  # tokens of kept letters that are on their case
        self._lock = threading.Lock()

    def issue(self, sources: SourceSet, template: Template, ctx: LetterContext, *, case_id: int, staff: str,
              channel: str, now: datetime | None = None) -> IssuedLetter:
        """A letter with the next outgoing number, or an OmnideskMacrosError before any number is spent."""
        company = sources.company
        if company is None:
            raise OmnideskMacrosError(f"{sources.root}/company.yaml has no company block; no letterhead to print on")
        compose_letter(template, ctx, staff=sources.staff)  # raises with every gap before a number is taken
        now = now or datetime.now().astimezone()
        html: list[str] = []

        def make(number: str) -> bytes:
            content = compose_letter(template, ctx, staff=sources.staff, outgoing=Outgoing(number, now.date()))
            html.append(letter_html(content, company))
            return docx_bytes(template, ctx, content, company, source_commit=self.source_commit)

        try:
            number, docx = registry.record(self.db, self.number_format, case_number=ctx.case.number,
                                           template_id=template.id, template_sha256=template.text_hash, staff=staff,
                                           channel=channel, now=now, make=make)
        except Exception as exc:
            audit.warning("print staff=%s case=%s template=%s outcome=void reason=%s",
                          staff, ctx.case.number, template.id, type(exc).__name__)
            raise
        audit.info("print staff=%s case=%s template=%s number=%s channel=%s outcome=issued",
                   staff, ctx.case.number, template.id, number, channel)
        letter = IssuedLetter(secrets.token_urlsafe(18), number, case_id, ctx.case.number, template.id,
                              template.title, staff, html[0], docx, self.clock() + KEEP_SECONDS)
        self._keep(letter)
        return letter

    def void(self, number: str, reason: str, staff: str, case_number: str, template_id: str) -> None:
        registry.void(self.db, number, reason)
        audit.warning("print staff=%s case=%s template=%s number=%s outcome=void reason=%s",
                      staff, case_number, template_id, number, reason)

    def attached(self, letter: IssuedLetter, staff: str) -> None:
        registry.mark_attached(self.db, letter.number, datetime.now().astimezone())
        with self._lock:
            if letter.token in self._issued:  # a letter no longer kept has no page to show the mark on
                self._attached.add(letter.token)
        audit.info("attach staff=%s case=%s template=%s number=%s outcome=attached",
                   staff, letter.case_number, letter.template_id, letter.number)

    def attach_failed(self, letter: IssuedLetter, staff: str, status: int) -> None:
        audit.warning("attach staff=%s case=%s template=%s number=%s outcome=failed status=%s",
                      staff, letter.case_number, letter.template_id, letter.number, status)

    def _keep(self, letter: IssuedLetter) -> None:
        with self._lock:
            self._issued[letter.token] = letter
            now = self.clock()
            while self._issued and (len(self._issued) > self.keep_letters or next(iter(self._issued.values())).expires < now):
                self._attached.discard(self._issued.popitem(last=False)[0])

    def is_attached(self, token: str) -> bool:
        with self._lock:
            return token in self._attached

    def get(self, token: str, staff: str) -> IssuedLetter | None:
        """An issued letter, only for the staff member who issued it and only while it is kept."""
        with self._lock:
            letter = self._issued.get(token)
        if letter is None or letter.staff != staff or letter.expires < self.clock():
            return None
        return letter
