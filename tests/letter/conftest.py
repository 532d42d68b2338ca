"""Fixtures for the letter tests: a company with the project's logo, templates and cases built inline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from omnidesk_macros.model import Company, Signatory
from tests.letter.docx_text import LOGO, case_data


@pytest.fixture
def company() -> Company:
    return Company(
        name="ООО «Самарские коммунальные системы»", short_name="ООО «СКС»", brand="РКС Самара",
        address="ул. Луначарского, д. 56, г. Самара, 443056", phone="+7 (846) 336-14-02", fax="336-89-05",
        site="www.samcomsys.ru", email="info@samcomsys.ru", logo=LOGO,
    )


@pytest.fixture
def staff() -> tuple[Signatory, ...]:
    return (Signatory("Самарина Н.Н.", "Начальник отдела продаж населению"),)


@pytest.fixture
def case() -> Callable[..., dict[str, Any]]:
    """``case(client={"email": ""})`` → a case mapping with those fields changed."""
    return case_data


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder
