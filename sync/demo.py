"""The main job on its embedded default, end to end on this machine, no account needed.

    validate templates_src → print every letter for a sample case → start the bundled Omnidesk sandbox
    (SQLite) → read its custom fields and macros through the real client → compare with the card →
    print a letter for a case read from the sandbox, as `render --case` does

It is what a new administrator runs first; each stage uses the same library calls as the commands. It
lives in sync/ because it wires the sandbox, which only the demo, cli.py and the tests may do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from omnidesk_macros.atomic_file import write_atomic
from omnidesk_macros.context import LetterContext
from omnidesk_macros.errors import CaseDataError
from omnidesk_macros.letter.printing import PrintedLetter, read_case_file
from omnidesk_macros.letter.provenance import source_commit
from omnidesk_macros.letter.render import render_letter
from omnidesk_macros.model import SourceSet
from omnidesk_macros.samples import SAMPLE_CONTEXT, sample_fill
from omnidesk_macros.validate import ValidationReport, load_sources, validation_report

from .case_letter import render_case_letter
from .client import Client
from .sandbox import SandboxServer
from .settings import OmnideskSettings

CASE_TEMPLATE = "e-receipt"  # «Электронная квитанция»: short, and every sandbox case has what it needs
EXAMPLE_CASE = Path("examples/case.json")  # the invented case of a checkout, used when no case file is given


@dataclass
class DemoReport:
    templates: int = 0
    letters: list[Path] = field(default_factory=list)
    render_ms: float = 0.0
    sandbox_url: str = ""
    live_fields: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    live_macros: int = 0
    case_letter: PrintedLetter | None = None


def sample_context(case_file: Path | None) -> LetterContext:
    """The case in ``case_file``, read and checked as `render --case-file` reads it; with none given, the
    invented case of examples/case.json when present, else the built-in sample. A case file that is given
    but missing or broken is an error, not a silent fallback."""
    if case_file is None:
        return read_case_file(EXAMPLE_CASE) if EXAMPLE_CASE.is_file() else SAMPLE_CONTEXT
    return read_case_file(case_file)


def print_letters(sources: SourceSet, ctx: LetterContext, out_dir: Path) -> tuple[list[Path], float]:
    """Every letter template for one case; fill-ins without a default get sample values that suit its date."""
    if sources.company is None:
        return [], 0.0
    commit = source_commit(sources.root)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    elapsed = 0.0
    for template in sorted(sources.templates.values(), key=lambda t: t.id):
        if "letter" not in template.channels:
            continue
        started = time.perf_counter()
        fill = sample_fill(template, ctx.case.date) if ctx.case.date else {}  # no date: the letter names it
        data = render_letter(template, ctx.with_fill(fill), sources.company,
                             staff=sources.staff, source_commit=commit)
        elapsed += time.perf_counter() - started
        written.append(write_atomic(out_dir / f"{template.id}.docx", data))
    return written, elapsed * 1000


def compare_with_sandbox(sources: SourceSet, data_file: Path, out_dir: Path, report: DemoReport) -> None:
    """Start the bundled sandbox on a free loopback port, read what Omnidesk holds, print one case."""
    with SandboxServer(data_file, port=0).start() as server:
        report.sandbox_url = server.url
        with Client(OmnideskSettings(url=server.url)) as client:
            live = {f.title.casefold(): f for f in client.list_custom_fields()}
            report.live_macros = sum(len(c.macros) for c in client.list_macros())
            report.case_letter = _print_a_case(client, sources, out_dir)
    for card_field in sources.card:
        if card_field.builtin:
            continue
        label = f"{card_field.title} ({card_field.level}, {card_field.type})"
        (report.live_fields if card_field.title.casefold() in live else report.missing_fields).append(label)


def _print_a_case(client: Client, sources: SourceSet, out_dir: Path) -> PrintedLetter | None:
    """The first open case whose employee company.yaml can sign for, printed as `render --case` does."""
    if sources.company is None or CASE_TEMPLATE not in sources.templates:
        return None
    for case in client.iter_cases(status="open"):
        number = case["case_number"]
        try:
            return render_case_letter(client, sources.root, CASE_TEMPLATE, number,
                                      out=out_dir / f"case-{number}.docx")
        except CaseDataError:
            continue  # an employee company.yaml does not list yet; the next case may do
    return None


def validation_line(report: ValidationReport, sources: SourceSet) -> str:
    state = "clean" if report.clean else f"{len(report.warnings)} warning(s)"
    return (f"validate: {report.templates} templates, {len(sources.appeal_types)} appeal types, "
            f"{len(sources.card)} card fields — {state}")


def run_demo(
    templates_root: Path, out_dir: Path, case_file: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> DemoReport:
    report = DemoReport()
    checked = validation_report(templates_root)
    sources = load_sources(templates_root)  # a SourceError listing every error when the templates are broken
    report.templates = len(sources.templates)
    progress(validation_line(checked, sources))
    for item in checked.warnings:
        progress("  " + item.format().replace("\n", "\n  "))
    letters, report.render_ms = print_letters(sources, sample_context(case_file), out_dir / "letters")
    report.letters = letters
    progress(f"render: {len(letters)} letters in {out_dir / 'letters'} ({report.render_ms:.0f} ms in all)")
    compare_with_sandbox(sources, out_dir / "sandbox.sqlite3", out_dir, report)
    progress(f"sandbox: {report.sandbox_url} — {report.live_macros} macros, "
             f"{len(report.live_fields)} of the card's custom fields present")
    for label in report.missing_fields:
        progress(f"  missing in Omnidesk: {label}")
    if report.case_letter:
        letter = report.case_letter
        progress(f"render --case: {letter.docx}  ({letter.template_id} «{letter.template_title}», "
                 f"case {letter.case_number})")
    return report
