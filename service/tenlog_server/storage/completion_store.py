"""Completion queries and the batched upsert behind CreateCompletion.

The upsert applies domain.upsert_merge, and keeps its two cross-process rules in
the database itself too: a client-chosen id never duplicates a row (the primary
key), and a late `started` write never moves a finished or failed completion
back (the ON CONFLICT guard).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from tenlog_server.domain.completion_aggregates import AggregateGroup
from tenlog_server.domain.completion_query import CompletionQuery, QueryPage
from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import TERMINAL_STATUSES, CompletionFilter, CompletionRecord, Page, UpsertResult
from tenlog_server.domain.tag_selector import TagSelector
from tenlog_server.domain.upsert_merge import Stored, merge_batch

from . import message_codec
from .completion_aggregates import aggregate
from .completion_query_sql import query_sql
from .completion_rollups import (
    ROLLUP_COLUMNS,
    Contribution,
    apply_contributions,
    contribution_of,
    contribution_of_row,
)
from .content_store import change_references, load_pieces, reference_delta
from .database import write_transaction
from .json_columns import dump_json, load_json
from .paging import newest_first
from .read_index import forget_completions, index_completions
from .schema import Completion, CompletionTag, FeedbackCompletion, Session
from .tag_rarity import rarest_first

completions = cast(Table, Completion.__table__)
completion_tags = cast(Table, CompletionTag.__table__)
sessions = cast(Table, Session.__table__)
feedback_completions = cast(Table, FeedbackCompletion.__table__)

_DATA_COLUMNS = [c.name for c in completions.columns if c.name not in ("organization_id", "id", "created_at_us")]


def _encoded(document: Document | None) -> bytes | None:
    return None if document is None else document.encoded


def _document(encoded: bytes | None) -> Document | None:
    return None if encoded is None else Document(encoded)


def record_to_row(org: str, rec: CompletionRecord, stored: message_codec.SplitDocuments) -> dict[str, Any]:
    """Map a record onto the completions table's columns, its request/response as split into stored.

    The pieces stored names must be counted in the same transaction
    (content_store.change_references), or the row's references dangle.
    """
    return {
        "organization_id": org,
        "id": rec.id,
        "kind": rec.kind,
        "status": rec.status,
        "tags": dump_json(rec.tags),
        "request": stored.request,
        "response": stored.response,
        "content_refs": stored.refs,
        "stacktrace": dump_json(rec.stacktrace) if rec.stacktrace else None,
        "session_id": rec.session_id,
        "duration": rec.duration,
        "failure_kind": rec.failure_kind,
        "failure_reason": rec.failure_reason,
        "model": rec.model,
        "prompt_tokens": rec.prompt_tokens,
        "completion_tokens": rec.completion_tokens,
        "total_tokens": rec.total_tokens,
        "cached_tokens": rec.cached_tokens,
        "reasoning_tokens": rec.reasoning_tokens,
        "cost": rec.cost,
        "source": rec.source,
        "metadata": _encoded(rec.metadata),
        "extra": _encoded(rec.extra),
        "reported_organization_id": rec.reported_organization_id,
        "created_at_us": rec.created_at_us,
        "updated_at_us": rec.updated_at_us,
    }


def row_to_record(row: Row[Any], pieces: Mapping[bytes, bytes]) -> CompletionRecord:
    """Map a completions row back onto a record; pieces holds the content its references name (rows_to_records)."""
    m = row._mapping
    refs = message_codec.decode_refs(m["content_refs"])
    return CompletionRecord(
        id=m["id"],
        organization_id=m["organization_id"],
        kind=m["kind"],
        status=m["status"],
        tags=load_json(m["tags"]) or [],
        request=message_codec.join(m["request"], message_codec.REQUEST, refs, pieces),
        response=message_codec.join(m["response"], message_codec.RESPONSE, refs, pieces),
        stacktrace=load_json(m["stacktrace"]) or [],
        session_id=m["session_id"],
        duration=m["duration"],
        failure_kind=m["failure_kind"],
        failure_reason=m["failure_reason"],
        model=m["model"],
        prompt_tokens=m["prompt_tokens"],
        completion_tokens=m["completion_tokens"],
        total_tokens=m["total_tokens"],
        cached_tokens=m["cached_tokens"],
        reasoning_tokens=m["reasoning_tokens"],
        cost=m["cost"],
        source=m["source"],
        metadata=_document(m["metadata"]),
        extra=_document(m["extra"]),
        reported_organization_id=m["reported_organization_id"],
        created_at_us=m["created_at_us"],
        updated_at_us=m["updated_at_us"],
    )


class ContentMissing(Exception):
    """A row names content that is gone: a delete or update committed between reading the row and its content."""


def rows_to_records(conn: Connection, rows: Sequence[Row[Any]]) -> list[CompletionRecord]:
    """Records of completions rows, with the content their references name loaded in one query per organization."""
    wanted: dict[str, set[bytes]] = {}
    for row in rows:
        refs = row._mapping["content_refs"]
        if refs:
            wanted.setdefault(row._mapping["organization_id"], set()).update(message_codec.ref_hashes(refs))
    pieces: dict[bytes, bytes] = {}
    for org, hashes in wanted.items():
        pieces.update(load_pieces(conn, org, hashes))  # a hash names the same bytes in every organization
    try:
        return [row_to_record(row, pieces) for row in rows]
    except KeyError as exc:
        raise ContentMissing from exc


_READ_ATTEMPTS = 5


def read_records(conn: Connection, run: Callable[[], Any]) -> list[CompletionRecord]:
    """Run a query of completions rows and return their records.

    Rows and content are two statements; a delete committing between them can
    take content a row just read names. That row is then gone or changed too,
    so the read is simply run again.
    """
    for attempt in range(_READ_ATTEMPTS):
        try:
            return rows_to_records(conn, run().all())
        except ContentMissing:
            if attempt == _READ_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


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
        set_={name: stmt.excluded[name] for name in _DATA_COLUMNS},
        # domain.upsert_merge.started_may_replace in SQL: defends the late-`started` rule against a
        # writer in another process that committed between our lookup and this statement.
        where=or_(stmt.excluded.status != "started", and_(*(completions.c.status != s for s in TERMINAL_STATUSES))),
    )


def upsert_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """INSERT or replace completion rows (record_to_row), except where the late-`started` guard refuses."""
    execute_many(conn, "upsert_completions", _upsert_statement, rows)


def _insert_tags_statement(conn: Connection) -> Any:
    return dialect_insert(conn)(completion_tags).on_conflict_do_nothing()


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


def tag_rows(org: str, rec: CompletionRecord, graded: bool) -> list[dict[str, Any]]:
    """The tag-index rows of one completion."""
    return [
        {
            "organization_id": org,
            "completion_id": rec.id,
            "tag": tag,
            "created_at_us": rec.created_at_us,
            "graded": graded,
        }
        for tag in dict.fromkeys(rec.tags)
    ]


def graded_ids(conn: Connection, org: str, ids: Sequence[str]) -> set[str]:
    """The ids among `ids` that have feedback attached."""
    query = select(feedback_completions.c.completion_id).where(
        feedback_completions.c.organization_id == org, feedback_completions.c.completion_id.in_(set(ids))
    )
    return {r[0] for r in conn.execute(query)}


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
            return self._upsert(conn, items, splits)

    def _upsert(
        self,
        conn: Connection,
        items: Sequence[tuple[str, CompletionRecord]],
        splits: dict[int, message_codec.SplitDocuments],
    ) -> list[UpsertResult]:
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
            stored = self._get_many(conn, merged.unchanged)
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
            execute_many(conn, "upsert_completions", _upsert_statement, rows)
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
                execute_many(conn, "insert_tags", _insert_tags_statement, rows)
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

    def update(self, org: str, completion_id: str, changes: dict[str, Any]) -> CompletionRecord | None:
        """Replace the given fields of one completion; None when it does not exist."""
        with write_transaction(self.engine) as conn:
            query = select(completions).where(completions.c.organization_id == org, completions.c.id == completion_id)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None:
                return None
            # The row is locked (PostgreSQL) or every writer waits (SQLite): its content cannot go meanwhile.
            rec = rows_to_records(conn, [row])[0]
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
                .values({k: v for k, v in values.items() if k in _DATA_COLUMNS})
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
                    execute_many(conn, "insert_tags", _insert_tags_statement, rows)
            if {"request", "response", "metadata"} & changes.keys():
                index_completions(conn, {(org, completion_id): rec}, [(org, completion_id)])
            if set(ROLLUP_COLUMNS) & changes.keys():
                apply_contributions(conn, [(org, contribution_of_row(row), -1), (org, contribution_of(rec), 1)])
            if "session_id" in changes:
                ensure_sessions(conn, [(org, rec.session_id)], rec.updated_at_us)
            return rec

    # -- reads --------------------------------------------------------------

    def _get_many(self, conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], CompletionRecord]:
        out: dict[tuple[str, str], CompletionRecord] = {}
        for org in {o for o, _ in keys}:
            ids = [c for o, c in keys if o == org]
            for rec in read_records(conn, lambda org=org, ids=ids: lookup_ids(conn, "*", org, ids)):  # type: ignore[misc]
                out[(org, rec.id)] = rec
        return out

    def get_many(self, org: str, ids: Sequence[str]) -> dict[str, CompletionRecord]:
        """The completions of the organization among ids, by id (one indexed lookup)."""
        if not ids:
            return {}
        with self.engine.connect() as conn:
            return {cid: rec for (_, cid), rec in self._get_many(conn, {(org, i) for i in ids}).items()}

    def get(self, org: str, completion_id: str) -> CompletionRecord | None:
        """One completion of the organization, or None."""
        with self.engine.connect() as conn:
            # Through the primary key (lookup_ids): SQLite would otherwise pick a listing index.
            found = read_records(conn, lambda: lookup_ids(conn, "*", org, [completion_id], lock=False))
            return found[0] if found else None

    def existing_ids(self, org: str, ids: Sequence[str]) -> set[str]:
        """The subset of ids that exist in the organization."""
        if not ids:
            return set()
        with self.engine.connect() as conn:
            return {r[0] for r in lookup_ids(conn, "id", org, ids)}

    def list_completions(self, org: str, flt: CompletionFilter, page: Page) -> list[CompletionRecord]:
        """Completions matching the filter, newest first."""
        with self.engine.connect() as conn:
            query = _filtered(org, flt, page, selector=rarest_first(conn, org, flt.selector))
            return read_records(conn, lambda: conn.execute(query))

    def query_completions(self, org: str, query: CompletionQuery, page: QueryPage) -> list[CompletionRecord]:
        """A page of the completions matching a query (filter, search, fixed fields), in its order."""
        with self.engine.connect() as conn:
            statement = query_sql(conn, org, query, page)
            return read_records(conn, lambda: conn.execute(statement))

    def aggregate(
        self, org: str, query: CompletionQuery, group_by: Sequence[str], interval_us: int | None
    ) -> list[AggregateGroup]:
        """Counts, sums and exact duration percentiles of the query's completions, by group and time bucket."""
        with self.engine.connect() as conn:
            return aggregate(conn, org, query, group_by, interval_us)

    def ids_matching_tags(self, org: str, selector: TagSelector, limit: int) -> list[str]:
        """Ids of up to `limit` completions the selector matches, newest first."""
        with self.engine.connect() as conn:
            query = _filtered(
                org,
                CompletionFilter(),
                Page(limit=limit),
                [completions.c.id],
                selector=rarest_first(conn, org, selector),
            )
            return [r[0] for r in conn.execute(query)]

    def list_ungraded(self, org: str, selectors: Sequence[TagSelector], page: Page) -> list[CompletionRecord]:
        """Completions matching any tag selector that have no feedback yet, newest first (domain.ungraded).

        Each selector is its own query driven by the (organization, tag, time, id,
        graded) index, which skips graded rows without reading the table; the
        pages are merged on keys and only the final page is loaded.
        """
        window = Page(limit=page.offset + page.limit, after=page.after)
        keys: set[tuple[int, str]] = set()
        with self.engine.connect() as conn:
            for selector in set(selectors):
                if selector:
                    query = _ungraded_keys(org, rarest_first(conn, org, selector), window)
                else:  # a task without a selector asks about every completion
                    columns = [completions.c.created_at_us, completions.c.id]
                    query = _filtered(org, CompletionFilter(), window, columns, ungraded=True)
                keys.update(tuple(r) for r in conn.execute(query))
            # Merge on keys; only the page itself is loaded (and its JSON parsed).
            wanted = [cid for _, cid in sorted(keys, reverse=True)[page.offset : page.offset + page.limit]]
            rows = self._get_many(conn, {(org, cid) for cid in wanted})
        return [rows[(org, cid)] for cid in wanted]

    # -- deletes ------------------------------------------------------------

    def delete(self, org: str, completion_id: str) -> bool:
        """Delete one completion with its tag rows and feedback links, in one transaction; False if absent."""
        with write_transaction(self.engine) as conn:
            return _delete_completions(conn, org, [completion_id]) == 1

    def delete_created_before(self, org: str, cutoff_us: int, limit: int) -> int:
        """Delete up to `limit` of the organization's completions created before cutoff_us, oldest first.

        One transaction per call, so a large prune is many short ones: the SQLite
        write lock is never held for long and memory stays at one batch of ids.
        Returns how many were deleted; fewer than `limit` means none are left.
        """
        with write_transaction(self.engine) as conn:
            query = (
                select(completions.c.id)
                .where(completions.c.organization_id == org, completions.c.created_at_us < cutoff_us)
                .order_by(completions.c.created_at_us, completions.c.id)
                .limit(limit)
            )
            ids = [r[0] for r in conn.execute(query)]
            return _delete_completions(conn, org, ids, created_before_us=cutoff_us) if ids else 0

    def organizations_with_completions(self) -> list[str]:
        """Every organization id that has completions, one index seek per organization."""
        found: list[str] = []
        with self.engine.connect() as conn:
            while True:
                query = select(func.min(completions.c.organization_id))
                if found:
                    query = query.where(completions.c.organization_id > found[-1])
                org = conn.execute(query).scalar()
                if org is None:
                    return found
                found.append(org)


