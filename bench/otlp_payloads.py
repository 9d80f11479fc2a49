"""Section 8's payloads: an OTLP export of GenAI spans with content, and the same completions for BatchCreate.

The spans are the six LLM spans the official GenAI instrumentation exported in
tests/fixtures/otlp/genai-span.traces.json (chat with a system prompt, a tool call
and its result, a stream, an async call, a failed call), repeated to fill the batch.
The export is serialized once with a marker in place of each trace id's first 12
bytes; each call replaces the marker with fresh random bytes (one `bytes.replace`),
so every call stores new completions and the client builds no messages.

The BatchCreate side sends what tenlog makes of those very spans (its own mapping,
run once here), each with a fresh id per call: the same rows, by the other door.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans
from tenlog_server.domain.otel.span_completions import span_call, span_completion
from tenlog_server.transport.grpc.completion_mapping import record_to_completion
from tenlog_server.transport.otlp.decoding import spans_of

from .payloads import field_one

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "otlp" / "genai-span.traces.json"
SPANS_PER_TRACE = 8  # a batch holds several traces, as an exporter's batch does
_MARKER_BYTES = 12


@dataclass(frozen=True, slots=True)
class OtlpBatch:
    """One batch's payloads: the export template and the same completions, serialized without ids."""

    export: bytes  # ExportTraceServiceRequest with `marker` where each trace id starts
    marker: bytes
    completions: tuple[bytes, ...]

    def fresh_export(self) -> bytes:
        """The export with new trace ids (so new completion ids)."""
        return self.export.replace(self.marker, os.urandom(_MARKER_BYTES))

    def fresh_batch(self) -> bytes:
        """A BatchCreateCompletionsRequest of the same completions, each with a new id."""
        return b"".join(field_one(c + field_one(str(uuid.uuid4()).encode())) for c in self.completions)


def otlp_batch(spans: int) -> OtlpBatch:
    """A batch of `spans` GenAI spans with content, and the completions they become."""
    captured = json_format.Parse(FIXTURE.read_text(), ExportTraceServiceRequest())
    resource_spans = captured.resource_spans[0]
    scope = resource_spans.scope_spans[0]
    llm = [s for s in scope.spans if any(a.key == "gen_ai.operation.name" for a in s.attributes)]
    marker = os.urandom(_MARKER_BYTES)
    out = ScopeSpans(scope=scope.scope)
    for i in range(spans):
        span = out.spans.add()
        span.CopyFrom(llm[i % len(llm)])
        trace = i // SPANS_PER_TRACE
        span.trace_id = marker + trace.to_bytes(4, "big")
        span.span_id = (i + 1).to_bytes(8, "big")
        span.parent_span_id = (1 << 62 | trace).to_bytes(8, "big")  # the trace's root, not an LLM span
    request = ExportTraceServiceRequest(resource_spans=[ResourceSpans(resource=resource_spans.resource)])
    request.resource_spans[0].scope_spans.append(out)
    export = request.SerializeToString()
    if export.count(marker) != spans:
        raise RuntimeError("the trace id marker is not unique in the export; run again")
    completions = []
    for parsed in spans_of(request):
        call = span_call(parsed)
        if call is None:
            raise RuntimeError(f"span {parsed.name!r} of the fixture is not an LLM call")
        message = record_to_completion(span_completion(parsed, call, call.session_id))
        message.ClearField("id")
        completions.append(message.SerializeToString())
    return OtlpBatch(export, marker, tuple(completions))
