"""Running the service on uvicorn: in the foreground for `omnidesk-macros serve`, or in a thread for the
browser test and the benchmark; and the sandbox's first account, so a new user can sign in at once.

uvicorn's access log is off: its lines carry query strings (a webhook's ?token=); the service logs one
audit line per print instead, with no personal data. HTTP is parsed by httptools (C) rather than uvicorn's
pure-Python h11: a few percent more small pages per second; a letter's time is rendering, not parsing
(README «Print service», Speed).
"""

from __future__ import annotations

import logging
import secrets
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from omnidesk_macros.errors import ConfigError
from sync.settings import OmnideskSettings

from . import accounts
from .app import create_app
from .config import DEFAULT_HOST, ServiceSettings

DEMO_LOGIN = "demo"
HTTP = "httptools"  # uvicorn's protocol class; the sandbox stays on h11, whose answers its probes pin down


def build(omnidesk_settings: OmnideskSettings, templates_root: Path, data_dir: Path, *, sandbox: bool) -> Starlette:
    """The app with settings from the environment (refuses to start without a secret key unless sandbox)."""
    settings = ServiceSettings.from_env(omnidesk_settings.url, sandbox=sandbox)
    return create_app(settings, omnidesk_settings, templates_root, data_dir)


@dataclass(frozen=True)
class DemoAccount:
    login: str
    password: str
    full_name: str
    position: str


def demo_account(app: Starlette) -> DemoAccount | None:
    """In sandbox mode, when the service has no account yet: one to sign in with right away, else None.

    It signs as the company.yaml signatory (full name, else the short name, and the position), so its
    letters are complete. The random password is returned once for the console and stored only as a hash.
    Never in real-account mode: there the administrator adds the staff with `users add`.
    """
    service = app.state.service
    if not service.settings.sandbox or accounts.list_users(service.db):
        return None
    signatory = service.sources.staff[0] if service.sources.staff else None
    full_name = (signatory.full_name or signatory.short_name) if signatory else "Демонстрационный сотрудник"
    position = signatory.position if signatory else "Специалист ЦОК"
    password = secrets.token_urlsafe(12)
    account = accounts.add_user(service.db, DEMO_LOGIN, full_name, password, position)
    return DemoAccount(account.username, password, account.full_name, account.position)


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("omnidesk_macros")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def uvicorn_options(app: Starlette) -> dict[str, Any]:
    """How uvicorn runs the app. X-Forwarded-For/-Proto are read only from the proxies named in
    OMNIDESK_MACROS_TRUSTED_PROXIES: uvicorn's own default trusts them from 127.0.0.1 (and FORWARDED_ALLOW_IPS),
    which would let any local client pick the address the sign-in throttle counts against."""
    proxies = app.state.service.settings.trusted_proxies
    return {"http": HTTP, "access_log": False, "log_level": "warning", "server_header": False,
            "proxy_headers": bool(proxies), "forwarded_allow_ips": list(proxies)}


def run(app: Starlette, host: str = DEFAULT_HOST, port: int = 8780) -> None:
    """Serve until Ctrl-C."""
    try:
        uvicorn.run(app, host=host, port=port, **uvicorn_options(app))
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


class ServiceThread:
    """uvicorn on a free loopback port in a background thread: ``with ServiceThread(app) as s: s.url``."""

    def __init__(self, app: Starlette, host: str = DEFAULT_HOST) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.url = f"http://{host}:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, **uvicorn_options(app))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ServiceThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise ConfigError("the print service did not start within 10 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
