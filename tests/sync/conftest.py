"""Fixtures for the Omnidesk client and sandbox tests: everything on loopback, nothing on the internet.

- ``sandbox``: a fresh sandbox server on 127.0.0.1, any free port, over a SQLite file in ``tmp_path``;
- ``api``: a :class:`Client` for that sandbox with short back-offs, so fault tests run in seconds;
  ``sandbox_client(**settings)`` makes more of them;
- ``fake_time``: a clock and a ``sleep`` that only advance the clock, for unit tests;
- ``mock_client``: a factory of clients whose network is a handler function (``httpx.MockTransport``);
  ``wait_messages`` collects their progress lines.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from sync.client import Client, OmnideskSettings
from sync.pacing import Backoff
from sync.sandbox import SandboxConfig, SandboxServer


@dataclass
class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


MockClientFactory = Callable[..., Client]


@pytest.fixture
def wait_messages() -> list[str]:
    """The progress lines ``mock_client`` clients reported while waiting."""
    return []


@pytest.fixture
def opened_clients() -> Iterator[list[Client]]:
    """Clients the factories below made; closed after the test so no connection outlives it."""
    clients: list[Client] = []
    yield clients
    for client in clients:
        client.close()


@pytest.fixture
def mock_client(fake_time: FakeTime, wait_messages: list[str], opened_clients: list[Client]) -> MockClientFactory:
    """``mock_client(handler, **settings)``: a client whose requests go to ``handler(request)``."""

    def make(handler: Callable[[httpx.Request], httpx.Response], **settings: object) -> Client:
        config = OmnideskSettings(
            url="https://example.omnidesk.ru", email="staff@example.com", api_key="secret-key-123"
        ).validated(**settings)
        client = Client(
            config,
            transport=httpx.MockTransport(handler),
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            on_wait=wait_messages.append,
            backoff=Backoff(max_wait=config.max_wait, rng=random.Random(4)),
        )
        opened_clients.append(client)
        return client

    return make


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Override in a test module to start the sandbox with other settings."""
    return SandboxConfig()


@pytest.fixture
def sandbox(tmp_path: Path, sandbox_config: SandboxConfig) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.sqlite3", port=0, config=sandbox_config).start() as server:
        yield server


@pytest.fixture
def sandbox_client(sandbox: SandboxServer, opened_clients: list[Client]) -> Callable[..., Client]:
    """``sandbox_client(**settings)``: a client for the sandbox whose back-offs last fractions of a second."""

    def make(**settings: object) -> Client:
        config = sandbox.app.config
        opened_clients.append(Client(
            OmnideskSettings(url=sandbox.url, email=config.email, api_key=config.api_key)
            .validated(**{"timeout": 5.0, "deadline": 20.0, **settings}),
            backoff=Backoff(base=0.01, max_backoff=0.05, max_wait=0.2, jitter=0.02, rng=random.Random(7)),
            on_wait=lambda message: None,
        ))
        return opened_clients[-1]

    return make


@pytest.fixture
def api(sandbox_client: Callable[..., Client]) -> Client:
    return sandbox_client()
