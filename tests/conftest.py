"""Shared fixtures: a real PostgreSQL, and real `tenlog serve` processes on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tests.support.grpc_api import Api
from tests.support.postgres import temporary_postgres
from tests.support.server import ServerProcess, start_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL server for the whole run."""
    with temporary_postgres() as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per backend; every test using it runs on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tenlog.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def tenlog_server(database_url: str) -> Iterator[ServerProcess]:
    """A running server on the backend, with an API key for organization `org-a`."""
    server = start_server(database_url, ["--no-bootstrap"])
    server.key = server.mint_key(server.org)
    yield server
    server.stop()


@pytest.fixture
def unique() -> str:
    """A fresh string for ids and tags so tests sharing a server never see each other's rows."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    """A fresh SQLite URL for tests that start their own server."""
    return f"sqlite:///{tmp_path / 'tenlog.db'}"


@pytest.fixture(scope="session")
def grpc_channel(tenlog_server: ServerProcess) -> Iterator[grpc.Channel]:
    """One channel to the backend's server for the whole run."""
    with grpc.insecure_channel(tenlog_server.grpc_target) as channel:
        yield channel


@pytest.fixture(scope="session")
def api(tenlog_server: ServerProcess, grpc_channel: grpc.Channel) -> Api:
    """The API as organization `org-a`."""
    return Api(grpc_channel, tenlog_server.key, tenlog_server.org)
