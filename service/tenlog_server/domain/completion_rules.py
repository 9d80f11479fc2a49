"""Log10 completion rules: validation, defaults, and the fields lifted for querying."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import FieldViolation
from .model import CompletionRecord
from .tag_selector import tag_violations

KINDS = ("chat", "prompt")
DEFAULT_KIND = "chat"  # a completion that does not say is a chat completion, on create and on update
STATUSES = ("started", "finished", "failed")
MAX_ID_LENGTH = 256
_CONTROL = re.compile(r"[\x00-\x1f]")


def id_violations(field: str, value: str) -> list[FieldViolation]:
    """Violations for a client-chosen id (empty means 'server chooses')."""
    if len(value) > MAX_ID_LENGTH:
        return [FieldViolation(field, f"is longer than {MAX_ID_LENGTH} characters")]
    if value != value.strip() or _CONTROL.search(value):
        return [FieldViolation(field, "must not contain whitespace at the ends or control characters")]
    return []


def completion_violations(rec: CompletionRecord, prefix: str = "") -> list[FieldViolation]:
    """Everything wrong with a completion, each violation naming its field."""
    out = id_violations(f"{prefix}id", rec.id) + id_violations(f"{prefix}session_id", rec.session_id)
    if rec.kind not in KINDS:
        out.append(FieldViolation(f"{prefix}kind", f"must be one of {', '.join(KINDS)}"))
    if rec.status not in STATUSES:
        out.append(FieldViolation(f"{prefix}status", f"must be one of {', '.join(STATUSES)}"))
    out += tag_violations(f"{prefix}tags", rec.tags)
    if rec.duration is not None and rec.duration < 0:
        out.append(FieldViolation(f"{prefix}duration", "must not be negative"))
    for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
        if getattr(rec, name) < 0:
            out.append(FieldViolation(f"{prefix}{name}", "must not be negative"))
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


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def lift_fields(rec: CompletionRecord) -> None:
    """Fill model and token counts from the response/request where the client did not give them."""
    response: Mapping[str, Any] = rec.response or {}
    request: Mapping[str, Any] = rec.request or {}
    if not rec.model:
        model = response.get("model") or request.get("model")
        rec.model = model if isinstance(model, str) else ""
    usage = response.get("usage")
    if isinstance(usage, Mapping):
        if not rec.prompt_tokens:
            rec.prompt_tokens = _int(usage.get("prompt_tokens"))
        if not rec.completion_tokens:
            rec.completion_tokens = _int(usage.get("completion_tokens"))
        if not rec.total_tokens:
            rec.total_tokens = _int(usage.get("total_tokens"))
    if not rec.total_tokens and (rec.prompt_tokens or rec.completion_tokens):
        rec.total_tokens = rec.prompt_tokens + rec.completion_tokens
