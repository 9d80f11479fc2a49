"""Export pages and verbatim imports of an organization's rows (completions, feedback, tasks, sessions).

Exports read keyset pages in ascending id order through each table's primary
key (organization_id, id), so a page costs the same wherever it starts and a
stream is resumed from the last id it delivered. Imports write rows as
exported, keeping ids and times, and replace a row whose id exists: importing
the same rows twice leaves the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, func, select, update

from tenlog_server.domain.completion_query import CompletionQuery
from tenlog_server.domain.model import (
    CompletionRecord,
    FeedbackRecord,
    FeedbackTaskRecord,
    SessionRecord,
)

from . import message_codec
from .bulk_writes import dialect_insert, graded_ids, lookup_ids
from .completion_query_sql import query_sql
from .completion_rollups import (
    ROLLUP_COLUMNS,
    Contribution,
    apply_contributions,
    contribution_of,
    contribution_of_row,
)
from .completion_rows import read_records, record_to_row, tag_rows
from .content_store import change_references, reference_delta
from .database import write_transaction
from .json_columns import dump_json, load_json
from .read_index import index_completions
from .schema import Completion, CompletionTag, Feedback, FeedbackCompletion, FeedbackTask, Session

completions = cast(Table, Completion.__table__)
completion_tags = cast(Table, CompletionTag.__table__)
sessions = cast(Table, Session.__table__)
tasks = cast(Table, FeedbackTask.__table__)
feedback = cast(Table, Feedback.__table__)
links = cast(Table, FeedbackCompletion.__table__)


def _upsert_all(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows, replacing every non-key column of a row whose key exists."""
    keys = {c.name for c in table.primary_key.columns}
    stmt = dialect_insert(conn)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=sorted(keys), set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    )
    conn.execute(stmt, rows)


