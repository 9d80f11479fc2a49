"""Writing completions: the upsert fold (domain.upsert_merge applied to a batch) and the field update.

Each write keeps the row's companions in the same transaction: content
references, tag rows, the search index, the rollups and named sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from sqlalchemy import Connection, Table, delete, select, update

from tenlog_server.domain.model import CompletionRecord, UpsertResult
from tenlog_server.domain.stores import FieldChanges
from tenlog_server.domain.upsert_merge import Stored, merge_batch

from . import message_codec
from .bulk_writes import ensure_sessions, graded_ids, insert_tags, lock_ids, lookup_ids, upsert_rows
from .completion_reads import records_by_key
from .completion_rollups import (
    ROLLUP_COLUMNS,
    Contribution,
    apply_contributions,
    contribution_of,
    contribution_of_row,
)
from .completion_rows import DATA_COLUMNS, record_to_row, rows_to_records, tag_rows
from .content_store import change_references, reference_delta
from .read_index import index_completions
from .schema import Completion, CompletionTag

completions = cast(Table, Completion.__table__)
completion_tags = cast(Table, CompletionTag.__table__)


def upsert_batch(
    conn: Connection,
    items: Sequence[tuple[str, CompletionRecord]],
    splits: dict[int, message_codec.SplitDocuments],
) -> list[UpsertResult]:
    """Create or replace many completions on a write transaction; results are in input order.

    splits holds each record's messages as message_codec.split cut them, by id() of the record.
    """
    lock_ids(conn, ((org, rec.id) for org, rec in items))
    by_org: dict[str, list[str]] = {}
    for org, rec in items:
        by_org.setdefault(org, []).append(rec.id)
    existing: dict[tuple[str, str], Stored] = {}
    before: dict[tuple[str, str], Contribution] = {}  # what replaced rows added to the rollups
    old_refs: dict[tuple[str, str], list[bytes]] = {}
    for org, ids in by_org.items():
        for row in lookup_ids(conn, f"id, content_refs, {', '.join(ROLLUP_COLUMNS)}", org, ids):
            existing[(org, row.id)] = Stored(row.status, row.created_at_us)
            before[(org, row.id)] = contribution_of_row(row)
            old_refs[(org, row.id)] = message_codec.ref_hashes(row.content_refs)

    merged = merge_batch(items, existing)
    final, results = merged.writes, merged.results
    final_split = {key: splits[id(source)] for key, source in merged.sources.items()}
    if merged.unchanged:
        stored = records_by_key(conn, merged.unchanged)
        for i, (org, rec) in enumerate(items):
            if results[i].record is rec and (org, rec.id) in stored:
                results[i] = UpsertResult(stored[(org, rec.id)], created=False, applied=False)

    if final:
        # Count the references of what now stands against those of the rows it replaces.
        for org in {o for o, _ in final}:
            pieces: dict[bytes, bytes] = {}
            added: list[bytes] = []
            removed: list[bytes] = []
            for (o, cid), split in final_split.items():
                if o == org:
                    pieces.update(split.pieces)
                    added.extend(split.hashes)
                    removed.extend(old_refs.get((o, cid), ()))
            change_references(conn, org, reference_delta(added, removed), pieces)
        rows = [record_to_row(key[0], rec, final_split[key]) for key, rec in final.items()]
        upsert_rows(conn, rows)
        replaced = [k for k in final if k in existing]
        graded: set[tuple[str, str]] = set()
        for org in {o for o, _ in replaced}:
            ids = [c for o, c in replaced if o == org]
            conn.execute(
                delete(completion_tags).where(
                    completion_tags.c.organization_id == org, completion_tags.c.completion_id.in_(ids)
                )
            )
            graded |= {(org, c) for c in graded_ids(conn, org, ids)}
        rows = [row for (org, cid), rec in final.items() for row in tag_rows(org, rec, (org, cid) in graded)]
        if rows:
            insert_tags(conn, rows)
        index_completions(conn, final, replaced)
        apply_contributions(
            conn,
            [
                *((org, before[(org, cid)], -1) for org, cid in replaced),
                *((org, contribution_of(rec), 1) for (org, _), rec in final.items()),
            ],
        )
        now = max(rec.updated_at_us for rec in final.values())
        ensure_sessions(conn, ((org, rec.session_id) for (org, _), rec in final.items()), now)
    return results


def update_fields(conn: Connection, org: str, completion_id: str, wanted: FieldChanges) -> CompletionRecord | None:
    """Replace fields of one completion on a write transaction; None when it does not exist.

    `wanted` is the fields, or a function of the stored completion giving them (see the domain's Protocol).
    """
    query = select(completions).where(completions.c.organization_id == org, completions.c.id == completion_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        return None
    # The row is locked (PostgreSQL) or every writer waits (SQLite): its content cannot go meanwhile.
    rec = rows_to_records(conn, [row])[0]
    changes = wanted(replace(rec)) if callable(wanted) else wanted
    if not changes:
        return rec
    before = message_codec.split(rec.request, rec.response)
    for name, value in changes.items():
        setattr(rec, name, value)
    stored = message_codec.split(rec.request, rec.response)
    delta = reference_delta(stored.hashes, before.hashes)
    change_references(conn, org, delta, stored.pieces)
    values = record_to_row(org, rec, stored)
    conn.execute(
        update(completions)
        .where(completions.c.organization_id == org, completions.c.id == completion_id)
        .values({k: v for k, v in values.items() if k in DATA_COLUMNS})
    )
    if "tags" in changes:
        conn.execute(
            delete(completion_tags).where(
                completion_tags.c.organization_id == org,
                completion_tags.c.completion_id == completion_id,
            )
        )
        rows = tag_rows(org, rec, bool(graded_ids(conn, org, [completion_id])))
        if rows:
            insert_tags(conn, rows)
    if {"request", "response", "metadata"} & changes.keys():
        index_completions(conn, {(org, completion_id): rec}, [(org, completion_id)])
    if set(ROLLUP_COLUMNS) & changes.keys():
        apply_contributions(conn, [(org, contribution_of_row(row), -1), (org, contribution_of(rec), 1)])
    if "session_id" in changes:
        ensure_sessions(conn, [(org, rec.session_id)], rec.updated_at_us)
    return rec
