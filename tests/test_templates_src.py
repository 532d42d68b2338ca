"""The shipped templates_src/: clean under validate, complete, and faithful to the specification."""

from __future__ import annotations

import re

import pytest
import yaml

from omnidesk_macros.markup import parse_blocks, plain_text
from omnidesk_macros.placeholders import render_body
from omnidesk_macros.validate import SAMPLE_CONTEXT, SAMPLE_FILL, load_sources, validate_sources
from tests.helpers import REPO, TEMPLATES_SRC

TEMPLATE_IDS = [
    "odn-agent-contract", "documents-missing", "lk-update", "file-not-opening", "photo-fixation",
    "readings-submission", "account-reregistration", "e-receipt", "appointment-only", "account-split",
    "meter-correction", "meter-billing-start", "meter-first-readings", "advance-receipt", "penalties",
    "penalties-erroneous", "verification-due", "cold-water-for-hot", "sealing", "service-centers-hours",
    "fraud-warning", "call-center-hours", "appeal-received", "insufficient-information",
    "documents-processed", "payment-without-commission", "verification-expired-letter",
]
SPEC_TEXTS = yaml.safe_load((REPO / "tests" / "fixtures" / "spec_texts.yaml").read_text(encoding="utf-8"))

# A stale date in the specification: an optional month word, then 2021/2022 with «г.»/«года», or the
# placeholder dates of Приложение №2. Templates replace these with variables, so they match anything.
_MONTH = r"(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*"
_STALE = re.compile(
    rf"(?:{_MONTH}\s*)?20(?:21|22)\s*(?:г\.|года|год|г)?|01\.01\.1001\s*г?|\(дата поверки\)"
)
_BLANK = re.compile(r"_{3,}")
_LIST_MARKER = re.compile(r"^\s*(?:[-•]\s*|\d+\.\s+)")


@pytest.fixture(scope="module")
def sources():
    return load_sources(TEMPLATES_SRC)


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sentence_pattern(sentence: str) -> re.Pattern[str]:
    """A regex for one specification sentence, with its blanks and stale dates as wildcards."""
    parts: list[str] = []
    position = 0
    for match in re.finditer(f"{_BLANK.pattern}|{_STALE.pattern}", sentence):
        parts.append(re.escape(sentence[position:match.start()]))
        parts.append(".+?")
        position = match.end()
    parts.append(re.escape(sentence[position:]))
    return re.compile("".join(parts).replace(r"\ ", r"\s*"))


def spec_sentences(template_id: str) -> list[str]:
    entry = SPEC_TEXTS[template_id]
    text = entry["text"]
    for fix in entry.get("corrections") or []:
        assert fix["spec"] in text, f"{template_id}: correction {fix['spec']!r} is not in the spec text"
        text = text.replace(fix["spec"], fix["ours"])
    sentences = []
    for line in text.split("\n"):
        line = normalize(_LIST_MARKER.sub("", line))
        sentences.extend(s for s in re.split(r"(?<=[.!?])\s+(?=[А-ЯЁA-Z«])", line) if s)
    return sentences


def rendered_text(template, channel: str = "reply") -> str:
    """The remote reply carries every sentence; the printed letter drops greetings it has its own of."""
    fill = {v.name: SAMPLE_FILL[v.type] for v in template.variables if v.default is None}
    body = render_body(template, SAMPLE_CONTEXT.with_fill(fill), channel)
    return normalize(plain_text(parse_blocks(body)))


def test_validate_is_clean_even_strict() -> None:
    _, diags = validate_sources(TEMPLATES_SRC)
    assert [d.format() for d in diags.items] == []


def test_every_template_id_loads(sources) -> None:
    assert sorted(sources.templates) == sorted(TEMPLATE_IDS)
    assert sorted(SPEC_TEXTS) == sorted(TEMPLATE_IDS)


def test_thirteen_appeal_types_each_offer_templates(sources) -> None:
    assert len(sources.appeal_types) == 13
    assert sources.appeal_types[-1].title == "Другой вопрос"
    for kind in sources.appeal_types:
        assert sources.templates_for(kind.id), kind.id


def test_spec_lists_are_honoured(sources) -> None:
    offered = {k.id: {t.id for t in sources.templates_for(k.id)} for k in sources.appeal_types}
    assert {"meter-correction", "penalties-erroneous", "photo-fixation"} <= offered["recalculation"]
    assert {"meter-billing-start", "meter-first-readings"} <= offered["meter-replacement"]
    assert "verification-due" in offered["meter-verification"]
    assert len(offered["other"]) >= 13


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_spec_sentence_is_in_its_template(sources, template_id: str) -> None:
    text = rendered_text(sources.templates[template_id])
    missing = [s for s in spec_sentences(template_id) if not sentence_pattern(s).search(text)]
    assert missing == []


# The printed letter opens with «На Ваше обращение № … от … сообщаем следующее.» and a salutation.
_OWN_OPENING = re.compile(r"^(В ответ на Ваше обращение|По Вашему обращению|На Ваше (электронное )?обращение|Доброго)")


def test_letters_do_not_open_twice(sources) -> None:
    for template in sources.templates.values():
        if "letter" in template.channels:
            assert not _OWN_OPENING.match(rendered_text(template, "letter")), template.id
    assert _OWN_OPENING.match(rendered_text(sources.templates["odn-agent-contract"], "reply"))


def test_no_stale_year_survives(sources) -> None:
    for template in sources.templates.values():
        assert not re.search(r"20(?:21|22)", template.body), template.id


def test_card_has_the_form_fields(sources) -> None:
    ids = [f.id for f in sources.card]
    for needed in ("case_number", "case_date", "account", "address", "phone", "full_name", "email",
                   "employee", "appeal_type", "criterion", "status", "service_center", "responsible",
                   "attachment", "comment"):
        assert needed in ids
    status = next(f for f in sources.card if f.id == "status")
    assert [o.value for o in status.options] == ["open", "waiting", "closed"]
    centre = next(f for f in sources.card if f.id == "service_center")
    assert len(centre.options) == 5
