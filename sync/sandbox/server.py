"""Serving the sandbox over HTTP/1.1 with uvicorn: in the foreground for the CLI, in a thread for tests.

The socket is bound in the constructor, so a busy port is a :class:`ConfigError` at once and ``port=0``
knows its port before serving. Only a loopback host is accepted: ``/_admin`` has no auth, and a sandbox on
another address would refuse every request anyway. The HTTP parser is h11 (pure Python, the same on every
machine), whose errors are answered as JSON like every other sandbox error. :meth:`SandboxServer.close`
stops accepting, lets answers in progress finish, closes idle keep-alive connections, and returns when the
server thread has ended, so no socket or task outlives a test and none uses the database after it is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import socket
import threading
from pathlib import Path
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from omnidesk_macros.errors import ConfigError

from .app import SandboxApp
from .edge import SandboxEdge, Scope
from .seed import seed
from .state import SandboxConfig
from .store import Store
from .web import http_url

DEFAULT_DATA = Path("sandbox.sqlite3")
#: pending connections the kernel queues; the standard library's 5 made 200 simultaneous clients wait seconds
BACKLOG = 2048
#: a request still running at close() gets this long to finish before its task is cancelled
GRACEFUL_SECONDS = 5


class _SandboxProtocol(H11Protocol):
    """uvicorn's h11 protocol, answering a request it cannot parse with the sandbox's JSON error shape, and
    with no access log whatever the logging setup: a query string can carry a subscriber's email."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False

    def send_400_response(self, msg: str) -> None:
        body = b'{"error": "bad_request"}'
        headers = [(b"content-type", b"application/json; charset=utf-8"), (b"connection", b"close"),
                   (b"content-length", str(len(body)).encode())]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


class _Server(uvicorn.Server):
    """uvicorn's server, stopped by an event rather than a flag polled every 0.1 s."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop_requested: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self.stop_requested = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):  # on_tick keeps the Date header fresh
            counter += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_requested.wait(), 0.1)
            if self.stop_requested.is_set():
                return

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        for connection in list(self.server_state.connections):  # past the grace period: end them
            connection.transport.abort()


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound on loopback ``host:port``, or :class:`ConfigError` saying what to change."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"the sandbox listens on this machine only (its /_admin has no password), not on {host!r}; "
            "use 127.0.0.1, ::1 or localhost",
            setting="host",
        )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(BACKLOG)  # queue clients from now on, even before the server thread runs
        except OSError:
            sock.close()
            raise
    except OSError as exc:
        raise ConfigError(
            f"the sandbox cannot listen on {host}:{port}: {exc.strerror or exc}; choose another port",
            setting="port",
        ) from exc
    return sock


class SandboxServer:
    """The sandbox on ``host:port`` (port 0: any free port) over the SQLite file ``data``."""

    def __init__(
        self,
        data: str | Path = DEFAULT_DATA,
        host: str = "127.0.0.1",
        port: int = 8765,
        config: SandboxConfig | None = None,
    ) -> None:
        self._socket = _listening_socket(host, port)
        try:
            self.store = Store(data)
        except BaseException:
            self._socket.close()
            raise
        try:
            if self.store.is_empty():
                seed(self.store)
            self.app = SandboxApp(self.store, config)
        except BaseException:
            self.store.close()
            self._socket.close()
            raise
        self._server = _Server(uvicorn.Config(
            SandboxEdge(self.app, self._drop),
            http=_SandboxProtocol,
            ws="none",
            lifespan="off",
            log_config=None,
            access_log=False,  # the app keeps its own log (see _SandboxProtocol)
            proxy_headers=False,  # no proxy in front: X-Forwarded-For must not change who the client is
            timeout_keep_alive=30,
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
            backlog=BACKLOG,
        ))
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    @property
    def server_address(self) -> tuple[str, int]:
        host, port = self._socket.getsockname()[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        return http_url(*self.server_address)

    def _drop(self, scope: Scope) -> None:
        """Close the connection of the request ``scope`` without answering (an injected fault)."""
        for connection in list(self._server.server_state.connections):
            if getattr(connection, "client", None) == scope.get("client"):
                connection.transport.close()

    def _run(self) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            await self._server.serve(sockets=[self._socket])

        asyncio.run(serve())

    def start(self) -> SandboxServer:
        """Serve from a background thread; returns self once the server accepts requests."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="omnidesk-sandbox", daemon=True)
            self._thread.start()
            while not self._server.started and self._thread.is_alive():
                self._thread.join(0.005)
        return self

    def serve_until_stopped(self) -> None:
        """Serve until Ctrl-C or SIGTERM (``kill``, a container stop), then stop serving and return."""
        stopped = threading.Event()

        def stop(signum: int, frame: object) -> None:
            stopped.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            while self._thread is not None and self._thread.is_alive() and not stopped.wait(0.5):
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_serving()

    def _stop_serving(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._server.should_exit = True
        loop, event = self._loop, self._server.stop_requested
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(event.set)
        thread.join()

    def close(self) -> None:
        """Stop serving, end open connections, close the socket and the database."""
        if self._closed:
            return
        self._closed = True
        self._stop_serving()
        self._socket.close()
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
