"""Talking to Omnidesk: the REST client and the letter context read from a case.

The fake Omnidesk (``sync.sandbox``) is apart on purpose: nothing here imports it, only ``cli.py``, the demo
(``sync.demo``) and the tests wire it. The names below are the public API of this package.
"""

from .case_context import context_from_case
from .case_letter import render_case_letter
from .client import Attachment, Client, KbKind
from .resources import CustomField, Macro, MacroAction, MacroCategory
from .settings import OmnideskSettings

__all__ = [
    "Attachment",
    "Client",
    "CustomField",
    "KbKind",
    "Macro",
    "MacroAction",
    "MacroCategory",
    "OmnideskSettings",
    "context_from_case",
    "render_case_letter",
]
