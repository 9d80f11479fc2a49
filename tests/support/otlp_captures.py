"""The OTLP exports the real instrumentations produced (tests/fixtures/otlp), read back as protobuf requests."""

from __future__ import annotations

from pathlib import Path

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "otlp"


def trace_fixture(name: str) -> ExportTraceServiceRequest:
    """A captured trace export (protobuf JSON of what the SDK encoded)."""
    return json_format.Parse((FIXTURES / f"{name}.traces.json").read_text(), ExportTraceServiceRequest())


def logs_fixture(name: str) -> ExportLogsServiceRequest:
    """A captured logs export."""
    return json_format.Parse((FIXTURES / f"{name}.logs.json").read_text(), ExportLogsServiceRequest())
