"""Freeplay traces and feedback -> tenlog Completions and Feedback.

A trace (one agent step: input, output, parent) is a Completion whose id is
the trace id, in the Freeplay session, with the input as the request and the
output as the response. The tags `freeplay.trace_id=<id>` (which completions
recorded inside the trace carry too) and `freeplay.parent_id=<id>` link it to
its children and its parent. Every field sent is kept under
`metadata.freeplay`, as for recorded completions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from tenlog.completions import restore_integers
from tenlog.v1 import completion_pb2, vendor_ingest_service_pb2

from ..errors import FieldViolation, InvalidArgument
from ..named_feedback import NamedTask
from .freeplay import NAMESPACE
from .payload_json import as_sent, struct_dict, tag

# Freeplay's feedback values are booleans, numbers or strings, under any name.
_FEEDBACK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": [],
    "additionalProperties": {"type": ["boolean", "number", "string"]},
}
CUSTOMER_FEEDBACK_TASK = NamedTask(
    id="freeplay.customer_feedback",
    name="Freeplay customer feedback",
    instruction="Customer feedback on a completion, recorded through Freeplay's completion-feedback API.",
    json_schema=_FEEDBACK_SCHEMA,
)
TRACE_FEEDBACK_TASK = NamedTask(
    id="freeplay.trace_feedback",
    name="Freeplay trace feedback",
    instruction="Feedback on a trace, recorded through Freeplay's trace-feedback API.",
    json_schema=_FEEDBACK_SCHEMA,
)


def _value(message: Any) -> Any:
    return restore_integers(json_format.MessageToDict(message))


def require_ids(**ids: str) -> None:
    """INVALID_ARGUMENT naming every empty id."""
    violations = [FieldViolation(name, "is required") for name, value in ids.items() if not value.strip()]
    if violations:
        raise InvalidArgument("the Freeplay call is missing ids", violations)


def trace_completion(
    project_id: str, session_id: str, trace_id: str, trace: vendor_ingest_service_pb2.FreeplayTrace
) -> completion_pb2.Completion:
    """The Completion a recorded trace becomes (its id is the trace id)."""
    require_ids(project_id=project_id, session_id=session_id, trace_id=trace_id)
    kept = as_sent(trace)
    kept.update(project_id=project_id, session_id=session_id, trace_id=trace_id, record="trace")
    completion = completion_pb2.Completion(
        id=trace_id,
        kind=completion_pb2.KIND_CHAT,
        status=completion_pb2.STATUS_FINISHED,
        session_id=session_id,
        source=completion_pb2.SOURCE_FREEPLAY,
    )
    completion.request.update({"input": _value(trace.input) if trace.HasField("input") else None})
    completion.response.update({"output": _value(trace.output) if trace.HasField("output") else None})
    if trace.HasField("start_time") and trace.HasField("end_time"):
        start = trace.start_time.seconds + trace.start_time.nanos / 1e9
        end = trace.end_time.seconds + trace.end_time.nanos / 1e9
        completion.duration = max(0.0, end - start)
    completion.metadata.update({NAMESPACE: kept})
    tags = [
        tag(NAMESPACE, "project_id", project_id),
        tag(NAMESPACE, "trace_id", trace_id),
        tag(NAMESPACE, "parent_id", trace.parent_id),
        tag(NAMESPACE, "agent_name", trace.agent_name),
        tag(NAMESPACE, "kind", trace.kind),
    ]
    completion.tags.extend(t for t in tags if t)
    return completion


def merged_trace_metadata(metadata: Mapping[str, Any], custom_metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A trace Completion's metadata with keys set in its Freeplay custom metadata (others kept)."""
    updated = dict(metadata)
    kept = dict(updated.get(NAMESPACE) or {})
    kept["custom_metadata"] = {**(kept.get("custom_metadata") or {}), **custom_metadata}
    updated[NAMESPACE] = kept
    return updated


def updated_trace_metadata(
    metadata: Mapping[str, Any], update: vendor_ingest_service_pb2.FreeplayTraceUpdate
) -> dict[str, Any]:
    """A trace Completion's metadata after Freeplay's trace update (output is the response's, not here)."""
    updated = merged_trace_metadata(metadata, struct_dict(update.metadata)) if update.HasField("metadata") else {}
    updated = updated or dict(metadata)
    kept = dict(updated.get(NAMESPACE) or {})
    if update.HasField("eval_results"):
        kept["eval_results"] = {**(kept.get("eval_results") or {}), **struct_dict(update.eval_results)}
    if update.HasField("test_run_info"):
        kept["test_run_info"] = struct_dict(update.test_run_info)
    if update.HasField("extra"):
        kept.setdefault("updates", []).append(struct_dict(update.extra))
    updated[NAMESPACE] = kept
    return updated


def trace_output(update: vendor_ingest_service_pb2.FreeplayTraceUpdate) -> dict[str, Any] | None:
    """The trace Completion's new response when the update gives an output."""
    return {"output": _value(update.output)} if update.HasField("output") else None
