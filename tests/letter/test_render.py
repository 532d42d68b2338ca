"""The letter as the subscriber reads it: layout of Приложение №2, every datum filled, nothing broken."""

from __future__ import annotations

import io
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from docx.oxml.ns import qn

from omnidesk_macros import atomic_file
from omnidesk_macros.atomic_file import write_atomic
from omnidesk_macros.context import LetterContext
from omnidesk_macros.errors import CaseDataError, DataProblem, RenderError
from omnidesk_macros.letter import read_provenance, render_letter
from omnidesk_macros.letter.letterhead import image_size
from omnidesk_macros.logo import draw_logo, png_bytes
from omnidesk_macros.model import Company, Signatory, Variable
from tests.letter.docx_text import LOGO, make_template, read_letter

PAYMENTS = """\
Оплатить услуги **без комиссии** можно *одним* из способов:

| № | Организации | Способ оплаты |
|---|---|---|
| 1 | АО «Почта России» | оплата через операциониста |
| 2 | Мобильное приложение «РКС-Самара» | онлайн-оплата<br>через приложение |

Порядок:

1. заполните заявление;
2. приложите документы:
   - копию паспорта;
   - фото показаний.

3) Отдельный список.
4) С другого номера.

Первая строка\\
вторая строка.
"""


def letter(template, case_mapping, company, **options):
    ctx = LetterContext.from_mapping(case_mapping)
    return read_letter(render_letter(template, ctx, company, **options))


def test_layout_follows_the_letterhead_sample(company, case):
    text = letter(make_template("Текст ответа."), case(), company)
    assert text.paragraphs == [
        "№ 664-245651 от 27.11.2026 г.",
        "ФИО: Иванов Петр Петрович",
        "Адрес: 443000, г. Самара, ул. Примерная, д. 1, кв. 1",
        "Лицевой счет: 0000000001",
        "Адрес эл. почты: ivanov@example.com",
        "Ответ на обращение",
        "Уважаемый Петр Петрович!",
        "На Ваше обращение № 664-245651 от 27.11.2026 г. сообщаем следующее.",
        "Текст ответа.",
        "Начальник отдела продаж населению\tСамарина Н.Н.",
    ]
    assert text.styles == ["Outgoing Number", *["Recipient"] * 4, "Letter Title", "Salutation",
                           "Letter Body", "Letter Body", "Signature"]
    assert text.header == [
        "РКС Самара",  # under the logo
        "ООО «Самарские коммунальные системы»",
        "ул. Луначарского, д. 56, г. Самара, 443056",
        "тел.: +7 (846) 336-14-02, факс: 336-89-05",
        "www.samcomsys.ru, info@samcomsys.ru",
    ]


def test_signature_stays_with_the_last_paragraph_and_breaks_do_not_stretch_lines(company, case):
    text = letter(make_template("Первый абзац.\n\nПоследний абзац."), case(), company)
    keeps = [p.paragraph_format.keep_with_next for p in text.document.paragraphs]
    assert text.paragraphs[-2:] == ["Последний абзац.", "Начальник отдела продаж населению\tСамарина Н.Н."]
    assert keeps[-2] is True and keeps[-3] is not True
    defaults = text.document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:widowControl')}") is not None
    compat = text.document.settings.element.find(qn("w:compat"))
    assert compat.find(qn("w:doNotExpandShiftReturn")) is not None


def test_page_is_a4_with_first_page_letterhead_and_logo(company, case):
    text = letter(make_template("Текст."), case(), company)
    section = text.document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert section.different_first_page_header_footer
    header = section.first_page_header
    assert "ООО «Самарские коммунальные системы»" in header.tables[0].rows[0].cells[1].text
    images = [r.target_part for r in header.part.rels.values() if "image" in r.reltype]
    assert len(images) == 1 and images[0].content_type == "image/png"
    assert images[0].blob == company.logo.read_bytes()


def test_header_has_no_empty_lines_for_absent_company_fields(case):
    bare = Company(name="ООО «Пример»", short_name="ООО «П»", address="г. Самара", phone="000")
    text = letter(make_template("Текст."), case(), bare)
    assert text.header == ["ООО «Пример»", "г. Самара", "тел.: 000"]


