"""Feedback task and feedback queries."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Engine, Row, Select, Table, exists, select, update
from sqlalchemy.exc import IntegrityError

from tenlog_server.domain.model import FeedbackRecord, FeedbackTaskRecord, Page
from tenlog_server.domain.stores import CompletionGone, DuplicateId
from tenlog_server.domain.tag_selector import TagSelector

from .database import write_transaction
from .json_columns import dump_json, load_json
from .paging import newest_first
from .schema import CompletionTag, Feedback, FeedbackCompletion, FeedbackTask

tasks = cast(Table, FeedbackTask.__table__)
feedback = cast(Table, Feedback.__table__)
links = cast(Table, FeedbackCompletion.__table__)
tag_index = cast(Table, CompletionTag.__table__)


def _foreign_key_violation(exc: IntegrityError) -> bool:
    # psycopg names the SQLSTATE; Python's sqlite3 names SQLite's extended result code.
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "sqlite_errorname", "")
    return code in ("23503", "SQLITE_CONSTRAINT_FOREIGNKEY")


def _task(row: Row[object]) -> FeedbackTaskRecord:
    m = row._mapping
    return FeedbackTaskRecord(
        id=m["id"],
        name=m["name"],
        instruction=m["instruction"],
        json_schema=load_json(m["json_schema"]),
        completion_tags_selector=load_json(m["completion_tags_selector"]),
        created_at_us=m["created_at_us"],
    )


class FeedbackStore:
    """Reads and writes feedback tasks and feedback for one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- tasks --------------------------------------------------------------

    def create_task(self, org: str, task: FeedbackTaskRecord) -> None:
        """Insert a task; DuplicateId when the id is taken."""
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(
                    tasks.insert().values(
                        organization_id=org,
                        id=task.id,
                        name=task.name,
                        instruction=task.instruction,
                        json_schema=dump_json(task.json_schema),
                        completion_tags_selector=dump_json(task.completion_tags_selector),
                        created_at_us=task.created_at_us,
                    )
                )
        except IntegrityError as exc:
            raise DuplicateId(task.id) from exc

    def get_task(self, org: str, task_id: str) -> FeedbackTaskRecord | None:
        """One task, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(tasks).where(tasks.c.organization_id == org, tasks.c.id == task_id)).first()
        return _task(row) if row else None

    def list_tasks(self, org: str, page: Page) -> list[FeedbackTaskRecord]:
        """Tasks of the organization, newest first."""
        query = select(tasks).where(tasks.c.organization_id == org)
        query = newest_first(query, tasks.c.created_at_us, tasks.c.id, page)
        with self.engine.connect() as conn:
            return [_task(r) for r in conn.execute(query)]

    def all_selectors(self, org: str, task_id: str = "") -> list[TagSelector]:
        """The tag selectors of every task of the organization (or of one task)."""
        query = select(tasks.c.completion_tags_selector).where(tasks.c.organization_id == org)
        if task_id:
            query = query.where(tasks.c.id == task_id)
        with self.engine.connect() as conn:
            return [TagSelector.of(load_json(r[0])) for r in conn.execute(query)]

    # -- feedback -----------------------------------------------------------

    def create_feedback(self, org: str, fb: FeedbackRecord) -> None:
        """Insert feedback and its completion links in one transaction.

        DuplicateId if the id is taken; CompletionGone if a linked completion no
        longer exists (deleted after the feedback was matched).
        """
        try:
            with write_transaction(self.engine) as conn:
                conn.execute(
                    feedback.insert().values(
                        organization_id=org,
                        id=fb.id,
                        task_id=fb.task_id,
                        json_values=dump_json(fb.json_values),
                        comment=fb.comment,
                        completions_summary=fb.completions_summary,
                        created_at_us=fb.created_at_us,
                    )
                )
                if fb.matched_completion_ids:
                    # Graded completions leave the ungraded index range of their tags.
                    conn.execute(
                        update(tag_index)
                        .where(
                            tag_index.c.organization_id == org,
                            tag_index.c.completion_id.in_(fb.matched_completion_ids),
                        )
                        .values(graded=True)
                    )
                    conn.execute(
                        links.insert(),
                        [
                            {
                                "organization_id": org,
                                "feedback_id": fb.id,
                                "completion_id": cid,
                                "position": i,
                            }
                            for i, cid in enumerate(fb.matched_completion_ids)
                        ],
                    )
        except IntegrityError as exc:
            if _foreign_key_violation(exc):
                raise CompletionGone(fb.id) from exc
            raise DuplicateId(fb.id) from exc

    def get_feedback(self, org: str, feedback_id: str) -> FeedbackRecord | None:
        """One piece of feedback with its matched completion ids, or None."""
        found = self._load(org, select(feedback).where(feedback.c.id == feedback_id), Page(limit=1))
        return found[0] if found else None

    def list_feedback(self, org: str, task_id: str, completion_id: str, page: Page) -> list[FeedbackRecord]:
        """Feedback by task and/or completion, newest first."""
        query = select(feedback)
        if task_id:
            query = query.where(feedback.c.task_id == task_id)
        if completion_id:
            query = query.where(
                exists().where(
                    links.c.organization_id == org,
                    links.c.feedback_id == feedback.c.id,
                    links.c.completion_id == completion_id,
                )
            )
        return self._load(org, query, page)

    def _load(self, org: str, query: Select[Any], page: Page) -> list[FeedbackRecord]:
        query = query.where(feedback.c.organization_id == org)
        query = newest_first(query, feedback.c.created_at_us, feedback.c.id, page)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            out = [
                FeedbackRecord(
                    id=r.id,
                    task_id=r.task_id,
                    json_values=load_json(r.json_values),
                    comment=r.comment,
                    completions_summary=r.completions_summary,
                    created_at_us=r.created_at_us,
                )
                for r in rows
            ]
            if out:
                link_rows = conn.execute(
                    select(links.c.feedback_id, links.c.completion_id)
                    .where(links.c.organization_id == org, links.c.feedback_id.in_([f.id for f in out]))
                    .order_by(links.c.feedback_id, links.c.position)
                )
                by_id = {f.id: f for f in out}
                for fid, cid in link_rows:
                    by_id[fid].matched_completion_ids.append(cid)
        return out