def _delete_completions(conn: Connection, org: str, ids: Sequence[str], created_before_us: int | None = None) -> int:
    """Delete these completions of the organization (only those created before the cutoff, if given).

    Links and tag rows go first: feedback_completions references completions
    without a cascade. On PostgreSQL the completions are locked first, so an
    UploadFeedback racing the delete cannot link to a row about to vanish. The
    cutoff is re-checked inside the write because SQLite runs the SELECT that
    chose the ids outside the transaction.
    """
    conditions = [completions.c.organization_id == org, completions.c.id.in_(ids)]
    if created_before_us is not None:
        conditions.append(completions.c.created_at_us < created_before_us)
    chosen = select(completions.c.id, completions.c.content_refs).where(*conditions)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update()
    found = conn.execute(chosen).all()
    if not found:
        return 0
    conditions = [completions.c.organization_id == org, completions.c.id.in_([r[0] for r in found])]
    removed = [h for _, refs in found for h in message_codec.ref_hashes(refs)]
    # Content counts change before the rollups, as in a write: every transaction takes completions,
    # then content, then rollup rows, so a delete and a write cannot deadlock on them.
    change_references(conn, org, reference_delta([], removed), {})  # content no completion names any more goes
    doomed = select(completions.c.id).where(*conditions)
    forget_completions(conn, org, doomed)
    gone = conn.execute(select(*(completions.c[name] for name in ROLLUP_COLUMNS)).where(*conditions))
    apply_contributions(conn, [(org, contribution_of_row(row), -1) for row in gone])
    conn.execute(
        delete(feedback_completions).where(
            feedback_completions.c.organization_id == org, feedback_completions.c.completion_id.in_(doomed)
        )
    )
    conn.execute(
        delete(completion_tags).where(
            completion_tags.c.organization_id == org, completion_tags.c.completion_id.in_(doomed)
        )
    )
    return int(conn.execute(delete(completions).where(*conditions)).rowcount)


