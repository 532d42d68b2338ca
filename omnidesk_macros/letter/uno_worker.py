"""The UNO side of the warm PDF converter: a script run by a Python that has LibreOffice's ``uno`` module
(Debian: /usr/bin/python3 with python3-uno; elsewhere LibreOffice's own program/python), never imported
by the package.

    python3 uno_worker.py PIPE_NAME       connects to ``soffice --accept=pipe,name=PIPE_NAME;urp;``

It speaks JSON lines over stdin/stdout, one job at a time:

    ← {"ready": true}                                   once connected to the running office
    → {"docx": "/abs/in.docx", "pdf": "/abs/out.pdf"}
    ← {"ok": true}  or  {"error": "what went wrong", "dead": whether the office is gone (the worker exits)}

It exits when stdin closes, or when the office goes away (the manager then restarts both).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

CONNECT_SECONDS = 60.0


def answer(**message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def prop(uno: Any, name: str, value: Any) -> Any:
    struct = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    struct.Name = name
    struct.Value = value
    return struct


def connect(uno: Any, pipe: str) -> Any:
    """The office's Desktop, retrying while soffice is still starting."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            remote = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # NoConnectException until soffice listens; uno's exceptions are not importable types
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)


def convert(uno: Any, desktop: Any, docx: str, pdf: str) -> None:
    load = (prop(uno, "Hidden", True), prop(uno, "ReadOnly", True))
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(docx), "_blank", 0, load)
    if document is None:
        raise RuntimeError("LibreOffice could not open the DOCX")
    try:
        document.storeToURL(uno.systemPathToFileUrl(pdf), (prop(uno, "FilterName", "writer_pdf_Export"),))
    finally:
        document.close(True)


def main() -> int:
    try:
        import uno  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        answer(error="this Python has no uno module (Debian: apt-get install python3-uno)")
        return 2
    try:
        desktop = connect(uno, sys.argv[1])
    except Exception as exc:
        answer(error=f"cannot connect to LibreOffice: {exc}")
        return 3
    answer(ready=True)
    for line in sys.stdin:
        job = json.loads(line)
        try:
            convert(uno, desktop, job["docx"], job["pdf"])
        except Exception as exc:  # a UNO exception: report it, and stop if the office is gone
            gone = "Disposed" in type(exc).__name__ or "RuntimeException" in type(exc).__name__
            answer(error=f"{type(exc).__name__}: {exc}".strip()[:300], dead=gone)
            if gone:
                return 4
            continue
        answer(ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
