"""LLM spans and log content -> Completion records, and the merge of two views of one call.

A call reaches tenlog as a span and, in event mode, as log records, in either order and
possibly in several exports. Each view is written as the completion `<trace>-<span>`;
a later view fills in what the stored one lacks (messages, tools, choices with content)
and never erases content with an empty view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import CompletionRecord

from . import genai_spans, openinference
from .genai_events import call_from_events, merge_events
from .llm_call import LlmCall, has_content
from .model import STATUS_ERROR, OtelSpan, completion_id, trace_tag

RESPONSE_TAG_PREFIX = "otel.response:"
SOURCE = "otlp"


def span_call(span: OtelSpan) -> LlmCall | None:
    """The LLM call a span describes under any known convention; None for other spans."""
    if openinference.is_llm_span(span.attributes):
        return openinference.read_call(span.attributes)
    if genai_spans.is_llm_span(span.attributes):
        return genai_spans.read_call(span.attributes)
    return None


def _tags(trace_id: str, call: LlmCall) -> list[str]:
    tags = [trace_tag(trace_id)]
    if call.response_id:
        tags.append(RESPONSE_TAG_PREFIX + call.response_id)
    return list(dict.fromkeys([*tags, *call.tags]))


def span_completion(span: OtelSpan, call: LlmCall, session_id: str) -> CompletionRecord:
    """The completion one LLM span becomes; every span and resource attribute is kept in metadata."""
    failed = span.status_code == STATUS_ERROR or bool(call.error_type)
    response = call.response()
    otel = {
        "trace_id": span.trace_id,
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "span_name": span.name,
        "span_kind": span.kind,
        # Strings: JSON numbers are doubles, which cannot hold nanosecond times.
        "start_time_unix_nano": str(span.start_ns),
        "end_time_unix_nano": str(span.end_ns),
        "status": {"code": span.status_code, "message": span.status_message},
        "scope": {"name": span.scope_name, "version": span.scope_version},
        "convention": call.convention,
    }
    duration = (span.end_ns - span.start_ns) / 1e9 if span.end_ns >= span.start_ns > 0 else None
    return CompletionRecord(
        id=completion_id(span.trace_id, span.span_id),
        kind="chat",
        status="failed" if failed else "finished",
        tags=_tags(span.trace_id, call),
        request=Document.of(call.request()),
        response=Document.of(response) if response is not None else None,
        session_id=session_id,
        duration=duration,
        failure_kind=(call.error_type or "span_error") if failed else "",
        failure_reason=(span.status_message or call.error_type or "the span's status is ERROR") if failed else "",
        source=SOURCE,
        metadata=Document.of({"otel": otel, "attributes": span.attributes, "resource": span.resource}),
    )


def log_completion(
    trace_id: str, span_id: str, events: list[dict[str, Any]], resource: Mapping[str, Any]
) -> CompletionRecord:
    """A completion from log content whose span has not arrived: `started` until the span fills it in."""
    call = call_from_events(events) or LlmCall(convention="genai_events")
    response = call.response()
    otel = {"trace_id": trace_id, "span_id": span_id, "pending_span": True, "log_events": events}
    return CompletionRecord(
        id=completion_id(trace_id, span_id),
        kind="chat",
        status="started",
        tags=_tags(trace_id, call),
        request=Document.of(call.request()),
        response=Document.of(response) if response is not None else None,
        session_id=call.session_id,
        source=SOURCE,
        metadata=Document.of({"otel": otel, "resource": dict(resource)}),
    )


def _dict(doc: Mapping[str, Any] | None) -> dict[str, Any]:
    return doc.to_dict() if isinstance(doc, Document) else dict(doc or {})


def otel_meta(rec: CompletionRecord) -> dict[str, Any]:
    """The record's metadata.otel ({} when it has none)."""
    otel = rec.metadata.get("otel") if rec.metadata is not None else None
    return otel.to_dict() if isinstance(otel, Document) else dict(otel or {})


def is_pending(rec: CompletionRecord) -> bool:
    """Whether the record holds only log content, its span not seen yet."""
    return bool(otel_meta(rec).get("pending_span"))


def _fill(
    request: dict[str, Any],
    response: dict[str, Any] | None,
    other_request: Mapping[str, Any],
    other_response: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """request/response with what they lack taken from the other view."""
    for key in ("messages", "tools"):
        if key not in request and key in other_request:
            request[key] = other_request[key]
    for key, value in other_request.items():
        request.setdefault(key, value)
    if other_response is not None:
        if response is None:
            response = dict(other_response)
        else:
            if not has_content(response.get("choices")) and has_content(other_response.get("choices")):
                response["choices"] = other_response["choices"]
            for key, value in other_response.items():
                response.setdefault(key, value)
    return request, response


def merge(new: CompletionRecord, old: CompletionRecord) -> CompletionRecord:
    """One record from two views of a call: the span's fields win, content is filled where a view lacks it.

    Log content events of both views add up (each kept once); a record of log content
    alone is rebuilt from all its events, so per-message records exported one at a
    time make up the whole conversation.
    """
    new_otel, old_otel = otel_meta(new), otel_meta(old)
    events = merge_events(new_otel.get("log_events") or [], old_otel.get("log_events") or [])
    if is_pending(new) and is_pending(old):
        merged = log_completion(
            new_otel["trace_id"], new_otel["span_id"], events, _dict(new.metadata).get("resource") or {}
        )
        merged.tags = list(dict.fromkeys([*merged.tags, *new.tags, *old.tags]))
        merged.session_id = merged.session_id or new.session_id or old.session_id
        return merged
    base, other = (old, new) if is_pending(new) else (new, old)
    request, response = _dict(base.request), _dict(base.response) if base.response is not None else None
    if not is_pending(other):
        request, response = _fill(
            request, response, _dict(other.request), _dict(other.response) if other.response is not None else None
        )
    call = call_from_events(events)
    if call is not None:
        request, response = _fill(request, response, call.request(), call.response())
    metadata = _dict(base.metadata)
    if events:
        metadata["otel"] = {**dict(metadata.get("otel") or {}), "log_events": events}
    base.request = Document.of(request)
    base.response = Document.of(response) if response is not None else None
    base.metadata = Document.of(metadata)
    base.session_id = base.session_id or other.session_id or (call.session_id if call else "")
    base.tags = list(dict.fromkeys([*base.tags, *other.tags]))
    # Lifted again from the merged documents when the record is written.
    base.model = ""
    base.prompt_tokens = base.completion_tokens = base.total_tokens = 0
    return base


def span_window_contains(rec: CompletionRecord, time_ns: int, slack_ns: int) -> bool:
    """Whether a log time falls within the record's span times, give or take slack_ns."""
    otel = otel_meta(rec)
    try:
        start, end = int(otel.get("start_time_unix_nano") or 0), int(otel.get("end_time_unix_nano") or 0)
    except ValueError:
        return False
    return bool(start) and start - slack_ns <= time_ns <= end + slack_ns