class TransferStore:
    """Export pages and imports for one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- completions --------------------------------------------------------

    def count(self, what: str, org: str, after: str, query: CompletionQuery | None = None) -> int:
        """How many rows of a table (completions, sessions, feedback_tasks, feedback) an export will send."""
        table = {"completions": completions, "sessions": sessions, "feedback_tasks": tasks, "feedback": feedback}[what]
        with self.engine.connect() as conn:
            if query is not None:
                matches = query_sql(conn, org, query, None, [completions.c.id], whole=True)
                if after:
                    matches = matches.where(completions.c.id > after)
                return int(conn.execute(select(func.count()).select_from(matches.subquery())).scalar_one())
            counted = select(func.count()).select_from(table).where(table.c.organization_id == org)
            if after:
                counted = counted.where(table.c.id > after)
            return int(conn.execute(counted).scalar_one())

    def completions_page(self, org: str, query: CompletionQuery, after: str, limit: int) -> list[CompletionRecord]:
        """Up to `limit` completions matching the query (the listing's filter and search) after `after`, by id."""
        with self.engine.connect() as conn:
            statement = query_sql(conn, org, query, None)  # the listing's WHERE, without its order
            if after:
                statement = statement.where(completions.c.id > after)
            statement = statement.order_by(completions.c.id).limit(limit)
            # Rows and their stored content in two statements, retried if a delete slips between them.
            return read_records(conn, lambda: conn.execute(statement))

    def import_completions(self, org: str, recs: Sequence[CompletionRecord]) -> None:
        """Write completions as given (ids, times, cost kept) in one transaction; existing ids are replaced.

        Their tag, search and metadata index rows are rebuilt (graded where feedback
        is attached), the aggregate rollups trade a replaced row's share for the new
        one's, and sessions they name that do not exist are created at the
        completion's time: as ingest does, in the same transaction.
        """
        final = {rec.id: rec for rec in recs}  # the last row of an id wins, as a second import would
        # Messages are cut into content-addressed pieces before the write lock is taken, as ingest does.
        splits = {cid: message_codec.split(rec.request, rec.response) for cid, rec in final.items()}
        with write_transaction(self.engine) as conn:
            ids = list(final)
            before: dict[str, Contribution] = {}
            old_refs: list[bytes] = []
            for row in lookup_ids(conn, f"id, content_refs, {', '.join(ROLLUP_COLUMNS)}", org, ids):
                before[row.id] = contribution_of_row(row)
                old_refs.extend(message_codec.ref_hashes(row.content_refs))
            pieces = {h: piece for split in splits.values() for h, piece in split.pieces.items()}
            added = [h for split in splits.values() for h in split.hashes]
            change_references(conn, org, reference_delta(added, old_refs), pieces)
            _upsert_all(conn, completions, [record_to_row(org, rec, splits[cid]) for cid, rec in final.items()])
            conn.execute(
                delete(completion_tags).where(
                    completion_tags.c.organization_id == org, completion_tags.c.completion_id.in_(ids)
                )
            )
            graded = graded_ids(conn, org, ids)
            tags = [row for rec in final.values() for row in tag_rows(org, rec, rec.id in graded)]
            if tags:
                conn.execute(completion_tags.insert(), tags)
            index_completions(conn, {(org, cid): rec for cid, rec in final.items()}, [(org, cid) for cid in before])
            apply_contributions(
                conn,
                [
                    *((org, share, -1) for share in before.values()),
                    *((org, contribution_of(rec), 1) for rec in final.values()),
                ],
            )
            first_seen: dict[str, int] = {}
            for rec in final.values():
                if rec.session_id:
                    seen = first_seen.get(rec.session_id, rec.created_at_us)
                    first_seen[rec.session_id] = min(seen, rec.created_at_us)
            if first_seen:
                conn.execute(
                    dialect_insert(conn)(sessions).on_conflict_do_nothing(),
                    [{"organization_id": org, "id": s, "created_at_us": t} for s, t in first_seen.items()],
                )

    # -- sessions -----------------------------------------------------------

    def sessions_page(self, org: str, after: str, limit: int) -> list[SessionRecord]:
        """Up to `limit` sessions whose id sorts after `after`, by ascending id."""
        query = select(sessions.c.id, sessions.c.created_at_us).where(sessions.c.organization_id == org)
        if after:
            query = query.where(sessions.c.id > after)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(sessions.c.id).limit(limit))
            return [SessionRecord(r.id, r.created_at_us) for r in rows]

    def import_sessions(self, org: str, recs: Sequence[SessionRecord]) -> None:
        """Write sessions as given; an existing id takes the imported creation time."""
        rows = {r.id: {"organization_id": org, "id": r.id, "created_at_us": r.created_at_us} for r in recs}
        with write_transaction(self.engine) as conn:
            _upsert_all(conn, sessions, list(rows.values()))

    # -- feedback tasks -----------------------------------------------------

    def tasks_page(self, org: str, after: str, limit: int) -> list[FeedbackTaskRecord]:
        """Up to `limit` feedback tasks whose id sorts after `after`, by ascending id."""
        query = select(tasks).where(tasks.c.organization_id == org)
        if after:
            query = query.where(tasks.c.id > after)
        with self.engine.connect() as conn:
            return [
                FeedbackTaskRecord(
                    id=r.id,
                    name=r.name,
                    instruction=r.instruction,
                    json_schema=load_json(r.json_schema),
                    completion_tags_selector=load_json(r.completion_tags_selector),
                    created_at_us=r.created_at_us,
                )
                for r in conn.execute(query.order_by(tasks.c.id).limit(limit))
            ]

    def import_tasks(self, org: str, recs: Sequence[FeedbackTaskRecord]) -> None:
        """Write feedback tasks as given; an existing id is replaced."""
        rows = {
            t.id: {
                "organization_id": org,
                "id": t.id,
                "name": t.name,
                "instruction": t.instruction,
                "json_schema": dump_json(t.json_schema),
                "completion_tags_selector": dump_json(t.completion_tags_selector),
                "created_at_us": t.created_at_us,
            }
            for t in recs
        }
        with write_transaction(self.engine) as conn:
            _upsert_all(conn, tasks, list(rows.values()))

    def existing_task_ids(self, org: str, ids: Sequence[str]) -> set[str]:
        """The ids among `ids` that name feedback tasks of the organization."""
        query = select(tasks.c.id).where(tasks.c.organization_id == org, tasks.c.id.in_(set(ids)))
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(query)}

    # -- feedback -----------------------------------------------------------

    def feedback_page(self, org: str, after: str, limit: int) -> list[FeedbackRecord]:
        """Up to `limit` pieces of feedback (with their completion ids) whose id sorts after `after`."""
        query = select(feedback).where(feedback.c.organization_id == org)
        if after:
            query = query.where(feedback.c.id > after)
        with self.engine.connect() as conn:
            out = [
                FeedbackRecord(
                    id=r.id,
                    task_id=r.task_id,
                    json_values=load_json(r.json_values),
                    comment=r.comment,
                    completions_summary=r.completions_summary,
                    created_at_us=r.created_at_us,
                )
                for r in conn.execute(query.order_by(feedback.c.id).limit(limit))
            ]
            if out:
                by_id = {f.id: f for f in out}
                link_rows = conn.execute(
                    select(links.c.feedback_id, links.c.completion_id)
                    .where(links.c.organization_id == org, links.c.feedback_id.in_(list(by_id)))
                    .order_by(links.c.feedback_id, links.c.position)
                )
                for fid, cid in link_rows:
                    by_id[fid].matched_completion_ids.append(cid)
        return out

    def import_feedback(self, org: str, recs: Sequence[FeedbackRecord]) -> None:
        """Write feedback as given with its links, in one transaction; an existing id is replaced.

        Links to completions the organization does not have are left out; the
        linked completions' tag rows are marked graded.
        """
        final = {f.id: f for f in recs}
        wanted = {cid for f in final.values() for cid in f.matched_completion_ids}
        with write_transaction(self.engine) as conn:
            present: set[str] = set()
            if wanted:
                found = conn.execute(
                    select(completions.c.id).where(completions.c.organization_id == org, completions.c.id.in_(wanted))
                )
                present = {r[0] for r in found}
            _upsert_all(
                conn,
                feedback,
                [
                    {
                        "organization_id": org,
                        "id": f.id,
                        "task_id": f.task_id,
                        "json_values": dump_json(f.json_values),
                        "comment": f.comment,
                        "completions_summary": f.completions_summary,
                        "created_at_us": f.created_at_us,
                    }
                    for f in final.values()
                ],
            )
            conn.execute(delete(links).where(links.c.organization_id == org, links.c.feedback_id.in_(list(final))))
            link_rows = [
                {"organization_id": org, "feedback_id": f.id, "completion_id": cid, "position": i}
                for f in final.values()
                for i, cid in enumerate(dict.fromkeys(c for c in f.matched_completion_ids if c in present))
            ]
            if link_rows:
                conn.execute(links.insert(), link_rows)
                conn.execute(
                    update(completion_tags)
                    .where(
                        completion_tags.c.organization_id == org,
                        completion_tags.c.completion_id.in_({r["completion_id"] for r in link_rows}),
                    )
                    .values(graded=True)
                )
