"""Request messages for each RPC, built from keyword arguments.

Shared by :class:`tenlog.Client` and :class:`tenlog.AsyncClient` so both turn
the same arguments into the same requests. Every write gets a client-chosen id
here when it has none, so that the retry loop may resend it safely.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from google.protobuf import field_mask_pb2

from tenlog.completions import StatusLike, new_id, status_value, to_struct
from tenlog.v1 import (
    completion_pb2,
    completion_service_pb2,
    feedback_service_pb2,
    feedback_task_service_pb2,
    session_service_pb2,
)


def with_id(completion: completion_pb2.Completion) -> completion_pb2.Completion:
    """The completion itself if it has an id, else a copy with a fresh one (the caller's is not changed)."""
    if completion.id:
        return completion
    copy = completion_pb2.Completion()
    copy.CopyFrom(completion)
    copy.id = new_id()
    return copy


def create_completion(
    completion: completion_pb2.Completion,
) -> completion_service_pb2.CreateCompletionRequest:
    """CreateCompletion for one completion."""
    return completion_service_pb2.CreateCompletionRequest(completion=with_id(completion))


def update_completion(
    completion: completion_pb2.Completion, update_mask: Iterable[str] | None
) -> completion_service_pb2.UpdateCompletionRequest:
    """UpdateCompletion; an empty mask replaces every field set to a non-default value."""
    if not completion.id:
        raise ValueError("update_completion: the completion needs the id of the one to update")
    request = completion_service_pb2.UpdateCompletionRequest(completion=completion)
    if update_mask is not None:
        request.update_mask.CopyFrom(field_mask_pb2.FieldMask(paths=list(update_mask)))
    return request


def list_completions(
    *,
    tags: Iterable[str],
    session_id: str,
    status: StatusLike | None,
    model: str,
    source: int | str | None,
    created_after: datetime | None,
    created_before: datetime | None,
    page_size: int,
    page_token: str,
    offset: int,
    filter: str = "",
    search: str = "",
    order_by: str = "",
) -> completion_service_pb2.ListCompletionsRequest:
    """ListCompletions with the given filters; unset filters match everything.

    ``filter`` is the server's filter language (e.g. ``model = "gpt-4o" AND cost > 0.01``),
    ``search`` full-text search over messages, ``order_by`` e.g. ``"cost desc"``.
    """
    request = completion_service_pb2.ListCompletionsRequest(
        tags=list(tags),
        session_id=session_id,
        model=model,
        page_size=page_size,
        page_token=page_token,
        offset=offset,
        filter=filter,
        search=search,
        order_by=order_by,
    )
    if status is not None:
        request.status = status_value(status)
    if source is not None:
        request.source = (
            completion_pb2.Source.Value(source) if isinstance(source, str) else source  # type: ignore[assignment]
        )
    if created_after is not None:
        request.created_after.FromDatetime(created_after)
    if created_before is not None:
        request.created_before.FromDatetime(created_before)
    return request


def tail_completions(
    *, tags: Iterable[str], session_id: str, status: StatusLike | None
) -> completion_service_pb2.TailCompletionsRequest:
    """TailCompletions with the given filters."""
    request = completion_service_pb2.TailCompletionsRequest(tags=list(tags), session_id=session_id)
    if status is not None:
        request.status = status_value(status)
    return request


def create_session(id: str | None) -> session_service_pb2.CreateSessionRequest:
    """CreateSession with a client-chosen id (a fresh one unless given)."""
    return session_service_pb2.CreateSessionRequest(session=completion_pb2.Session(id=id or new_id()))


def create_feedback_task(
    *,
    name: str,
    json_schema: Mapping[str, Any],
    instruction: str,
    completion_tags_selector: Iterable[str],
    id: str | None,
) -> feedback_task_service_pb2.CreateFeedbackTaskRequest:
    """CreateFeedbackTask; ``json_schema`` must itself be valid JSON Schema."""
    task = completion_pb2.FeedbackTask(
        id=id or new_id(),
        name=name,
        instruction=instruction,
        completion_tags_selector=list(completion_tags_selector),
    )
    task.json_schema.CopyFrom(to_struct(json_schema))
    return feedback_task_service_pb2.CreateFeedbackTaskRequest(task=task)


def upload_feedback(
    *,
    task_id: str,
    json_values: Mapping[str, Any],
    completion_ids: Iterable[str],
    completion_tags_selector: Iterable[str],
    comment: str,
    completions_summary: str,
    allow_unmatched_feedback: bool | None,
    max_matched_completions: int | None,
    id: str | None,
) -> feedback_service_pb2.UploadFeedbackRequest:
    """UploadFeedback for explicit completion ids or a tag selector."""
    request = feedback_service_pb2.UploadFeedbackRequest(
        id=id or new_id(),
        task_id=task_id,
        completion_ids=list(completion_ids),
        completion_tags_selector=list(completion_tags_selector),
        comment=comment,
        completions_summary=completions_summary,
    )
    request.json_values.CopyFrom(to_struct(json_values))
    if allow_unmatched_feedback is not None:
        request.allow_unmatched_feedback = allow_unmatched_feedback
    if max_matched_completions is not None:
        request.max_matched_completions = max_matched_completions
    return request
