"""The one exception tree of omnidesk-macros.

    OmnideskMacrosError            root; cli.py catches only this and prints "Error: …"
    ├── SourceError                templates_src/ does not load or validate (carries diagnostics)
    ├── RenderError                a letter cannot be produced (missing datum, too long, bad value)
    │   └── ConversionError        DOCX → PDF conversion failed or LibreOffice is missing
    ├── ConfigError                settings are missing or wrong (URL, credentials, files)
    ├── ApiError                   Omnidesk answered with an error (method, path, status, code)
    │   ├── AuthError              401/403: wrong staff email or API key, or no access
    │   ├── NotFoundError          404
    │   ├── RateLimitError         throttled and the retry budget or deadline ran out
    │   ├── ReadOnlyError          the resource cannot be written through the public API
    │   └── TransportError         no answer: connection refused, reset, timeout
    └── PlanConflict               live Omnidesk state changed under a plan; re-plan first

Foreign exceptions (YAML, Jinja, httpx, tenacity, lxml) are translated into these once, at the boundary
where they happen, with ``raise … from``. Messages say what and where, and how to fix it where we know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .diagnostics import Diagnostic


class OmnideskMacrosError(Exception):
    """Root of every error this project raises on purpose."""

    exit_code = 1


class SourceError(OmnideskMacrosError):
    """The template sources are broken. ``diagnostics`` lists every problem found."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics or [])


class RenderError(OmnideskMacrosError):
    """A letter cannot be produced from this template and these data."""


class ConversionError(RenderError):
    """The DOCX could not be converted to PDF."""


class ConfigError(OmnideskMacrosError):
    """Settings are missing or invalid."""

    exit_code = 2


class ApiError(OmnideskMacrosError):
    """Omnidesk refused or failed a request.

    Never carries credentials or personal data: only the method, the path (without query string),
    the HTTP status and Omnidesk's own error code.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status
        self.code = code


class AuthError(ApiError):
    """Wrong staff email or API key, or the staff member lacks access."""


class NotFoundError(ApiError):
    """The object does not exist."""


class RateLimitError(ApiError):
    """Still throttled when the retry budget or deadline ran out."""


class ReadOnlyError(ApiError):
    """The public API cannot write this resource (macros, custom-field definitions)."""


class TransportError(ApiError):
    """No usable answer: connection refused or dropped, or a timeout."""


class PlanConflict(OmnideskMacrosError):
    """Live state differs from what the plan was made against."""
