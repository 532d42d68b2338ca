"""The letterhead of ООО «СКС» as a ready DOCX package, built once per company and logo.

Everything a letter shares — page setup (A4, 30/15/20/20 mm margins), styles (Times New Roman 12 pt,
Cyrillic), numbering definitions for bullets and numbers, the first-page header with the logo and the
company block (Приложение №2), page numbers from page two — is XML fixed per company. It is built
here once and cached; a letter adds only its document, its list instances and its properties.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError
from ..model import Company
from .docx_writer import (
    BOTTOM,
    HANGING,
    HEADER,
    LEFT,
    PAGE_H,
    PAGE_W,
    RIGHT,
    TEXT_WIDTH,
    TOP,
    paragraph,
    text_indent,
    text_run,
)
from .zip_writer import StaticPart

W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
DRAWING_NS = (
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
LOGO_HEIGHT_EMU = 792_000  # 2.2 cm
LOGO_CELL, CELL_PAD = 1600, 113  # twips: the logo's column in the header table and its right padding
EMU_PER_TWIP = 635
BRAND_BLUE = "0B549E"
CENTRED = '<w:jc w:val="center"/>'

SECTION = (
    '<w:sectPr><w:headerReference w:type="default" r:id="rIdHeaderDefault"/>'
    '<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>'
    f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
    f'<w:pgMar w:top="{TOP}" w:right="{RIGHT}" w:bottom="{BOTTOM}" w:left="{LEFT}" '
    f'w:header="{HEADER}" w:footer="{HEADER}" w:gutter="0"/><w:titlePg/></w:sectPr>'
)

_FONT = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>'


def _pstyle(style_id: str, name: str, ppr: str = "", rpr: str = "", based: str = "Normal") -> str:
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="{based}"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>'
    )


STYLES = (
    f'{XML_DECL}<w:styles {W_NS}><w:docDefaults><w:rPrDefault><w:rPr>{_FONT}'
    '<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="ru-RU" w:eastAsia="ru-RU" w:bidi="ar-SA"/></w:rPr>'
    '</w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>'
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
    '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
    "</w:tblCellMar></w:tblPr></w:style>"
    '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/></w:style>'
    + _pstyle("LetterBody", "Letter Body", '<w:spacing w:after="120"/><w:ind w:firstLine="709"/><w:jc w:val="both"/>')
    + _pstyle("ListParagraph", "List Paragraph", '<w:spacing w:after="60"/><w:jc w:val="both"/>')
    + _pstyle("ListContinue", "List Continue", '<w:spacing w:after="60"/><w:jc w:val="both"/>')
    + _pstyle("TableText", "Table Text", "", '<w:sz w:val="22"/><w:szCs w:val="22"/>')
    + _pstyle("TableAfter", "Table After", '<w:spacing w:after="120"/>', '<w:sz w:val="12"/><w:szCs w:val="12"/>')
    + _pstyle("OutgoingNumber", "Outgoing Number", '<w:spacing w:before="120" w:after="240"/>')
    + _pstyle("Recipient", "Recipient", '<w:ind w:left="4820"/>')
    + _pstyle("LetterTitle", "Letter Title", '<w:keepNext/><w:spacing w:before="360" w:after="240"/><w:jc w:val="center"/>',
              "<w:b/><w:bCs/>")
    + _pstyle("Salutation", "Salutation", '<w:keepNext/><w:spacing w:after="240"/><w:jc w:val="center"/>')
    + _pstyle("Signature", "Signature",
              f'<w:keepLines/><w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs><w:spacing w:before="600"/>')
    + _pstyle("Letterhead", "Letterhead", "", f'<w:color w:val="{BRAND_BLUE}"/><w:sz w:val="18"/><w:szCs w:val="18"/>')
    + _pstyle("LetterheadName", "Letterhead Name", '<w:spacing w:after="40"/>',
              f'<w:b/><w:bCs/><w:color w:val="{BRAND_BLUE}"/><w:sz w:val="22"/><w:szCs w:val="22"/>')
    + _pstyle("LetterheadBrand", "Letterhead Brand", '<w:jc w:val="center"/>',
              f'<w:b/><w:bCs/><w:color w:val="{BRAND_BLUE}"/><w:sz w:val="16"/><w:szCs w:val="16"/>')
    + _pstyle("PageNumber", "Page Number", '<w:jc w:val="center"/>', '<w:sz w:val="20"/><w:szCs w:val="20"/>')
    + '<w:style w:type="table" w:customStyle="1" w:styleId="LetterTable"><w:name w:val="Letter Table"/>'
    '<w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders>'
    + "".join(f'<w:{s} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
              for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    + '</w:tblBorders><w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
    '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    "</w:styles>"
)


def _levels(ordered: bool) -> str:
    out = []
    for level in range(3):
        if ordered:
            fmt, text = "decimal", ("%1.", "%2)", "%3)")[level]
        else:
            fmt, text = "bullet", ("•", "–", "•")[level]
        left = text_indent(level + 1)
        out.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="{HANGING}"/></w:pPr></w:lvl>'
        )
    return "".join(out)


# abstractNum 1 is the bullet list and 2 the numbered one; each list in a letter adds a w:num of its own.
NUMBERING_HEAD = (
    f"{XML_DECL}<w:numbering {W_NS}>"
    f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="multilevel"/>{_levels(False)}</w:abstractNum>'
    f'<w:abstractNum w:abstractNumId="2"><w:multiLevelType w:val="multilevel"/>{_levels(True)}</w:abstractNum>'
)


def numbering_xml(lists: list[tuple[int, int, int, int]]) -> str:
    nums = "".join(
        f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
        f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
        for num_id, abstract, level, start in lists
    )
    return f"{NUMBERING_HEAD}{nums}</w:numbering>"


SETTINGS = (
    f'{XML_DECL}<w:settings {W_NS}><w:zoom w:percent="100"/><w:defaultTabStop w:val="709"/>'
    # doNotExpandShiftReturn: a justified line ending in a hard break is not stretched edge to edge.
    '<w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:doNotExpandShiftReturn/>'
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
    "</w:compat><w:themeFontLang w:val=\"ru-RU\"/></w:settings>"
)

FONT_TABLE = (
    f'{XML_DECL}<w:fonts {W_NS}><w:font w:name="Times New Roman"><w:charset w:val="CC"/>'
    '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font></w:fonts>'
)

APP = (
    f'{XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>omnidesk-macros</Application><DocSecurity>0</DocSecurity></Properties>"
)

HEADER_DEFAULT = (
    f"{XML_DECL}<w:hdr {W_NS}>"
    + paragraph(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>',
        "PageNumber",
    )
    + "</w:hdr>"
)


def image_size(data: bytes, where: str) -> tuple[int, int]:
    """Pixel width and height of a PNG or JPEG, or a RenderError naming the file."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        if width and height:
            return width, height
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                break
            marker = data[index + 1]
            length = struct.unpack(">H", data[index + 2:index + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame: height, width
                height, width = struct.unpack(">HH", data[index + 5:index + 9])
                return width, height
            index += 2 + length
    raise RenderError(f"logo {where} is not a readable PNG or JPEG image")


def logo_extent(width_px: int, height_px: int) -> tuple[int, int]:
    """The logo's size in EMU: 2.2 cm high, or narrower when a wide logo would overflow its column."""
    widest = (LOGO_CELL - CELL_PAD) * EMU_PER_TWIP
    cx = round(LOGO_HEIGHT_EMU * width_px / height_px)
    if cx <= widest:
        return cx, LOGO_HEIGHT_EMU
    return widest, max(1, round(widest * height_px / width_px))


def _logo_drawing(width_px: int, height_px: int) -> str:
    cx, cy = logo_extent(width_px, height_px)
    graphic = (
        f'<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="logo"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="rIdLogo"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
    )
    return (
        f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:docPr id="1" name="Логотип"/><wp:cNvGraphicFramePr/>{graphic}</wp:inline></w:drawing></w:r>'
    )


def company_lines(company: Company) -> list[str]:
    """The company block under the name, as in Приложение №2; absent fields leave no empty line."""
    phones = ", ".join(p for p in (f"тел.: {company.phone}", f"факс: {company.fax}" if company.fax else "") if p)
    web = ", ".join(p for p in (company.site, company.email) if p)
    return [line for line in (company.address, phones, web) if line]


def first_page_header(company: Company, logo: tuple[int, int] | None) -> str:
    """Logo on the left, the company block beside it, a blue rule under both."""
    block = paragraph(text_run(company.name), "LetterheadName") + "".join(
        paragraph(text_run(line), "Letterhead") for line in company_lines(company)
    )
    logo_width = LOGO_CELL if logo else 0
    rule = f'<w:bottom w:val="single" w:sz="12" w:space="0" w:color="{BRAND_BLUE}"/>'
    cells = ""
    if logo:
        cells += (
            f'<w:tc><w:tcPr><w:tcW w:w="{logo_width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f"{paragraph(_logo_drawing(*logo), ppr=CENTRED)}"
            + (paragraph(text_run(company.brand), "LetterheadBrand") if company.brand else "")
            + "</w:tc>"
        )
    cells += (
        f'<w:tc><w:tcPr><w:tcW w:w="{TEXT_WIDTH - logo_width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        f"{block}</w:tc>"
    )
    grid = (f'<w:gridCol w:w="{logo_width}"/>' if logo else "") + f'<w:gridCol w:w="{TEXT_WIDTH - logo_width}"/>'
    table = (
        # CT_TblPr is a sequence: Word rejects tblBorders after tblLayout.
        f'<w:tbl><w:tblPr><w:tblW w:w="{TEXT_WIDTH}" w:type="dxa"/><w:tblBorders>{rule}</w:tblBorders>'
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:bottom w:w="{CELL_PAD}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_PAD}" w:type="dxa"/></w:tblCellMar>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid><w:tr>{cells}</w:tr></w:tbl>"
    )
    return f"{XML_DECL}<w:hdr {W_NS} {DRAWING_NS}>{table}{paragraph('')}</w:hdr>"


def _rels(entries: list[tuple[str, str, str]]) -> str:
    """A relationships part; a type without a slash is one of officeDocument's (``styles``, ``header``…)."""
    body = "".join(
        f'<Relationship Id="{i}" Type="{t if "/" in t else f"{REL_NS}/{t}"}" Target="{target}"/>'
        for i, t, target in entries
    )
    return f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">{body}</Relationships>'


_WORDML = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def content_types(logo_ext: str | None) -> str:
    overrides = {
        "/word/document.xml": f"{_WORDML}.document.main+xml",
        "/word/styles.xml": f"{_WORDML}.styles+xml",
        "/word/numbering.xml": f"{_WORDML}.numbering+xml",
        "/word/settings.xml": f"{_WORDML}.settings+xml",
        "/word/fontTable.xml": f"{_WORDML}.fontTable+xml",
        "/word/header1.xml": f"{_WORDML}.header+xml",
        "/word/header2.xml": f"{_WORDML}.header+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        "/docProps/custom.xml": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    }
    defaults = '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    defaults += '<Default Extension="xml" ContentType="application/xml"/>'
    if logo_ext:
        mime = "image/png" if logo_ext == "png" else "image/jpeg"
        defaults += f'<Default Extension="{logo_ext}" ContentType="{mime}"/>'
    body = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides.items())
    return f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{defaults}{body}</Types>'


@dataclass(frozen=True)
class Letterhead:
    """The parts every letter of one company shares, ready to be written into a zip."""

    company: Company
    head: tuple[StaticPart, ...]  # [Content_Types].xml and _rels/.rels, which readers look for first
    shared: tuple[StaticPart, ...]  # styles, settings, headers, logo…


def build_letterhead(company: Company, logo: bytes | None) -> Letterhead:
    logo_ext = None
    size = None
    if logo is not None:
        size = image_size(logo, str(company.logo))
        logo_ext = "png" if logo[:4] == b"\x89PNG" else "jpeg"
    doc_rels = [
        ("rIdStyles", "styles", "styles.xml"),
        ("rIdNumbering", "numbering", "numbering.xml"),
        ("rIdSettings", "settings", "settings.xml"),
        ("rIdFonts", "fontTable", "fontTable.xml"),
        ("rIdHeaderFirst", "header", "header1.xml"),
        ("rIdHeaderDefault", "header", "header2.xml"),
    ]
    package_rels = [
        ("rIdDocument", "officeDocument", "word/document.xml"),
        ("rIdApp", "extended-properties", "docProps/app.xml"),
        ("rIdCustom", "custom-properties", "docProps/custom.xml"),
        ("rIdCore", f"{PKG_REL_NS}/metadata/core-properties", "docProps/core.xml"),
    ]
    head = (
        StaticPart.make("[Content_Types].xml", content_types(logo_ext).encode("utf-8")),
        StaticPart.make("_rels/.rels", _rels(package_rels).encode("utf-8")),
    )
    texts = {
        "word/_rels/document.xml.rels": _rels(doc_rels),
        "word/styles.xml": STYLES,
        "word/settings.xml": SETTINGS,
        "word/fontTable.xml": FONT_TABLE,
        "word/header1.xml": first_page_header(company, size),
        "word/header2.xml": HEADER_DEFAULT,
        "docProps/app.xml": APP,
    }
    parts = [StaticPart.make(name, text.encode("utf-8")) for name, text in texts.items()]
    if logo is not None:
        parts.append(StaticPart.make("word/_rels/header1.xml.rels",
                                     _rels([("rIdLogo", "image", f"media/logo.{logo_ext}")]).encode("utf-8")))
        parts.append(StaticPart.make(f"word/media/logo.{logo_ext}", logo, compress=False))
    return Letterhead(company, head, tuple(parts))


@lru_cache(maxsize=8)
def _cached(company: Company, logo_bytes: bytes | None) -> Letterhead:
    return build_letterhead(company, logo_bytes)


def letterhead_for(company: Company) -> Letterhead:
    """The cached letterhead; the logo file is re-read so an edited image is picked up."""
    logo = None
    if company.logo is not None:
        try:
            logo = Path(company.logo).read_bytes()
        except OSError as exc:
            raise RenderError(f"cannot read the logo {company.logo}: {exc.strerror}") from exc
    return _cached(company, logo)
