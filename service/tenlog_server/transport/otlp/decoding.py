"""OTLP protobuf requests -> the domain's spans and log records (attribute values as plain Python values)."""

from __future__ import annotations

import base64
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from tenlog_server.domain.otel.model import OtelEvent, OtelLogRecord, OtelSpan


def any_value(value: AnyValue) -> Any:
    """An AnyValue as a JSON-able value: bytes as base64, an empty or unknown kind as None."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "int_value":
        return value.int_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "double_value":
        return value.double_value
    if kind == "array_value":
        return [any_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return None  # unset, or a kind newer than this proto


def attributes(pairs: Any) -> dict[str, Any]:
    """Repeated KeyValue as a dict (a repeated key keeps its last value)."""
    out: dict[str, Any] = {}
    pair: KeyValue
    for pair in pairs:
        out[pair.key] = any_value(pair.value)
    return out


def spans_of(request: ExportTraceServiceRequest) -> list[OtelSpan]:
    """Every span of the request, with its resource and scope."""
    out: list[OtelSpan] = []
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            scope = scope_spans.scope
            for span in scope_spans.spans:
                out.append(
                    OtelSpan(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        name=span.name,
                        kind=span.kind,
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        status_code=span.status.code,
                        status_message=span.status.message,
                        attributes=attributes(span.attributes),
                        resource=resource,
                        scope_name=scope.name,
                        scope_version=scope.version,
                        events=[OtelEvent(e.name, e.time_unix_nano, attributes(e.attributes)) for e in span.events],
                    )
                )
    return out


def log_records_of(request: ExportLogsServiceRequest) -> list[OtelLogRecord]:
    """Every log record of the request, with its resource and scope."""
    out: list[OtelLogRecord] = []
    for resource_logs in request.resource_logs:
        resource = attributes(resource_logs.resource.attributes)
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                out.append(
                    OtelLogRecord(
                        trace_id=record.trace_id.hex(),
                        span_id=record.span_id.hex(),
                        time_ns=record.time_unix_nano or record.observed_time_unix_nano,
                        event_name=record.event_name,
                        body=any_value(record.body),
                        attributes=attributes(record.attributes),
                        resource=resource,
                        scope_name=scope_logs.scope.name,
                    )
                )
    return out