# The greeting's rules are test_names.py's; here only that the letter greets by them and prints the name as typed.
@pytest.mark.parametrize(("full_name", "greeting"), [
    ("Петрова Мария Ивановна", "Уважаемая Мария Ивановна!"),
    ("ИВАНОВА АННА СЕРГЕЕВНА", "Уважаемая Анна Сергеевна!"),
    ("Иванов П.П.", "Уважаемый абонент!"),
])
def test_the_letter_greets_the_subscriber_by_name(company, case, full_name, greeting):
    text = letter(make_template("Текст."), case(client={"full_name": full_name}), company)
    assert greeting in text.paragraphs
    assert f"ФИО: {full_name}" in text.paragraphs


def test_no_email_leaves_no_email_line(company, case):
    text = letter(make_template("Текст."), case(client={"email": ""}), company)
    assert not any(p.startswith("Адрес эл. почты") for p in text.paragraphs)
    assert text.paragraphs[3] == "Лицевой счет: 0000000001"


def test_long_address_prints_whole_and_an_overlong_one_is_refused(company, case):
    address = ("443000, г. Самара, " + "ул. Очень Длинная Примерная, д. 1, " * 20)[:499] + "1"
    assert len(address) == 500
    text = letter(make_template("Текст."), case(client={"address": address}), company)
    assert text.after("Адрес:") == f"Адрес: {address}"
    with pytest.raises(RenderError, match=r"client.address \(адрес\) is 501 characters long; at most 500"):
        LetterContext.from_mapping(case(client={"address": address + "ж"}))


@pytest.mark.parametrize("hostile", ['<&>"\'', "</w:t></w:r><w:r><w:t>", "]]><!--", "&amp; &#x0;"])
def test_xml_special_characters_print_literally(company, case, hostile):
    name = f"Иванов {hostile} Петрович"
    body = "Абонент {{ client.full_name }}, счет {{ client.account }}."
    text = letter(make_template(body), case(client={"full_name": name, "account": hostile}), company)
    assert f"ФИО: {name}" in text.paragraphs
    assert f"Абонент {name}, счет {hostile}." in text.paragraphs
    assert f"Лицевой счет: {hostile}" in text.paragraphs


def test_control_characters_are_removed(company, case):
    mapping = case(client={"full_name": "Иванов\x00 Петр\x07 Пет\x1bрович\u0085", "address": "г. Самара,\tул.\nМира"})
    text = letter(make_template("Адрес: {{ client.address }}."), mapping, company)
    assert "ФИО: Иванов Петр Петрович" in text.paragraphs
    assert "Уважаемый Петр Петрович!" in text.paragraphs
    assert "Адрес: г. Самара, ул. Мира." in text.paragraphs


def test_fill_in_variable_left_empty_stops_the_letter(company, case):
    template = make_template("Перерасчет в {{ fill.month | month_year('prep') }}.",
                             variables=(Variable("month", "Месяц перерасчета", "month"),))
    with pytest.raises(CaseDataError, match=r"needs data the case does not have: fill.month \(Месяц перерасчета\)$") as raised:
        letter(template, case(fill={"month": "  "}), company)
    assert raised.value.problems == (DataProblem("fill.month", "Месяц перерасчета"),)
    text = letter(template, case(fill={"month": "2026-12"}), company)
    assert "Перерасчет в декабре 2026 г.." in text.paragraphs


def test_optional_variable_left_empty_prints_nothing(company, case):
    template = make_template("Примечание:{{ fill.note }}",
                             variables=(Variable("note", "Примечание", required=False),))
    assert "Примечание:" in letter(template, case(), company).paragraphs


def test_every_missing_datum_is_named_at_once(company, case):
    template = make_template("Телефон {{ client.phone }}, месяц {{ fill.month }}.",
                             variables=(Variable("month", "Месяц", "month"),))
    mapping = case(case={"number": ""}, client={"full_name": "", "account": ""}, staff={"full_name": ""})
    with pytest.raises(RenderError) as caught:
        letter(template, mapping, company)
    message = str(caught.value)
    for name in ("case.number", "client.full_name", "client.account", "staff.full_name",
                 "client.phone", "fill.month"):
        assert name in message
    assert "client.address" not in message


def test_position_falls_back_to_the_company_staff_list(company, staff, case):
    mapping = case(staff={"full_name": "Самарина Наталья Николаевна", "position": ""})
    text = letter(make_template("Текст."), mapping, company, staff=staff)
    assert text.paragraphs[-1] == "Начальник отдела продаж населению\tСамарина Н.Н."
    with pytest.raises(RenderError, match=r"staff.position"):
        letter(make_template("Текст."), case(staff={"full_name": "Другая Анна Ивановна", "position": ""}),
               company, staff=staff)


