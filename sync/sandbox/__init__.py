"""A local stand-in for Omnidesk: the documented ``/api`` over a SQLite file, plus ``/_admin`` for tests.

    from sync.sandbox import SandboxServer
    with SandboxServer("demo.sqlite3", port=0).start() as server:
        print(server.url)      # http://127.0.0.1:<free port>

See the README (section "Omnidesk") for what it mimics, what it infers, and the admin routes.
"""

from .app import SandboxApp, SandboxConfig
from .server import DEFAULT_DATA, SandboxServer

__all__ = ["DEFAULT_DATA", "SandboxApp", "SandboxConfig", "SandboxServer"]
