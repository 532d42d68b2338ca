"""A template file written by a program (``sync pull``): its id from the title, front matter, the body.

The id is the transliterated title, ASCII, lowercase, words joined by ``-`` and cut at a word boundary, made
unique with ``-2``, ``-3`` …; the file is ``<id>.md`` and passes ``validate`` as written. Notes for the
person who reviews the file (a category that matched no appeal type, formatting that was lost) are YAML
comments in the front matter, where they cannot reach a letter or a macro.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

from .russian import transliterate

_NOT_ID = re.compile(r"[^a-z0-9]+")
MAX_ID_LENGTH = 48


def template_id(title: str, taken: Iterable[str] = ()) -> str:
    """A file-name-safe id for ``title``, not among ``taken``."""
    words = [w for w in _NOT_ID.split(transliterate(title)) if w]
    base = ""
    for word in words:
        if base and len(base) + 1 + len(word) > MAX_ID_LENGTH:
            break
        base = f"{base}-{word}" if base else word[:MAX_ID_LENGTH]
    base = base or "macro"
    used = set(taken)
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def template_text(*, id: str, title: str, appeal_types: list[str], channels: list[str], body: str,
                  source: str = "", status_after: str | None = None, notes: Iterable[str] = ()) -> str:
    """The whole file: ``---``, the notes as comments, the front matter keys, ``---``, the body."""
    data: dict[str, object] = {"id": id, "title": title}
    if source:
        data["source"] = source
    front = [f"# {line}" for note in notes for line in note.splitlines()]
    front += [_line(key, value) for key, value in data.items()]
    front.append(f"appeal_types: [{', '.join(appeal_types)}]")
    front.append(f"channels: [{', '.join(channels)}]")
    if status_after:
        front.append(f"status_after: {status_after}")
    return "---\n" + "\n".join(front) + "\n---\n" + body


def _line(key: str, value: object) -> str:
    # safe_dump quotes what YAML would misread (a colon, a leading quote or bracket) and nothing else
    return yaml.safe_dump({key: value}, allow_unicode=True, width=10_000, sort_keys=False).strip()
