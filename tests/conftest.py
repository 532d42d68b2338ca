"""Shared fixtures (noun-named); helpers live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import MINIMAL_TREE, build_file_tree


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    """A small, valid templates folder; tests overwrite single files to break it."""
    return build_file_tree(tmp_path / "templates_src", MINIMAL_TREE)
