"""Reading completions: the get, list, query and ungraded entry points, each on an open connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Connection, Table, func, select

from tenlog_server.domain.completion_query import CompletionQuery, QueryPage
from tenlog_server.domain.model import CompletionFilter, CompletionRecord, Page
from tenlog_server.domain.tag_selector import TagSelector

from .bulk_writes import lookup_ids
from .completion_listing import filtered_query, ungraded_keys
from .completion_query_sql import query_sql
from .completion_rows import read_records
from .schema import Completion
from .tag_rarity import rarest_first

completions = cast(Table, Completion.__table__)


def records_by_key(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], CompletionRecord]:
    """The completions among (organization, id) keys that exist, by key (one indexed lookup per organization)."""
    out: dict[tuple[str, str], CompletionRecord] = {}
    for org in {o for o, _ in keys}:
        ids = [c for o, c in keys if o == org]
        for rec in read_records(conn, lambda org=org, ids=ids: lookup_ids(conn, "*", org, ids)):  # type: ignore[misc]
            out[(org, rec.id)] = rec
    return out


def get_record(conn: Connection, org: str, completion_id: str) -> CompletionRecord | None:
    """One completion of the organization, or None."""
    # Through the primary key (lookup_ids): SQLite would otherwise pick a listing index.
    found = read_records(conn, lambda: lookup_ids(conn, "*", org, [completion_id], lock=False))
    return found[0] if found else None


def existing_ids(conn: Connection, org: str, ids: Sequence[str]) -> set[str]:
    """The subset of ids that exist in the organization."""
    return {r[0] for r in lookup_ids(conn, "id", org, ids)}


def list_completions(conn: Connection, org: str, flt: CompletionFilter, page: Page) -> list[CompletionRecord]:
    """Completions matching the filter, newest first."""
    query = filtered_query(org, flt, page, selector=rarest_first(conn, org, flt.selector))
    return read_records(conn, lambda: conn.execute(query))


def query_completions(conn: Connection, org: str, query: CompletionQuery, page: QueryPage) -> list[CompletionRecord]:
    """A page of the completions matching a query (filter, search, fixed fields), in its order."""
    statement = query_sql(conn, org, query, page)
    return read_records(conn, lambda: conn.execute(statement))


def ids_matching_tags(conn: Connection, org: str, selector: TagSelector, limit: int) -> list[str]:
    """Ids of up to `limit` completions the selector matches, newest first."""
    query = filtered_query(
        org,
        CompletionFilter(),
        Page(limit=limit),
        [completions.c.id],
        selector=rarest_first(conn, org, selector),
    )
    return [r[0] for r in conn.execute(query)]


def list_ungraded(conn: Connection, org: str, selectors: Sequence[TagSelector], page: Page) -> list[CompletionRecord]:
    """Completions matching any tag selector that have no feedback yet, newest first (domain.ungraded).

    Each selector is its own query driven by the (organization, tag, time, id,
    graded) index, which skips graded rows without reading the table; the
    pages are merged on keys and only the final page is loaded.
    """
    window = Page(limit=page.offset + page.limit, after=page.after)
    keys: set[tuple[int, str]] = set()
    for selector in set(selectors):
        if selector:
            query = ungraded_keys(org, rarest_first(conn, org, selector), window)
        else:  # a task without a selector asks about every completion
            columns = [completions.c.created_at_us, completions.c.id]
            query = filtered_query(org, CompletionFilter(), window, columns, ungraded=True)
        keys.update(tuple(r) for r in conn.execute(query))
    # Merge on keys; only the page itself is loaded (and its JSON parsed).
    wanted = [cid for _, cid in sorted(keys, reverse=True)[page.offset : page.offset + page.limit]]
    rows = records_by_key(conn, {(org, cid) for cid in wanted})
    return [rows[(org, cid)] for cid in wanted]


def organizations_with_completions(conn: Connection) -> list[str]:
    """Every organization id that has completions, one index seek per organization."""
    found: list[str] = []
    while True:
        query = select(func.min(completions.c.organization_id))
        if found:
            query = query.where(completions.c.organization_id > found[-1])
        org = conn.execute(query).scalar()
        if org is None:
            return found
        found.append(org)
