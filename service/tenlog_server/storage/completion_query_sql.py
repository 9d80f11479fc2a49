"""A CompletionQuery as SQL: the filter predicate, full-text search and keyset-paged order.

Every value reaches the database as a bound parameter; field names map onto a
fixed set of columns, so nothing the caller writes is ever part of the SQL text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Table,
    Text,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    text,
    true,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSONB

from tenlog_server.domain.completion_query import (
    AllOf,
    CompletionQuery,
    Condition,
    NoneOf,
    Predicate,
    QueryPage,
)
from tenlog_server.domain.tag_selector import TagSelector

from .read_index import TS_CONFIG, completion_metadata, completion_search
from .schema import Completion, CompletionTag, Feedback, FeedbackCompletion, FeedbackTask
from .tag_rarity import rarest_first

completions = cast(Table, Completion.__table__)
completion_tags = cast(Table, CompletionTag.__table__)
feedback_completions = cast(Table, FeedbackCompletion.__table__)
feedback = cast(Table, Feedback.__table__)
feedback_tasks = cast(Table, FeedbackTask.__table__)

_COLUMNS = {
    "id": completions.c.id,
    "model": completions.c.model,
    "session_id": completions.c.session_id,
    "source": completions.c.source,
    "status": completions.c.status,
    "kind": completions.c.kind,
    "duration": completions.c.duration,
    "cost": completions.c.cost,
    "prompt_tokens": completions.c.prompt_tokens,
    "completion_tokens": completions.c.completion_tokens,
    "total_tokens": completions.c.total_tokens,
    "created_at": completions.c.created_at_us,
    "updated_at": completions.c.updated_at_us,
}
_NULLABLE = frozenset({"duration", "cost"})
FTS_RARE_CAP = 20_000  # SQLite: fewer matches than this drive the query from the index; more are probed per row
FEEDBACK_RARE_CAP = 5_000  # a task with fewer feedback than this drives the query from its feedback


def compare(column: Any, operator: str, value: Any) -> ColumnElement[bool]:
    """`column operator value` with the value bound as a parameter."""
    if operator == "=":
        return cast(ColumnElement[bool], column == value)
    if operator == "!=":
        return cast(ColumnElement[bool], column != value)
    if operator == "<":
        return cast(ColumnElement[bool], column < value)
    if operator == "<=":
        return cast(ColumnElement[bool], column <= value)
    if operator == ">":
        return cast(ColumnElement[bool], column > value)
    assert operator == ">="
    return cast(ColumnElement[bool], column >= value)


def _tagged(org: str, tag: str) -> ColumnElement[bool]:
    return exists().where(
        completion_tags.c.organization_id == org,
        completion_tags.c.completion_id == completions.c.id,
        completion_tags.c.tag == tag,
    )


def _graded() -> ColumnElement[bool]:
    return exists().where(
        feedback_completions.c.organization_id == completions.c.organization_id,
        feedback_completions.c.completion_id == completions.c.id,
    )


def _metadata(org: str, cond: Condition) -> ColumnElement[bool]:
    m = completion_metadata
    base = [m.c.organization_id == org, m.c.completion_id == completions.c.id, m.c.key == cond.key]
    if cond.operator == "exists":
        return exists().where(*base)
    column = m.c.value if isinstance(cond.value, str) else m.c.number
    if cond.operator == "!=":  # absent keys differ from every value too
        return ~exists().where(*base, column == cond.value)
    return exists().where(*base, compare(column, cond.operator, cond.value))


def _sqlite_json_path(keys: Sequence[str]) -> str:
    """`$."a"."b"`: every key quoted (the domain refuses keys holding a quote, backslash or control character)."""
    return "$" + "".join(f'."{key}"' for key in keys)


def _feedback_value(cond: Condition, postgres: bool) -> ColumnElement[bool]:
    """Whether one feedback row's json_values has cond.path comparing true (cond.path is not empty).

    A text value matches a JSON string equal to it, and a boolean written as
    true/false; a number matches JSON numbers. Mixed types never match.
    """
    if postgres:
        # -> and ->> spelled out (not jsonb subscripts, which need PostgreSQL 14), each key bound.
        parent: Any = sql_cast(feedback.c.json_values, JSONB)
        for key in cond.path[:-1]:
            parent = parent.op("->", return_type=JSONB)(bindparam(None, key, Text))
        last = bindparam(None, cond.path[-1], Text)
        node = parent.op("->", return_type=JSONB)(last)
        kind = func.jsonb_typeof(node)
        scalar = parent.op("->>", return_type=Text)(last)  # a string unquoted, true/false, a number's text
        if cond.operator == "exists":
            return cast(ColumnElement[bool], node.is_not(None))
        if isinstance(cond.value, str):
            value: Any = case((kind.in_(["string", "boolean"]), scalar))
        else:
            value = case((kind == "number", sql_cast(scalar, Double)))
    else:
        path = _sqlite_json_path(cond.path)
        kind = func.json_type(feedback.c.json_values, path)
        if cond.operator == "exists":
            return cast(ColumnElement[bool], kind.is_not(None))
        if isinstance(cond.value, str):  # json_extract gives a boolean as 1/0: say it as text
            value = case(
                (kind == "text", func.json_extract(feedback.c.json_values, path)),
                (kind == "true", "true"),
                (kind == "false", "false"),
            )
        else:
            value = case((kind.in_(["integer", "real"]), func.json_extract(feedback.c.json_values, path)))
    return compare(value, "=" if cond.operator == "!=" else cond.operator, cond.value)


def _feedback(org: str, cond: Condition, postgres: bool, task_ids: Sequence[str]) -> ColumnElement[bool]:
    """Some feedback under a task of that name, attached to the completion, matches (read off its links).

    task_ids are the tasks named cond.key; none (an unknown name) matches nothing
    without a query. `!=` is the negation of `=`: no such feedback has the value,
    so completions without feedback under the task match it too.
    """
    negated = cond.operator == "!="
    if not task_ids:
        return true() if negated else false()
    # Nested, not one join: SQLite would otherwise drive from the task's feedback (its index
    # on task_id) and scan all of it for every completion. This way each completion reads its
    # links off (organization_id, completion_id) and each link its feedback by primary key.
    chosen = [
        feedback.c.organization_id == org,
        feedback.c.id == feedback_completions.c.feedback_id,
        feedback.c.task_id.in_(task_ids),
    ]
    if cond.path:
        chosen.append(_feedback_value(cond, postgres))
    found = exists().where(
        feedback_completions.c.organization_id == org,
        feedback_completions.c.completion_id == completions.c.id,
        exists().where(*chosen),
    )
    return ~found if negated else found


def feedback_task_ids(conn: Connection, org: str, predicate: Predicate | None) -> dict[str, tuple[str, ...]]:
    """The ids of the tasks each feedback condition names (a name may belong to several tasks, or none)."""
    names = {cond.key for cond in _conditions(predicate) if cond.field == "feedback"}
    found: dict[str, tuple[str, ...]] = {name: () for name in names}
    if names:
        rows = conn.execute(
            select(feedback_tasks.c.name, feedback_tasks.c.id).where(
                feedback_tasks.c.organization_id == org, feedback_tasks.c.name.in_(sorted(names))
            )
        )
        for name, task_id in rows:
            found[name] = (*found[name], task_id)
    return found


def condition_sql(
    org: str, cond: Condition, postgres: bool = False, task_ids: Mapping[str, Sequence[str]] | None = None
) -> ColumnElement[bool]:
    """One typed condition as a WHERE clause over completions.

    postgres: the dialect is PostgreSQL; task_ids: feedback_task_ids of the
    predicate (a feedback condition without them matches nothing).
    """
    if cond.field == "tags":
        return ~_tagged(org, str(cond.value)) if cond.operator == "!=" else _tagged(org, str(cond.value))
    if cond.field == "graded":
        want = bool(cond.value) == (cond.operator == "=")
        return _graded() if want else ~_graded()
    if cond.field == "metadata":
        return _metadata(org, cond)
    if cond.field == "feedback":
        return _feedback(org, cond, postgres, (task_ids or {}).get(cond.key, ()))
    column = _COLUMNS[cond.field]
    clause = compare(column, cond.operator, cond.value)
    if cond.operator == "!=" and cond.field in _NULLABLE:  # a missing cost differs from every cost
        clause = or_(clause, column.is_(None))
    return clause


def predicate_sql(
    org: str, predicate: Predicate, postgres: bool = False, task_ids: Mapping[str, Sequence[str]] | None = None
) -> ColumnElement[bool]:
    """A typed predicate tree as a WHERE clause (arguments as for condition_sql)."""
    if isinstance(predicate, Condition):
        return condition_sql(org, predicate, postgres, task_ids)
    if isinstance(predicate, NoneOf):
        return not_(predicate_sql(org, predicate.part, postgres, task_ids))
    parts = [predicate_sql(org, p, postgres, task_ids) for p in predicate.parts]
    return and_(true(), *parts) if isinstance(predicate, AllOf) else or_(false(), *parts)


def _rare_feedback(
    conn: Connection,
    org: str,
    top: Sequence[Condition],
    task_ids: Mapping[str, Sequence[str]],
    postgres: bool,
    whole: bool,
) -> Any:
    """The ids of the completions with matching feedback, to join with, when a top-level feedback term is rare.

    Walking completions in order and probing each one's feedback finds a page
    after a few rows when many completions have such feedback; when the task has
    little feedback it may walk every completion. Then it is cheaper to read the
    task's few feedback (index (organization_id, task_id, created_at_us)), their
    links, and sort what matched. The task with the least feedback is chosen.
    whole: every match will be read (a count, an aggregate), so starting from the
    feedback is cheaper however much there is (there is less feedback than completions).
    """
    best: tuple[int, Condition] | None = None
    for cond in top:
        ids = task_ids.get(cond.key, ())
        if cond.field != "feedback" or cond.operator == "!=" or not ids:
            continue
        if whole:
            best = (0, cond)
            break
        some = select(feedback.c.id).where(feedback.c.organization_id == org, feedback.c.task_id.in_(ids))
        count = conn.execute(select(func.count()).select_from(some.limit(FEEDBACK_RARE_CAP).subquery())).scalar_one()
        if count < FEEDBACK_RARE_CAP and (best is None or count < best[0]):
            best = (count, cond)
    if best is None:
        return None
    cond = best[1]
    where = [feedback.c.organization_id == org, feedback.c.task_id.in_(task_ids[cond.key])]
    if cond.path:
        where.append(_feedback_value(cond, postgres))
    chosen = select(feedback.c.id).where(*where)
    matching = (
        select(feedback_completions.c.completion_id)
        .where(feedback_completions.c.organization_id == org, feedback_completions.c.feedback_id.in_(chosen))
        .distinct()
    )
    return matching.subquery("rare_feedback")


def _conditions(predicate: Predicate | None) -> list[Condition]:
    if predicate is None:
        return []
    if isinstance(predicate, Condition):
        return [predicate]
    if isinstance(predicate, NoneOf):
        return _conditions(predicate.part)
    return [c for part in predicate.parts for c in _conditions(part)]


def _top_level(predicate: Predicate | None) -> list[Condition]:
    if isinstance(predicate, Condition):
        return [predicate]
    if isinstance(predicate, AllOf):
        return [p for part in predicate.parts for p in _top_level(part)]
    return []


def fts5_query(terms: Sequence[Sequence[str]]) -> str:
    """An FTS5 MATCH string: each term a quoted phrase (words are \\w+ only, so no quote can appear)."""
    return " ".join('"' + " ".join(words) + '"' for words in terms)


def search_sql(conn: Connection, org: str, terms: Sequence[Sequence[str]]) -> ColumnElement[bool]:
    """A WHERE clause matching completions whose search text holds every term."""
    if conn.dialect.name == "sqlite":
        match = fts5_query(terms)
        capped = text(
            "SELECT count(*) FROM (SELECT rowid FROM completion_search WHERE completion_search MATCH :q LIMIT :cap)"
        )
        found = conn.execute(capped, {"q": match, "cap": FTS_RARE_CAP}).scalar_one()
        rowid: ColumnElement[Any] = literal_column("completions.rowid")
        if found < FTS_RARE_CAP:  # rare: read the few matches off the index, then sort them
            matches = text("SELECT rowid FROM completion_search WHERE completion_search MATCH :search_q").bindparams(
                search_q=match
            )
            return cast(ColumnElement[bool], rowid.in_(matches))
        # Common: walk completions in order and probe the index per row; a page is found early.
        probe = text(
            "EXISTS (SELECT 1 FROM completion_search WHERE completion_search MATCH :search_q"
            " AND completion_search.rowid = completions.rowid)"
        ).bindparams(search_q=match)
        return cast(ColumnElement[bool], probe)
    query: Any = None
    for i, words in enumerate(terms):
        phrase = func.phraseto_tsquery(
            literal_column(f"'{TS_CONFIG}'::regconfig"), bindparam(f"search_{i}", " ".join(words))
        )
        query = phrase if query is None else query.op("&&")(phrase)
    s = completion_search
    return exists().where(
        s.c.organization_id == org,
        s.c.completion_id == completions.c.id,
        s.c.document.op("@@")(query),
    )


def _keyset(column: Any, ident: Any, nullable: bool, descending: bool, value: Any, last_id: str) -> Any:
    if descending:
        if value is None:
            return and_(column.is_(None), ident < last_id)
        after = or_(column < value, and_(column == value, ident < last_id))
        return or_(after, column.is_(None)) if nullable else after
    if value is None:
        return or_(and_(column.is_(None), ident > last_id), column.is_not(None))
    return or_(column > value, and_(column == value, ident > last_id))


def query_sql(
    conn: Connection,
    org: str,
    query: CompletionQuery,
    page: QueryPage | None,
    columns: list[Any] | None = None,
    *,
    whole: bool = False,
) -> Any:
    """The SELECT of a query's page (every match when page is None), in the query's order.

    Ordered by time, a tag (the rarest named at the top level) or a metadata
    equality drives the query from its index, newest first, as tag listings do.
    A top-level feedback term drives it from the task's feedback when that is
    rare, or always when `whole` says every match will be read (counts, aggregates).
    """
    c = completions.c
    fixed = query.fixed
    postgres = conn.dialect.name == "postgresql"
    select_from: Any = completions
    sort, ident = c.created_at_us, c.id
    top = _top_level(query.predicate)
    tags = list(dict.fromkeys([*fixed.tags, *(str(t.value) for t in top if t.field == "tags" and t.operator == "=")]))
    where: list[Any] = [c.organization_id == org]
    if query.order.field == "created_at" and tags:
        tags = list(rarest_first(conn, org, TagSelector.of(tags)).tags)
        driver = completion_tags.alias("driver")
        select_from = completions.join(
            driver, and_(driver.c.organization_id == c.organization_id, driver.c.completion_id == c.id)
        )
        where += [driver.c.organization_id == org, driver.c.tag == tags[0]]
        sort, ident = driver.c.created_at_us, driver.c.completion_id
    elif query.order.field == "created_at":
        meta = next((t for t in top if t.field == "metadata" and t.operator == "=" and isinstance(t.value, str)), None)
        if meta is not None:
            driver = completion_metadata.alias("driver")
            select_from = completions.join(
                driver, and_(driver.c.organization_id == c.organization_id, driver.c.completion_id == c.id)
            )
            where += [driver.c.organization_id == org, driver.c.key == meta.key, driver.c.value == meta.value]
            sort, ident = driver.c.created_at_us, driver.c.completion_id
    where += [_tagged(org, tag) for tag in fixed.tags]
    for name in ("session_id", "status", "model", "source"):
        if getattr(fixed, name):
            where.append(_COLUMNS[name] == getattr(fixed, name))
    if fixed.created_after_us is not None:
        where.append(c.created_at_us >= fixed.created_after_us)
    if fixed.created_before_us is not None:
        where.append(c.created_at_us < fixed.created_before_us)
    if query.predicate is not None:
        task_ids = feedback_task_ids(conn, org, query.predicate)
        where.append(predicate_sql(org, query.predicate, postgres, task_ids))
        rare = _rare_feedback(conn, org, top, task_ids, postgres, whole) if task_ids else None
        if rare is not None:
            select_from = select_from.join(rare, rare.c.completion_id == c.id)
    if query.search:
        where.append(search_sql(conn, org, query.search))
    statement = select(*(columns or [completions])).select_from(select_from).where(*where)
    if page is None:
        return statement
    field = query.order.field
    if field != "created_at":
        sort = _COLUMNS[field]
    nullable = field in _NULLABLE
    descending = query.order.descending
    if page.after is not None:
        statement = statement.where(_keyset(sort, ident, nullable, descending, page.after.value, page.after.id))
    if descending:
        first = sort.desc().nulls_last() if postgres and nullable else sort.desc()
        statement = statement.order_by(first, ident.desc())
    else:
        first = sort.asc().nulls_first() if postgres and nullable else sort.asc()
        statement = statement.order_by(first, ident.asc())
    statement = statement.limit(page.limit)
    return statement.offset(page.offset) if page.offset else statement
