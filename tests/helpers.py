"""Helpers shared by the tests: inputs built inline, so each test shows what it checks."""

from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES_SRC = REPO / "templates_src"

MINIMAL_TREE = {
    "appeal_types.yaml": """\
        appeal_types:
          - id: recalculation
            title: Перерасчет
          - id: other
            title: Другой вопрос
        """,
    "card.yaml": """\
        fields:
          - id: account
            title: № лицевого счета
            level: user
            type: text
            context: client.account
          - id: criterion
            title: Критерий обращения
            level: case
            type: select
            options: [Первично, Повторно, Жалоба]
        """,
    "company.yaml": """\
        company:
          name: ООО «Пример»
          short_name: ООО «П»
          address: г. Самара
          phone: "+7 (846) 000-00-00"
        staff:
          - short_name: Иванова И.И.
            position: Специалист
        """,
    "replies/penalties.md": """\
        ---
        id: penalties
        title: Пени
        appeal_types: [recalculation, other]
        channels: [letter, reply]
        variables:
          month:
            label: Месяц
            type: month
            default: case.date | add_months(1)
        ---
        Перерасчет по счету {{ client.account }} будет в {{ fill.month | month_year("prep") }}.
        """,
}


def build_file_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under root; text is dedented so tests can indent it."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
