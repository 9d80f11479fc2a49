"""GenAI content sent as log records (event mode) -> LlmCall parts.

Two shapes: the latest conventions' single `gen_ai.client.inference.operation.details`
record (the span's attributes plus structured content, empty body), and the older
per-message events of `opentelemetry-instrumentation-openai-v2` without the stability
opt-in and of OpenLLMetry's event mode (`gen_ai.system.message`, `gen_ai.user.message`,
`gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice`), one record per
message, each in its body.

Records are kept as JSON-able dicts (`stored_event`) in the completion's metadata, so
records that arrive in several exports, before or after their span, add up to the same call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import genai_spans
from .llm_call import LlmCall
from .model import OtelLogRecord
from .parts_messages import arguments_text, finish_reason

DETAILS_EVENT = "gen_ai.client.inference.operation.details"
CHOICE_EVENT = "gen_ai.choice"
MESSAGE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
CONTENT_EVENTS = frozenset({DETAILS_EVENT, CHOICE_EVENT, *MESSAGE_EVENTS})


def event_name(record: OtelLogRecord) -> str:
    """The record's event name: the OTLP field, else the older `event.name` attribute."""
    if record.event_name:
        return record.event_name
    name = record.attributes.get("event.name")
    return name if isinstance(name, str) else ""


def stored_event(record: OtelLogRecord, name: str) -> dict[str, Any]:
    """A content record as kept in metadata.otel.log_events (times as strings: JSON numbers are doubles)."""
    return {
        "name": name,
        "time_unix_nano": str(record.time_ns),
        "span_id": record.span_id,
        "body": record.body,
        "attributes": record.attributes,
    }


def merge_events(*lists: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Events of several exports in time order, each once (a re-export repeats name, time and span)."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for events in lists:
        for event in events:
            key = (str(event.get("name")), str(event.get("time_unix_nano")), str(event.get("span_id")))
            seen[key] = dict(event)
    return sorted(seen.values(), key=lambda e: int(e.get("time_unix_nano") or 0))


def _tool_calls(value: Any) -> list[dict[str, Any]]:
    calls = []
    for call in value if isinstance(value, list) else []:
        if not isinstance(call, Mapping):
            continue
        raw = call.get("function")
        function: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        calls.append(
            {
                "id": call.get("id") or "",
                "type": call.get("type") or "function",
                "function": {
                    "name": function.get("name") or "",
                    "arguments": arguments_text(function.get("arguments")),
                },
            }
        )
    return calls


def _message(role: str, body: Mapping[str, Any]) -> dict[str, Any]:
    content = body.get("content")
    if role == "tool":
        text = content if isinstance(content, str) else arguments_text(content)
        return {"role": "tool", "tool_call_id": body.get("id") or "", "content": text}
    message: dict[str, Any] = {"role": role, "content": content}
    calls = _tool_calls(body.get("tool_calls"))
    if calls:
        message["tool_calls"] = calls
    return message


def _choice(body: Mapping[str, Any]) -> dict[str, Any]:
    found = body.get("message")
    raw: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    message = _message(str(raw.get("role") or "assistant"), raw)
    # OpenLLMetry puts the choice's tool calls beside the message.
    if "tool_calls" not in message and _tool_calls(body.get("tool_calls")):
        message["tool_calls"] = _tool_calls(body.get("tool_calls"))
    index = body.get("index")
    return {
        "index": index if isinstance(index, int) else 0,
        "message": message,
        "finish_reason": finish_reason(body.get("finish_reason")),
    }


def _answer_tool_calls(messages: list[dict[str, Any]]) -> None:
    """Give tool results without an id (OpenLLMetry's) the id of the next call they answer, in order."""
    open_calls: list[str] = []
    for message in messages:
        open_calls += [c["id"] for c in message.get("tool_calls", []) if c.get("id")]
        if message["role"] == "tool":
            if not message.get("tool_call_id") and open_calls:
                message["tool_call_id"] = open_calls[0]
            if message.get("tool_call_id") in open_calls:
                open_calls.remove(message["tool_call_id"])


def call_from_events(events: Iterable[Mapping[str, Any]]) -> LlmCall | None:
    """The call that content events describe (in time order); None when they hold no content."""
    events = list(events)
    details = [e for e in events if e.get("name") == DETAILS_EVENT]
    if details:
        return genai_spans.read_call(details[-1].get("attributes") or {})
    messages = [
        _message(
            MESSAGE_EVENTS[str(e["name"])],
            e["body"] if isinstance(e.get("body"), Mapping) else {"content": e.get("body")},
        )
        for e in events
        if e.get("name") in MESSAGE_EVENTS
    ]
    _answer_tool_calls(messages)
    choices = [
        _choice(e["body"]) for e in events if e.get("name") == CHOICE_EVENT and isinstance(e.get("body"), Mapping)
    ]
    if not messages and not choices:
        return None
    return LlmCall(
        convention="genai_events",
        messages=messages or None,
        choices=sorted(choices, key=lambda c: c["index"]) or None,
    )
