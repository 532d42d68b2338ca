"""YAML that remembers where every key and value stood, so errors can name ``file:line:col``.

Always the safe loader; duplicate keys (which PyYAML silently overwrites) are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    """Internal: a YAML parse failure with a 1-based position. Loaders turn it into a Diagnostic."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class Located:
    """Parsed YAML plus positions (1-based, already shifted by the document's line offset)."""

    data: Any
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int, int]] = field(default_factory=list)

    def value_pos(self, *path: str | int) -> tuple[int, int]:
        """Where the value at ``path`` starts; falls back to the nearest enclosing node."""
        return self._nearest(self.values, path)

    def key_pos(self, *path: str | int) -> tuple[int, int]:
        """Where the mapping key ending ``path`` stands; falls back to the value position."""
        if path in self.keys:
            return self.keys[path]
        return self.value_pos(*path)

    @staticmethod
    def _nearest(table: dict[KeyPath, tuple[int, int]], path: KeyPath) -> tuple[int, int]:
        for cut in range(len(path), -1, -1):
            if path[:cut] in table:
                return table[path[:cut]]
        return (1, 1)


def parse_yaml(text: str, line_offset: int = 0) -> Located:
    """Parse one YAML document. ``line_offset`` is added to every line (front matter inside a file)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(f"YAML syntax: {problem}", line + line_offset, col) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML syntax: {exc}", 1 + line_offset, 1) from exc
    finally:
        loader.dispose()
    located = Located(data)
    if node is not None:
        _walk(node, (), located, line_offset)
    return located


def _walk(node: yaml.Node, path: KeyPath, out: Located, offset: int) -> None:
    out.values[path] = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            pos = (key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            if key in seen:
                out.duplicates.append((path + (key,), *pos))
            seen.add(key)
            out.keys[path + (key,)] = pos
            _walk(value_node, path + (key,), out, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), out, offset)
