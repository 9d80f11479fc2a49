"""Keywords AI's request-log payload -> a tenlog Completion.

`prompt_messages` become the request's messages (merged over `full_request`),
`completion_message` the response's first choice; a `status_code` of 400 or
more, or an `error_message`, makes the Completion failed. Every body field is
kept as sent under `metadata.keywordsai`.
"""

from __future__ import annotations

from typing import Any

from tenlog.v1 import completion_pb2, vendor_ingest_service_pb2

from .payload_json import as_sent, finite_json, struct_dict, tag

NAMESPACE = "keywordsai"
FAILED_STATUS_CODE = 400


def _value(message: Any) -> Any:
    return finite_json(message, message.DESCRIPTOR.name)


def _request(log: vendor_ingest_service_pb2.KeywordsAiRequestLog) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if log.HasField("full_request"):
        full = _value(log.full_request)
        if isinstance(full, dict):
            request.update(full)
        else:
            request["full_request"] = full
    if log.model:
        request["model"] = log.model
    if log.prompt_messages or "messages" not in request:
        request["messages"] = [struct_dict(m) for m in log.prompt_messages]
    if log.tools:
        request["tools"] = [struct_dict(t) for t in log.tools]
    if log.HasField("tool_choice"):
        request["tool_choice"] = _value(log.tool_choice)
    if log.HasField("response_format"):
        request["response_format"] = struct_dict(log.response_format)
    if log.HasField("stream"):
        request["stream"] = log.stream
    return request


def _response(log: vendor_ingest_service_pb2.KeywordsAiRequestLog, failed: bool) -> dict[str, Any] | None:
    if not log.HasField("completion_message") and failed:
        return None
    response: dict[str, Any] = {"object": "chat.completion"}
    if log.model:
        response["model"] = log.model
    if log.HasField("completion_message"):
        response["choices"] = [{"index": 0, "message": struct_dict(log.completion_message), "finish_reason": "stop"}]
    usage = {}
    if log.HasField("prompt_tokens"):
        usage["prompt_tokens"] = log.prompt_tokens
    if log.HasField("completion_tokens"):
        usage["completion_tokens"] = log.completion_tokens
    if usage:
        usage["total_tokens"] = usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
        response["usage"] = usage
    return response


def keywords_ai_completion(log: vendor_ingest_service_pb2.KeywordsAiRequestLog) -> completion_pb2.Completion:
    """The Completion for one Keywords AI request log."""
    status_code = log.status_code if log.HasField("status_code") else 200
    failed = status_code >= FAILED_STATUS_CODE or bool(log.error_message)
    completion = completion_pb2.Completion(
        kind=completion_pb2.KIND_CHAT,
        status=completion_pb2.STATUS_FAILED if failed else completion_pb2.STATUS_FINISHED,
        model=log.model,
        source=completion_pb2.SOURCE_KEYWORDSAI,
    )
    if failed:
        completion.failure_kind = f"status_code_{status_code}" if status_code >= FAILED_STATUS_CODE else "error"
        completion.failure_reason = log.error_message or f"the inference answered status {status_code}"
    completion.request.update(_request(log))
    response = _response(log, failed)
    if response is not None:
        completion.response.update(response)
    if log.HasField("prompt_tokens"):
        completion.prompt_tokens = log.prompt_tokens
    if log.HasField("completion_tokens"):
        completion.completion_tokens = log.completion_tokens
    if log.HasField("cost"):
        completion.cost = log.cost
    if log.HasField("generation_time"):
        completion.duration = max(0.0, log.generation_time)
    elif log.HasField("latency"):
        completion.duration = max(0.0, log.latency)
    kept = as_sent(log)
    completion.metadata.update({NAMESPACE: kept})
    customer = _value(log.customer_identifier) if log.HasField("customer_identifier") else None
    customer_tag = tag(NAMESPACE, "customer_identifier", customer)
    if customer_tag:
        completion.tags.append(customer_tag)
    thread = kept.get("thread_identifier")
    thread_tag = tag(NAMESPACE, "thread_identifier", thread) if isinstance(thread, str | int) else None
    if thread_tag:
        completion.tags.append(thread_tag)
    return completion
