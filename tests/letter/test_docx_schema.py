"""The hand-written DOCX is what Word requires, not only what LibreOffice forgives.

Checked on letters that use every construct we write (lists, tables, line breaks, the letterhead):
- [Content_Types].xml gives a content type to every part, and names no part that is missing;
- every relationship's target part exists;
- the children of every element whose content ECMA-376 fixes as a sequence appear in the schema's order
  (Word refuses a file with, say, w:keepNext before w:pStyle). ORDER below is copied from the schema
  (ECMA-376 Part 1, wml.xsd / dml-*.xsd) for the elements we emit; an element missing from its parent's
  list fails too, so a new element cannot slip in unchecked.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile

import pytest
from lxml import etree

from omnidesk_macros.context import LetterContext
from omnidesk_macros.letter import render_letter
from omnidesk_macros.validate import load_sources
from tests.helpers import REPO, TEMPLATES_SRC

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
ANY = "*"  # stands for any element of the content models that allow a choice there (runs, blocks)

# parent (local name in w:) → its children in schema order.
ORDER: dict[str, list[str]] = {
    "document": ["background", "body"],
    "body": [ANY, "sectPr"],
    "hdr": [ANY],
    "p": ["pPr", ANY],
    "r": ["rPr", ANY],
    "tbl": ["tblPr", "tblGrid", "tr"],
    "tr": ["tblPrEx", "trPr", "tc"],
    "tc": ["tcPr", ANY],
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
            "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
            "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
              "tblLook", "tblCaption", "tblDescription"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
    "tblBorders": ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV"],
    "tcBorders": ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV", "tl2br", "tr2bl"],
    "tblCellMar": ["top", "left", "start", "bottom", "right", "end"],
    "numPr": ["ilvl", "numId", "numberingChange", "ins"],
    "sectPr": ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
               "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings"],
    "styles": ["docDefaults", "latentStyles", "style"],
    "docDefaults": ["rPrDefault", "pPrDefault"],
    "style": ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
              "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
              "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr"],
    "numbering": ["numPicBullet", "abstractNum", "num", "numIdMacAtCleanup"],
    "abstractNum": ["nsid", "multiLevelType", "tmpl", "name", "styleLink", "numStyleLink", "lvl"],
    "lvl": ["start", "numFmt", "lvlRestart", "pStyle", "isLgl", "suff", "lvlText", "lvlPicBulletId", "legacy",
            "lvlJc", "pPr", "rPr"],
    "num": ["abstractNumId", "lvlOverride"],
    "lvlOverride": ["startOverride", "lvl"],
    "settings": ["writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                 "doNotDisplayPageBoundaries", "displayBackgroundShape", "mirrorMargins", "gutterAtTop",
                 "hideSpellingErrors", "hideGrammaticalErrors", "proofState", "defaultTabStop",
                 "autoHyphenation", "evenAndOddHeaders", "characterSpacingControl", "compat", "rsids", "mathPr",
                 "themeFontLang", "clrSchemeMapping", "decimalSymbol", "listSeparator"],
    "compat": ["useSingleBorderforContiguousCells", "doNotExpandShiftReturn", "compatSetting"],
    "font": ["altName", "panose1", "charset", "family", "notTrueType", "pitch", "sig"],
}
# DrawingML inside the logo's w:drawing, by (namespace suffix, local name).
DRAWING_ORDER: dict[str, list[str]] = {
    "inline": ["extent", "effectExtent", "docPr", "cNvGraphicFramePr", "graphic"],
    "pic": ["nvPicPr", "blipFill", "spPr"],
    "nvPicPr": ["cNvPr", "cNvPicPr"],
    "blipFill": ["blip", "srcRect", "tile", "stretch"],
    "spPr": ["xfrm", "custGeom", "prstGeom", "noFill", "solidFill", "ln"],
    "xfrm": ["off", "ext"],
}


def order_problems(part: str, root: etree._Element) -> list[str]:
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        order = ORDER.get(qname.localname) if qname.namespace == W else DRAWING_ORDER.get(qname.localname)
        if order is None:
            continue
        last = -1
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            index = order.index(name) if name in order else order.index(ANY) if ANY in order else None
            where = f"{part}:{element.sourceline}: <{qname.localname}>"
            if index is None:
                problems.append(f"{where} has <{name}>, which the order table does not know")
            elif index < last:
                problems.append(f"{where}: <{name}> comes after <{order[last]}>; the schema wants it before")
            else:
                last = index
    return problems


def package_problems(data: bytes) -> list[str]:
    """Everything Word would refuse that these checks know of; empty for a good package."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        types = etree.fromstring(archive.read("[Content_Types].xml"))
        defaults = {d.get("Extension").lower() for d in types.iter(f"{{{CT}}}Default")}
        overrides = {o.get("PartName").lstrip("/") for o in types.iter(f"{{{CT}}}Override")}
        for name in sorted(names - {"[Content_Types].xml"}):
            if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
                problems.append(f"{name} has no content type")
        problems += [f"[Content_Types].xml names {name}, which is not in the package" for name in overrides - names]
        for rels in sorted(n for n in names if n.endswith(".rels")):
            source_dir = posixpath.dirname(posixpath.dirname(rels))
            for rel in etree.fromstring(archive.read(rels)).iter(f"{{{REL}}}Relationship"):
                if rel.get("TargetMode") == "External":
                    continue
                target = rel.get("Target")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(source_dir, target))
                if path not in names:
                    problems.append(f"{rels}: {rel.get('Id')} points at {target}, which is not in the package")
        for name in sorted(n for n in names if n.endswith(".xml")):
            problems += order_problems(name, etree.fromstring(archive.read(name)))
    return problems


