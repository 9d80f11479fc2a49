"""The hot write statements: primary-key lookups, ON CONFLICT upserts compiled once and run through executemany.

The upsert's ON CONFLICT guard is the late-`started` rule in SQL
(domain.upsert_merge.started_may_replace), for writers in other processes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from tenlog_server.domain.model import TERMINAL_STATUSES

from .completion_rows import DATA_COLUMNS
from .database import execute_many, placeholders
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
    wanted = list(set(ids))
    marks = placeholders(conn, len(wanted)) or "NULL"  # IN (NULL) matches nothing
    statement = (
        f"SELECT {columns} FROM completions{hint} WHERE organization_id = {placeholders(conn, 1)} "
        f"AND id IN ({marks}){suffix}"
    )
    return conn.exec_driver_sql(statement, (org, *wanted))


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


def ensure_sessions(conn: Connection, org_sessions: Iterable[tuple[str, str]], now_us: int) -> None:
    """Create the named sessions that do not exist yet (clients generate session ids)."""
    rows = [{"organization_id": o, "id": s, "created_at_us": now_us} for o, s in set(org_sessions) if s]
    if rows:
        execute_many(conn, "ensure_sessions", _insert_sessions_statement, rows)


def _insert_sessions_statement(conn: Connection) -> Any:
    return dialect_insert(conn)(sessions).on_conflict_do_nothing()


def graded_ids(conn: Connection, org: str, ids: Sequence[str]) -> set[str]:
    """The ids among `ids` that have feedback attached."""
    query = select(feedback_completions.c.completion_id).where(
        feedback_completions.c.organization_id == org, feedback_completions.c.completion_id.in_(set(ids))
    )
    return {r[0] for r in conn.execute(query)}