def _ungraded_keys(org: str, selector: TagSelector, page: Page) -> Any:
    """(created_at_us, id) of ungraded completions carrying every tag, read from the tag index alone.

    The first tag's (organization, tag, time, id, graded) index range is walked
    newest first, skipping graded entries without touching the completions table.
    """
    tags = selector.tags
    driver = completion_tags.alias("driver")
    query = select(driver.c.created_at_us, driver.c.completion_id).where(
        driver.c.organization_id == org, driver.c.tag == tags[0], driver.c.graded == false()
    )
    for tag in tags[1:]:
        other = completion_tags.alias()
        query = query.where(
            exists().where(
                other.c.organization_id == org, other.c.completion_id == driver.c.completion_id, other.c.tag == tag
            )
        )
    # Authoritative: the flag only keeps graded rows off the scan.
    query = query.where(
        ~exists().where(
            feedback_completions.c.organization_id == org,
            feedback_completions.c.completion_id == driver.c.completion_id,
        )
    )
    return newest_first(query, driver.c.created_at_us, driver.c.completion_id, page)


def _filtered(
    org: str,
    flt: CompletionFilter,
    page: Page,
    columns: list[Any] | None = None,
    *,
    selector: TagSelector | None = None,
    ungraded: bool = False,
) -> Any:
    """A newest-first page of completions matching the filter (only those without feedback if ungraded).

    The selector (default: the filter's) is the filter's tags in the order to
    query them: the query is driven by the (organization, tag, time) index of its
    first tag, so a tag listing never scans the whole organization.
    """
    query = select(*(columns or [completions])).where(completions.c.organization_id == org)
    tags = list((flt.selector if selector is None else selector).tags)
    created, ident = completions.c.created_at_us, completions.c.id
    if tags:
        driver = completion_tags.alias("driver")
        query = query.join(
            driver,
            and_(driver.c.organization_id == completions.c.organization_id, driver.c.completion_id == ident),
        ).where(driver.c.tag == tags[0])
        created, ident = driver.c.created_at_us, driver.c.completion_id
        for tag in tags[1:]:
            query = query.where(
                exists().where(
                    completion_tags.c.organization_id == org,
                    completion_tags.c.completion_id == completions.c.id,
                    completion_tags.c.tag == tag,
                )
            )
    if ungraded:
        query = query.where(
            ~exists().where(
                feedback_completions.c.organization_id == completions.c.organization_id,
                feedback_completions.c.completion_id == completions.c.id,
            )
        )
    if flt.session_id:
        query = query.where(completions.c.session_id == flt.session_id)
    if flt.status:
        query = query.where(completions.c.status == flt.status)
    if flt.model:
        query = query.where(completions.c.model == flt.model)
    if flt.source:
        query = query.where(completions.c.source == flt.source)
    if flt.created_after_us is not None:
        query = query.where(created >= flt.created_after_us)
    if flt.created_before_us is not None:
        query = query.where(created < flt.created_before_us)
    return newest_first(query, created, ident, page)


def changed_since(engine: Engine, since_us: int, limit: int) -> list[CompletionRecord]:
    """Completions of every organization written at or after since_us, oldest write first (the change feed)."""
    query = (
        select(completions)
        .where(completions.c.updated_at_us >= since_us)
        .order_by(completions.c.updated_at_us, completions.c.organization_id, completions.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return read_records(conn, lambda: conn.execute(query))
