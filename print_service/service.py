"""What every request of the print service shares: settings, database, templates, Omnidesk, the letter desk,
and the calls that keep blocking work off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from omnidesk_macros import load_sources
from omnidesk_macros.errors import ApiError
from omnidesk_macros.letter.pdf import find_soffice
from omnidesk_macros.letter.provenance import source_commit
from omnidesk_macros.letter.warm_pdf import WarmConverter
from omnidesk_macros.model import SourceSet
from sync.client import CASE_NUMBER_SHAPE as CASE_NUMBER
from sync.settings import OmnideskSettings

from .config import ServiceSettings
from .db import Database
from .letters import LetterDesk
from .omnidesk import Omnidesk, russian_message
from .throttle import SignInThrottle
from .web import PendingWarnings, Refused, Web

T = TypeVar("T")


class Service:
    """Everything a request needs: settings, database, sources, Omnidesk, the letter desk."""

    def __init__(self, settings: ServiceSettings, omnidesk_settings: OmnideskSettings, templates_root: Path,
                 data_dir: Path) -> None:
        self.settings = settings
        self.db = Database(data_dir, persistent=True)
        self.templates_root = Path(templates_root)
        self.sources: SourceSet = load_sources(self.templates_root)
        self.omnidesk = Omnidesk(omnidesk_settings, settings.omnidesk_deadline)
        self.desk = LetterDesk(self.db, settings.number_format, source_commit(self.templates_root))
        self.web = Web(settings, self.db)
        self.pdf = WarmConverter(enabled=settings.warm_pdf)
        self.pdf_available = find_soffice() is not None  # asked once: it walks PATH
        self.registry_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry")
        self.throttle = SignInThrottle()
        self.created_warnings = PendingWarnings()

    def close(self) -> None:
        self.registry_thread.shutdown(wait=True)
        self.pdf.close()
        self.omnidesk.close()
        self.db.close()

    async def blocking(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await run_in_threadpool(func, *args, **kwargs)

    async def registry_write(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Issue (or void, or mark) a letter on the one registry thread.

        The registry's writes serialize anyway; done from many threads, a writer holding the lock must win
        the GIL back after each SQLite call (up to 5 ms each while 20 threads want it), and all prints
        queue behind it. One thread doing them in turn keeps the lock's hold at the work itself.
        """
        return await asyncio.get_running_loop().run_in_executor(self.registry_thread, partial(func, *args, **kwargs))

    async def from_omnidesk(self, what: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A call to Omnidesk, answered within the deadline whatever Omnidesk does."""
        try:
            return await asyncio.wait_for(run_in_threadpool(func, *args, **kwargs),
                                          timeout=self.settings.omnidesk_deadline)
        except TimeoutError:
            raise Refused(504, f"{what}: Omnidesk не ответил за {self.settings.omnidesk_deadline:.0f} с. "
                               "Повторите через минуту.") from None
        except ApiError as exc:
            status = 404 if exc.status == 404 else 502
            raise Refused(status, russian_message(exc, what)) from exc


def checked_case_number(number: str, status: int) -> str:
    """``number`` when it has the shape of an Omnidesk case number, else Refused with ``status``."""
    if not CASE_NUMBER.match(number):
        raise Refused(status, "Номер обращения выглядит как 664-245651.")
    return number


def case_number(request: Request) -> str:
    """The case number in the path; a malformed one is a page that does not exist."""
    return checked_case_number(str(request.path_params["number"]), 404)


