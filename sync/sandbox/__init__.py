"""A local stand-in for Omnidesk: the documented ``/api`` over a SQLite file, plus ``/_admin`` for tests.

    from sync.sandbox import SandboxServer
    with SandboxServer("demo.sqlite3", port=0).start() as server:
        print(server.url)      # http://127.0.0.1:<free port>

Modules, from the socket down: ``server`` (uvicorn), ``edge`` (the ASGI app: loopback rules, body caps, the
catch-all), ``app`` (auth, rate limit, faults, routing), the route modules ``api_cases``, ``api_catalogue``,
``api_kb`` and ``admin``, then ``schema`` (request bodies), ``resources``, ``state``, ``faults``, ``web``
(the HTTP primitives), ``store`` (SQLite) and ``seed``. See the README (section "Omnidesk") for what it
mimics, what it infers, and the admin routes.
"""

from .app import SandboxApp
from .server import DEFAULT_DATA, SandboxServer
from .state import SandboxConfig

__all__ = ["DEFAULT_DATA", "SandboxApp", "SandboxConfig", "SandboxServer"]
