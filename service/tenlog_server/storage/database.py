"""Engines for the two supported backends: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///./tenlog.db"


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and route them to psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    """True when the URL names an SQLite database."""
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the single writer; NORMAL sync is durable in WAL
    # mode against process crashes (a power loss may drop the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def create_db_engine(url: str, *, pool_size: int = 8) -> Engine:
    """Create an engine with the settings tenlog relies on for the URL's backend."""
    url = normalize_url(url)
    if is_sqlite(url):
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            connect_args={"check_same_thread": False, "timeout": 10},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def refresh_statistics(engine: Engine) -> None:
    """Give SQLite's planner index statistics (PostgreSQL's autovacuum keeps its own).

    analysis_limit samples a few hundred rows per index, so this takes
    milliseconds even at millions of rows.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=400")
        conn.exec_driver_sql("ANALYZE")


class WriterLock:
    """Serializes the write transactions of every process on one SQLite file.

    SQLite's own busy handler polls with sleeps that back off to 100 ms, so two
    worker processes committing back to back lose most of their time asleep. A
    blocking flock on a file beside the database hands the write lock over the
    moment it is released. PostgreSQL (and in-memory SQLite) needs none.
    """

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._path = f"{database}-tenlog-writer.lock" if database and database != ":memory:" else None
        self._local = threading.Lock()  # flock does not exclude threads sharing one descriptor
        self._fd: int | None = None

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the duration of one write transaction."""
        if self._path is None:
            yield
            return
        with self._local:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """engine.begin() for a write, holding the engine's WriterLock (on SQLite) for the transaction."""
    lock = _WRITER_LOCKS.get(engine)
    if lock is None:
        lock = _WRITER_LOCKS[engine] = WriterLock(engine)
    with lock.held(), engine.begin() as conn:
        yield conn
