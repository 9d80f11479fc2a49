"""Queries behind other vendors' read and session calls: bounded counts, tag search, session writes.

Counts are capped (COUNT over a LIMITed subquery), so a `total` or `count`
never reads more than COUNT_CAP index entries however large the organization.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Engine, Table, func, select, update

from tenlog_server.domain.model import CompletionFilter, Page

from .completion_deletes import delete_completions
from .completion_listing import completion_tags, completions, filtered_query
from .database import write_transaction
from .feedback_store import feedback, links, tasks
from .json_columns import dump_json, load_json
from .schema import Session
from .tag_rarity import rarest_first

COUNT_CAP = 100_000
sessions = cast(Table, Session.__table__)


def _capped_count(engine: Engine, query: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(query.limit(COUNT_CAP).subquery())).scalar_one())


class VendorViewStore:
    """Reads and writes the vendor calls need beyond the completion, feedback and session stores."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def count_completions(self, org: str, flt: CompletionFilter) -> int:
        """How many completions match the filter, up to COUNT_CAP."""
        with self.engine.connect() as conn:
            # filtered_query already limits (to the cap); count its rows.
            selector = rarest_first(conn, org, flt.selector)
            query = filtered_query(org, flt, Page(limit=COUNT_CAP), [completions.c.id], selector=selector)
            return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())

    def count_feedback(self, org: str, task_id: str, completion_id: str) -> int:
        """How much feedback matches (by task and/or completion), up to COUNT_CAP."""
        query = select(feedback.c.id).where(feedback.c.organization_id == org)
        if task_id:
            query = query.where(feedback.c.task_id == task_id)
        if completion_id:
            query = query.where(
                select(links.c.feedback_id)
                .where(
                    links.c.organization_id == org,
                    links.c.feedback_id == feedback.c.id,
                    links.c.completion_id == completion_id,
                )
                .exists()
            )
        return _capped_count(self.engine, query)

    def count_tasks(self, org: str) -> int:
        """How many feedback tasks the organization has, up to COUNT_CAP."""
        return _capped_count(self.engine, select(tasks.c.id).where(tasks.c.organization_id == org))

    def task_names(self, org: str, task_ids: list[str]) -> dict[str, str]:
        """The names of these tasks of the organization."""
        if not task_ids:
            return {}
        query = select(tasks.c.id, tasks.c.name).where(tasks.c.organization_id == org, tasks.c.id.in_(task_ids))
        with self.engine.connect() as conn:
            return {r.id: r.name for r in conn.execute(query)}

    def search_tags(self, org: str, prefix: str, limit: int) -> list[str]:
        """Distinct tags of the organization starting with prefix, in order; one index range walk."""
        query = select(completion_tags.c.tag).where(completion_tags.c.organization_id == org)
        if prefix:
            query = query.where(completion_tags.c.tag >= prefix, completion_tags.c.tag < prefix + "\U0010ffff")
        query = query.group_by(completion_tags.c.tag).order_by(completion_tags.c.tag).limit(limit)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(query)]

    def delete_session_completions(self, org: str, session_id: str, batch_size: int) -> int:
        """Delete the session's completions as DeleteCompletion does, batch_size per transaction; how many."""
        deleted = 0
        while True:
            with write_transaction(self.engine) as conn:
                ids = [
                    r[0]
                    for r in conn.execute(
                        select(completions.c.id)
                        .where(completions.c.organization_id == org, completions.c.session_id == session_id)
                        .limit(batch_size)
                    )
                ]
                if not ids:
                    return deleted
                deleted += delete_completions(conn, org, ids)
            if len(ids) < batch_size:
                return deleted

    def merge_session_metadata(self, org: str, session_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Set keys of a session's metadata (others kept) and return it; None when there is no such session."""
        with write_transaction(self.engine) as conn:
            where = (sessions.c.organization_id == org, sessions.c.id == session_id)
            row = conn.execute(select(sessions.c.metadata).where(*where)).first()
            if row is None:
                return None
            merged = {**(load_json(row[0]) or {}), **changes}
            conn.execute(update(sessions).where(*where).values(metadata=dump_json(merged)))
            return merged

    def session_metadata(self, org: str, session_id: str) -> dict[str, Any] | None:
        """A session's metadata ({} when it has none); None when there is no such session."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sessions.c.metadata).where(sessions.c.organization_id == org, sessions.c.id == session_id)
            ).first()
        return None if row is None else (load_json(row[0]) or {})