def test_explicit_signatory_signs(company, case):
    text = letter(make_template("Текст."), case(), company, signatory=Signatory("Петров П.П.", "Директор"))
    assert text.paragraphs[-1] == "Директор\tПетров П.П."


def test_reply_only_template_is_not_printed(company, case):
    with pytest.raises(RenderError, match="not meant for printed letters"):
        letter(make_template("Текст.", channels=("reply",)), case(), company)


def test_lists_tables_bold_italic_and_line_breaks_are_real_word_structure(company, case):
    text = letter(make_template(PAYMENTS), case(), company)
    assert text.tables == [[
        ["№", "Организации", "Способ оплаты"],
        ["1", "АО «Почта России»", "оплата через операциониста"],
        ["2", "Мобильное приложение «РКС-Самара»", "онлайн-оплата\nчерез приложение"],
    ]]
    table = text.document.tables[0]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)
    assert table.style.name == "Letter Table"
    assert "Первая строка\nвторая строка." in text.paragraphs
    intro = next(p for p in text.document.paragraphs if p.text.startswith("Оплатить"))
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in intro.runs] == [
        ("Оплатить услуги ", False, False), ("без комиссии", True, False), (" можно ", False, False),
        ("одним", False, True), (" из способов:", False, False)]
    numbering = {p.text: (p._p.pPr.numPr.numId.val, p._p.pPr.numPr.ilvl.val)
                 for p in text.document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None}
    assert numbering["заполните заявление;"] == numbering["приложите документы:"]
    assert numbering["копию паспорта;"][1] == 1
    assert numbering["Отдельный список."][0] != numbering["заполните заявление;"][0]
    numbering_xml = text.document.part.numbering_part.element.xml
    assert 'w:startOverride w:val="3"' in numbering_xml  # the «3)» list starts at 3, not 1


def test_a_multi_line_value_stays_in_its_table_cell(company, case):
    template = make_template("| Поле | Значение |\n|---|---|\n| Текст | {{ fill.note }} |\n",
                             variables=(Variable("note", "Текст", "textarea"),))
    text = letter(template, case(fill={"note": "первая строка\nвторая | строка"}), company)
    assert text.tables == [[["Поле", "Значение"], ["Текст", "первая строка\nвторая | строка"]]]


@pytest.mark.parametrize(("case_date", "fill"), [
    ("9999-12-15", {}),  # the default case.date | add_months(1) passes the year 9999
    ("2026-11-27", {"month": "0000-05"}),  # typed_fill makes date(0, 5, 1)
])
def test_a_month_out_of_the_calendar_is_a_render_error(company, case, case_date, fill):
    template = make_template("Перерасчет в {{ fill.month | month_year('prep') }}.",
                             variables=(Variable("month", "Месяц", "month", default="case.date | add_months(1)"),))
    with pytest.raises(RenderError):
        letter(template, case(case={"date": case_date}, fill=fill), company)


def test_dates_follow_russian_conventions(company, case):
    template = make_template("Срок: {{ case.date | date_long }}, {{ case.date | month_year('gen') }}.")
    text = letter(template, case(case={"date": "2026-01-05"}), company)
    assert "№ 664-245651 от 05.01.2026 г." in text.paragraphs
    assert "Срок: 5 января 2026 г., января 2026 г.." in text.paragraphs


def test_provenance_is_recorded_without_personal_data(company, case):
    template = make_template("Текст.", id="penalties")
    ctx = LetterContext.from_mapping(case())
    data = render_letter(template, ctx, company, source_commit="a" * 40)
    assert read_provenance(data) == {
        "template_id": "penalties", "template_sha256": template.text_hash,
        "source_commit": "a" * 40, "case_number": "664-245651",
    }
    properties = read_letter(data).document.core_properties
    assert properties.title == "Ответ на обращение № 664-245651"
    assert properties.subject == "Шаблон penalties"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        metadata = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("docProps/"))
    for personal in ("Иванов", "Примерная", "0000000001", "example.com", "Самарина"):
        assert personal not in metadata


