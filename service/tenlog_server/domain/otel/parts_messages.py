"""The GenAI conventions' `parts` messages, as OpenAI chat-completion messages and choices.

`gen_ai.input.messages` / `gen_ai.output.messages` / `gen_ai.system_instructions` /
`gen_ai.tool.definitions` arrive as JSON strings on spans and as structured values
on log records; both read the same here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Finish reasons in OpenAI's spelling; others pass through unchanged.
_FINISH_REASONS = {
    "tool_call": "tool_calls",
    "tool_use": "tool_calls",
    "function_call": "function_call",
    "max_tokens": "length",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "content_filtered": "content_filter",
}


def json_value(value: Any) -> Any:
    """A value given either as JSON text (span attributes) or already structured (log attributes)."""
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def finish_reason(value: Any) -> str | None:
    """A finish reason in OpenAI's spelling (None stays None)."""
    if not isinstance(value, str) or not value:
        return None
    lowered = value.lower()
    return _FINISH_REASONS.get(lowered, lowered)


def arguments_text(arguments: Any) -> str:
    """Tool-call arguments as OpenAI sends them: a JSON string."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments if arguments is not None else {}, ensure_ascii=False, separators=(",", ":"))


def _text(part: Mapping[str, Any]) -> str | None:
    content = part.get("content")
    return content if isinstance(content, str) else None


def _content(parts: list[Mapping[str, Any]]) -> Any:
    """OpenAI message content: a string for text alone, else a list of content parts."""
    texts = [_text(p) for p in parts]
    if all(t is not None for t in texts):
        return "".join(t for t in texts if t is not None) if texts else None
    out: list[Any] = []
    for part in parts:
        text = _text(part) if part.get("type") == "text" else None
        out.append({"type": "text", "text": text} if text is not None else dict(part))
    return out


def _tool_call(part: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": part.get("id") or "",
        "type": "function",
        "function": {"name": part.get("name") or "", "arguments": arguments_text(part.get("arguments"))},
    }


def _message(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One parts message as OpenAI messages (a tool message per tool_call_response part)."""
    role = raw.get("role") if isinstance(raw.get("role"), str) else "user"
    parts = [p for p in raw.get("parts") or [] if isinstance(p, Mapping)]
    calls = [_tool_call(p) for p in parts if p.get("type") == "tool_call"]
    responses = [p for p in parts if p.get("type") == "tool_call_response"]
    others = [p for p in parts if p.get("type") not in ("tool_call", "tool_call_response")]
    out: list[dict[str, Any]] = []
    for response in responses:
        value = response.get("response")
        content = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.append({"role": "tool", "tool_call_id": response.get("id") or "", "content": content})
    if others or calls or not responses:
        message: dict[str, Any] = {"role": role, "content": _content(others)}
        if calls:
            message["tool_calls"] = calls
        if isinstance(raw.get("name"), str) and raw["name"]:
            message["name"] = raw["name"]
        if role == "tool":
            out.append(message)
        else:
            out.insert(0, message)
    return out


def input_messages(value: Any, system_instructions: Any = None) -> list[dict[str, Any]] | None:
    """`gen_ai.input.messages` (+ `gen_ai.system_instructions`) as OpenAI request messages; None when absent."""
    messages = json_value(value)
    system = json_value(system_instructions)
    if not isinstance(messages, list) and not isinstance(system, list):
        return None
    out: list[dict[str, Any]] = []
    if isinstance(system, list) and system:
        parts = [p for p in system if isinstance(p, Mapping)]
        out.append({"role": "system", "content": _content(parts)})
    for raw in messages if isinstance(messages, list) else []:
        if isinstance(raw, Mapping):
            out.extend(_message(raw))
    return out


def output_choices(value: Any) -> list[dict[str, Any]] | None:
    """`gen_ai.output.messages` as OpenAI response choices; None when absent."""
    messages = json_value(value)
    if not isinstance(messages, list):
        return None
    choices = []
    for index, raw in enumerate(m for m in messages if isinstance(m, Mapping)):
        (message, *_) = _message({**raw, "role": raw.get("role") or "assistant"})
        choices.append({"index": index, "message": message, "finish_reason": finish_reason(raw.get("finish_reason"))})
    return choices


def tool_definitions(value: Any) -> list[dict[str, Any]] | None:
    """`gen_ai.tool.definitions` as OpenAI request tools; None when absent."""
    tools = json_value(value)
    if not isinstance(tools, list):
        return None
    out = []
    for tool in tools:
        if not isinstance(tool, Mapping):
            continue
        if isinstance(tool.get("function"), Mapping):
            out.append(dict(tool))
            continue
        function = {k: tool[k] for k in ("name", "description", "parameters") if tool.get(k) is not None}
        out.append({"type": tool.get("type") or "function", "function": function})
    return out
