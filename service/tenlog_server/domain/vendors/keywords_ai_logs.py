"""tenlog Completions as Keywords AI request logs, and Keywords AI's log updates.

Any completion reads as a Keywords AI log: the request's messages are its
prompt_messages, the first choice's message its completion_message, and what
a Keywords AI client sent is read back from `metadata.keywordsai`. Keywords
AI's updatable fields map as: metadata (merged into
`metadata.keywordsai.metadata`) and custom_identifier (kept there too, and as
the tag `keywordsai.custom_identifier=<id>`) change the Completion;
positive_feedback and note are Feedback under the task `keywordsai.feedback`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import json_format, timestamp_pb2
from tenlog.completions import restore_integers
from tenlog.v1 import vendor_ingest_service_pb2 as api

from ..documents import Document
from ..model import CompletionRecord
from ..named_feedback import NamedTask
from .keywords_ai import FAILED_STATUS_CODE, NAMESPACE
from .payload_json import struct_dict, tag

FEEDBACK_TASK = NamedTask(
    id="keywordsai.feedback",
    name="Keywords AI feedback",
    instruction="positive_feedback and notes given to a request log through Keywords AI's API.",
    json_schema={
        "type": "object",
        "required": [],
        "properties": {"positive_feedback": {"type": "boolean"}, "note": {"type": "string"}},
    },
)
CUSTOM_IDENTIFIER = "custom_identifier"


def _kept(rec: CompletionRecord) -> Mapping[str, Any]:
    metadata = rec.metadata.to_dict() if rec.metadata is not None else {}
    kept = metadata.get(NAMESPACE)
    return kept if isinstance(kept, dict) else {}


def feedback_values(update: api.KeywordsAiLogUpdate) -> dict[str, Any]:
    """The Feedback values an update or a create carries (empty when none)."""
    values: dict[str, Any] = {}
    if update.HasField("positive_feedback"):
        values["positive_feedback"] = update.positive_feedback
    if update.HasField("note"):
        values["note"] = update.note
    return values


def create_feedback_values(log: api.KeywordsAiRequestLog) -> dict[str, Any]:
    """positive_feedback and note given on create (kept in `extra`, as Keywords AI's create takes them)."""
    extra = struct_dict(log.extra) if log.HasField("extra") else {}
    values: dict[str, Any] = {}
    if isinstance(extra.get("positive_feedback"), bool):
        values["positive_feedback"] = extra["positive_feedback"]
    if isinstance(extra.get("note"), str):
        values["note"] = extra["note"]
    return values


def updated_completion(rec: CompletionRecord, update: api.KeywordsAiLogUpdate) -> dict[str, Any]:
    """The Completion fields (metadata, tags) an update changes; empty when it changes none."""
    if not update.HasField("metadata") and not update.HasField(CUSTOM_IDENTIFIER):
        return {}
    metadata = rec.metadata.to_dict() if rec.metadata is not None else {}
    kept = dict(_kept(rec))
    changes: dict[str, Any] = {}
    if update.HasField("metadata"):
        kept["metadata"] = {**(kept.get("metadata") or {}), **struct_dict(update.metadata)}
    if update.HasField(CUSTOM_IDENTIFIER):
        identifier = restore_integers(json_format.MessageToDict(update.custom_identifier))
        kept[CUSTOM_IDENTIFIER] = identifier
        prefix = f"{NAMESPACE}.{CUSTOM_IDENTIFIER}="
        new_tag = tag(NAMESPACE, CUSTOM_IDENTIFIER, identifier) if isinstance(identifier, str | int) else None
        changes["tags"] = [t for t in rec.tags if not t.startswith(prefix)] + ([new_tag] if new_tag else [])
    metadata[NAMESPACE] = kept
    changes["metadata"] = Document.of(metadata)
    return changes


def _messages(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [dict(m) for m in value if isinstance(m, Mapping)]


def log_view(rec: CompletionRecord, latest_feedback: Sequence[Mapping[str, Any]] = ()) -> api.KeywordsAiLogView:
    """A Completion as Keywords AI's SDK reads a log; latest_feedback holds keywordsai.feedback values, newest first."""
    request = rec.request.to_dict() if rec.request is not None else {}
    response = rec.response.to_dict() if rec.response is not None else {}
    kept = _kept(rec)
    failed = rec.status == "failed"
    status_code = kept.get("status_code")
    if not isinstance(status_code, int):
        status_code = 500 if failed else 200
    view = api.KeywordsAiLogView(
        id=rec.id,
        unique_id=rec.id,
        organization_id=rec.organization_id,
        model=rec.model,
        prompt_tokens=rec.prompt_tokens,
        completion_tokens=rec.completion_tokens,
        status_code=status_code,
        status="error" if failed or status_code >= FAILED_STATUS_CODE else "success",
        error_bit=1 if failed else 0,
        error_message=rec.failure_reason,
        session_identifier=rec.session_id,
        timestamp=timestamp_pb2.Timestamp(
            seconds=rec.created_at_us // 1_000_000, nanos=(rec.created_at_us % 1_000_000) * 1000
        ),
    )
    if rec.cost is not None:
        view.cost = rec.cost
    if rec.duration is not None:
        view.latency = rec.duration
    for message in _messages(request.get("messages")):
        view.prompt_messages.add().update(message)
    for tool in _messages(request.get("tools")):
        view.tools.add().update(tool)
    choices = response.get("choices")
    if isinstance(choices, Sequence) and choices and isinstance(choices[0], Mapping):
        answer = choices[0].get("message")
        if isinstance(answer, Mapping):
            view.completion_message.update(dict(answer))
    if isinstance(kept.get("metadata"), dict):
        view.metadata.update(kept["metadata"])
    for name in ("customer_identifier", CUSTOM_IDENTIFIER):
        value = kept.get(name)
        if isinstance(value, str):
            getattr(view, name).string_value = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            getattr(view, name).number_value = value
    for values in latest_feedback:  # newest first: the first value of each field wins
        if "positive_feedback" in values and not view.HasField("positive_feedback"):
            view.positive_feedback = bool(values["positive_feedback"])
        if "note" in values and not view.HasField("note"):
            view.note = str(values["note"])
    return view
