"""What the OTLP transport hands the domain: spans and log records as plain values, ids in hex."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2
TRACE_TAG_PREFIX = "otel.trace:"


@dataclass(slots=True)
class OtelEvent:
    """A span event: a name, a time and attributes."""

    name: str
    time_ns: int
    attributes: dict[str, Any]


@dataclass(slots=True)
class OtelSpan:
    """One span with its resource's and scope's attributes. Ids are lowercase hex ("" when absent)."""

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int
    start_ns: int
    end_ns: int
    status_code: int
    status_message: str
    attributes: dict[str, Any]
    resource: dict[str, Any] = field(default_factory=dict)
    scope_name: str = ""
    scope_version: str = ""
    events: list[OtelEvent] = field(default_factory=list)


@dataclass(slots=True)
class OtelLogRecord:
    """One log record; time_ns is its time, else its observed time."""

    trace_id: str
    span_id: str
    time_ns: int
    event_name: str
    body: Any
    attributes: dict[str, Any]
    resource: dict[str, Any] = field(default_factory=dict)
    scope_name: str = ""


def completion_id(trace_id: str, span_id: str) -> str:
    """The id of the completion a span becomes: re-exporting the span upserts the same row.

    `GetCompletion` with `<trace_id>-<span_id>` (hex, as tracing UIs show them) finds it.
    """
    return f"{trace_id}-{span_id}"


def trace_tag(trace_id: str) -> str:
    """The tag every completion of a trace carries: `ListCompletions(tags=["otel.trace:<hex>"])` lists the trace."""
    return TRACE_TAG_PREFIX + trace_id
