"""Log10 completion rules: validation, defaults, and the fields lifted for querying."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import FieldViolation
from .input_contract import json_violations, may_hold_non_finite, number_violations, text_violations
from .limits import (
    MAX_ID_LENGTH,
    MAX_LONG_TEXT_LENGTH,
    MAX_ORGANIZATION_LENGTH,
    MAX_SHORT_TEXT_LENGTH,
    MAX_STACK_FRAMES,
    MAX_TAGS_PER_COMPLETION,
    MAX_TOKEN_COUNT,
)
from .model import CompletionRecord
from .tag_selector import tag_violations
from .token_usage import token_count, usage_counts

KINDS = ("chat", "prompt")
DEFAULT_KIND = "chat"  # a completion that does not say is a chat completion, on create and on update
STATUSES = ("started", "finished", "failed")
_CONTROL = re.compile(r"[\x00-\x1f]")


def id_violations(field: str, value: str) -> list[FieldViolation]:
    """Violations for a client-chosen id (empty means 'server chooses')."""
    if len(value) > MAX_ID_LENGTH:
        return [FieldViolation(field, f"is longer than {MAX_ID_LENGTH} characters")]
    if value != value.strip() or _CONTROL.search(value):
        return [FieldViolation(field, "must not contain whitespace at the ends or control characters")]
    return []


def could_exist(stored_id: str) -> bool:
    """Whether a row could have this id (ids are checked when stored): a lookup of any other finds nothing.

    Looking it up is not even tried, so both backends answer alike (PostgreSQL cannot take NUL).
    """
    return not id_violations("id", stored_id)


def completion_violations(rec: CompletionRecord, prefix: str = "") -> list[FieldViolation]:
    """Everything wrong with a completion, each violation naming its field."""
    out = id_violations(f"{prefix}id", rec.id) + id_violations(f"{prefix}session_id", rec.session_id)
    if rec.kind not in KINDS:
        out.append(FieldViolation(f"{prefix}kind", f"must be one of {', '.join(KINDS)}"))
    if rec.status not in STATUSES:
        out.append(FieldViolation(f"{prefix}status", f"must be one of {', '.join(STATUSES)}"))
    if len(rec.tags) > MAX_TAGS_PER_COMPLETION:
        out.append(FieldViolation(f"{prefix}tags", f"has more than {MAX_TAGS_PER_COMPLETION} tags"))
    out += tag_violations(f"{prefix}tags", rec.tags)
    out += contract_violations(rec, prefix)
    if rec.duration is not None and rec.duration < 0:
        out.append(FieldViolation(f"{prefix}duration", "must not be negative"))
    for name in ("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens"):
        if getattr(rec, name) < 0:
            out.append(FieldViolation(f"{prefix}{name}", "must not be negative"))
        elif getattr(rec, name) > MAX_TOKEN_COUNT:
            out.append(FieldViolation(f"{prefix}{name}", f"must be at most {MAX_TOKEN_COUNT}"))
    if rec.cost is not None and rec.cost < 0:
        out.append(FieldViolation(f"{prefix}cost", "must not be negative"))
    messages = rec.request.get("messages") if rec.request else None
    if messages is not None:
        if not isinstance(messages, Sequence) or isinstance(messages, str):
            out.append(FieldViolation(f"{prefix}request.messages", "must be a list of messages"))
        else:
            for i, msg in enumerate(messages):
                if not isinstance(msg, Mapping) or not isinstance(msg.get("role"), str):
                    out.append(FieldViolation(f"{prefix}request.messages[{i}]", "must be an object with a string role"))
    for i, frame in enumerate(rec.stacktrace):
        if not isinstance(frame, dict):
            out.append(FieldViolation(f"{prefix}stacktrace[{i}]", "must be an object"))
    return out


def contract_violations(rec: CompletionRecord, prefix: str = "") -> list[FieldViolation]:
    """The input contract (domain/input_contract.py) applied to a completion's text, numbers and documents."""
    out = text_violations(f"{prefix}model", rec.model, MAX_SHORT_TEXT_LENGTH)
    out += text_violations(f"{prefix}failure_kind", rec.failure_kind, MAX_SHORT_TEXT_LENGTH)
    out += text_violations(f"{prefix}failure_reason", rec.failure_reason, MAX_LONG_TEXT_LENGTH)
    out += text_violations(f"{prefix}organization_id", rec.reported_organization_id, MAX_ORGANIZATION_LENGTH)
    out += number_violations(f"{prefix}duration", rec.duration)
    out += number_violations(f"{prefix}cost", rec.cost)
    for name in ("request", "response", "metadata", "extra"):
        document = getattr(rec, name)
        if document is not None and may_hold_non_finite(document.encoded):
            out += json_violations(f"{prefix}{name}", document)
    if len(rec.stacktrace) > MAX_STACK_FRAMES:
        out.append(FieldViolation(f"{prefix}stacktrace", f"has more than {MAX_STACK_FRAMES} frames"))
    else:
        for i, frame in enumerate(rec.stacktrace):
            for key, value in frame.items() if isinstance(frame, dict) else ():
                if isinstance(value, str):
                    out += text_violations(f"{prefix}stacktrace[{i}].{key}", value, MAX_LONG_TEXT_LENGTH)
    return out


def lift_fields(rec: CompletionRecord) -> None:
    """Fill model and token counts from the response/request where the client did not give them.

    Token counts come from response.usage in OpenAI's shape, Anthropic's
    (input_tokens, cache_read_input_tokens, ...) or Gemini's usageMetadata; see token_usage.
    """
    response: Mapping[str, Any] = rec.response or {}
    request: Mapping[str, Any] = rec.request or {}
    if not rec.model:
        model = response.get("model") or request.get("model")
        rec.model = model if isinstance(model, str) else ""
    lifted = usage_counts(response)
    if lifted is not None:
        if not rec.prompt_tokens:
            rec.prompt_tokens = lifted.prompt
        if not rec.completion_tokens:
            rec.completion_tokens = lifted.completion
        if not rec.total_tokens:
            rec.total_tokens = lifted.total
        if not rec.cached_tokens:
            rec.cached_tokens = lifted.cached
        if not rec.reasoning_tokens:
            rec.reasoning_tokens = lifted.reasoning
    if not rec.total_tokens and (rec.prompt_tokens or rec.completion_tokens):
        rec.total_tokens = token_count(rec.prompt_tokens + rec.completion_tokens)
