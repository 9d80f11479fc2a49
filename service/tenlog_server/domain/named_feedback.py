"""Feedback under a task tenlog names and creates itself on first use.

Vendor feedback (Freeplay customer and trace feedback, Keywords AI's
positive_feedback and notes) and OpenTelemetry evaluation results carry
values but no task. Each kind gets a task with a fixed id, created the first
time an organization needs it. Creation is idempotent and safe when several
calls or server processes race: the task's (organization, id) key lets one
insert win, and every loser reads the winner's task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tenlog_server.domain.model import FeedbackRecord, FeedbackTaskRecord

from .errors import AlreadyExists, NotFound
from .feedback import FeedbackService, FeedbackTasksService
from .feedback_matching import FeedbackUpload


@dataclass(frozen=True, slots=True)
class NamedTask:
    """A task tenlog defines: a fixed id, and the schema every value of that kind satisfies."""

    id: str
    name: str
    instruction: str
    json_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object", "required": []})


class NamedFeedback:
    """Records feedback under named tasks, creating each task on first use."""

    def __init__(self, tasks: FeedbackTasksService, feedback: FeedbackService) -> None:
        self.tasks = tasks
        self.feedback = feedback

    async def ensure_task(self, org: str, task: NamedTask) -> FeedbackTaskRecord:
        """The organization's task with this id, created now when it has none yet."""
        try:
            return await self.tasks.get(org, task.id)
        except NotFound:
            pass
        record = FeedbackTaskRecord(
            id=task.id,
            name=task.name,
            instruction=task.instruction,
            json_schema=dict(task.json_schema),
            completion_tags_selector=[],
        )
        try:
            return await self.tasks.create(org, record)
        except AlreadyExists:
            return await self.tasks.get(org, task.id)  # another call or process created it first

    async def record(self, org: str, task: NamedTask, upload: FeedbackUpload) -> FeedbackRecord:
        """Upload feedback under the named task (its task_id is set here), creating the task if needed."""
        await self.ensure_task(org, task)
        upload.task_id = task.id
        return await self.feedback.upload(org, upload)
