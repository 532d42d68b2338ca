"""DOCX → PDF through one LibreOffice kept running: ~0.1 s a letter instead of a ~2 s cold start.

    WarmConverter().convert(docx_bytes) -> pdf_bytes     thread-safe; jobs go one at a time
    .start() (optional, to warm up early)  .close() (kills the office; call it on shutdown)

One ``soffice --headless --accept=pipe,…;urp;`` with a profile directory of its own, and one worker
(uno_worker.py) run by a Python that has LibreOffice's ``uno`` module, talking JSON lines over its
stdin/stdout. A job that does not answer within ``timeout`` kills both; a dead office or worker is
restarted on the next job. When the warm path cannot work (no ``uno`` for any Python here, or the office
does not come up), the job goes to the cold converter (pdf.py), so a PDF is slower, never missing.

Why not a second ``soffice --convert-to`` against the running profile: LibreOffice 7.4 hands that job to
the running instance once, and then the instance exits after it, so every later job is cold again.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..errors import ConversionError
from .pdf import DEFAULT_TIMEOUT, INSTALL_HINT, convert_to_pdf, find_soffice, office_command

log = logging.getLogger("omnidesk_macros.letter.warm_pdf")
UNO_PYTHON_ENV = "OMNIDESK_MACROS_UNO_PYTHON"
WORKER = Path(__file__).with_name("uno_worker.py")
START_TIMEOUT = 60.0
JOB_TIMEOUT = 30.0
RETRY_START_AFTER = 60.0  # after a failed start, jobs go cold for this long before warm is tried again


def find_uno_python(soffice: str) -> str | None:
    """A Python that can ``import uno``: $OMNIDESK_MACROS_UNO_PYTHON, LibreOffice's own, or the system's."""
    configured = os.environ.get(UNO_PYTHON_ENV)
    bundled = Path(os.path.realpath(soffice)).parent / "python"  # LibreOffice's own (non-Debian builds)
    candidates = [configured] if configured else [str(bundled), "/usr/bin/python3", shutil.which("python3")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=20)
                if probe.returncode == 0:
                    return candidate
    return None


class OfficeGone(ConversionError):
    """The office or its worker died under a job (the job may be retried on a fresh office)."""


class _Office:
    """One running soffice and the worker connected to it; kill() ends both process groups."""

    def __init__(self, soffice: str, python: str, start_timeout: float) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="omnidesk-macros-office-"))  # profile + jobs, mode 0700
        self.jobs = self.home / "jobs"
        self.jobs.mkdir()
        pipe = f"omnidesk_macros_{os.getpid()}_{secrets.token_hex(6)}"
        env = {**os.environ, "HOME": str(self.home)}
        self.replies: queue.Queue[dict[str, object] | None] = queue.Queue()
        self.office: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[str] | None = None
        try:
            self.office = subprocess.Popen(
                [*office_command(soffice, self.home / "profile"), "--invisible", f"--accept=pipe,name={pipe};urp;"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                start_new_session=True)
            self.worker = subprocess.Popen(
                [python, str(WORKER), pipe], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, encoding="utf-8", env=env, start_new_session=True)
        except OSError as exc:
            self.kill()
            raise ConversionError(f"cannot start LibreOffice for PDFs ({soffice}): {exc.strerror}") from exc
        threading.Thread(target=self._read, args=(self.worker,), daemon=True).start()
        ready = self.reply(start_timeout)
        if not ready.get("ready"):
            self.kill()
            raise ConversionError(f"LibreOffice did not start for PDFs: {ready.get('error', 'no answer')}")

    def _read(self, worker: subprocess.Popen[str]) -> None:
        assert worker.stdout is not None
        for line in worker.stdout:
            with contextlib.suppress(ValueError):
                self.replies.put(json.loads(line))
        self.replies.put(None)  # the worker has gone

    def reply(self, timeout: float) -> dict[str, object]:
        try:
            message = self.replies.get(timeout=timeout)
        except queue.Empty:
            return {"error": f"no answer within {timeout:g} s", "hung": True}
        return message if message is not None else {"error": "the LibreOffice worker exited", "dead": True}

    def alive(self) -> bool:
        return all(p is not None and p.poll() is None for p in (self.office, self.worker))

    def convert(self, docx: bytes, timeout: float) -> bytes:
        assert self.worker is not None and self.worker.stdin is not None
        stem = self.jobs / secrets.token_hex(8)
        source, target = stem.with_suffix(".docx"), stem.with_suffix(".pdf")
        try:
            source.write_bytes(docx)
            try:
                self.worker.stdin.write(json.dumps({"docx": str(source), "pdf": str(target)}) + "\n")
                self.worker.stdin.flush()
            except OSError:
                return self._failed({"error": "the LibreOffice worker exited", "dead": True})
            answer = self.reply(timeout)
            if not answer.get("ok"):
                return self._failed(answer)
            data = target.read_bytes() if target.is_file() else b""
            if not data.startswith(b"%PDF"):
                raise ConversionError("LibreOffice produced no PDF for the letter")
            return data
        finally:
            source.unlink(missing_ok=True)
            target.unlink(missing_ok=True)

    def _failed(self, answer: dict[str, object]) -> bytes:
        message = f"LibreOffice did not convert the letter to PDF: {answer.get('error')}"
        if answer.get("hung"):
            self.kill()  # the next job starts a fresh office; this one is not retried, it might hang again
        elif answer.get("dead") or not self.alive():
            self.kill()
            raise OfficeGone(message)
        raise ConversionError(message)

    def kill(self) -> None:
        for process in (self.worker, self.office):
            if process is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)  # soffice forks soffice.bin into its group
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
                for stream in (process.stdin, process.stdout):
                    if stream is not None:
                        with contextlib.suppress(OSError):
                            stream.close()
        self.office = self.worker = None
        shutil.rmtree(self.home, ignore_errors=True)


class WarmConverter:
    """DOCX bytes → PDF bytes through a LibreOffice kept warm, falling back to a cold start per job."""

    def __init__(self, *, enabled: bool = True, timeout: float = JOB_TIMEOUT, start_timeout: float = START_TIMEOUT,
                 cold_timeout: float = DEFAULT_TIMEOUT) -> None:
        self.enabled = enabled  # False: every job cold (a machine short of memory for a resident office)
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.cold_timeout = cold_timeout
        self._office: _Office | None = None
        self._python: str | None = None
        self._probed = False
        self._retry_at = 0.0
        self._closed = False
        self._lock = threading.Lock()  # one job at a time through the one office
        atexit.register(self.close)  # an office must not outlive the process, whatever path it exits by

    @property
    def warm(self) -> bool:
        """Whether the office is running now (a job would not pay the start)."""
        office = self._office
        return office is not None and office.alive()

    def start(self) -> bool:
        """Bring the office up now (the service calls it at startup, in a thread); whether it is warm."""
        with self._lock:
            try:
                return self._ensure() is not None
            except ConversionError:  # no LibreOffice at all: the PDF button says so when pressed
                return False

    def start_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.start, name="warm-pdf-start", daemon=True)
        thread.start()
        return thread

    def convert(self, docx: bytes) -> bytes:
        with self._lock:
            office = self._ensure()
            if office is not None:
                try:
                    return office.convert(docx, self.timeout)
                except OfficeGone:  # it died before or during this job: once more on a fresh one
                    office = self._ensure()
                    if office is not None:
                        return office.convert(docx, self.timeout)
        return self._cold(docx)  # outside the lock: cold jobs have their own profiles and may run side by side

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._office is not None:
                self._office.kill()
                self._office = None

    def _ensure(self) -> _Office | None:
        """The running office, started if need be; None when the warm path is off (then go cold)."""
        if self._office is not None and self._office.alive():
            return self._office
        if self._office is not None:
            log.warning("the warm LibreOffice has exited; starting a new one")
            self._office.kill()
            self._office = None
        if not self.enabled or self._closed or time.monotonic() < self._retry_at:
            return None
        soffice = find_soffice()
        if soffice is None:
            raise ConversionError(INSTALL_HINT)
        if not self._probed:
            self._python, self._probed = find_uno_python(soffice), True
            if self._python is None:
                log.warning("no Python with LibreOffice's uno module (apt-get install python3-uno, or set %s): "
                            "each PDF starts LibreOffice cold (~2 s)", UNO_PYTHON_ENV)
        if self._python is None:
            return None
        try:
            self._office = _Office(soffice, self._python, self.start_timeout)
        except ConversionError as exc:
            log.warning("%s; PDFs start LibreOffice cold for the next %g s", exc, RETRY_START_AFTER)
            self._retry_at = time.monotonic() + RETRY_START_AFTER
            return None
        return self._office

    def _cold(self, docx: bytes) -> bytes:
        with tempfile.TemporaryDirectory(prefix="omnidesk-macros-pdf-") as folder:
            source = Path(folder) / "letter.docx"
            source.write_bytes(docx)
            return convert_to_pdf(source, timeout=self.cold_timeout).read_bytes()
