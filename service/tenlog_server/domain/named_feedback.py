"""Feedback filed under a task named by the sender, the task created on first use.

Graders that are not tenlog clients (OpenTelemetry `gen_ai.evaluation.result` events,
vendor SDKs' feedback calls) name what they grade ("relevance", "thumbs") instead of
holding a task id. The task's id derives from the name, so every server process
finds or creates the same one.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from tenlog_server.domain.model import FeedbackRecord, FeedbackTaskRecord

from .errors import AlreadyExists, NotFound
from .feedback import FeedbackService, FeedbackTasksService, FeedbackUpload

_MAX_NAME_IN_ID = 200


def named_task_id(name: str) -> str:
    """The id of the task for a name: `named:<name>` (a hash for names too long for an id)."""
    name = name.strip()
    if len(name) > _MAX_NAME_IN_ID or not name.isprintable():
        return "named:" + hashlib.sha256(name.encode()).hexdigest()
    return f"named:{name}"


async def ensure_named_task(
    tasks: FeedbackTasksService, org: str, name: str, json_schema: dict[str, Any], instruction: str
) -> str:
    """The id of the organization's task for the name, creating it (with the schema) when it does not exist."""
    task_id = named_task_id(name)
    try:
        await tasks.get(org, task_id)
    except NotFound:
        record = FeedbackTaskRecord(
            id=task_id, name=name.strip(), instruction=instruction, json_schema=json_schema, completion_tags_selector=[]
        )
        with contextlib.suppress(AlreadyExists):  # another call created it meanwhile
            await tasks.create(org, record)
    return task_id


async def upload_named_feedback(
    tasks: FeedbackTasksService,
    feedback: FeedbackService,
    org: str,
    name: str,
    json_schema: dict[str, Any],
    upload: FeedbackUpload,
    instruction: str = "",
) -> FeedbackRecord:
    """Upload feedback under the task called `name` (created on first use with `json_schema`)."""
    upload.task_id = await ensure_named_task(tasks, org, name, json_schema, instruction)
    return await feedback.upload(org, upload)
