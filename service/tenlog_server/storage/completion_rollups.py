"""Rollup tables: kept up to date in each write's transaction, read by AggregateCompletions when they suffice.

Every write that adds, replaces or removes a completion passes the rollup
fields of what it removed (sign -1) and of what it added (sign +1) to
`apply_contributions`, which adds them into the hour and day rows with
INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x. Concurrent writers
therefore never lose each other's counts, and rows are written in key order so
two PostgreSQL writers cannot deadlock on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, case, delete, false, func, literal, not_, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from tenlog_server.domain.completion_aggregates import MAX_GROUPS, PERCENTILES, AggregateGroup, too_many_groups
from tenlog_server.domain.completion_query import AllOf, CompletionQuery, Condition, NoneOf, Predicate
from tenlog_server.domain.completion_rollups import DIMENSIONS, WIDTHS_US, duration_bin, histogram_percentile
from tenlog_server.domain.model import CompletionRecord

from .completion_query_sql import compare
from .database import execute_many
from .schema import Completion, CompletionRollup, CompletionRollupDuration

completions = cast(Table, Completion.__table__)
rollups = cast(Table, CompletionRollup.__table__)
rollup_durations = cast(Table, CompletionRollupDuration.__table__)

# The completion columns a rollup reads, in Contribution's order.
ROLLUP_COLUMNS = (
    "created_at_us",
    "model",
    "status",
    "source",
    "kind",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost",
    "duration",
)
_KEY = ("organization_id", "width_us", "bucket_us", *DIMENSIONS)
_SUMS = ("count", "prompt_tokens", "completion_tokens", "total_tokens", "cost")
_REBUILD_PAGE = 5000


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one completion adds to its rollups."""

    created_at_us: int
    model: str
    status: str
    source: str
    kind: str
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float | None
    duration: float | None


def contribution_of(rec: CompletionRecord) -> Contribution:
    """A record's rollup fields."""
    return Contribution(*(getattr(rec, name) for name in ROLLUP_COLUMNS))


def contribution_of_row(row: Any) -> Contribution:
    """A completions row's rollup fields (a row with at least ROLLUP_COLUMNS)."""
    return Contribution(*(getattr(row, name) for name in ROLLUP_COLUMNS))


def apply_contributions(conn: Connection, changes: Iterable[tuple[str, Contribution, int]]) -> None:
    """Add (sign +1) or remove (sign -1) completions' contributions to the rollups of their organizations."""
    totals: dict[tuple[Any, ...], list[Any]] = {}
    bins: dict[tuple[Any, ...], int] = {}
    for org, c, sign in changes:
        for width in WIDTHS_US:
            key = (org, width, c.created_at_us - c.created_at_us % width, c.model, c.status, c.source, c.kind)
            sums = totals.setdefault(key, [0, 0, 0, 0, 0.0])
            sums[0] += sign
            sums[1] += sign * (c.prompt_tokens or 0)
            sums[2] += sign * (c.completion_tokens or 0)
            sums[3] += sign * (c.total_tokens or 0)
            sums[4] += sign * (c.cost or 0.0)
            if c.duration is not None:
                bin_key = (*key, duration_bin(c.duration))
                bins[bin_key] = bins.get(bin_key, 0) + sign
    total_rows = [
        {**dict(zip(_KEY, key, strict=True)), **dict(zip(_SUMS, sums, strict=True))}
        for key, sums in sorted(totals.items())
        if any(sums)
    ]
    bin_rows = [
        {**dict(zip(_KEY, key[:-1], strict=True)), "bin": key[-1], "count": n} for key, n in sorted(bins.items()) if n
    ]
    if total_rows:
        _add(conn, rollups, [*_KEY], _SUMS, total_rows)
    if bin_rows:
        _add(conn, rollup_durations, [*_KEY, "bin"], ("count",), bin_rows)


def _add(conn: Connection, table: Table, keys: list[str], sums: Sequence[str], rows: list[dict[str, Any]]) -> None:
    def build(conn: Connection) -> Any:
        insert = sqlite.insert(table) if conn.dialect.name == "sqlite" else postgresql.insert(table)
        return insert.on_conflict_do_update(
            index_elements=keys, set_={name: table.c[name] + insert.excluded[name] for name in sums}
        )

    # Every write runs this: compiled once (building the statement cost more than running it).
    execute_many(conn, f"add_{table.name}", build, rows)


