"""An LLM call as a convention mapper reads it off a span or log records, before it becomes a Completion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class LlmCall:
    """OpenAI-chat-shaped parts of one call; None means "not in this telemetry" (so a later export may fill it)."""

    convention: str
    model: str = ""
    messages: list[dict[str, Any]] | None = None
    tools: list[dict[str, Any]] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    response_id: str = ""
    response_model: str = ""
    choices: list[dict[str, Any]] | None = None
    finish_reasons: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    session_id: str = ""
    tags: list[str] = field(default_factory=list)
    error_type: str = ""

    def request(self) -> dict[str, Any]:
        """The OpenAI chat-completion request."""
        out: dict[str, Any] = {"model": self.model} if self.model else {}
        if self.messages is not None:
            out["messages"] = self.messages
        if self.tools:
            out["tools"] = self.tools
        out.update(self.params)
        return out

    def response(self) -> dict[str, Any] | None:
        """The OpenAI chat-completion response; None when the telemetry says nothing of it."""
        choices = self.choices
        if choices is None and self.finish_reasons:
            # The finish reasons without the content (content capture was off, or comes in a log record).
            choices = [
                {"index": i, "message": {"role": "assistant", "content": None}, "finish_reason": reason}
                for i, reason in enumerate(self.finish_reasons)
            ]
        if choices is None and not self.usage and not self.response_id:
            return None
        out: dict[str, Any] = {"object": "chat.completion"}
        if self.response_id:
            out["id"] = self.response_id
        if self.response_model or self.model:
            out["model"] = self.response_model or self.model
        out["choices"] = choices or []
        if self.usage:
            out["usage"] = self.usage
        return out


def has_content(choices: Any) -> bool:
    """Whether response choices carry a message's content or tool calls (not only finish reasons)."""
    if not choices:
        return False
    for choice in choices:
        message = choice.get("message") if hasattr(choice, "get") else None
        if message and (message.get("content") not in (None, "") or message.get("tool_calls")):
            return True
    return False
