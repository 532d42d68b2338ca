"""omnidesk-macros: the standard replies of ООО «СКС» as versioned source.

Pipeline: load → validate → compile (Omnidesk macros and fields) → render (printable letters). This
package knows templates and letters, not Omnidesk: it imports no sync, click, httpx or web framework, so a
notebook, the CLI and the web print service call it alike. The names below are its public API.
"""

from .catalogue import (
    AppealTypeEntry,
    Catalogue,
    TemplateEntry,
    VariableEntry,
    build_catalogue,
    load_catalogue,
)
from .context import CaseInfo, LetterContext, Staff, Subscriber
from .diagnostics import Diagnostic, Diagnostics
from .errors import (
    ApiError,
    AuthError,
    CaseDataError,
    ConfigError,
    ConversionError,
    DataProblem,
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
from .letter.printing import PrintedLetter, print_letter, print_letter_for_case_file, read_case_file
from .loader import default_templates_dir
from .model import AppealType, CardField, CardOption, Company, Signatory, SourceSet, Template, Variable
from .validate import ValidationReport, load_sources, validate_sources, validation_report

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AppealType",
    "AppealTypeEntry",
    "AuthError",
    "CardField",
    "CardOption",
    "CaseDataError",
    "CaseInfo",
    "Catalogue",
    "Company",
    "ConfigError",
    "ConversionError",
    "DataProblem",
    "Diagnostic",
    "Diagnostics",
    "LetterContext",
    "NotFoundError",
    "OmnideskMacrosError",
    "PlanConflict",
    "PrintedLetter",
    "RateLimitError",
    "ReadOnlyError",
    "RenderError",
    "Signatory",
    "SourceError",
    "SourceSet",
    "Staff",
    "Subscriber",
    "Template",
    "TemplateEntry",
    "TransportError",
    "ValidationReport",
    "Variable",
    "VariableEntry",
    "__version__",
    "build_catalogue",
    "convert_to_pdf",
    "default_templates_dir",
    "load_catalogue",
    "load_sources",
    "print_letter",
    "print_letter_for_case_file",
    "read_case_file",
    "read_provenance",
    "render_letter",
    "render_letter_to_file",
    "source_commit",
    "validate_sources",
    "validation_report",
]
