"""Serving :class:`~sync.sandbox.app.SandboxApp` over HTTP/1.1 with the standard library.

``ThreadingHTTPServer`` is enough for one developer or one test run and adds no dependency. The server only
answers loopback clients, because ``/_admin`` has no auth. It runs in the foreground for the CLI
(:meth:`SandboxServer.serve_forever`) or in a background thread for tests (:meth:`SandboxServer.start`), and
:meth:`SandboxServer.close` ends idle keep-alive connections, lets answers in progress finish, and joins every
handler thread, so no socket or thread outlives a test and none uses the database after it is closed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from omnidesk_macros.errors import ConfigError

from .app import Request, Response, SandboxApp, SandboxConfig
from .seed import seed
from .store import Store

DEFAULT_DATA = Path("sandbox.sqlite3")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: headers and body go out in two writes; without this, Nagle plus delayed ACK add 40 ms to each answer
    disable_nagle_algorithm = True
    server: SandboxServer
    #: idle keep-alive connections end after this many seconds
    timeout = 30

    def _serve(self) -> None:
        url = urlsplit(self.path)
        raw_length = self.headers.get("Content-Length") or "0"
        if not raw_length.strip().isdigit():  # a negative length would read until the client hangs up
            self.close_connection = True
            self._write(Response.json(400, {"error": "wrong_content_length"}))
            return
        length = int(raw_length)
        body = self.rfile.read(length) if length else b""
        host, port = str(self.server.server_address[0]), self.server.server_address[1]
        request = Request(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=dict(self.headers.items()),
            body=body,
            base_url=f"http://{self.headers.get('Host') or f'{host}:{port}'}",
        )
        response = self.server.app.handle(request)
        if response.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the app keeps its own request log, and the default one would print query strings."""


class SandboxServer(ThreadingHTTPServer):
    """The sandbox on ``host:port`` (port 0: any free port) over the SQLite file ``data``."""

    #: handler threads are joined by ``server_close``, so none touches the database after :meth:`close`
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(
        self,
        data: str | Path = DEFAULT_DATA,
        host: str = "127.0.0.1",
        port: int = 8765,
        config: SandboxConfig | None = None,
    ) -> None:
        self.store = Store(data)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        try:
            if self.store.is_empty():
                seed(self.store)
            self.app = SandboxApp(self.store, config)
            super().__init__((host, port), _Handler)
        except OSError as exc:
            self.store.close()
            raise ConfigError(
                f"the sandbox cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port"
            ) from exc
        except BaseException:
            self.store.close()
            raise

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        return f"http://{host}:{port}"

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return ipaddress.ip_address(client_address[0]).is_loopback

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def serve_until_stopped(self) -> None:
        """Serve in the foreground until Ctrl-C or SIGTERM (``kill``, a container stop), then return."""

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            self.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)

    def start(self) -> SandboxServer:
        """Serve from a background thread (for tests); returns self."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="omnidesk-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, end open connections, close the socket and the database."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            # reading ends (an idle keep-alive handler wakes to EOF), an answer being written still goes out
            with contextlib.suppress(OSError):  # the peer closed it first
                connection.shutdown(socket.SHUT_RD)
        self.server_close()  # joins the handler threads, so none touches the database after this
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
