"""Compiler-style diagnostics: ``path:line:col: error: message`` plus an optional hint.

Loading and validation collect every problem as a :class:`Diagnostic` and report them all at once,
so an administrator fixes a whole batch of templates in one pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: Severity
    message: str
    hint: str | None = None

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def github(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on its line of the pull request."""
        message = self.message + (f"\nhint: {self.hint}" if self.hint else "")
        return (f"::{self.severity} file={_github_property(self.path)},line={self.line},col={self.col}"
                f"::{_github_data(message)}")


def _github_data(text: str) -> str:
    # the escapes GitHub's runner decodes (actions/toolkit, command.ts: escapeData)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


class Diagnostics:
    """An ordered, de-duplicated bag of diagnostics for one run."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()

    def add(
        self,
        path: str,
        line: int,
        col: int,
        severity: Severity,
        message: str,
        hint: str | None = None,
    ) -> None:
        item = Diagnostic(path, max(line, 1), max(col, 1), severity, message, hint)
        if item not in self._seen:
            self._seen.add(item)
            self._items.append(item)

    def error(self, path: str, line: int, col: int, message: str, hint: str | None = None) -> None:
        self.add(path, line, col, "error", message, hint)

    def warning(self, path: str, line: int, col: int, message: str, hint: str | None = None) -> None:
        self.add(path, line, col, "warning", message, hint)

    def extend(self, items: Iterable[Diagnostic]) -> None:
        for item in items:
            self.add(item.path, item.line, item.col, item.severity, item.message, item.hint)

    @property
    def items(self) -> list[Diagnostic]:
        return sorted(self._items, key=lambda d: (d.path, d.line, d.col))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def __len__(self) -> int:
        return len(self._items)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known spelling closest to ``word``, if any is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, choices: Iterable[str], prefix: str = "") -> str | None:
    """A "did you mean 'x'?" hint for the closest known spelling, or None."""
    match = closest(word, choices)
    return f"did you mean '{prefix}{match}'?" if match else None
