"""Engines for the two supported backends: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from tenlog_server.domain.errors import DeadlineExceeded, FieldViolation, InvalidArgument


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
        _install_timeouts(engine)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    _install_timeouts(engine)
    return engine


_DEADLINE = "tenlog_deadline"  # connection_record.info key: [monotonic deadline of the running statement]
_TIMEOUT = "tenlog_statement_timeout"  # engine attribute: seconds, 0 = none


def _timed_out(engine: Engine) -> float:
    return float(getattr(engine, _TIMEOUT, 0.0))


def _on_connect(engine: Engine) -> Any:
    def connect(dbapi_connection: Any, record: Any) -> None:
        seconds = _timed_out(engine)
        if engine.dialect.name == "sqlite":
            holder = [0.0]
            record.info[_DEADLINE] = holder
            # SQLite has no statement timeout: interrupt from its progress handler (every 1000 VM steps).
            dbapi_connection.set_progress_handler(lambda: 1 if holder[0] and time.monotonic() > holder[0] else 0, 1000)
        elif seconds:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
            dbapi_connection.autocommit = autocommit

    return connect


def _before_execute(conn: Connection, *_: Any) -> None:
    holder = conn.info.get(_DEADLINE)
    if holder is not None:
        seconds = _timed_out(conn.engine)
        holder[0] = time.monotonic() + seconds if seconds else 0.0


def _end_of_transaction(conn: Connection) -> None:
    holder = conn.info.get(_DEADLINE)
    if holder is not None:
        holder[0] = 0.0  # COMMIT must never be interrupted


def _translate_timeout(context: ExceptionContext) -> None:
    original = context.original_exception
    interrupted = isinstance(original, sqlite3.OperationalError) and "interrupted" in str(original)
    canceled = type(original).__name__ == "QueryCanceled"  # psycopg's statement_timeout error
    if "cannot contain NUL" in str(original):  # psycopg: a last line behind the input contract
        raise InvalidArgument(
            "text must not contain NUL (U+0000) characters",
            [FieldViolation("request", "a text field holds NUL (U+0000)")],
        ) from None
    if interrupted or canceled:
        seconds = _timed_out(context.engine) if context.engine is not None else 0.0
        raise DeadlineExceeded(
            f"the query ran longer than the statement timeout of {seconds:g} s (TENLOG_STATEMENT_TIMEOUT_SECONDS); "
            "narrow the request"
        ) from None


def set_statement_timeout(engine: Engine, seconds: float) -> None:
    """Bound every statement of the engine to `seconds` (0: unbounded) from its next connection on.

    Set after migrating (a migration may legitimately run long); the pool is emptied so
    every connection gets the bound.
    """
    setattr(engine, _TIMEOUT, seconds)
    engine.dispose()


def _install_timeouts(engine: Engine) -> None:
    event.listen(engine, "connect", _on_connect(engine))
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _end_of_transaction)
    event.listen(engine, "rollback", _end_of_transaction)
    event.listen(engine, "handle_error", _translate_timeout)


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


_COMPILED: dict[tuple[str, str], tuple[str, Callable[[dict[str, Any]], Any] | None, dict[str, Any]]] = {}


def execute_many(conn: Connection, name: str, build: Callable[[Connection], Any], rows: list[dict[str, Any]]) -> None:
    """Run a hot write statement for many rows straight through the DBAPI's executemany.

    The statement is compiled once per dialect; skipping SQLAlchemy's per-row
    parameter processing keeps the writer thread off the event loop's GIL time.
    Every call under one name passes rows with the same keys. The rows are fresh
    dicts the caller built for this call: the statement's constant binds are
    added to them in place.
    """
    key = (conn.dialect.name, name)
    compiled = _COMPILED.get(key)
    if compiled is None:
        # Only the rows' columns are bound: a column they leave out keeps its default (as conn.execute does).
        statement = build(conn).compile(dialect=conn.dialect, column_keys=list(rows[0]))
        # Binds that are not columns (the 'started' literals of the WHERE) keep their compiled values.
        constants = {k: v for k, v in statement.params.items() if k not in rows[0]}
        shape: Callable[[dict[str, Any]], Any] | None = None  # named paramstyles (psycopg) take the dicts
        if statement.positional and statement.positiontup:
            # itemgetter builds each positional tuple in C (it returns a bare value for one name).
            getter = itemgetter(*statement.positiontup)
            shape = getter if len(statement.positiontup) > 1 else lambda row: (getter(row),)
        compiled = _COMPILED[key] = (statement.string, shape, constants)
    sql, shape, constants = compiled
    if constants:
        for row in rows:
            row.update(constants)
    conn.exec_driver_sql(sql, rows if shape is None else [shape(row) for row in rows])


def placeholders(conn: Connection, count: int) -> str:
    """`count` positional parameter markers of the connection's driver ("?, ?" or "%s, %s"), for exec_driver_sql.

    Hot statements with an IN list go straight to the driver: SQLAlchemy's
    expanding parameters re-render the statement on every call, which cost more
    than running it.
    """
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([marker] * count)
