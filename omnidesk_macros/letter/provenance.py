"""Which wording a subscriber received: provenance recorded in the document's own properties.

Custom properties (File → Properties → Custom in Word) hold the template id, the SHA-256 of the
template file, the commit of ``templates_src/`` when known and the appeal number. Nothing else about
the case goes in: no name, address or account, since the properties travel with every copy.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
import zlib
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from ..errors import RenderError
from .docx_writer import esc
from .letterhead import XML_DECL

PREFIX = "omnidesk_macros."
COMMIT_ENV = "OMNIDESK_MACROS_SOURCE_COMMIT"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def custom_xml(properties: dict[str, str]) -> str:
    """docProps/custom.xml holding ``properties`` as text properties named ``omnidesk_macros.<key>``."""
    entries = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{esc(PREFIX + key)}"><vt:lpwstr>{esc(value)}</vt:lpwstr></property>'
        for pid, (key, value) in enumerate(properties.items(), start=2)
    )
    return f'{XML_DECL}<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{entries}</Properties>'


def core_xml(title: str, subject: str, keywords: str, created: datetime | None = None) -> str:
    stamp = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'{XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{esc(title)}</dc:title><dc:subject>{esc(subject)}</dc:subject>"
        f"<dc:creator>omnidesk-macros</dc:creator><cp:keywords>{esc(keywords)}</cp:keywords>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )


def source_commit(folder: Path) -> str:
    """The commit of the templates folder, ``+dirty`` when it has uncommitted changes; "" outside git.

    The environment variable OMNIDESK_MACROS_SOURCE_COMMIT wins (a deployed copy has no .git).
    """
    return os.environ.get(COMMIT_ENV, "").strip() or _git_commit(Path(folder).resolve())


@lru_cache(maxsize=16)
def _git_commit(folder: Path) -> str:
    # Once per folder and process: the git calls cost milliseconds, a letter should not.
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=False)
        if head.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40,64}", head.stdout.strip()):
            return ""
        status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--", "."],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return head.stdout.strip() + ("+dirty" if status.stdout.strip() else "")


def read_provenance(docx: bytes | str | os.PathLike[str]) -> dict[str, str]:
    """The ``omnidesk_macros.*`` properties of a letter, without the prefix: to tell what a copy says.

    ``docx`` is the file's bytes or its path; a file that is no DOCX is a RenderError.
    """
    where = "the data" if isinstance(docx, bytes) else str(docx)
    try:
        data = docx if isinstance(docx, bytes) else Path(docx).read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "docProps/custom.xml" not in archive.namelist():
                return {}
            root = ElementTree.fromstring(archive.read("docProps/custom.xml"))
    except OSError as exc:
        raise RenderError(f"cannot read {where}: {exc.strerror or exc}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError) as exc:
        raise RenderError(f"{where} is not a readable DOCX file ({exc})") from exc
    found = {}
    for prop in root.iter(f"{{{_CUSTOM_NS}}}property"):
        name = prop.get("name", "")
        if name.startswith(PREFIX):
            found[name[len(PREFIX):]] = "".join(prop.itertext())
    return found
