"""The one exception tree of omnidesk-macros.

    OmnideskMacrosError            root; a front end catches only this (cli.py: "Error: …")
    ├── SourceError                templates_src/ does not load or validate (carries diagnostics)
    ├── RenderError                a letter cannot be produced (a broken template, an unwritable file)
    │   ├── CaseDataError          bad input: case or fill-in data missing or invalid (carries problems)
    │   └── ConversionError        DOCX → PDF conversion failed or LibreOffice is missing (names the DOCX)
    ├── ConfigError                settings are missing or wrong (URL, credentials, files)
    ├── ApiError                   Omnidesk answered with an error (method, path, status, code)
    │   ├── AuthError              401/403: wrong staff email or API key, or no access
    │   ├── NotFoundError          404
    │   ├── RateLimitError         throttled and the retry budget or deadline ran out
    │   ├── ReadOnlyError          the resource cannot be written through the public API
    │   └── TransportError         no answer: connection refused, reset, timeout
    └── PlanConflict               live Omnidesk state changed under a plan; re-plan first

Foreign exceptions (YAML, Jinja, httpx, tenacity, lxml) are translated into these once, at the boundary
where they happen, with ``raise … from``. Messages say what and where, and how to fix it where we know,
but never name a front end's controls (command-line flags, form fields): each front end words its own hint
from the structured data the error carries, and maps the classes to its own codes (cli.py: exit status;
the print service: HTTP status, CaseDataError → 400).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .diagnostics import Diagnostic

MISSING = "is missing"


class OmnideskMacrosError(Exception):
    """Root of every error this project raises on purpose."""


class SourceError(OmnideskMacrosError):
    """The template sources are broken. ``diagnostics`` lists every problem found."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics or [])


class RenderError(OmnideskMacrosError):
    """A letter cannot be produced from this template and these data."""


@dataclass(frozen=True)
class DataProblem:
    """One thing wrong with the data of a case: ``client.address`` (адрес) is missing, ``fill.month`` is
    not a month. ``field`` is the placeholder path, ``label`` its Russian name for a form, ``issue`` what is
    wrong (``MISSING`` when there is no value)."""

    field: str
    label: str
    issue: str = MISSING

    @property
    def missing(self) -> bool:
        return self.issue == MISSING

    @property
    def name(self) -> str:
        return f"{self.field} ({self.label})" if self.label else self.field

    def __str__(self) -> str:
        return self.name if self.missing else f"{self.name} {self.issue}"


class CaseDataError(RenderError):
    """Bad input rather than a bug: the case or its fill-in values lack a datum or hold a wrong one.

    ``problems`` lists every one found (all at once, never only the first); ``origin`` says where the data
    came from (a case file's name, «Omnidesk case 664-245651»), or is empty.
    """

    def __init__(self, message: str, problems: Sequence[DataProblem] = (), origin: str = "") -> None:
        super().__init__(message)
        self.problems = tuple(problems)
        self.origin = origin

    @classmethod
    def of(cls, problems: Sequence[DataProblem], origin: str = "", subject: str = "the case") -> CaseDataError:
        """One error listing ``problems``: first what is missing, then what is wrong."""
        missing = [p.name for p in problems if p.missing]
        wrong = [str(p) for p in problems if not p.missing]
        text = subject
        if missing:
            text += " needs data the case does not have: " + ", ".join(missing)
        if wrong:
            text += (" and" if missing else "") + " has wrong values: " + "; ".join(wrong)
        return cls(f"{origin}: {text}" if origin else text, problems, origin)


class ConversionError(RenderError):
    """The DOCX could not be converted to PDF; ``docx`` is where the letter itself was left, if written."""

    def __init__(self, message: str, docx: Path | None = None) -> None:
        super().__init__(message)
        self.docx = docx


class ConfigError(OmnideskMacrosError):
    """Settings are missing or invalid. ``setting`` names the one at fault, as the library calls it (the
    sandbox's ``host``, ``port``, ``data``, ``rate_limit_per_minute``, ``email``, ``api_key``), or is empty;
    a front end points at its own control for it."""

    def __init__(self, message: str, setting: str = "") -> None:
        super().__init__(message)
        self.setting = setting


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
    """No usable answer: connection refused or dropped, or a timeout. ``sandbox_down`` is true when the
    settings are the bundled sandbox's and no connection could be made: it is not running, and a front end
    says how its user starts it."""

    def __init__(self, message: str, *, method: str = "", path: str = "", sandbox_down: bool = False) -> None:
        super().__init__(message, method=method, path=path)
        self.sandbox_down = sandbox_down


class PlanConflict(OmnideskMacrosError):
    """Live state differs from what the plan was made against."""
