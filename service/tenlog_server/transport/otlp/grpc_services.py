"""The OTLP collector services on tenlog's gRPC port: TraceService/Export and LogsService/Export.

Authentication is the server's interceptor (x-log10-token, authorization: Bearer,
x-api-key, as OTEL_EXPORTER_OTLP_HEADERS sends them). An export is answered after
what it stored is committed; a full write queue is RESOURCE_EXHAUSTED with RetryInfo,
which OTLP exporters retry after the given delay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2 as logs_api
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc as logs_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as trace_api
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc as trace_grpc

from tenlog_server.domain.otel.ingest import OtelIngest

from ..grpc.auth import current_org
from ..grpc.handlers import rpc
from .decoding import log_records_of, spans_of

TRACE_SERVICE = trace_api.DESCRIPTOR.services_by_name["TraceService"].full_name
LOGS_SERVICE = logs_api.DESCRIPTOR.services_by_name["LogsService"].full_name
# Decoding a request this large would hold the event loop for milliseconds: do it in a thread.
_DECODE_IN_THREAD_BYTES = 256 * 1024

R = TypeVar("R")


async def _decode(request: Any, decode: Callable[[Any], R]) -> R:
    if request.ByteSize() > _DECODE_IN_THREAD_BYTES:
        return await asyncio.to_thread(decode, request)
    return decode(request)


class OtlpTraceServicer(trace_grpc.TraceServiceServicer):
    """TraceService/Export: LLM spans become completions."""

    def __init__(self, ingest: OtelIngest) -> None:
        self.ingest = ingest

    @rpc
    async def Export(
        self, request: trace_api.ExportTraceServiceRequest, context: grpc.aio.ServicerContext
    ) -> trace_api.ExportTraceServiceResponse:
        spans = await _decode(request, spans_of)
        result = await self.ingest.export_spans(current_org(context), spans)
        response = trace_api.ExportTraceServiceResponse()
        message = result.message("spans")
        if result.rejected or message:
            response.partial_success.rejected_spans = result.rejected
            response.partial_success.error_message = message
        return response


class OtlpLogsServicer(logs_grpc.LogsServiceServicer):
    """LogsService/Export: GenAI content records join their calls; evaluation results become feedback."""

    def __init__(self, ingest: OtelIngest) -> None:
        self.ingest = ingest

    @rpc
    async def Export(
        self, request: logs_api.ExportLogsServiceRequest, context: grpc.aio.ServicerContext
    ) -> logs_api.ExportLogsServiceResponse:
        records = await _decode(request, log_records_of)
        result = await self.ingest.export_logs(current_org(context), records)
        response = logs_api.ExportLogsServiceResponse()
        message = result.message("log records")
        if result.rejected or message:
            response.partial_success.rejected_log_records = result.rejected
            response.partial_success.error_message = message
        return response


def _registrar(service: str, request: type[Any], response: type[Any]) -> Callable[[Any, Any], None]:
    """Registers a servicer's Export by method name.

    The opentelemetry-proto stubs register only a generic handler, which the gateway's
    in-process registry cannot look methods up in; `add_registered_method_handlers`
    serves both the gRPC server and that registry.
    """

    def add(servicer: Any, server: Any) -> None:
        handler = grpc.unary_unary_rpc_method_handler(
            servicer.Export, request_deserializer=request.FromString, response_serializer=response.SerializeToString
        )
        server.add_registered_method_handlers(service, {"Export": handler})

    return add


def otlp_servicers(ingest: OtelIngest) -> list[tuple[Callable[[Any, Any], None], Any]]:
    """Both OTLP servicers with the functions that register them on a server (or the in-process registry)."""
    return [
        (
            _registrar(TRACE_SERVICE, trace_api.ExportTraceServiceRequest, trace_api.ExportTraceServiceResponse),
            OtlpTraceServicer(ingest),
        ),
        (
            _registrar(LOGS_SERVICE, logs_api.ExportLogsServiceRequest, logs_api.ExportLogsServiceResponse),
            OtlpLogsServicer(ingest),
        ),
    ]
