"""The read side's lifted data, written in the same transaction as the completion rows.

- completion_search: the full-text index of each completion's search text
  (domain.search_text). SQLite: an FTS5 table keyed by the completion's rowid.
  PostgreSQL: a table of tsvectors ('simple' configuration: no stemming, so both
  backends match the same words) under a GIN index.
- completion_metadata: each top-level scalar metadata value, for metadata.<key>.

Deleting or pruning a completion removes its rows here first (forget_completions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, column, delete, table, text

from tenlog_server.domain.model import CompletionRecord
from tenlog_server.domain.search_text import lifted_metadata, search_text

from .database import execute_many
from .schema import CompletionMetadata

completion_metadata = cast(Table, CompletionMetadata.__table__)
# Not a model: on SQLite it is an FTS5 virtual table, which SQLAlchemy's metadata cannot describe.
completion_search = table("completion_search", column("organization_id"), column("completion_id"), column("document"))
TS_CONFIG = "simple"
_ROWID_CHUNK = 500  # ids per IN list: well under SQLite's bound-parameter limit

_SQLITE_SEARCH_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS completion_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
]
_POSTGRES_SEARCH_DDL = [
    "CREATE TABLE IF NOT EXISTS completion_search ("
    " organization_id VARCHAR(128) NOT NULL, completion_id VARCHAR(256) NOT NULL, document TSVECTOR NOT NULL,"
    " CONSTRAINT pk_completion_search PRIMARY KEY (organization_id, completion_id),"
    " CONSTRAINT fk_completion_search_completions FOREIGN KEY (organization_id, completion_id)"
    " REFERENCES completions (organization_id, id) ON DELETE CASCADE)",
    "CREATE INDEX IF NOT EXISTS ix_completion_search_document ON completion_search USING gin (document)",
]


def create_search_table(conn: Connection) -> None:
    """Create the dialect's full-text index table (migration 0005)."""
    for statement in _SQLITE_SEARCH_DDL if conn.dialect.name == "sqlite" else _POSTGRES_SEARCH_DDL:
        conn.exec_driver_sql(statement)


def drop_search_table(conn: Connection) -> None:
    """Drop the full-text index table."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS completion_search")


def _documents(rec: CompletionRecord) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    return rec.request, rec.response


def _sqlite_rowids(conn: Connection, org: str, ids: Sequence[str]) -> dict[str, int]:
    # Straight to the driver: SQLAlchemy's expanding-IN handling cost more than the query.
    # (An INSERT ... SELECT rowid into the FTS5 table instead measured slower: it goes through a temporary table.)
    ids = list(set(ids))
    found: dict[str, int] = {}
    for start in range(0, len(ids), _ROWID_CHUNK):
        chunk = ids[start : start + _ROWID_CHUNK]
        statement = (
            "SELECT id, rowid FROM completions INDEXED BY sqlite_autoindex_completions_1 "
            f"WHERE organization_id = ? AND id IN ({', '.join('?' * len(chunk))})"
        )
        found.update(conn.exec_driver_sql(statement, (org, *chunk)).all())
    return found


def index_completions(
    conn: Connection, written: Mapping[tuple[str, str], CompletionRecord], replaced: Sequence[tuple[str, str]]
) -> None:
    """Bring the search and metadata index rows of just-written completions up to date.

    `replaced` are the keys that existed before this write: their old rows go first.
    """
    by_org: dict[str, list[str]] = {}
    for org, cid in replaced:
        by_org.setdefault(org, []).append(cid)
    for org, ids in by_org.items():
        conn.execute(
            delete(completion_metadata).where(
                completion_metadata.c.organization_id == org, completion_metadata.c.completion_id.in_(ids)
            )
        )
    metadata_rows = [
        {
            "organization_id": org,
            "completion_id": cid,
            "key": key,
            "value": value,
            "number": number,
            "created_at_us": rec.created_at_us,
        }
        for (org, cid), rec in written.items()
        for key, value, number in lifted_metadata(rec.metadata)
    ]
    if metadata_rows:
        execute_many(conn, "insert_metadata", _insert_metadata_statement, metadata_rows)
    texts = {key: search_text(*_documents(rec)) for key, rec in written.items()}
    if conn.dialect.name == "sqlite":
        _index_sqlite(conn, texts, set(replaced))
    else:
        _index_postgres(conn, texts, set(replaced))


def _insert_metadata_statement(conn: Connection) -> Any:
    return completion_metadata.insert()


def _index_sqlite(conn: Connection, texts: Mapping[tuple[str, str], str], replaced: set[tuple[str, str]]) -> None:
    orgs: dict[str, list[str]] = {}
    for org, cid in texts:
        orgs.setdefault(org, []).append(cid)
    stale: list[tuple[int]] = []
    fresh: list[tuple[int, str]] = []
    for org, ids in orgs.items():
        rowids = _sqlite_rowids(conn, org, ids)
        for cid in ids:
            rowid = rowids.get(cid)
            if rowid is None:
                continue
            if (org, cid) in replaced:
                stale.append((rowid,))
            body = texts[(org, cid)]
            if body:
                fresh.append((rowid, body))
    if stale:
        conn.exec_driver_sql("DELETE FROM completion_search WHERE rowid = ?", stale)
    if fresh:
        conn.exec_driver_sql("INSERT INTO completion_search (rowid, body) VALUES (?, ?)", fresh)


def _index_postgres(conn: Connection, texts: Mapping[tuple[str, str], str], replaced: set[tuple[str, str]]) -> None:
    stale = [{"o": org, "c": cid} for (org, cid), body in texts.items() if not body and (org, cid) in replaced]
    if stale:
        conn.execute(text("DELETE FROM completion_search WHERE organization_id = :o AND completion_id = :c"), stale)
    # PostgreSQL text cannot hold NUL; it separates words like any other control character.
    fresh = [{"o": org, "c": cid, "t": body.replace("\x00", " ")} for (org, cid), body in texts.items() if body]
    if fresh:
        conn.execute(
            text(
                "INSERT INTO completion_search (organization_id, completion_id, document) "
                f"VALUES (:o, :c, to_tsvector('{TS_CONFIG}', :t)) "
                "ON CONFLICT (organization_id, completion_id) DO UPDATE SET document = EXCLUDED.document"
            ),
            fresh,
        )


def forget_completions(conn: Connection, org: str, doomed: Any) -> None:
    """Remove the index rows of the completions `doomed` selects (a SELECT of ids); before they are deleted."""
    conn.execute(
        delete(completion_metadata).where(
            completion_metadata.c.organization_id == org, completion_metadata.c.completion_id.in_(doomed)
        )
    )
    if conn.dialect.name == "sqlite":
        ids = [r[0] for r in conn.execute(doomed)]
        if ids:
            rowids = list(_sqlite_rowids(conn, org, ids).values())
            conn.execute(
                text("DELETE FROM completion_search WHERE rowid IN :r").bindparams(bindparam("r", expanding=True)),
                {"r": rowids},
            )
    else:
        conn.execute(
            delete(completion_search).where(
                completion_search.c.organization_id == org, completion_search.c.completion_id.in_(doomed)
            )
        )
