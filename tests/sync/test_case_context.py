"""A letter's context read from an Omnidesk case: the card's fields found through the live definitions."""

from __future__ import annotations

import docx
import pytest

from omnidesk_macros.errors import RenderError
from omnidesk_macros.letter.render import render_letter
from omnidesk_macros.validate import load_sources
from sync.case_context import context_from_case
from sync.client import Client
from tests.helpers import TEMPLATES_SRC
from tests.letter.docx_text import plain


@pytest.fixture(scope="module")
def sources():
    return load_sources(TEMPLATES_SRC)


def first_case_of(api: Client, staff_id: int) -> dict:
    return next(c for c in api.iter_cases(staff_id=staff_id))


def test_context_carries_the_subscriber_and_the_case(api: Client, sources) -> None:
    case = first_case_of(api, 202)
    user = api.get_user(case["user_id"])
    ctx = context_from_case(api, sources, case["case_number"])
    assert ctx.case.number == case["case_number"]
    assert ctx.case.date == case["created_at"].date()
    assert ctx.client.full_name == user["user_full_name"]
    assert ctx.client.email == user["user_email"]
    assert ctx.client.account == user["custom_fields"]["cf_1001"]
    assert ctx.client.address == user["custom_fields"]["cf_1002"]
    assert ctx.staff.full_name == "Самарина Наталья Николаевна"


def test_a_case_prints_as_a_letter(api: Client, sources, tmp_path) -> None:
    case = first_case_of(api, 202)
    ctx = context_from_case(api, sources, case["case_number"])
    data = render_letter(sources.templates["e-receipt"], ctx, sources.company, staff=sources.staff)
    (tmp_path / "l.docx").write_bytes(data)
    text = "\n".join(plain(p.text) for p in docx.Document(str(tmp_path / "l.docx")).paragraphs)
    assert f"На Ваше обращение № {case['case_number']} от" in text
    assert ctx.client.account in text and "Самарина Н.Н." in text


def test_a_signer_missing_from_company_yaml_is_named(api: Client, sources) -> None:
    ctx = context_from_case(api, sources, first_case_of(api, 204)["case_number"])
    with pytest.raises(RenderError, match="staff.position"):
        render_letter(sources.templates["e-receipt"], ctx, sources.company, staff=sources.staff)


def test_render_command_reads_the_case_from_omnidesk(sandbox, api: Client, tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from cli import cli

    for name, value in (("OMNIDESK_URL", sandbox.url), ("OMNIDESK_EMAIL", "admin@sandbox.local"),
                        ("OMNIDESK_API_KEY", "sandbox-key")):
        monkeypatch.setenv(name, value)
    number = first_case_of(api, 202)["case_number"]
    out = tmp_path / "letter.docx"
    result = CliRunner().invoke(cli, ["render", "e-receipt", "--case", number, "--out", str(out),
                                      "--templates", str(TEMPLATES_SRC)])
    assert (result.exit_code, result.output) == (0, f"{out}\n")
    text = "\n".join(plain(p.text) for p in docx.Document(str(out)).paragraphs)
    assert f"На Ваше обращение № {number} от" in text


def test_render_needs_exactly_one_case_source(tmp_path) -> None:
    from click.testing import CliRunner

    from cli import cli

    result = CliRunner().invoke(cli, ["render", "e-receipt"])
    assert result.exit_code == 2
    assert "give the case either as --case-file CASE.json or as --case NUMBER" in result.output