def rebuild_rollups(conn: Connection) -> None:
    """Recompute every rollup from the completions (migration 0006, bench fixtures), a page at a time."""
    conn.execute(delete(rollup_durations))
    conn.execute(delete(rollups))
    c = completions.c
    columns = [c.organization_id, c.id, *(c[name] for name in ROLLUP_COLUMNS)]
    last: tuple[str, str] | None = None
    while True:
        query = select(*columns).order_by(c.organization_id, c.id).limit(_REBUILD_PAGE)
        if last is not None:
            query = query.where(or_(c.organization_id > last[0], and_(c.organization_id == last[0], c.id > last[1])))
        rows = conn.execute(query).all()
        if not rows:
            return
        apply_contributions(conn, ((r.organization_id, contribution_of_row(r), 1) for r in rows))
        last = (rows[-1].organization_id, rows[-1].id)


def _predicate_sql(predicate: Predicate, table: Table) -> Any:
    """A predicate over dimensions and whole-bucket created_at bounds, on a rollup table's columns."""
    if isinstance(predicate, Condition):
        column = table.c.bucket_us if predicate.field == "created_at" else table.c[predicate.field]
        return compare(column, predicate.operator, predicate.value)
    if isinstance(predicate, NoneOf):
        return not_(_predicate_sql(predicate.part, table))
    parts = [_predicate_sql(p, table) for p in predicate.parts]
    return and_(true(), *parts) if isinstance(predicate, AllOf) else or_(false(), *parts)


def aggregate_from_rollups(
    conn: Connection,
    org: str,
    query: CompletionQuery,
    group_by: Sequence[str],
    interval_us: int | None,
    width_us: int,
) -> list[AggregateGroup]:
    """The aggregate read off the rollups of this width (domain.completion_rollups.rollup_width chose it)."""

    def shape(table: Table) -> tuple[list[Any], list[Any]]:
        bucket = table.c.bucket_us - table.c.bucket_us % interval_us if interval_us else literal(0)
        grouping = [bucket.label("bucket"), *(table.c[name].label(f"g{i}") for i, name in enumerate(group_by))]
        where = [table.c.organization_id == org, table.c.width_us == width_us]
        if query.predicate is not None:
            where.append(_predicate_sql(query.predicate, table))
        return grouping, where

    grouping, where = shape(rollups)
    r = rollups.c
    statement = (
        select(
            *grouping,
            func.sum(r["count"]),
            func.sum(case((r.status == "failed", r["count"]), else_=0)),
            func.sum(r.prompt_tokens),
            func.sum(r.completion_tokens),
            func.sum(r.total_tokens),
            func.sum(r.cost),
        )
        .where(*where)
        .group_by(*grouping)
        .having(func.sum(r["count"]) > 0)
        .order_by(*grouping)
        .limit(MAX_GROUPS + 1)
    )
    rows = conn.execute(statement).all()
    if len(rows) > MAX_GROUPS:
        raise too_many_groups()
    width = len(grouping)
    groups: dict[tuple[Any, ...], AggregateGroup] = {}
    for row in rows:
        bucket, *key = row[:width]
        count, failed, prompt, completion, total, cost = row[width:]
        groups[(bucket, *key)] = AggregateGroup(
            key={name: str(value) for name, value in zip(group_by, key, strict=True)},
            bucket_start_us=int(bucket) if interval_us else None,
            count=int(count),
            failed_count=int(failed or 0),
            prompt_tokens=int(prompt or 0),
            completion_tokens=int(completion or 0),
            total_tokens=int(total or 0),
            cost=float(cost or 0.0),
        )
    grouping, where = shape(rollup_durations)
    d = rollup_durations.c
    histograms: dict[tuple[Any, ...], list[tuple[int, int]]] = {}
    bin_query = select(*grouping, d.bin, func.sum(d["count"])).where(*where).group_by(*grouping, d.bin)
    for row in conn.execute(bin_query.order_by(*grouping, d.bin)):
        histograms.setdefault(tuple(row[:width]), []).append((int(row[width]), int(row[width + 1])))
    for group_key, group in groups.items():
        bins = histograms.get(group_key, [])
        group.duration_p50, group.duration_p95, group.duration_p99 = (
            histogram_percentile(bins, p) for p in PERCENTILES
        )
    if not groups and not (group_by or interval_us):
        return [AggregateGroup()]
    return list(groups.values())
