"""Feedback tasks and feedback: create, upload (schema checks, then domain.feedback_matching), get, list."""

from __future__ import annotations

import asyncio

from .clock import new_id, now_us
from .completion_rules import could_exist, id_violations
from .errors import Aborted, AlreadyExists, FieldViolation, InvalidArgument, NotFound
from .feedback_matching import (
    FeedbackUpload,
    check_explicit_ids_exist,
    check_matched,
    check_selector_matches,
    explicit_ids,
    selector_lookup_limit,
    upload_violations,
)
from .feedback_validation import SchemaChecks
from .input_contract import text_violations
from .limits import MAX_LONG_TEXT_LENGTH
from .lookup_ids import require_lookup_ids
from .model import FeedbackRecord, FeedbackTaskRecord, Page
from .stores import CompletionGone, CompletionStore, DuplicateId, FeedbackStore
from .tag_selector import selector_violations

_shared_checks: SchemaChecks | None = None


def shared_schema_checks() -> SchemaChecks:
    """The process's schema-check threads (created on first use)."""
    global _shared_checks
    if _shared_checks is None:
        _shared_checks = SchemaChecks()
    return _shared_checks


class FeedbackTasksService:
    """Create, get and list feedback tasks."""

    def __init__(self, store: FeedbackStore, checks: SchemaChecks | None = None) -> None:
        self.store = store
        self.checks = checks or shared_schema_checks()

    async def create(self, org: str, task: FeedbackTaskRecord) -> FeedbackTaskRecord:
        """Create a task after checking its schema is valid JSON Schema."""
        violations = id_violations("task.id", task.id)
        if not task.name.strip():
            violations.append(FieldViolation("task.name", "is required"))
        violations += text_violations("task.name", task.name, MAX_LONG_TEXT_LENGTH)
        violations += text_violations("task.instruction", task.instruction, MAX_LONG_TEXT_LENGTH)
        violations += selector_violations("task.completion_tags_selector", task.completion_tags_selector)
        if not violations:
            violations += await self.checks.schema(task.json_schema)
        if violations:
            raise InvalidArgument("the feedback task is not valid", violations)
        task.id = task.id or new_id()
        task.created_at_us = now_us()
        try:
            await asyncio.to_thread(self.store.create_task, org, task)
        except DuplicateId as exc:
            raise AlreadyExists(f"feedback task {task.id!r} already exists") from exc
        return task

    async def get(self, org: str, task_id: str) -> FeedbackTaskRecord:
        """One task; NotFound when it is not in the organization."""
        task = await asyncio.to_thread(self.store.get_task, org, task_id) if could_exist(task_id) else None
        if task is None:
            raise NotFound(f"feedback task {task_id!r} not found")
        return task

    async def list(self, org: str, page: Page) -> list[FeedbackTaskRecord]:
        """Tasks, newest first."""
        return await asyncio.to_thread(self.store.list_tasks, org, page)


class FeedbackService:
    """Upload, get and list feedback."""

    def __init__(self, store: FeedbackStore, completions: CompletionStore, checks: SchemaChecks | None = None) -> None:
        self.store = store
        self.completions = completions
        self.checks = checks or shared_schema_checks()

    async def upload(self, org: str, up: FeedbackUpload) -> FeedbackRecord:
        """Validate values against the task's schema, match completions, enforce the limits, store."""
        violations = upload_violations(up)
        if violations:
            raise InvalidArgument("the feedback is not valid", violations)
        if up.id:
            existing = await asyncio.to_thread(self.store.get_feedback, org, up.id)
            if existing is not None:
                return existing  # a retry of an upload that already landed
        task = await asyncio.to_thread(self.store.get_task, org, up.task_id)
        if task is None:
            raise NotFound(f"feedback task {up.task_id!r} not found", reason="TASK_NOT_FOUND")
        violations = await self.checks.values(task.json_schema, up.json_values)
        if violations:
            raise InvalidArgument("json_values do not match the task's json_schema", violations)
        matched = await self._match(org, up)
        record = FeedbackRecord(
            id=up.id or new_id(),
            task_id=up.task_id,
            json_values=up.json_values,
            comment=up.comment,
            completions_summary=up.completions_summary,
            matched_completion_ids=matched,
            created_at_us=now_us(),
        )
        try:
            await asyncio.to_thread(self.store.create_feedback, org, record)
        except DuplicateId as exc:
            raise AlreadyExists(f"feedback {record.id!r} already exists") from exc
        except CompletionGone as exc:
            raise Aborted(
                "a completion this feedback matched was deleted while the feedback was being written; "
                "nothing was stored, upload it again",
                reason="COMPLETION_DELETED",
            ) from exc
        return record

    async def _match(self, org: str, up: FeedbackUpload) -> list[str]:
        """The completions the upload is attached to (domain.feedback_matching)."""
        if up.completion_ids:
            ids = explicit_ids(up)
            found = await asyncio.to_thread(self.completions.existing_ids, org, ids)
            check_explicit_ids_exist(up.completion_ids, found)
            return ids
        ids = []
        if up.selector:
            matched = await asyncio.to_thread(
                self.completions.ids_matching_tags, org, up.selector, selector_lookup_limit(up)
            )
            ids = check_selector_matches(up, matched)
        return check_matched(up, ids)

    async def get(self, org: str, feedback_id: str) -> FeedbackRecord:
        """One piece of feedback; NotFound when it is not in the organization."""
        found = await asyncio.to_thread(self.store.get_feedback, org, feedback_id) if could_exist(feedback_id) else None
        if found is None:
            raise NotFound(f"feedback {feedback_id!r} not found")
        return found

    async def list(self, org: str, task_id: str, completion_id: str, page: Page) -> list[FeedbackRecord]:
        """Feedback by task and/or completion, newest first."""
        require_lookup_ids(task_id=task_id, completion_id=completion_id)
        return await asyncio.to_thread(self.store.list_feedback, org, task_id, completion_id, page)
