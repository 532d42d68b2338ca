"""The catalogue (appeal type → templates → variables) and the validation report, as plain data."""

from __future__ import annotations

import json
from pathlib import Path

from omnidesk_macros.catalogue import load_catalogue
from omnidesk_macros.validate import validation_report
from tests.helpers import TEMPLATES_SRC, build_file_tree


def test_catalogue_carries_each_variable_for_the_print_page(template_dir: Path) -> None:
    catalogue = load_catalogue(template_dir)
    assert catalogue.as_dict() == [
        {"id": "recalculation", "title": "Перерасчет", "templates": [
            {"id": "penalties", "title": "Пени", "channels": ["letter", "reply"], "variables": [
                {"name": "month", "label": "Месяц", "type": "month", "default": "case.date | add_months(1)",
                 "required": True}]}]},
        {"id": "other", "title": "Другой вопрос", "templates": [
            {"id": "penalties", "title": "Пени", "channels": ["letter", "reply"], "variables": [
                {"name": "month", "label": "Месяц", "type": "month", "default": "case.date | add_months(1)",
                 "required": True}]}]},
    ]
    assert catalogue.only("nosuch") is None
    only = catalogue.only("other")
    assert only is not None and [k.id for k in only.appeal_types] == ["other"]
    json.dumps(load_catalogue(TEMPLATES_SRC).as_dict(), ensure_ascii=False)  # JSON-ready all through


def test_validation_report_counts_and_judges_strictness(template_dir: Path) -> None:
    build_file_tree(template_dir, {"replies/extra.md": "---\nid: extra\ntitle: Лишний\nappeal_types: []\n"
                                                       "channels: [reply]\n---\nТекст.\n"})
    report = validation_report(template_dir)
    assert (report.templates, len(report.errors), len(report.warnings)) == (2, 0, 1)
    assert report.ok and not report.clean
    assert not validation_report(template_dir, strict=True).ok
    assert report.summary() == "2 templates, 0 error(s), 1 warning(s)"
    assert report.as_dict()["diagnostics"][0]["severity"] == "warning"
