"""The hot write statements: primary-key lookups, ON CONFLICT upserts compiled once and run through executemany.

The upsert's ON CONFLICT guard is the late-`started` rule in SQL
(domain.upsert_merge.started_may_replace), for writers in other processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from tenlog_server.domain.model import TERMINAL_STATUSES

from .completion_rows import DATA_COLUMNS
from .schema import Completion, CompletionTag, FeedbackCompletion, Session

completions = cast(Table, Completion.__table__)
completion_tags = cast(Table, CompletionTag.__table__)
sessions = cast(Table, Session.__table__)
feedback_completions = cast(Table, FeedbackCompletion.__table__)


def lock_ids(conn: Connection, keys: Iterable[tuple[str, str]]) -> None:
    """PostgreSQL: hold each (organization, id) about to be written until the transaction ends, in one order.

    FOR UPDATE cannot lock a row that does not exist yet: without this, two
    transactions writing the same new id would each believe they create it
    (rollups count it twice, tag rows collide), and two batches locking the same
    rows in different orders would deadlock. SQLite runs one writer at a time.
    """
    if conn.dialect.name != "postgresql":
        return
    hashed = sorted({_advisory_key(org, cid) for org, cid in keys})
    if hashed:  # unnest yields the array's (sorted) order, so every writer locks in the same order
        conn.execute(
            text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"), {"keys": hashed}
        )


def _advisory_key(org: str, completion_id: str) -> int:
    digest = hashlib.blake2b(f"{org}\0{completion_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lookup_ids(conn: Connection, columns: str, org: str, ids: Iterable[str], *, lock: bool = True) -> Any:
    """SELECT columns of the organization's completions with these ids, through the primary key.

    Without statistics SQLite prefers any listing index that covers the columns
    (organization_id, ..., id) and scans the whole organization: O(rows) per
    write batch. INDEXED BY pins the primary key; PostgreSQL plans from its stats
    (and locks the rows, so concurrent writers of one id serialize).
    """
    hint = " INDEXED BY sqlite_autoindex_completions_1" if conn.dialect.name == "sqlite" else ""
    suffix = " FOR UPDATE" if lock and conn.dialect.name == "postgresql" else ""
    statement = text(
        f"SELECT {columns} FROM completions{hint} WHERE organization_id = :org AND id IN :ids{suffix}"
    ).bindparams(bindparam("ids", expanding=True))
    return conn.execute(statement, {"org": org, "ids": list(set(ids))})


def dialect_insert(conn: Connection) -> Any:
    """The INSERT construct of the connection's dialect (for ON CONFLICT)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert


def _upsert_statement(conn: Connection) -> Any:
    stmt = dialect_insert(conn)(completions)
    return stmt.on_conflict_do_update(
        index_elements=["organization_id", "id"],
        set_={name: stmt.excluded[name] for name in DATA_COLUMNS},
        # domain.upsert_merge.started_may_replace in SQL: defends the late-`started` rule against a
        # writer in another process that committed between our lookup and this statement.
        where=or_(stmt.excluded.status != "started", and_(*(completions.c.status != s for s in TERMINAL_STATUSES))),
    )


def upsert_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """INSERT or replace completion rows (record_to_row), except where the late-`started` guard refuses."""
    execute_many(conn, "upsert_completions", _upsert_statement, rows)


def _insert_tags_statement(conn: Connection) -> Any:
    return dialect_insert(conn)(completion_tags).on_conflict_do_nothing()


def insert_tags(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """INSERT tag-index rows (completion_rows.tag_rows), skipping those already there."""
    execute_many(conn, "insert_tags", _insert_tags_statement, rows)


_COMPILED: dict[tuple[str, str], tuple[str, Callable[[dict[str, Any]], Any] | None, dict[str, Any]]] = {}


def execute_many(conn: Connection, name: str, build: Callable[[Connection], Any], rows: list[dict[str, Any]]) -> None:
    """Run a hot write statement for many rows straight through the DBAPI's executemany.

    The statement is compiled once per dialect; skipping SQLAlchemy's per-row
    parameter processing keeps the writer thread off the event loop's GIL time.
    The rows are fresh dicts the caller built for this call: the statement's
    constant binds are added to them in place.
    """
    key = (conn.dialect.name, name)
    compiled = _COMPILED.get(key)
    if compiled is None:
        statement = build(conn).compile(dialect=conn.dialect)
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


def ensure_sessions(conn: Connection, org_sessions: Iterable[tuple[str, str]], now_us: int) -> None:
    """Create the named sessions that do not exist yet (clients generate session ids)."""
    rows = [{"organization_id": o, "id": s, "created_at_us": now_us} for o, s in set(org_sessions) if s]
    if rows:
        conn.execute(dialect_insert(conn)(sessions).on_conflict_do_nothing(), rows)


def graded_ids(conn: Connection, org: str, ids: Sequence[str]) -> set[str]:
    """The ids among `ids` that have feedback attached."""
    query = select(feedback_completions.c.completion_id).where(
        feedback_completions.c.organization_id == org, feedback_completions.c.completion_id.in_(set(ids))
    )
    return {r[0] for r in conn.execute(query)}
