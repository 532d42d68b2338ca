"""Where the Omnidesk client connects, as whom, and how patiently.

With none of ``OMNIDESK_URL``, ``OMNIDESK_EMAIL``, ``OMNIDESK_API_KEY`` set, the client talks to the local
sandbox (``omnidesk-macros sandbox``), the project's embedded default. Setting only some of them is a
mistake worth stopping for: it would otherwise mix a real URL with sandbox credentials.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from omnidesk_macros.errors import ConfigError

SANDBOX_HOST = "127.0.0.1"
SANDBOX_PORT = 8765
SANDBOX_URL = f"http://{SANDBOX_HOST}:{SANDBOX_PORT}"
SANDBOX_EMAIL = "admin@sandbox.local"
SANDBOX_API_KEY = "sandbox-key"

ENV_VARS = ("OMNIDESK_URL", "OMNIDESK_EMAIL", "OMNIDESK_API_KEY")
#: hosts for which plain http is acceptable: the key never leaves the machine
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class OmnideskSettings:
    """Connection settings. ``api_key`` stays out of ``repr`` so it cannot leak into a log or traceback."""

    url: str = SANDBOX_URL
    email: str = SANDBOX_EMAIL
    api_key: str = field(default=SANDBOX_API_KEY, repr=False)
    #: seconds for one HTTP attempt (connect, write, read)
    timeout: float = 30.0
    #: seconds for one call including every retry and wait; past it the call fails
    deadline: float = 300.0
    max_attempts: int = 8
    #: cap on a server-requested ``retry_after``
    max_wait: float = 120.0
    #: the length of Omnidesk's rate-limit "minute"; only tests change it
    rate_window: float = 60.0
    #: calls per window left unused for other consumers of the same account
    reserve_calls: int = 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> OmnideskSettings:
        """Settings from ``OMNIDESK_*`` variables; the sandbox defaults when none is set."""
        env = os.environ if environ is None else environ
        values = {name: env.get(name, "").strip() for name in ENV_VARS}
        present = [name for name, value in values.items() if value]
        if present and len(present) < len(ENV_VARS):
            missing = ", ".join(name for name in ENV_VARS if name not in present)
            raise ConfigError(
                f"Omnidesk settings are incomplete: {missing} not set. Set all three of "
                f"{', '.join(ENV_VARS)} for a real account, or none of them to use the local sandbox."
            )
        settings = cls()
        if present:
            settings = replace(
                settings,
                url=values["OMNIDESK_URL"],
                email=values["OMNIDESK_EMAIL"],
                api_key=values["OMNIDESK_API_KEY"],
            )
        return settings.validated(**overrides)

    def validated(self, **overrides: Any) -> OmnideskSettings:
        """A copy with ``overrides`` applied, checked so that a bad URL fails before the first request."""
        settings = replace(self, **overrides)
        if "@" in settings.url:
            # never echoed: whatever precedes the @ may be a key
            raise ConfigError(
                "OMNIDESK_URL must not contain credentials; put them in OMNIDESK_EMAIL and OMNIDESK_API_KEY"
            )
        parts = urlsplit(settings.url)
        local = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        if parts.scheme != "https" and not local:
            raise ConfigError(
                f"OMNIDESK_URL must start with https:// (got {settings.url!r}): the API key travels in every "
                "request; e.g. https://yourcompany.omnidesk.ru (plain http only for the local sandbox)"
            )
        if not settings.email or not settings.api_key:
            raise ConfigError("Omnidesk staff email and API key must not be empty")
        return settings

    @property
    def api_base(self) -> str:
        """``https://x.omnidesk.ru/api``, whether the URL was given with or without ``/api``."""
        base = self.url.rstrip("/")
        if base.endswith("/api"):
            base = base[: -len("/api")]
        return base + "/api"

    @property
    def is_sandbox(self) -> bool:
        return self.email == SANDBOX_EMAIL and self.api_key == SANDBOX_API_KEY