def test_provenance_reads_from_a_path_and_refuses_what_is_no_docx(company, case, tmp_path):
    path = tmp_path / "reply.docx"
    path.write_bytes(render_letter(make_template("Текст."), LetterContext.from_mapping(case()), company))
    assert read_provenance(str(path))["case_number"] == read_provenance(path)["case_number"] == "664-245651"
    path.write_bytes(b"%PDF-1.7 not a letter")
    with pytest.raises(RenderError, match=r"reply.docx is not a readable DOCX file"):
        read_provenance(path)
    with pytest.raises(RenderError, match=r"cannot read .*missing.docx"):
        read_provenance(tmp_path / "missing.docx")


def test_same_input_gives_the_same_bytes(company, case):
    ctx = LetterContext.from_mapping(case())
    when = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    first = render_letter(make_template("Текст."), ctx, company, created=when)
    assert first == render_letter(make_template("Текст."), ctx, company, created=when)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.testzip() is None
        assert archive.namelist()[0] == "[Content_Types].xml"


def test_unreadable_or_missing_logo_is_a_render_error(company, case, tmp_path):
    ctx = LetterContext.from_mapping(case())
    with pytest.raises(RenderError, match="cannot read the logo"):
        render_letter(make_template("Текст."), ctx, replace(company, logo=tmp_path / "missing.png"))
    not_image = tmp_path / "logo.png"
    not_image.write_text("not an image")
    with pytest.raises(RenderError, match="is not a readable PNG or JPEG image"):
        render_letter(make_template("Текст."), ctx, replace(company, logo=not_image))


def test_a_wide_logo_is_scaled_into_its_column_keeping_its_proportions(company, case, tmp_path):
    wide = tmp_path / "wide.png"
    wide.write_bytes(png_bytes(600, 100, [b"\x0b\x54\x9e\xff" * 600] * 100))
    text = letter(make_template("Текст."), case(), replace(company, logo=wide))
    header = text.document.sections[0].first_page_header
    shape = header.tables[0].rows[0].cells[0].paragraphs[0]._p.xpath(".//wp:extent")[0]
    cx, cy = int(shape.get("cx")), int(shape.get("cy"))
    column = header.tables[0].columns[0].width
    assert cx <= column and abs(cx / cy - 6) < 0.01


def test_the_committed_logo_is_the_one_logo_py_draws():
    assert LOGO.read_bytes() == draw_logo(), "regenerate: python -m omnidesk_macros.logo templates_src/assets/logo.png"


@pytest.mark.parametrize("marker", [0xC0, 0xC1, 0xC2, 0xC3, 0xC9, 0xCA])
def test_jpeg_size_is_read_from_any_start_of_frame(marker):
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    huffman = b"\xff\xc4\x00\x03\x00"  # a table marker (0xC4) first: not a frame
    frame = bytes([0xFF, marker]) + b"\x00\x11\x08\x00\x64\x02\x58\x03" + b"\x00" * 9
    assert image_size(b"\xff\xd8" + app0 + huffman + frame + b"\xff\xd9", "logo.jpg") == (600, 100)


def test_source_commit_from_git_or_the_environment(tmp_path, monkeypatch):
    from omnidesk_macros.letter.provenance import COMMIT_ENV, _git_commit, source_commit

    monkeypatch.delenv(COMMIT_ENV, raising=False)
    assert source_commit(tmp_path) == ""  # not a git checkout
    repo = tmp_path / "repo"
    (repo / "templates_src").mkdir(parents=True)
    (repo / "templates_src" / "a.md").write_text("текст", encoding="utf-8")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
           "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "templates"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    assert source_commit(repo / "templates_src") == head
    (repo / "templates_src" / "a.md").write_text("правка", encoding="utf-8")
    _git_commit.cache_clear()  # cached once per folder and process
    assert source_commit(repo / "templates_src") == f"{head}+dirty"
    monkeypatch.setenv(COMMIT_ENV, "release-2026.11")
    assert source_commit(tmp_path) == "release-2026.11"


def test_write_atomic_leaves_the_old_file_or_the_new_one_never_a_part(tmp_path, monkeypatch):
    target = tmp_path / "reply.docx"
    write_atomic(target, b"old letter")
    assert target.stat().st_mode & 0o777 == 0o666 & ~atomic_file._UMASK  # not mkstemp's 0600

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_file.os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new letter")
    assert target.read_bytes() == b"old letter"
    assert [p.name for p in tmp_path.iterdir()] == ["reply.docx"]
