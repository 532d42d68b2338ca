"""DOCX → PDF with LibreOffice, headless, for printing at the counter.

Each job gets a profile directory of its own: two soffice processes sharing a profile block each
other, and a crashed one leaves a lock that fails every later job. The whole process group is killed
on timeout, since soffice forks a soffice.bin that would otherwise linger.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..atomic_file import write_atomic
from ..errors import ConversionError

SOFFICE_ENV = "OMNIDESK_MACROS_SOFFICE"
INSTALL_HINT = (
    "LibreOffice is not installed: apt-get install -y libreoffice-writer-nogui fonts-dejavu-core "
    "fonts-liberation (Debian/Ubuntu), or set OMNIDESK_MACROS_SOFFICE to the soffice program"
)
DEFAULT_TIMEOUT = 60.0


def find_soffice() -> str | None:
    """The LibreOffice program: $OMNIDESK_MACROS_SOFFICE, else soffice or libreoffice on PATH."""
    configured = os.environ.get(SOFFICE_ENV)
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def office_command(soffice: str, profile: Path) -> list[str]:
    """soffice, headless, with ``profile`` as its own profile directory (see the module docstring)."""
    return [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
            f"-env:UserInstallation={profile.as_uri()}"]


def convert_to_pdf(docx: Path, pdf: Path | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert ``docx`` to ``pdf`` (default: beside it, .pdf); the PDF appears whole or not at all."""
    docx = Path(docx)
    target = Path(pdf) if pdf is not None else docx.with_suffix(".pdf")
    soffice = find_soffice()
    if soffice is None:
        configured = os.environ.get(SOFFICE_ENV)
        if configured:  # LibreOffice may well be installed: the setting is what is wrong
            raise ConversionError(f"{SOFFICE_ENV} is set to {configured!r}, which is not a program that can be "
                                  "run; point it at soffice, or unset it to use LibreOffice from PATH")
        raise ConversionError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="omnidesk-macros-pdf-") as job:
        work = Path(job)
        source = work / "letter.docx"  # a fixed, ASCII name so the output name is known
        try:
            shutil.copyfile(docx, source)
        except OSError as exc:
            raise ConversionError(f"cannot read {docx}: {exc.strerror}") from exc
        command = [*office_command(soffice, work / "profile"),
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out"), str(source)]
        _run(command, timeout, env={**os.environ, "HOME": job})
        produced = work / "out" / "letter.pdf"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise ConversionError(f"LibreOffice did not convert {docx} to PDF (no output produced)")
        try:
            write_atomic(target, produced.read_bytes())
        except OSError as exc:
            raise ConversionError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def _run(command: list[str], timeout: float, env: dict[str, str]) -> None:
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   start_new_session=True)
    except OSError as exc:
        raise ConversionError(f"cannot start LibreOffice ({command[0]}): {exc.strerror}") from exc
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConversionError(f"LibreOffice did not finish the PDF within {timeout:g} s") from None
    except BaseException:  # Ctrl-C or SIGTERM while waiting: soffice must not outlive the job
        _kill_group(process)
        raise
    _kill_group(process)  # a soffice.bin that outlived its parent would hold the profile being deleted
    if process.returncode != 0:
        tail = stderr.decode("utf-8", "replace").strip()[-300:]
        raise ConversionError(f"LibreOffice failed with exit code {process.returncode}: {tail or 'no message'}")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL every process of the job's session (soffice and the soffice.bin it forks), then reap."""
    with contextlib.suppress(ProcessLookupError):  # the whole group has already exited
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
