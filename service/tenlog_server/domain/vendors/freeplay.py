"""Freeplay's record-completion payload -> a tenlog Completion.

Freeplay sends the whole conversation in `messages`, the model's answer last.
The Completion's request gets the conversation before the answer (plus the
model, tools and LLM parameters), its response gets the answer as an
OpenAI-shaped chat completion, and every body field is kept as sent under
`metadata.freeplay`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenlog.v1 import completion_pb2, vendor_ingest_service_pb2

from tenlog_server.domain.errors import FieldViolation, InvalidArgument

from .payload_json import as_sent, struct_dict, tag

NAMESPACE = "freeplay"


def _usage(call_info: vendor_ingest_service_pb2.FreeplayCallInfo) -> dict[str, int]:
    if not call_info.HasField("usage"):
        return {}
    prompt = call_info.usage.prompt_tokens
    completion = call_info.usage.completion_tokens
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _request(body: vendor_ingest_service_pb2.FreeplayCompletion, prompt: list[dict[str, Any]]) -> dict[str, Any]:
    call_info = body.call_info
    request: dict[str, Any] = {}
    if call_info.HasField("llm_parameters"):
        request.update(struct_dict(call_info.llm_parameters))
    if call_info.model:
        request["model"] = call_info.model
    request["messages"] = prompt
    if body.tool_schema:
        request["tools"] = [struct_dict(t) for t in body.tool_schema]
    return request


def _response(body: vendor_ingest_service_pb2.FreeplayCompletion, answer: dict[str, Any] | None) -> dict[str, Any]:
    response: dict[str, Any] = {"object": "chat.completion"}
    if body.call_info.model:
        response["model"] = body.call_info.model
    if answer is not None:
        response["choices"] = [{"index": 0, "message": answer, "finish_reason": "stop"}]
    usage = _usage(body.call_info)
    if usage:
        response["usage"] = usage
    return response


def freeplay_completion(
    project_id: str, session_id: str, body: vendor_ingest_service_pb2.FreeplayCompletion
) -> completion_pb2.Completion:
    """The Completion for one Freeplay record call (its id is the client's completion_id, if any)."""
    violations = []
    if not project_id.strip():
        violations.append(FieldViolation("project_id", "is required"))
    if not session_id.strip():
        violations.append(FieldViolation("session_id", "is required"))
    if not body.messages:
        violations.append(FieldViolation("messages", "must hold at least one message, the answer last"))
    if violations:
        raise InvalidArgument("the Freeplay completion is not valid", violations)
    messages = [struct_dict(m) for m in body.messages]
    prompt, answer = messages[:-1], messages[-1]
    kept = as_sent(body)
    kept.pop("messages", None)  # they are the request's messages plus the response's message
    kept.update(project_id=project_id, session_id=session_id)
    completion = completion_pb2.Completion(
        id=body.completion_id,
        kind=completion_pb2.KIND_CHAT,
        status=completion_pb2.STATUS_FINISHED,
        session_id=session_id,
        model=body.call_info.model,
        source=completion_pb2.SOURCE_FREEPLAY,
    )
    completion.request.update(_request(body, prompt))
    completion.response.update(_response(body, answer))
    completion.metadata.update({NAMESPACE: kept})
    usage = _usage(body.call_info)
    if usage:
        completion.prompt_tokens = usage["prompt_tokens"]
        completion.completion_tokens = usage["completion_tokens"]
        completion.total_tokens = usage["total_tokens"]
    call_info = body.call_info
    if call_info.HasField("start_time") and call_info.HasField("end_time"):
        completion.duration = max(0.0, call_info.end_time - call_info.start_time)
    trace = struct_dict(body.trace_info) if body.HasField("trace_info") else {}
    prompt_info = struct_dict(body.prompt_info) if body.HasField("prompt_info") else {}
    tags = [
        tag(NAMESPACE, "project_id", project_id),
        tag(NAMESPACE, "trace_id", trace.get("trace_id")),
        tag(NAMESPACE, "prompt_template_version_id", prompt_info.get("prompt_template_version_id")),
        tag(NAMESPACE, "environment", prompt_info.get("environment")),
        tag(NAMESPACE, "provider", call_info.provider),
    ]
    completion.tags.extend(t for t in tags if t)
    return completion


def freeplay_update_metadata(
    metadata: Mapping[str, Any], request: vendor_ingest_service_pb2.UpdateFreeplayCompletionRequest
) -> dict[str, Any]:
    """The stored metadata with an update's new messages appended and eval results merged."""
    updated = dict(metadata)
    kept = dict(updated.get(NAMESPACE) or {})
    if request.new_messages:
        kept["new_messages"] = [*kept.get("new_messages", []), *(struct_dict(m) for m in request.new_messages)]
    if request.HasField("eval_results"):
        kept["eval_results"] = {**(kept.get("eval_results") or {}), **struct_dict(request.eval_results)}
    extra = as_sent(request)
    for key in ("project_id", "completion_id", "new_messages", "eval_results"):
        extra.pop(key, None)
    if extra:
        kept.setdefault("updates", []).append(extra)
    updated[NAMESPACE] = kept
    return updated
