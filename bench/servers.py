"""Servers under test: `tenlog serve` subprocesses on a temporary SQLite file or a temporary PostgreSQL."""

from __future__ import annotations

import contextlib
import importlib
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .processes import process_tree

ORG = "bench"

# The test suite's helpers start servers and PostgreSQL exactly as the tests do. tests/ is not held to
# mypy's strict settings, so they are loaded by name rather than type-checked as part of bench.
_server_support: Any = importlib.import_module("tests.support.server")
_postgres_support: Any = importlib.import_module("tests.support.postgres")


def mint_key(database_url: str, org: str = ORG) -> str:
    """`tenlog keys create --org ORG` (migrates the database and creates the organization first)."""
    return str(_server_support.mint_key(database_url, org))


@dataclass(frozen=True, slots=True)
class BenchServer:
    """A running server and a key for the bench organization."""

    process: Any  # tests.support.server.ServerProcess
    key: str

    @property
    def grpc_target(self) -> str:
        """host:port of the gRPC listener."""
        return str(self.process.grpc_target)

    @property
    def http_url(self) -> str:
        """Base URL of the HTTP gateway."""
        return str(self.process.http_url)

    @property
    def pid(self) -> int:
        """The `tenlog serve` process (parent of the workers when --workers > 1)."""
        return int(self.process.proc.pid)


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    """A SQLite URL in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="tenlog-bench-"))
    try:
        yield f"sqlite:///{folder / 'tenlog.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh database URL for `sqlite` or `postgresql`, removed afterwards."""
    if backend == "postgresql":
        with _postgres_support.temporary_postgres() as url:
            yield str(url)
    else:
        with sqlite_database() as url:
            yield url


@contextlib.contextmanager
def running_server(
    database_url: str, extra_args: Sequence[str] = (), *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[BenchServer]:
    """`tenlog serve` on the database, with a key minted for ORG; stopped on exit.

    With --workers N it waits until every worker says it is serving, so the
    first measured second does not land on half the processes.
    """
    args = ["--no-bootstrap", *extra_args]
    if workers > 1:
        args += ["--workers", str(workers)]
    process = _server_support.start_server(database_url, args, env=env)
    try:
        deadline = time.monotonic() + 60
        while sum("serving gRPC" in line for line in list(process.output)) < workers:
            if process.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tenlog serve workers did not start:\n" + "".join(process.output))
            time.sleep(0.05)
        if workers > 1 and len(process_tree(process.proc.pid)) < workers + 1:
            raise RuntimeError(f"expected {workers} worker processes under {process.proc.pid}")
        yield BenchServer(process, process.mint_key(ORG))
    finally:
        try:
            process.stop(timeout=30)
        except Exception:
            process.proc.kill()
            process.proc.wait(10)
