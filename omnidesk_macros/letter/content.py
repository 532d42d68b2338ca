"""What a letter says, once, for every writer: the DOCX (render.py) and the on-screen HTML (html_writer.py).

    LetterContent = № line, recipient block, title, salutation, opening, body blocks, signature

Both writers print exactly these strings and blocks, so the paper, the Word file and the browser page
cannot say different things.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .. import russian
from ..context import LetterContext
from ..markup import Block, plain_text
from ..model import Signatory

TITLE = "Ответ на обращение"


@dataclass(frozen=True)
class Outgoing:
    """The letter's own registry number and date, printed on the «№» line instead of the appeal's."""

    number: str
    date: date


@dataclass(frozen=True)
class LetterContent:
    number_line: str  # «№ СКС-2026/000123 от 28.11.2026 г.» (or the appeal's number and date)
    recipient: tuple[tuple[str, str], ...]  # (label, value): ФИО, Адрес, Лицевой счет, Адрес эл. почты
    title: str
    salutation: str
    opening: str  # «На Ваше обращение № … от … сообщаем следующее.»: always the appeal's number
    blocks: tuple[Block, ...]
    signer: Signatory

    def recipient_lines(self) -> list[str]:
        return [f"{label}: {value}" for label, value in self.recipient]

    def text(self) -> str:
        """Every line a reader sees, in order (tests compare the writers by it)."""
        head = [self.number_line, *self.recipient_lines(), self.title, self.salutation, self.opening]
        return "\n".join([*head, plain_text(list(self.blocks)), f"{self.signer.position}\t{self.signer.short_name}"])


def letter_content(ctx: LetterContext, signer: Signatory, blocks: Sequence[Block],
                   outgoing: Outgoing | None = None) -> LetterContent:
    """The letter's lines around the body (Приложение №2), from a checked context."""
    assert ctx.case.date is not None  # check_letter names a missing date before any letter is composed
    appeal = f"№ {ctx.case.number} от {russian.date_ru(ctx.case.date)} г."
    number_line = f"№ {outgoing.number} от {russian.date_ru(outgoing.date)} г." if outgoing else appeal
    client = ctx.client
    recipient = [("ФИО", client.full_name), ("Адрес", client.address), ("Лицевой счет", client.account)]
    if client.email:
        recipient.append(("Адрес эл. почты", client.email))
    return LetterContent(
        number_line=number_line,
        recipient=tuple(recipient),
        title=TITLE,
        salutation=russian.salutation(client.full_name),
        opening=f"На Ваше обращение {appeal} сообщаем следующее.",
        blocks=tuple(blocks),
        signer=signer,
    )