@pytest.fixture(scope="module")
def letters() -> dict[str, bytes]:
    sources = load_sources(TEMPLATES_SRC)
    assert sources.company is not None
    ctx = LetterContext.from_mapping(json.loads((REPO / "examples" / "case.json").read_text(encoding="utf-8")))
    ids = ["payment-without-commission", "readings-submission", "service-centers-hours", "meter-correction"]
    fill = {"receipt_month": "2026-10", "readings_date": "2026-11-20"}
    return {tid: render_letter(sources.templates[tid],
                               ctx.with_fill({k: v for k, v in fill.items() if sources.templates[tid].variable(k)}),
                               sources.company, staff=sources.staff) for tid in ids}


def test_every_part_is_typed_linked_and_in_schema_order(letters: dict[str, bytes]) -> None:
    for template_id, data in letters.items():
        assert package_problems(data) == [], template_id


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def test_the_letters_use_what_the_tables_check(letters: dict[str, bytes]) -> None:
    document = b"".join(part(data, "word/document.xml") for data in letters.values())
    for tag in (b"<w:tbl>", b"<w:numPr>", b"<w:tcPr>", b"<w:br/>", b"<w:noBreakHyphen/>", b"<w:keepNext/>"):
        assert tag in document


def rewrite(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, content.replace(old, new, 1) if item.filename == part else content)
    return out.getvalue()


def test_an_element_out_of_order_is_caught(letters: dict[str, bytes]) -> None:
    data = letters["readings-submission"]
    found = re.search(rb'<w:pStyle w:val="\w+"/><w:keepNext/>', part(data, "word/document.xml"))
    assert found
    style = found.group(0)[: -len(b"<w:keepNext/>")]
    swapped = rewrite(data, "word/document.xml", found.group(0), b"<w:keepNext/>" + style)
    [problem] = package_problems(swapped)
    assert problem.endswith("<pPr>: <pStyle> comes after <keepNext>; the schema wants it before")


def test_a_missing_part_and_an_untyped_part_are_caught(letters: dict[str, bytes]) -> None:
    data = letters["readings-submission"]
    broken = rewrite(data, "word/_rels/document.xml.rels", b'Target="numbering.xml"', b'Target="numbring.xml"')
    assert "points at numbring.xml, which is not in the package" in "".join(package_problems(broken))
    untyped = rewrite(data, "[Content_Types].xml", b'Extension="png"', b'Extension="gif"')
    assert "word/media/logo.png has no content type" in package_problems(untyped)
