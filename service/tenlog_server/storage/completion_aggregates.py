"""AggregateCompletions as SQL: from the rollups when they suffice, else from the rows with exact percentiles.

Rows: counts and sums by GROUP BY, duration percentiles exactly.
PostgreSQL computes percentiles with percentile_cont. SQLite has none: a
second query ranks each group's durations with ROW_NUMBER() and COUNT() window
functions and returns only the (at most six) rows around each percentile's
position, which are interpolated in Python exactly as percentile_cont does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from tenlog_server.domain.completion_aggregates import (
    MAX_GROUPS,
    PERCENTILES,
    AggregateGroup,
    interpolate,
    too_many_groups,
)
from tenlog_server.domain.completion_query import CompletionQuery
from tenlog_server.domain.completion_rollups import rollup_width

from .completion_query_sql import completion_tags, completions, query_sql
from .completion_rollups import aggregate_from_rollups
from .read_index import completion_metadata


def _key_column(org: str, name: str, grouped_tag: Any) -> ColumnElement[Any]:
    c = completions.c
    if name == "tags":
        return func.coalesce(grouped_tag.c.tag, "")
    if name.startswith("metadata."):
        m = completion_metadata
        value = (
            select(m.c.value)
            .where(m.c.organization_id == org, m.c.completion_id == c.id, m.c.key == name[len("metadata.") :])
            .scalar_subquery()
        )
        return func.coalesce(value, "")
    return c[name]  # validated against GROUPABLE by the domain


def _source(
    conn: Connection, org: str, query: CompletionQuery, group_by: Sequence[str], interval_us: int | None
) -> tuple[Any, list[str]]:
    c = completions.c
    grouped_tag = completion_tags.alias("grouped_tag")
    keys = [_key_column(org, name, grouped_tag).label(f"g{i}") for i, name in enumerate(group_by)]
    bucket = (c.created_at_us - c.created_at_us % interval_us) if interval_us else literal(0, Integer)
    columns = [
        *keys,
        bucket.label("bucket"),
        c.status,
        c.duration,
        c.prompt_tokens,
        c.completion_tokens,
        c.total_tokens,
        c.cost,
    ]
    statement = query_sql(conn, org, query, None, columns, whole=True)
    if "tags" in group_by:  # one row per (completion, tag): a completion counts in each of its tags' groups
        statement = statement.outerjoin(
            grouped_tag,
            and_(grouped_tag.c.organization_id == c.organization_id, grouped_tag.c.completion_id == c.id),
        )
    return statement.subquery("matched"), [f"g{i}" for i in range(len(group_by))]


def aggregate(
    conn: Connection, org: str, query: CompletionQuery, group_by: Sequence[str], interval_us: int | None
) -> list[AggregateGroup]:
    """The groups of the query's completions, ordered by bucket then key.

    From the rollups when they can answer (percentiles within their stated error),
    else from the completions (exact percentiles).
    """
    width = rollup_width(query, group_by, interval_us)
    if width is not None:
        return aggregate_from_rollups(conn, org, query, group_by, interval_us, width)
    source, names = _source(conn, org, query, group_by, interval_us)
    grouping = [source.c.bucket, *(source.c[n] for n in names)]
    postgres = conn.dialect.name == "postgresql"
    percentiles = [func.percentile_cont(p).within_group(source.c.duration) for p in PERCENTILES] if postgres else []
    statement = select(
        *grouping,
        func.count(),
        func.coalesce(func.sum(case((source.c.status == "failed", 1), else_=0)), 0),
        func.coalesce(func.sum(source.c.prompt_tokens), 0),
        func.coalesce(func.sum(source.c.completion_tokens), 0),
        func.coalesce(func.sum(source.c.total_tokens), 0),
        func.coalesce(func.sum(source.c.cost), 0.0),
        *percentiles,
    )
    # With neither group_by nor interval the bucket is a constant: one group, the totals.
    statement = statement.group_by(*grouping).order_by(*grouping)
    rows = conn.execute(statement.limit(MAX_GROUPS + 1)).all()
    if len(rows) > MAX_GROUPS:
        raise too_many_groups()
    groups: dict[tuple[Any, ...], AggregateGroup] = {}
    for row in rows:
        bucket, *key = row[: len(grouping)]
        count, failed, prompt, completion, total, cost, *pcts = row[len(grouping) :]
        group = AggregateGroup(
            key={name: str(value) for name, value in zip(group_by, key, strict=True)},
            bucket_start_us=int(bucket) if interval_us else None,
            count=int(count),
            failed_count=int(failed),
            prompt_tokens=int(prompt),
            completion_tokens=int(completion),
            total_tokens=int(total),
            cost=float(cost),
        )
        if postgres:
            group.duration_p50, group.duration_p95, group.duration_p99 = (float(p or 0.0) for p in pcts)
        groups[(bucket, *key)] = group
    if not postgres and groups:
        _sqlite_percentiles(conn, source, grouping, groups)
    if not groups and not (group_by or interval_us):
        return [AggregateGroup()]  # no completion matched: totals of zero
    return list(groups.values())


def _sqlite_percentiles(
    conn: Connection, source: Any, grouping: list[Any], groups: dict[tuple[Any, ...], AggregateGroup]
) -> None:
    """Fill each group's percentiles from the few ranked rows around them (window functions, exact)."""
    rank = func.row_number().over(partition_by=grouping, order_by=source.c.duration).label("rank")
    size = func.count().over(partition_by=grouping).label("size")
    ranked = select(*grouping, source.c.duration, rank, size).where(source.c.duration.is_not(None)).subquery("ranked")
    wanted = []
    for p in PERCENTILES:
        low = cast(p * (ranked.c.size - 1), Integer) + 1
        wanted += [ranked.c.rank == low, ranked.c.rank == low + 1]
    group_columns = [ranked.c[col.name] for col in grouping]
    statement = select(*group_columns, ranked.c.rank, ranked.c.size, ranked.c.duration).where(or_(*wanted))
    values: dict[tuple[Any, ...], dict[int, float]] = {}
    sizes: dict[tuple[Any, ...], int] = {}
    for row in conn.execute(statement):
        key = tuple(row[: len(grouping)])
        values.setdefault(key, {})[row.rank] = float(row.duration)
        sizes[key] = int(row.size)
    for key, group in groups.items():
        if key in sizes:
            n = sizes[key]
            group.duration_p50, group.duration_p95, group.duration_p99 = (
                interpolate(n, p, values[key]) for p in PERCENTILES
            )
