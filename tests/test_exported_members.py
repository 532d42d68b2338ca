"""The public API of omnidesk_macros and sync is what ``__all__`` says, and every name in it exists.

Pinned here so that removing or renaming a public name is a visible decision (the CLI, the sync engine and
the web print service all import these).
"""

from __future__ import annotations

import importlib
import inspect

import pytest

EXPECTED = {
    "omnidesk_macros": [
        "ApiError", "AppealType", "AppealTypeEntry", "AuthError", "CardField", "CardOption", "CaseDataError",
        "CaseInfo", "Catalogue", "Company", "ConfigError", "ConversionError", "DataProblem", "Diagnostic",
        "Diagnostics", "LetterContext", "NotFoundError", "OmnideskMacrosError", "PlanConflict",
        "PrintedLetter", "RateLimitError", "ReadOnlyError", "RenderError", "Signatory", "SourceError",
        "SourceSet", "Staff", "Subscriber", "Template", "TemplateEntry", "TransportError", "ValidationReport",
        "Variable", "VariableEntry", "__version__", "build_catalogue", "convert_to_pdf",
        "default_templates_dir", "load_catalogue", "load_sources", "print_letter",
        "print_letter_for_case_file", "read_case_file", "read_provenance", "render_letter",
        "render_letter_to_file", "source_commit", "validate_sources", "validation_report",
    ],
    "sync": [
        "Attachment", "Client", "CustomField", "KbKind", "Macro", "MacroAction", "MacroCategory",
        "OmnideskSettings", "context_from_case", "render_case_letter",
    ],
}


@pytest.mark.parametrize("package", sorted(EXPECTED))
def test_all_is_pinned(package: str) -> None:
    module = importlib.import_module(package)
    assert sorted(module.__all__) == sorted(EXPECTED[package])


@pytest.mark.parametrize("package", sorted(EXPECTED))
def test_every_exported_name_exists_and_belongs_to_the_project(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        member = getattr(module, name)
        if inspect.isclass(member) or inspect.isfunction(member):  # not the type aliases or __version__
            owner = member.__module__
            assert owner.split(".")[0] in ("omnidesk_macros", "sync"), f"{package}.{name} comes from {owner}"


def test_star_import_gives_exactly_all() -> None:
    scope: dict[str, object] = {}
    exec("from omnidesk_macros import *", scope)
    assert {n for n in scope if n != "__builtins__"} == set(importlib.import_module("omnidesk_macros").__all__)
