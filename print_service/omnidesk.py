"""The service's way to Omnidesk: one shared client with a short deadline, a short-lived card cache, and
every failure as a Russian sentence for the specialist.

The client is thread-safe (its rate budget holds a lock), so the server's threads share one connection
pool and one view of the rate limit. A case's card is cached for a minute: the case page and the letter
printed from it a moment later cost Omnidesk one read, not two.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from omnidesk_macros.errors import ApiError, AuthError, NotFoundError, RateLimitError, TransportError
from omnidesk_macros.model import SourceSet
from sync.case_context import CaseCard, read_card
from sync.client import Attachment, Client
from sync.intake import NewCase, create_case
from sync.settings import OmnideskSettings

from .billing import Subscriber

CARD_TTL = 60.0
CARD_CACHE_SIZE = 256


class Omnidesk:
    def __init__(self, settings: OmnideskSettings, deadline: float) -> None:
        # one attempt may not outlast the page's deadline; a POST is never retried once it may have landed
        self.client = Client(settings.validated(timeout=max(0.5, deadline - 1.0), deadline=deadline - 0.5,
                                                max_attempts=3))
        self._cards: OrderedDict[str, tuple[float, CaseCard]] = OrderedDict()
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def cached_card(self, number: str) -> CaseCard | None:
        """The card read less than CARD_TTL ago, or None."""
        with self._lock:
            cached = self._cards.get(number)
        return cached[1] if cached and cached[0] > time.monotonic() else None

    def card(self, sources: SourceSet, number: str, *, fresh: bool = False) -> CaseCard:
        cached = None if fresh else self.cached_card(number)
        if cached is not None:
            return cached
        now = time.monotonic()
        card = read_card(self.client, sources, number)
        with self._lock:
            self._cards[number] = (now + CARD_TTL, card)
            while len(self._cards) > CARD_CACHE_SIZE:
                self._cards.popitem(last=False)
        return card

    def forget(self, number: str) -> None:
        with self._lock:
            self._cards.pop(number, None)

    def profile_by_account(self, sources: SourceSet, account: str, no_email_domain: str) -> Subscriber | None:
        """The subscriber's Omnidesk profile found from an account number, or None.

        Omnidesk's user search filters by email, phone and name only, not by custom fields, so the only
        profile an account number finds is the one this service files a subscriber with no contact under,
        ``<account>@<no_email_domain>``; others are found when the specialist types the email or phone.
        """
        email = f"{account}@{no_email_domain}"
        user = next((u for u in self.client.iter_users(user_email=email)
                     if str(u.get("user_email", "")).casefold() == email.casefold()), None)
        if user is None:
            return None
        live = {f.title.casefold(): f for f in self.client.list_custom_fields()}
        values: dict[str, str] = {}
        for card_field in sources.card:
            definition = live.get(card_field.title.casefold())
            if definition is not None and definition.field_level == "user":
                raw = (user.get("custom_fields") or {}).get(definition.key)
                values[card_field.id] = "" if raw is None or isinstance(raw, bool) else str(raw)
        return Subscriber(account, str(user.get("user_full_name") or ""), values.get("address", ""),
                          email="", phone=str(user.get("user_phone") or ""))

    def attach(self, case_id: int, text: str, attachment: Attachment) -> None:
        self.client.add_note(case_id, text, attachment=attachment)

    def create_case(self, sources: SourceSet, values: dict[str, str], *, subject: str, content: str,
                    no_email_domain: str, attachment: Attachment | None) -> NewCase:
        return create_case(self.client, sources, values, subject=subject, content=content,
                           no_email_domain=no_email_domain, attachment=attachment)


def russian_message(exc: ApiError, what: str) -> str:
    """What the specialist reads when Omnidesk fails; the details go to the log, not the page."""
    if isinstance(exc, NotFoundError):
        return f"{what}: в Omnidesk такого обращения нет. Проверьте номер обращения."
    if isinstance(exc, AuthError):
        return (f"{what}: Omnidesk отказал в доступе. Администратору: проверьте OMNIDESK_EMAIL и ключ API "
                "(OMNIDESK_API_KEY).")
    if isinstance(exc, RateLimitError | TransportError):
        return (f"{what}: Omnidesk не ответил вовремя. Повторите через минуту; если не помогает, сообщите "
                "администратору.")
    return f"{what}: Omnidesk ответил ошибкой ({exc.status or 'без кода'}). Повторите позже или сообщите администратору."
