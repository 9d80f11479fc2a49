"""Feedback tasks and feedback: schema checks, completion matching and the upload limits."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from .clock import new_id, now_us
from .completion_rules import could_exist, id_violations
from .errors import Aborted, AlreadyExists, FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from .feedback_validation import SchemaChecks
from .input_contract import text_violations
from .limits import MAX_COMPLETION_IDS, MAX_LONG_TEXT_LENGTH, MAX_MATCHED_COMPLETIONS
from .model import FeedbackRecord, FeedbackTaskRecord, Page
from .stores import CompletionGone, CompletionStore, DuplicateId, FeedbackStore
from .tag_selector import selector_violations

DEFAULT_MAX_MATCHED = 100
_shared_checks: SchemaChecks | None = None


def shared_schema_checks() -> SchemaChecks:
    """The process's schema-check threads (created on first use)."""
    global _shared_checks
    if _shared_checks is None:
        _shared_checks = SchemaChecks()
    return _shared_checks


@dataclass(slots=True)
class FeedbackUpload:
    """An upload request: explicit completion_ids, or a tag selector."""

    task_id: str
    json_values: dict[str, Any]
    id: str = ""
    comment: str = ""
    completions_summary: str = ""
    completion_ids: list[str] = field(default_factory=list)
    completion_tags_selector: list[str] = field(default_factory=list)
    allow_unmatched_feedback: bool = False
    max_matched_completions: int = DEFAULT_MAX_MATCHED


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
        violations = id_violations("id", up.id)
        if not up.task_id:
            violations.append(FieldViolation("task_id", "is required"))
        if up.completion_ids and up.completion_tags_selector:
            violations.append(
                FieldViolation("completion_ids", "give completion_ids or completion_tags_selector, not both")
            )
        if up.max_matched_completions < 1:
            violations.append(FieldViolation("max_matched_completions", "must be at least 1"))
        elif up.max_matched_completions > MAX_MATCHED_COMPLETIONS:
            violations.append(FieldViolation("max_matched_completions", f"must be at most {MAX_MATCHED_COMPLETIONS}"))
        violations += selector_violations("completion_tags_selector", up.completion_tags_selector)
        violations += id_violations("task_id", up.task_id)
        violations += text_violations("comment", up.comment, MAX_LONG_TEXT_LENGTH)
        violations += text_violations("completions_summary", up.completions_summary, MAX_LONG_TEXT_LENGTH)
        if len(up.completion_ids) > MAX_COMPLETION_IDS:
            violations.append(FieldViolation("completion_ids", f"names more than {MAX_COMPLETION_IDS} completions"))
        else:
            for i, completion_id in enumerate(up.completion_ids):
                violations += id_violations(f"completion_ids[{i}]", completion_id)
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
        if up.completion_ids:
            ids = list(dict.fromkeys(up.completion_ids))
            if len(ids) > up.max_matched_completions:
                raise FailedPrecondition(
                    f"{len(ids)} completion_ids exceed max_matched_completions ({up.max_matched_completions})",
                    reason="MAX_MATCHED_COMPLETIONS_EXCEEDED",
                )
            found = await asyncio.to_thread(self.completions.existing_ids, org, ids)
            missing = [i for i, cid in enumerate(up.completion_ids) if cid not in found]
            if missing:
                raise NotFound(
                    "completion_ids name completions that do not exist: "
                    + ", ".join(repr(up.completion_ids[i]) for i in missing),
                    reason="COMPLETION_NOT_FOUND",
                )
            return ids
        if up.completion_tags_selector:
            ids = await asyncio.to_thread(
                self.completions.ids_matching_tags,
                org,
                up.completion_tags_selector,
                up.max_matched_completions + 1,
            )
            if len(ids) > up.max_matched_completions:
                raise FailedPrecondition(
                    "completion_tags_selector matches more than max_matched_completions "
                    f"({up.max_matched_completions}) completions",
                    reason="MAX_MATCHED_COMPLETIONS_EXCEEDED",
                )
        else:
            ids = []
        if not ids and not up.allow_unmatched_feedback:
            raise FailedPrecondition(
                "the feedback matches no completion and allow_unmatched_feedback is false",
                reason="UNMATCHED_FEEDBACK",
            )
        return ids

    async def get(self, org: str, feedback_id: str) -> FeedbackRecord:
        """One piece of feedback; NotFound when it is not in the organization."""
        found = await asyncio.to_thread(self.store.get_feedback, org, feedback_id) if could_exist(feedback_id) else None
        if found is None:
            raise NotFound(f"feedback {feedback_id!r} not found")
        return found

    async def list(self, org: str, task_id: str, completion_id: str, page: Page) -> list[FeedbackRecord]:
        """Feedback by task and/or completion, newest first."""
        return await asyncio.to_thread(self.store.list_feedback, org, task_id, completion_id, page)
