"""OpenInference (Arize) LLM spans -> LlmCall.

`input.value` / `output.value` hold the OpenAI request and response as JSON when
the MIME type says so; the flattened `llm.input_messages.N.message.*`,
`llm.output_messages.N.message.*` and `llm.tools.N.tool.json_schema` attributes
are read when they are absent (other instrumentations send only those).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .llm_call import LlmCall
from .parts_messages import arguments_text, finish_reason

_INDEXED = re.compile(r"^(\d+)\.(.*)$")


def is_llm_span(attributes: Mapping[str, Any]) -> bool:
    """An OpenInference span of kind LLM."""
    return str(attributes.get("openinference.span.kind", "")).upper() == "LLM"


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return dict(value) if isinstance(value, Mapping) else {}


def _indexed(attributes: Mapping[str, Any], prefix: str) -> dict[int, dict[str, Any]]:
    """`prefix.N.rest` attributes grouped by N: {N: {rest: value}}."""
    out: dict[int, dict[str, Any]] = {}
    for key, value in attributes.items():
        if key.startswith(prefix):
            match = _INDEXED.match(key[len(prefix) :])
            if match:
                out.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return out


def _flat_message(fields: Mapping[str, Any]) -> dict[str, Any]:
    """One flattened `message.*` group as an OpenAI message."""
    message: dict[str, Any] = {"role": fields.get("message.role") or "user"}
    content = fields.get("message.content")
    if content is None:
        contents = _indexed(fields, "message.contents.")
        if contents:
            content = [
                {"type": "text", "text": c.get("message_content.text", "")}
                if c.get("message_content.type", "text") == "text"
                else {k.removeprefix("message_content."): v for k, v in c.items()}
                for _, c in sorted(contents.items())
            ]
    message["content"] = content
    calls = _indexed(fields, "message.tool_calls.")
    if calls:
        message["tool_calls"] = [
            {
                "id": call.get("tool_call.id", ""),
                "type": "function",
                "function": {
                    "name": call.get("tool_call.function.name", ""),
                    "arguments": arguments_text(call.get("tool_call.function.arguments")),
                },
            }
            for _, call in sorted(calls.items())
        ]
    for source, target in (("message.tool_call_id", "tool_call_id"), ("message.name", "name")):
        if fields.get(source):
            message[target] = fields[source]
    return message


def _flat_messages(attributes: Mapping[str, Any], prefix: str) -> list[dict[str, Any]] | None:
    groups = _indexed(attributes, prefix)
    return [_flat_message(fields) for _, fields in sorted(groups.items())] if groups else None


def _usage(attributes: Mapping[str, Any]) -> dict[str, Any]:
    prompt = attributes.get("llm.token_count.prompt")
    completion = attributes.get("llm.token_count.completion")
    if not isinstance(prompt, int) and not isinstance(completion, int):
        return {}
    out: dict[str, Any] = {"prompt_tokens": prompt or 0, "completion_tokens": completion or 0}
    total = attributes.get("llm.token_count.total")
    out["total_tokens"] = total if isinstance(total, int) else out["prompt_tokens"] + out["completion_tokens"]
    cached = attributes.get("llm.token_count.prompt_details.cache_read")
    if isinstance(cached, int):
        out["prompt_tokens_details"] = {"cached_tokens": cached}
    reasoning = attributes.get("llm.token_count.completion_details.reasoning")
    if isinstance(reasoning, int):
        out["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return out


def read_call(attributes: Mapping[str, Any]) -> LlmCall:
    """The LlmCall an OpenInference LLM span describes."""
    request = _json_object(attributes.get("input.value")) if "json" in str(attributes.get("input.mime_type")) else {}
    response = _json_object(attributes.get("output.value")) if "json" in str(attributes.get("output.mime_type")) else {}
    params = _json_object(attributes.get("llm.invocation_parameters"))
    params.update({k: v for k, v in request.items() if k not in ("messages", "tools", "model")})
    model = attributes.get("llm.model_name") or request.get("model") or params.get("model") or ""
    params.pop("model", None)
    messages = request.get("messages") if isinstance(request.get("messages"), list) else None
    if messages is None:
        messages = _flat_messages(attributes, "llm.input_messages.")
    tools = request.get("tools") if isinstance(request.get("tools"), list) else None
    if tools is None:
        schemas = _indexed(attributes, "llm.tools.")
        tools = [_json_object(t.get("tool.json_schema")) for _, t in sorted(schemas.items())] or None
    choices = response.get("choices") if isinstance(response.get("choices"), list) else None
    if choices is None:
        flat = _flat_messages(attributes, "llm.output_messages.")
        if flat is not None:
            reason = finish_reason(attributes.get("llm.finish_reason"))
            choices = [{"index": i, "message": m, "finish_reason": reason} for i, m in enumerate(flat)]
    else:
        choices = [
            {**c, "finish_reason": finish_reason(c.get("finish_reason"))} for c in choices if isinstance(c, dict)
        ]
    usage = response.get("usage") if isinstance(response.get("usage"), dict) else _usage(attributes)
    tags = attributes.get("tag.tags")
    session = attributes.get("session.id")
    return LlmCall(
        convention="openinference",
        model=str(model),
        messages=messages,
        tools=tools,
        params=params,
        response_id=str(response.get("id") or ""),
        response_model=str(response.get("model") or ""),
        choices=choices,
        usage=usage or {},
        session_id=str(session).strip() if session else "",
        tags=[t for t in tags if isinstance(t, str) and t.strip()] if isinstance(tags, list) else [],
    )
