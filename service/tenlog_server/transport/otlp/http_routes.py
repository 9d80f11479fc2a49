"""OTLP/HTTP on the gateway's port: POST /v1/traces and /v1/logs, protobuf or JSON, gzip or not.

Each request is decoded here and handed to the gRPC OTLP services through the
gateway's dispatch (in-process in `tenlog serve`, a channel for `tenlog gateway
--upstream`), so authentication and every server rule apply as over gRPC.
The answer is in the request's encoding: the Export response on success, a
google.rpc.Status on failure, with Retry-After on 429 and 503 (OTLP/HTTP).
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from aiohttp import web
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message import DecodeError, Message
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2 as logs_api
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as trace_api

from ..http.dispatch import Dispatch
from ..http.errors import STATUS_DETAILS_KEY, http_status_for, retry_after_seconds, status_details
from ..http.headers import metadata_from_headers
from ..http.path_template import parse_path_template
from ..http.routes import Route
from .otlp_json import OtlpJsonError, message_to_otlp_json, parse_otlp_json

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
# Parsing or inflating a body this large would hold the event loop for milliseconds: do it in a thread.
_OFF_LOOP_BYTES = 256 * 1024


def _route(path: str, service: ServiceDescriptor) -> Route:
    """The binding of an OTLP Export method to its OTLP/HTTP path (not a google.api.http annotation)."""
    return Route(
        http_method="POST",
        template=parse_path_template(path),
        method=service.methods_by_name["Export"],
        body="*",
        response_body="",
        success_code=200,
    )


ROUTES = (
    _route("/v1/traces", trace_api.DESCRIPTOR.services_by_name["TraceService"]),
    _route("/v1/logs", logs_api.DESCRIPTOR.services_by_name["LogsService"]),
)


class _Refused(Exception):
    def __init__(self, http_status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message


def gunzip_bounded(data: bytes, limit: int) -> bytes:
    """Inflate a gzip body, refusing (413) one that inflates past `limit` bytes: a gzip bomb costs `limit` at most."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise _Refused(400, code_pb2.INVALID_ARGUMENT, f"the gzip body is corrupt: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise _Refused(413, code_pb2.INVALID_ARGUMENT, f"the request inflates to more than the limit of {limit} bytes")
    if not inflater.eof:
        raise _Refused(400, code_pb2.INVALID_ARGUMENT, "the gzip body is truncated")
    return out


def _decode(route: Route, body: bytes, encoding: str, content_type: str, limit: int) -> Message:
    # aiohttp inflates gzip request bodies as it reads them, chunk by chunk, and stops at the app's
    # client_max_size (413 below), so a gzip bomb costs at most that. A body still gzip here (magic
    # bytes 1f 8b, which neither JSON nor an OTLP message starts with) was passed through: inflate it, bounded.
    if encoding == "gzip" and body[:2] == b"\x1f\x8b":
        body = gunzip_bounded(body, limit)
    message = route.request_class()
    if content_type == JSON:
        try:
            return parse_otlp_json(body, message)
        except OtlpJsonError as exc:
            raise _Refused(400, code_pb2.INVALID_ARGUMENT, f"the body is not OTLP/JSON: {exc}") from None
    try:
        message.ParseFromString(body)
    except DecodeError as exc:
        raise _Refused(400, code_pb2.INVALID_ARGUMENT, f"the body is not an OTLP protobuf message: {exc}") from None
    return message


def _answer(
    content_type: str, http_status: int, message: Message, headers: dict[str, str] | None = None
) -> web.Response:
    body = message_to_otlp_json(message) if content_type == JSON else message.SerializeToString()
    return web.Response(status=http_status, body=body, content_type=content_type, headers=headers)


def _status(code: int, message: str, details: Any = ()) -> status_pb2.Status:
    return status_pb2.Status(code=code, message=message, details=list(details))


def _rpc_failure(content_type: str, error: grpc.aio.AioRpcError) -> web.Response:
    details = status_details(error.trailing_metadata())
    status = _status(error.code().value[0], error.details() or error.code().name)
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
    headers = {}
    retry_after = retry_after_seconds(details)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return _answer(content_type, http_status_for(error.code(), details), status, headers)


def _handler(route: Route, dispatch: Dispatch, max_body_bytes: int) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        content_type = request.content_type
        answer_type = JSON if content_type == JSON else PROTOBUF
        try:
            if content_type not in (PROTOBUF, JSON):
                raise _Refused(
                    415, code_pb2.INVALID_ARGUMENT, f"Content-Type must be {PROTOBUF} or {JSON}, not {content_type!r}"
                )
            encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("gzip", "identity", ""):
                raise _Refused(415, code_pb2.INVALID_ARGUMENT, f"Content-Encoding {encoding!r} is not gzip")
            try:
                body = await request.read()
            except web.HTTPRequestEntityTooLarge:
                raise _Refused(
                    413,
                    code_pb2.INVALID_ARGUMENT,
                    f"the request body is larger than the limit of {max_body_bytes} bytes",
                ) from None
            args = (route, body, encoding, content_type, max_body_bytes)
            message = await asyncio.to_thread(_decode, *args) if len(body) > _OFF_LOOP_BYTES else _decode(*args)
            metadata = metadata_from_headers(request.headers)
            response = await dispatch.unary(route, message, metadata)
        except _Refused as refused:
            return _answer(answer_type, refused.http_status, _status(refused.code, refused.message))
        except grpc.aio.AioRpcError as error:
            return _rpc_failure(answer_type, error)
        return _answer(answer_type, 200, response)

    return handle


def add_otlp_routes(app: web.Application, dispatch: Dispatch, max_body_bytes: int) -> None:
    """Serve POST /v1/traces and /v1/logs on the gateway app, handing each export to the gRPC OTLP services."""
    for route in ROUTES:
        app.router.add_post(route.template.text, _handler(route, dispatch, max_body_bytes))
