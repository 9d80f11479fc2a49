"""Export and import use cases: an organization's rows out as a resumable stream, and back in by id.

Exports read one keyset page ahead of what the caller is sending, so the
database read of page n+1 overlaps the sending of page n while memory holds two
pages at most. Imports validate each row alone (a bad row is rejected by
index, the good ones land) and keep ids and times as exported.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .clock import now_us
from .completion_cost import fill_cost
from .completion_query import CompletionQuery, build_query
from .completion_rules import DEFAULT_KIND, completion_violations, id_violations, lift_fields
from .errors import FieldViolation, InvalidArgument
from .model import CompletionFilter, CompletionRecord, FeedbackRecord, FeedbackTaskRecord, SessionRecord
from .pricing import PriceTable
from .stores import TransferStore

DEFAULT_EXPORT_PAGE = 500
MAX_EXPORT_PAGE = 1000
IMPORT_CHUNK = 500  # rows per import transaction
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ImportRejected:
    """One imported row that was not stored, and why."""

    index: int
    id: str
    reason: str


def export_page_size(page_size: int) -> int:
    """The rows per export message; INVALID_ARGUMENT when negative."""
    if page_size < 0:
        raise InvalidArgument("invalid page_size", [FieldViolation("page_size", "must not be negative")])
    return min(page_size or DEFAULT_EXPORT_PAGE, MAX_EXPORT_PAGE)


async def _pages(
    read: Callable[[str, int], list[T]], key: Callable[[T], str], after: str, limit: int
) -> AsyncIterator[list[T]]:
    """Keyset pages from `after` on, each read off the event loop while the previous one is being sent."""
    pending = asyncio.ensure_future(asyncio.to_thread(read, after, limit))
    try:
        while True:
            page = await pending
            if len(page) < limit:
                if page:
                    yield page
                return
            pending = asyncio.ensure_future(asyncio.to_thread(read, key(page[-1]), limit))
            yield page
    finally:
        if not pending.done():
            pending.cancel()


def _row_id(row: CompletionRecord | SessionRecord | FeedbackTaskRecord | FeedbackRecord) -> str:
    return row.id


def _id_problems(field: str, value: str) -> str:
    if not value:
        return f"{field} is required"
    problems = id_violations(field, value)
    return "; ".join(f"{v.field} {v.description}" for v in problems)


class TransferService:
    """Exports and imports of one organization's completions, feedback, feedback tasks and sessions."""

    def __init__(self, store: TransferStore, prices: PriceTable) -> None:
        self.store = store
        self.prices = prices

    # -- exports ------------------------------------------------------------

    async def count(self, what: str, org: str, after: str, query: CompletionQuery | None = None) -> int:
        """How many rows an export of `what` (completions, sessions, feedback_tasks, feedback) will send."""
        return await asyncio.to_thread(self.store.count, what, org, after, query)

    def export_completions(
        self, org: str, fixed: CompletionFilter, *, filter_text: str, search: str, after: str, page_size: int
    ) -> tuple[CompletionQuery, AsyncIterator[list[CompletionRecord]]]:
        """The query (ListCompletions' filter and search, validated) and its pages by ascending id after `after`."""
        query = build_query(fixed, filter_text, search)
        limit = export_page_size(page_size)
        return query, _pages(lambda a, n: self.store.completions_page(org, query, a, n), _row_id, after, limit)

    def export_sessions(self, org: str, *, after: str, page_size: int) -> AsyncIterator[list[SessionRecord]]:
        """Pages of the organization's sessions, by ascending id."""
        limit = export_page_size(page_size)
        return _pages(lambda a, n: self.store.sessions_page(org, a, n), _row_id, after, limit)

    def export_tasks(self, org: str, *, after: str, page_size: int) -> AsyncIterator[list[FeedbackTaskRecord]]:
        """Pages of the organization's feedback tasks, by ascending id."""
        limit = export_page_size(page_size)
        return _pages(lambda a, n: self.store.tasks_page(org, a, n), _row_id, after, limit)

    def export_feedback(self, org: str, *, after: str, page_size: int) -> AsyncIterator[list[FeedbackRecord]]:
        """Pages of the organization's feedback with completion ids, by ascending id."""
        limit = export_page_size(page_size)
        return _pages(lambda a, n: self.store.feedback_page(org, a, n), _row_id, after, limit)

    # -- imports ------------------------------------------------------------

    def _checked_completion(self, rec: CompletionRecord) -> str:
        """Fill what an exported row may leave at its default; the problems of the row, or ''."""
        problem = _id_problems("id", rec.id)
        if problem:
            return problem
        if not rec.status:
            rec.status = "finished" if rec.response else "started"
        if not rec.kind:
            rec.kind = DEFAULT_KIND
        violations = completion_violations(rec)
        if violations:
            return "; ".join(f"{v.field} {v.description}" for v in violations)
        lift_fields(rec)  # no-ops for rows tenlog exported; fills rows written by other tools
        fill_cost(rec, self.prices)
        if not rec.created_at_us:
            rec.created_at_us = now_us()
        if not rec.updated_at_us:
            rec.updated_at_us = rec.created_at_us
        return ""

    async def import_completions(
        self, org: str, recs: Sequence[CompletionRecord], first_index: int
    ) -> tuple[int, list[ImportRejected]]:
        """Validate and write a chunk of completions in one transaction; (stored count, rejections)."""
        good: list[CompletionRecord] = []
        rejected: list[ImportRejected] = []
        for i, rec in enumerate(recs, start=first_index):
            problem = self._checked_completion(rec)
            if problem:
                rejected.append(ImportRejected(i, rec.id, problem))
            else:
                good.append(rec)
        if good:
            await asyncio.to_thread(self.store.import_completions, org, good)
        return len(good), rejected

    async def import_sessions(
        self, org: str, recs: Sequence[SessionRecord], first_index: int
    ) -> tuple[int, list[ImportRejected]]:
        """Validate and write a chunk of sessions; (stored count, rejections)."""
        good, rejected = _with_ids(recs, first_index)
        for _, rec in good:
            rec.created_at_us = rec.created_at_us or now_us()
        if good:
            await asyncio.to_thread(self.store.import_sessions, org, [rec for _, rec in good])
        return len(good), rejected

    async def import_tasks(
        self, org: str, recs: Sequence[FeedbackTaskRecord], first_index: int
    ) -> tuple[int, list[ImportRejected]]:
        """Validate and write a chunk of feedback tasks; (stored count, rejections)."""
        good, rejected = _with_ids(recs, first_index)
        for _, rec in good:
            rec.created_at_us = rec.created_at_us or now_us()
        if good:
            await asyncio.to_thread(self.store.import_tasks, org, [rec for _, rec in good])
        return len(good), rejected

    async def import_feedback(
        self, org: str, recs: Sequence[FeedbackRecord], first_index: int
    ) -> tuple[int, list[ImportRejected]]:
        """Validate and write a chunk of feedback; rows naming a task the organization lacks are rejected."""
        good, rejected = _with_ids(recs, first_index)
        task_ids = [rec.task_id for _, rec in good]
        tasks = await asyncio.to_thread(self.store.existing_task_ids, org, task_ids) if good else set()
        kept: list[FeedbackRecord] = []
        for i, rec in good:
            if rec.task_id not in tasks:
                reason = f"task_id {rec.task_id!r} is not a feedback task of this organization (import tasks first)"
                rejected.append(ImportRejected(i, rec.id, reason))
                continue
            rec.created_at_us = rec.created_at_us or now_us()
            kept.append(rec)
        if kept:
            await asyncio.to_thread(self.store.import_feedback, org, kept)
        return len(kept), sorted(rejected, key=lambda r: r.index)


R = TypeVar("R", SessionRecord, FeedbackTaskRecord, FeedbackRecord)


def _with_ids(recs: Sequence[R], first_index: int) -> tuple[list[tuple[int, R]], list[ImportRejected]]:
    """The rows with a valid id (with their stream index), and the others rejected."""
    good: list[tuple[int, R]] = []
    rejected: list[ImportRejected] = []
    for i, rec in enumerate(recs, start=first_index):
        problem = _id_problems("id", rec.id)
        if problem:
            rejected.append(ImportRejected(i, rec.id, problem))
        else:
            good.append((i, rec))
    return good, rejected
