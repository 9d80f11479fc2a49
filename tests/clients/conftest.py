"""Fixtures for the client tests: a real `tenlog serve` on SQLite, started the way users start it.

The clients speak the same gRPC to either storage backend, so one backend is
enough here; the storage suites cover both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.postgres import free_port
from tests.support.server import ServerProcess, start_server


def serve(database_url: str, port: int | None = None) -> ServerProcess:
    """`tenlog serve` on SQLite with gRPC on ``port`` (a free one if not given), no HTTP gateway."""
    port = port or free_port()
    server = start_server(database_url, ["--no-bootstrap", "--port", str(port), "--http-port", "-1"])
    server.grpc_port = port  # start_server chose its own ports; ours come later on the command line and win
    return server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server shared by the client tests, with a key for organization `org-a`."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('clients') / 'tenlog.db'}"
    running = serve(database_url)
    running.key = running.mint_key(running.org)
    yield running
    running.stop()


@pytest.fixture
def tag() -> str:
    """A tag no other test uses, so tests sharing the server only see their own rows."""
    return f"t-{uuid.uuid4().hex[:12]}"
