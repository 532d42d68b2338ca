"""omnidesk-macros: the standard replies of ООО «СКС» as versioned source.

Pipeline: load → validate → compile (Omnidesk macros and fields) → render (printable letters). This
package knows templates and letters, not Omnidesk: it imports no sync, click, httpx or web framework, so a
notebook, the CLI and the web print service call it alike. The names below are its public API.
"""

from .context import CaseInfo, LetterContext, Staff, Subscriber
from .diagnostics import Diagnostic, Diagnostics
from .errors import (
    ApiError,
    AuthError,
    ConfigError,
    ConversionError,
    NotFoundError,
    OmnideskMacrosError,
    PlanConflict,
    RateLimitError,
    ReadOnlyError,
    RenderError,
    SourceError,
    TransportError,
)
from .letter import convert_to_pdf, read_provenance, render_letter, render_letter_to_file, source_commit
from .loader import default_templates_dir
from .model import AppealType, CardField, CardOption, Company, Signatory, SourceSet, Template, Variable
from .validate import load_sources, validate_sources

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AppealType",
    "AuthError",
    "CardField",
    "CardOption",
    "CaseInfo",
    "Company",
    "ConfigError",
    "ConversionError",
    "Diagnostic",
    "Diagnostics",
    "LetterContext",
    "NotFoundError",
    "OmnideskMacrosError",
    "PlanConflict",
    "RateLimitError",
    "ReadOnlyError",
    "RenderError",
    "Signatory",
    "SourceError",
    "SourceSet",
    "Staff",
    "Subscriber",
    "Template",
    "TransportError",
    "Variable",
    "__version__",
    "convert_to_pdf",
    "default_templates_dir",
    "load_sources",
    "read_provenance",
    "render_letter",
    "render_letter_to_file",
    "source_commit",
    "validate_sources",
]
