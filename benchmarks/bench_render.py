"""How fast letters print: every template × several cases in-process, and the same letter with docxtpl.

    .venv/bin/python benchmarks/bench_render.py [PATH] [--rounds N] [--same N]

Targets (issue 3): p50 under 4 ms a letter, and at least 4× the throughput of docxtpl — the library a
user would otherwise pick — on the same letter. docxtpl gets the easy version of the job: its template
is built once, and its context comes precomputed (salutation, short name, paragraphs, table rows); per
letter it loads the template, renders and saves, as its documentation shows. Exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from omnidesk_macros import russian  # noqa: E402
from omnidesk_macros.context import LetterContext  # noqa: E402
from omnidesk_macros.letter import render_letter  # noqa: E402
from omnidesk_macros.letter.letterhead import company_lines  # noqa: E402
from omnidesk_macros.markup import Paragraph, Table, parse_blocks, plain_text  # noqa: E402
from omnidesk_macros.model import Company, Template  # noqa: E402
from omnidesk_macros.placeholders import render_body  # noqa: E402
from omnidesk_macros.validate import SAMPLE_FILL, load_sources  # noqa: E402

P50_TARGET_MS = 4.0
RATIO_TARGET = 4.0
SAME_LETTER = "payment-without-commission"
CLIENTS = [
    {"full_name": "Иванов Петр Петрович", "address": "443000, г. Самара, ул. Примерная, д. 1, кв. 1",
     "account": "0000000001", "email": "ivanov@example.com"},
    {"full_name": "Петрова Мария Ивановна", "address": "443000, г. Самара, ул. Образцовая, д. 2, кв. 3",
     "account": "0000000002", "email": ""},
    {"full_name": "Смит Джон", "address": "443000, г. Самара, " + "ул. Очень Длинная, " * 20 + "д. 4",
     "account": "0000000003", "email": "smith@example.com"},
]
STAFF = {"full_name": "Самарина Наталья Николаевна", "position": "Начальник отдела продаж населению"}


def case_for(template: Template, client: dict[str, str]) -> LetterContext:
    fill = {v.name: SAMPLE_FILL[v.type] for v in template.variables}
    return LetterContext.from_mapping({"case": {"number": "664-245651", "date": "2026-11-27"},
                                       "client": client, "staff": STAFF, "fill": fill})


def timed(fn: Callable[[], Any], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def summary(label: str, samples: list[float]) -> float:
    rate = len(samples) / sum(samples)
    p50 = statistics.median(samples) * 1000
    p95 = statistics.quantiles(samples, n=20)[-1] * 1000
    print(f"  {label:<9} {rate:8.0f} letters/s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   ({len(samples)} letters)")
    return rate


def docxtpl_template(folder: Path, company: Company) -> Path:
    """The same letter as a docxtpl template: letterhead header, Jinja paragraphs, a looped table."""
    import docx
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.different_first_page_header_footer = True
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    header = section.first_page_header.add_table(rows=1, cols=2, width=Cm(16.5))
    if company.logo:
        header.cell(0, 0).paragraphs[0].add_run().add_picture(str(company.logo), height=Cm(2.2))
    header.cell(0, 1).paragraphs[0].add_run(company.name).bold = True
    for line in company_lines(company):
        header.cell(0, 1).add_paragraph(line)
    for text in ("№ {{ number }} от {{ date }} г.", "ФИО: {{ full_name }}", "Адрес: {{ address }}",
                 "Лицевой счет: {{ account }}", "{%p if email %}", "Адрес эл. почты: {{ email }}", "{%p endif %}",
                 "Ответ на обращение", "{{ salutation }}",
                 "На Ваше обращение № {{ number }} от {{ date }} г. сообщаем следующее.",
                 "{%p for text in paragraphs %}", "{{ text }}", "{%p endfor %}"):
        document.add_paragraph(text)
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for col in range(3):
        table.cell(0, col).text = f"{{{{ header[{col}] }}}}"
    table.cell(1, 0).text = "{%tr for row in rows %}"
    for col in range(3):
        table.cell(2, col).text = f"{{{{ row[{col}] }}}}"
    table.add_row().cells[0].text = "{%tr endfor %}"
    document.add_paragraph("{{ position }}\t{{ signer }}")
    path = folder / "letter.docx"
    document.save(str(path))
    return path


def docxtpl_context(template: Template, ctx: LetterContext) -> dict[str, Any]:
    blocks = parse_blocks(render_body(template, ctx))
    table = next(b for b in blocks if isinstance(b, Table))
    cell = lambda runs: "".join(r.text for r in runs)  # noqa: E731
    return {
        "number": ctx.case.number, "date": russian.date_ru(ctx.case.date), "full_name": ctx.client.full_name,
        "address": ctx.client.address, "account": ctx.client.account, "email": ctx.client.email,
        "salutation": russian.salutation(ctx.client.full_name),
        "paragraphs": [plain_text([b]) for b in blocks if isinstance(b, Paragraph)],
        "header": [cell(c) for c in table.header], "rows": [[cell(c) for c in row] for row in table.rows],
        "position": ctx.staff.position, "signer": russian.short_name(ctx.staff.full_name),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "templates_src"))
    parser.add_argument("--rounds", type=int, default=20, help="renders of each template × case")
    parser.add_argument("--same", type=int, default=200, help="renders of the shared letter, each library")
    args = parser.parse_args()

    sources = load_sources(args.path)
    company = sources.company
    assert company is not None, "company.yaml has no company block"
    letters = [t for t in sources.templates.values() if "letter" in t.channels]
    jobs = [(t, case_for(t, c)) for t in letters for c in CLIENTS]
    for template, ctx in jobs:  # warm: compile every template, build the letterhead once
        render_letter(template, ctx, company, staff=sources.staff)

    print(f"omnidesk-macros render: {len(letters)} templates × {len(CLIENTS)} cases × {args.rounds} rounds")
    samples = []
    for _ in range(args.rounds):
        for template, ctx in jobs:
            started = time.perf_counter()
            render_letter(template, ctx, company, staff=sources.staff)
            samples.append(time.perf_counter() - started)
    summary("ours", samples)
    p50_all = statistics.median(samples) * 1000

    template = sources.template(SAME_LETTER)
    ctx = case_for(template, CLIENTS[0])
    print(f"the same letter ({SAME_LETTER}, {CLIENTS[0]['full_name']}), in-process:")
    ours = summary("ours", timed(lambda: render_letter(template, ctx, company, staff=sources.staff), args.same))

    from docxtpl import DocxTemplate

    context = docxtpl_context(template, ctx)
    with tempfile.TemporaryDirectory() as folder:
        path = docxtpl_template(Path(folder), company)

        def with_docxtpl() -> bytes:
            document = DocxTemplate(str(path))
            document.render(context)
            out = io.BytesIO()
            document.save(out)
            return out.getvalue()

        with_docxtpl()
        theirs = summary("docxtpl", timed(with_docxtpl, max(20, args.same // 4)))
    ratio = ours / theirs
    print(f"  ratio     {ratio:8.1f}× docxtpl's throughput")
    met = p50_all < P50_TARGET_MS and ratio >= RATIO_TARGET
    print(f"targets: p50 < {P50_TARGET_MS:g} ms ({p50_all:.2f}), ≥ {RATIO_TARGET:g}× docxtpl ({ratio:.1f}×): "
          + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
