"""The service's own settings, from OMNIDESK_MACROS_* variables; the Omnidesk ones are sync.settings'."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from omnidesk_macros.errors import ConfigError

DEFAULT_NUMBER_FORMAT = "СКС-{year}/{seq:06d}"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8780
#: what may stand between :// and the path: a name or IPv4 address, or [IPv6], and a port; nothing that could
#: end a CSP source (space, comma, semicolon, quote) or carry credentials (@)
ORIGIN_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
MIN_WEBHOOK_TOKEN = 24  # ~140 bits as token_urlsafe characters: out of reach of guessing through the hook


@dataclass(frozen=True)
class ServiceSettings:
    """How the service behaves; secrets stay out of ``repr``."""

    secret_key: bytes = field(repr=False)
    #: the outgoing number: ``{year}`` and ``{seq}`` (the year's sequence number) are filled in
    number_format: str = DEFAULT_NUMBER_FORMAT
    session_hours: float = 8.0  # one shift
    session_idle_minutes: float = 60.0  # a desk left signed in: the session ends after this long unused
    webhook_token: str | None = field(default=None, repr=False)
    #: trusted reverse-proxy mode: the signed-in login comes in this header (off unless set)
    trusted_user_header: str | None = None
    #: the reverse proxies (addresses or networks) whose X-Forwarded-For names the client; none: never read
    trusted_proxies: tuple[str, ...] = ()
    #: the Omnidesk origin allowed to frame the pages (CSP frame-ancestors), from OMNIDESK_URL only
    omnidesk_origin: str = ""
    sandbox: bool = False
    secure_cookies: bool = False
    #: the mailbox domain for subscribers with neither email nor phone: «<account>@<domain>»
    no_email_domain: str = "no-email.invalid"
    #: seconds the specialist waits for Omnidesk at most
    omnidesk_deadline: float = 5.0
    #: keep one LibreOffice running for PDFs (~0.1 s each instead of ~2 s); OMNIDESK_MACROS_WARM_PDF=0 turns it off
    warm_pdf: bool = True

    @classmethod
    def from_env(cls, omnidesk_url: str, *, sandbox: bool, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        """Outside sandbox mode OMNIDESK_MACROS_SECRET_KEY is required: sessions and CSRF tokens hang on it."""
        env = os.environ if environ is None else environ
        key = env.get("OMNIDESK_MACROS_SECRET_KEY", "").strip()
        if not key and not sandbox:
            raise ConfigError(
                "OMNIDESK_MACROS_SECRET_KEY is not set: the print service signs sessions and CSRF tokens with it. "
                "Set it to a long random string, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        if key and len(key) < 16:
            raise ConfigError("OMNIDESK_MACROS_SECRET_KEY is too short: use at least 16 random characters")
        settings = cls(
            secret_key=key.encode("utf-8") if key else secrets.token_bytes(32),
            number_format=env.get("OMNIDESK_MACROS_NUMBER_FORMAT", "").strip() or DEFAULT_NUMBER_FORMAT,
            session_hours=_positive(env, "OMNIDESK_MACROS_SESSION_HOURS", 8.0),
            session_idle_minutes=_positive(env, "OMNIDESK_MACROS_SESSION_IDLE_MINUTES", 60.0),
            webhook_token=webhook_token(env.get("OMNIDESK_MACROS_WEBHOOK_TOKEN", "")),
            trusted_user_header=env.get("OMNIDESK_MACROS_TRUSTED_USER_HEADER", "").strip() or None,
            trusted_proxies=trusted_proxies(env.get("OMNIDESK_MACROS_TRUSTED_PROXIES", "")),
            omnidesk_origin=omnidesk_origin(omnidesk_url),
            sandbox=sandbox,
            secure_cookies=env.get("OMNIDESK_MACROS_SECURE_COOKIES", "") == "1",
            no_email_domain=env.get("OMNIDESK_MACROS_NO_EMAIL_DOMAIN", "").strip() or "no-email.invalid",
            warm_pdf=env.get("OMNIDESK_MACROS_WARM_PDF", "").strip() != "0",
        )
        check_number_format(settings.number_format)
        return settings


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


def omnidesk_origin(url: str) -> str:
    """``scheme://host[:port]`` of OMNIDESK_URL for the CSP's frame-ancestors, refused unless it is plainly one."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not ORIGIN_HOST.fullmatch(parts.netloc) or \
            any(c in url for c in "'\";, ") or not url.isprintable():
        shown = url if "@" not in url else "(not shown: it contains '@')"  # what precedes an @ may be a key
        raise ConfigError(f"OMNIDESK_URL {shown[:100]!r} is not an http(s) address of a host, e.g. "
                          "https://yourcompany.omnidesk.ru (no quotes, semicolons, commas, spaces or credentials; "
                          "a non-Latin domain in its xn-- form)")
    return f"{parts.scheme}://{parts.netloc}"


def webhook_token(raw: str) -> str | None:
    """None (the hook is off) when unset; a set token must be long enough not to be guessed."""
    token = raw.strip()
    if token and len(token) < MIN_WEBHOOK_TOKEN:
        raise ConfigError(f"OMNIDESK_MACROS_WEBHOOK_TOKEN is too short ({len(token)} characters): use at least "
                          f"{MIN_WEBHOOK_TOKEN} random characters, e.g. "
                          "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`, or unset it to turn the "
                          "webhook off")
    return token or None


def trusted_proxies(raw: str) -> tuple[str, ...]:
    """Comma-separated proxy addresses or networks, normalised; uvicorn would take a typo for a host name
    and silently trust nothing, and '*' would let any client choose its own address, so both are refused."""
    found = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)))
        except ValueError:
            raise ConfigError(f"OMNIDESK_MACROS_TRUSTED_PROXIES: {item[:60]!r} is not an IP address or network; "
                              "give the reverse proxy's address as the service sees it, e.g. 127.0.0.1 or "
                              "10.0.0.0/24") from None
    return tuple(found)


def check_number_format(fmt: str) -> None:
    """The format must give distinct numbers for distinct sequence numbers of one year."""
    try:
        first, second = fmt.format(year=2026, seq=1), fmt.format(year=2026, seq=2)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"OMNIDESK_MACROS_NUMBER_FORMAT {fmt!r} is not a format with {{year}} and {{seq}}: {exc}") from exc
    if first == second or len(first) > 64:
        raise ConfigError(f"OMNIDESK_MACROS_NUMBER_FORMAT {fmt!r} must contain {{seq}} and stay under 64 characters, "
                          "e.g. СКС-{year}/{seq:06d}")
