"""CompletionStore: the domain's completion store (domain/stores.py) on SQLAlchemy, composed of one module per job.

Each call opens its connection or write transaction here and hands it on:
- completion_writes.py: the upsert fold (domain.upsert_merge applied to a batch) and the field update;
- bulk_writes.py: primary-key lookups and the compiled upserts, whose ON CONFLICT guard keeps the
  late-`started` rule across processes (a client-chosen id never duplicates a row: the primary key);
- completion_rows.py: record <-> row mapping, and reading records with their content;
- completion_reads.py, completion_listing.py, completion_query_sql.py, completion_aggregates.py: the queries;
- completion_deletes.py: delete and prune; change_feed.py: what the live tail polls.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from tenlog_server.domain.completion_aggregates import AggregateGroup
from tenlog_server.domain.completion_query import CompletionQuery, QueryPage
from tenlog_server.domain.model import CompletionFilter, CompletionRecord, Page, UpsertResult
from tenlog_server.domain.stores import FieldChanges
from tenlog_server.domain.tag_selector import TagSelector

from . import completion_deletes, completion_reads, completion_writes, message_codec
from .completion_aggregates import aggregate
from .database import write_transaction


class CompletionStore:
    """Reads and writes completions for one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- writes -------------------------------------------------------------

    def upsert_batch(self, items: Sequence[tuple[str, CompletionRecord]]) -> list[UpsertResult]:
        """Create or replace many completions in one transaction; results are in input order.

        Items may repeat an id (a started and a finished write coalesced into one
        batch); they are applied in order.
        """
        # Hashing the pieces happens before the write lock is taken; only new content is compressed inside it.
        splits = {id(rec): message_codec.split(rec.request, rec.response) for _, rec in items}
        with write_transaction(self.engine) as conn:
            return completion_writes.upsert_batch(conn, items, splits)

    def update(self, org: str, completion_id: str, changes: FieldChanges) -> CompletionRecord | None:
        """Set fields of one completion (or those a function of it gives); None when it does not exist."""
        with write_transaction(self.engine) as conn:
            return completion_writes.update_fields(conn, org, completion_id, changes)

    # -- reads --------------------------------------------------------------

    def get_many(self, org: str, ids: Sequence[str]) -> dict[str, CompletionRecord]:
        """The completions of the organization among ids, by id (one indexed lookup)."""
        if not ids:
            return {}
        with self.engine.connect() as conn:
            found = completion_reads.records_by_key(conn, {(org, i) for i in ids})
            return {cid: rec for (_, cid), rec in found.items()}

    def get(self, org: str, completion_id: str) -> CompletionRecord | None:
        """One completion of the organization, or None."""
        with self.engine.connect() as conn:
            return completion_reads.get_record(conn, org, completion_id)

    def existing_ids(self, org: str, ids: Sequence[str]) -> set[str]:
        """The subset of ids that exist in the organization."""
        if not ids:
            return set()
        with self.engine.connect() as conn:
            return completion_reads.existing_ids(conn, org, ids)

    def list_completions(self, org: str, flt: CompletionFilter, page: Page) -> list[CompletionRecord]:
        """Completions matching the filter, newest first."""
        with self.engine.connect() as conn:
            return completion_reads.list_completions(conn, org, flt, page)

    def query_completions(self, org: str, query: CompletionQuery, page: QueryPage) -> list[CompletionRecord]:
        """A page of the completions matching a query (filter, search, fixed fields), in its order."""
        with self.engine.connect() as conn:
            return completion_reads.query_completions(conn, org, query, page)

    def aggregate(
        self, org: str, query: CompletionQuery, group_by: Sequence[str], interval_us: int | None
    ) -> list[AggregateGroup]:
        """Counts, sums and exact duration percentiles of the query's completions, by group and time bucket."""
        with self.engine.connect() as conn:
            return aggregate(conn, org, query, group_by, interval_us)

    def ids_matching_tags(self, org: str, selector: TagSelector, limit: int) -> list[str]:
        """Ids of up to `limit` completions the selector matches, newest first."""
        with self.engine.connect() as conn:
            return completion_reads.ids_matching_tags(conn, org, selector, limit)

    def list_ungraded(self, org: str, selectors: Sequence[TagSelector], page: Page) -> list[CompletionRecord]:
        """Completions matching any tag selector that have no feedback yet, newest first (domain.ungraded)."""
        with self.engine.connect() as conn:
            return completion_reads.list_ungraded(conn, org, selectors, page)

    def organizations_with_completions(self) -> list[str]:
        """Every organization id that has completions, one index seek per organization."""
        with self.engine.connect() as conn:
            return completion_reads.organizations_with_completions(conn)

    # -- deletes ------------------------------------------------------------

    def delete(self, org: str, completion_id: str) -> bool:
        """Delete one completion with its tag rows and feedback links, in one transaction; False if absent."""
        with write_transaction(self.engine) as conn:
            return completion_deletes.delete_completions(conn, org, [completion_id]) == 1

    def delete_created_before(self, org: str, cutoff_us: int, limit: int) -> int:
        """Delete up to `limit` of the organization's completions created before cutoff_us, oldest first.

        One transaction per call, so a large prune is many short ones: the SQLite
        write lock is never held for long and memory stays at one batch of ids.
        Returns how many were deleted; fewer than `limit` means none are left.
        """
        with write_transaction(self.engine) as conn:
            return completion_deletes.delete_created_before(conn, org, cutoff_us, limit)
