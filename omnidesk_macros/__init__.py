"""omnidesk-macros: the standard replies of ООО «СКС» as versioned source.

Pipeline: load → validate → compile (Omnidesk macros and fields) → render (printable letters). This
package knows templates and letters, not Omnidesk: it imports no sync, click, httpx or web framework, so a
notebook, the CLI and the web print service call it alike. The names below are its public API.

They load on first use (PEP 562): `import omnidesk_macros.errors` from the CLI or the sync client then
costs no Jinja, YAML or Markdown parser, which keeps a command that fails early (a refused connection)
under a second.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_EXPORTS = {
    "AppealTypeEntry": ".catalogue",
    "Catalogue": ".catalogue",
    "TemplateEntry": ".catalogue",
    "VariableEntry": ".catalogue",
    "build_catalogue": ".catalogue",
    "load_catalogue": ".catalogue",
    "CaseInfo": ".context",
    "LetterContext": ".context",
    "Staff": ".context",
    "Subscriber": ".context",
    "Diagnostic": ".diagnostics",
    "Diagnostics": ".diagnostics",
    "ApiError": ".errors",
    "AuthError": ".errors",
    "CaseDataError": ".errors",
    "ConfigError": ".errors",
    "ConversionError": ".errors",
    "DataProblem": ".errors",
    "NotFoundError": ".errors",
    "OmnideskMacrosError": ".errors",
    "PlanConflict": ".errors",
    "RateLimitError": ".errors",
    "ReadOnlyError": ".errors",
    "RenderError": ".errors",
    "SourceError": ".errors",
    "TransportError": ".errors",
    "convert_to_pdf": ".letter",
    "read_provenance": ".letter",
    "render_letter": ".letter",
    "render_letter_to_file": ".letter",
    "source_commit": ".letter",
    "PrintedLetter": ".letter.printing",
    "print_letter": ".letter.printing",
    "print_letter_for_case_file": ".letter.printing",
    "read_case_file": ".letter.printing",
    "default_templates_dir": ".loader",
    "AppealType": ".model",
    "CardField": ".model",
    "CardOption": ".model",
    "Company": ".model",
    "Signatory": ".model",
    "SourceSet": ".model",
    "Template": ".model",
    "Variable": ".model",
    "ValidationReport": ".validate",
    "load_sources": ".validate",
    "validate_sources": ".validate",
    "validation_report": ".validate",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


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
