"""The GenAI semantic conventions (latest experimental) on spans: `gen_ai.*` attributes -> LlmCall.

Read by the official `opentelemetry-instrumentation-genai-openai` (1.x), its predecessor
`opentelemetry-instrumentation-openai-v2` (`gen_ai.system`, no content on spans) and
OpenLLMetry 0.62+. The same attribute reader serves the
`gen_ai.client.inference.operation.details` log record, whose attributes are the span's
plus the content in structured form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .llm_call import LlmCall
from .parts_messages import finish_reason, input_messages, output_choices, tool_definitions

LLM_OPERATIONS = frozenset({"chat", "text_completion", "generate_content"})
CONTENT_ATTRIBUTES = ("gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions")
# gen_ai.request.<name> -> the OpenAI request parameter
_PARAMS = {
    "temperature": "temperature",
    "max_tokens": "max_tokens",
    "top_p": "top_p",
    "top_k": "top_k",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
    "seed": "seed",
    "stop_sequences": "stop",
    "choice.count": "n",
    "stream": "stream",
}


def is_llm_span(attributes: Mapping[str, Any]) -> bool:
    """A model call (chat or text completion), not a tool, agent or embeddings span."""
    operation = attributes.get("gen_ai.operation.name")
    if operation is not None:
        return operation in LLM_OPERATIONS
    return "gen_ai.request.model" in attributes and (
        "gen_ai.system" in attributes or "gen_ai.provider.name" in attributes
    )


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def usage(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """`gen_ai.usage.*` as OpenAI usage (with cached and reasoning token details)."""
    prompt = _int(attributes.get("gen_ai.usage.input_tokens", attributes.get("gen_ai.usage.prompt_tokens")))
    completion = _int(attributes.get("gen_ai.usage.output_tokens", attributes.get("gen_ai.usage.completion_tokens")))
    if prompt is None and completion is None:
        return {}
    out: dict[str, Any] = {"prompt_tokens": prompt or 0, "completion_tokens": completion or 0}
    total = _int(attributes.get("gen_ai.usage.total_tokens"))
    out["total_tokens"] = total if total is not None else out["prompt_tokens"] + out["completion_tokens"]
    cached = _int(attributes.get("gen_ai.usage.cache_read.input_tokens"))
    created = _int(attributes.get("gen_ai.usage.cache_creation.input_tokens"))
    if cached is not None or created is not None:
        details = {"cached_tokens": cached or 0}
        if created is not None:
            details["cache_creation_tokens"] = created
        out["prompt_tokens_details"] = details
    reasoning = _int(
        attributes.get("gen_ai.usage.reasoning.output_tokens", attributes.get("gen_ai.usage.reasoning_tokens"))
    )
    if reasoning is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return out


def session_of(attributes: Mapping[str, Any]) -> str:
    """The session a span names: `gen_ai.conversation.id`, else `session.id`."""
    for key in ("gen_ai.conversation.id", "session.id"):
        value = attributes.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return ""


def read_call(attributes: Mapping[str, Any]) -> LlmCall:
    """The LlmCall the GenAI attributes describe (content only where captured)."""
    params = {
        openai_name: attributes[f"gen_ai.request.{name}"]
        for name, openai_name in _PARAMS.items()
        if f"gen_ai.request.{name}" in attributes
    }
    if "stream" not in params and isinstance(attributes.get("gen_ai.is_streaming"), bool):
        params["stream"] = attributes["gen_ai.is_streaming"]  # OpenLLMetry
    reasons = attributes.get("gen_ai.response.finish_reasons")
    model = attributes.get("gen_ai.request.model")
    response_model = attributes.get("gen_ai.response.model")
    response_id = attributes.get("gen_ai.response.id")
    error = attributes.get("error.type")
    return LlmCall(
        convention="genai",
        model=model if isinstance(model, str) else "",
        messages=input_messages(attributes.get("gen_ai.input.messages"), attributes.get("gen_ai.system_instructions")),
        tools=tool_definitions(attributes.get("gen_ai.tool.definitions")),
        params=params,
        response_id=response_id if isinstance(response_id, str) else "",
        response_model=response_model if isinstance(response_model, str) else "",
        choices=output_choices(attributes.get("gen_ai.output.messages")),
        finish_reasons=[r for r in (finish_reason(x) for x in reasons or ()) if r] if isinstance(reasons, list) else [],
        usage=usage(attributes),
        session_id=session_of(attributes),
        error_type=error if isinstance(error, str) else "",
    )
