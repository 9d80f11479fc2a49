"""The REST gateway's request handling: route, transcode, dispatch, answer (JSON, or NDJSON for streams).

Every request is transcoded and handed to a Dispatch (dispatch.py): the
servicers of this process behind the server's interceptors (`tenlog serve`),
or a gRPC channel to an upstream server (`tenlog gateway`). Either way
authentication and every server rule apply to REST exactly as to gRPC.
gateway_app.py assembles the aiohttp application around `Gateway.handle`;
gateway_process.py starts, drains and stops it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import grpc
from aiohttp import web
from google.protobuf.message import Message

from tenlog_server.domain.limits import OFF_LOOP_BYTES
from tenlog_server.transport.http.dispatch import Dispatch
from tenlog_server.transport.http.errors import GatewayError, rpc_error_response
from tenlog_server.transport.http.headers import metadata_from_headers
from tenlog_server.transport.http.json_mapping import JsonMappingError, message_to_json
from tenlog_server.transport.http.log10_json_dialect import wire_name
from tenlog_server.transport.http.ndjson import NDJSON_CONTENT_TYPE, encode_line, read_lines
from tenlog_server.transport.http.operations import ROUTE_LABEL_KEY
from tenlog_server.transport.http.request_building import (
    build_request,
    decode_json,
    invalid_argument,
)
from tenlog_server.transport.http.routes import Route, RouteMatch, RouteTable

log = logging.getLogger(__name__)

# How long a streamed answer waits for its first message before sending headers.
FIRST_STREAM_MESSAGE_WAIT_SECONDS = 1.0
# How often a quiet stream (a tail between events) checks that its HTTP client is still there.
DISCONNECT_CHECK_SECONDS = 0.5
_JSON = "application/json"
T = TypeVar("T")

# While the server drains, new REST calls get 503 with this Retry-After (seconds).
DRAINING_RETRY_AFTER = "1"


def _json_body(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _json_response(status: int, value: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(status=status, body=_json_body(value), content_type=_JSON, headers=headers)


async def _off_loop_if_large(size: int, work: Callable[[], T]) -> T:
    """work(), in a worker thread when it handles more than OFF_LOOP_BYTES (the event loop runs meanwhile)."""
    if size > OFF_LOOP_BYTES:
        return await asyncio.to_thread(work)
    return work()


def _result_line(route: Route, message: Message) -> bytes:
    """One NDJSON line of a streamed answer."""
    return encode_line({"result": _response_json(route, message)})


async def _answer(route: Route, message: Message) -> web.Response:
    """The JSON response of a unary call."""
    body = await _off_loop_if_large(message.ByteSize(), lambda: _json_body(_response_json(route, message)))
    return web.Response(status=route.success_code, body=body, content_type=_JSON)


def _gateway_error_response(error: GatewayError, allow: Iterable[str] = ()) -> web.Response:
    response = _json_response(error.http_status, error.body())
    if allow:
        response.headers["Allow"] = ", ".join(allow)
    return response


def _response_json(route: Route, message: Message) -> Any:
    value = message_to_json(message)
    if route.response_body:
        field = message.DESCRIPTOR.fields_by_name[route.response_body]
        return value.get(wire_name(field))
    return value


class _ClientGone(Exception):
    """The HTTP client of a streamed answer disconnected."""


async def _unless_client_gone(request: web.Request, pending: asyncio.Future[Any]) -> Any:
    """The result of pending, unless the HTTP client disconnects first (checked every DISCONNECT_CHECK_SECONDS).

    aiohttp does not cancel a handler whose client has gone, so without this a
    quiet tail would hold its subscription until the next event and then fail
    writing to a closed socket.
    """
    try:
        while True:
            done, _ = await asyncio.wait({pending}, timeout=DISCONNECT_CHECK_SECONDS)
            if done:
                return pending.result()
            if request.transport is None or request.transport.is_closing():
                raise _ClientGone
    finally:
        pending.cancel()  # a no-op once done


class Gateway:
    """Routes HTTP requests onto gRPC calls through one dispatch."""

    def __init__(self, table: RouteTable, dispatch: Dispatch, max_body_bytes: int) -> None:
        self.table = table
        self.dispatch = dispatch
        self.max_body_bytes = max_body_bytes
        self.draining = False
        self.in_flight = 0
        self.idle = asyncio.Event()  # set while no request is being handled
        self.idle.set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Match, transcode, call, answer; 503 while draining; an opaque 500 for anything unexpected."""
        if self.draining:
            error = GatewayError(503, grpc.StatusCode.UNAVAILABLE, "the server is shutting down; retry")
            response = _gateway_error_response(error)
            response.headers["Retry-After"] = DRAINING_RETRY_AFTER
            return response
        self.in_flight += 1
        self.idle.clear()
        try:
            return await self._handle(request)
        except (asyncio.CancelledError, web.HTTPException, ConnectionError):
            raise
        except Exception:
            error_id = secrets.token_hex(6)
            log.exception("internal error %s in %s %s", error_id, request.method, request.path)
            return _gateway_error_response(
                GatewayError(
                    500, grpc.StatusCode.INTERNAL, f"internal error (id {error_id}); the server log has the details"
                )
            )
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        match = self.table.match(request.method, raw_path, request.query.keys())
        try:
            if match is None:
                allowed = self.table.allowed_methods(raw_path)
                if allowed:
                    return _gateway_error_response(
                        GatewayError(
                            405,
                            grpc.StatusCode.UNIMPLEMENTED,
                            f"method {request.method} is not allowed on {raw_path}; use {', '.join(allowed)}",
                        ),
                        allow=allowed,
                    )
                raise GatewayError(404, grpc.StatusCode.NOT_FOUND, f"no route for {request.method} {raw_path}")
            route = match.route
            request[ROUTE_LABEL_KEY] = route.grpc_path
            if route.client_streaming:
                return await self._client_stream(request, match)
            message = await self._unary_request(request, match)
            if route.server_streaming:
                return await self._server_stream(request, route, message)
            return await self._unary(request, route, message)
        except GatewayError as error:
            return _gateway_error_response(error)
        except grpc.aio.AioRpcError as error:
            return _json_response(*rpc_error_response(error))

    async def _read_body(self, request: web.Request) -> bytes:
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise GatewayError(
                413,
                grpc.StatusCode.INVALID_ARGUMENT,
                f"request body is larger than the limit of {self.max_body_bytes} bytes",
                reason="PAYLOAD_TOO_LARGE",
            ) from None

    async def _unary_request(self, request: web.Request, match: RouteMatch) -> Message:
        raw = await self._read_body(request)
        has_body = bool(raw.strip())

        def parse() -> Message:
            body = decode_json(raw) if has_body else None
            return build_request(match.route, match.path_values, request.query, body, has_body)

        return await _off_loop_if_large(len(raw), parse)

    def _metadata(self, request: web.Request) -> list[tuple[str, str]]:
        metadata = metadata_from_headers(request.headers)
        if request.remote:
            metadata.append(("x-forwarded-for", request.remote))
        return metadata

    async def _unary(self, request: web.Request, route: Route, message: Message) -> web.Response:
        response = await self.dispatch.unary(route, message, self._metadata(request))
        return await _answer(route, response)

    async def _server_stream(self, request: web.Request, route: Route, message: Message) -> web.StreamResponse:
        call = self.dispatch.server_stream(route, message, self._metadata(request))
        return await self._write_stream(request, route, call)

    async def _write_stream(
        self, request: web.Request, route: Route, call: Any, failure: list[GatewayError] | None = None
    ) -> web.StreamResponse:
        """Answer NDJSON lines `{"result": ...}`, as grpc-gateway does, ending with `{"error": ...}` on failure.

        The first message is awaited briefly before the headers go out, so a call
        refused up front (bad key, bad argument) still gets its HTTP status; a
        quiet stream (a tail with nothing new yet) gets its headers anyway.
        `failure` holds the error of a bad request-stream line, which cancels the call.
        """
        failure = failure if failure is not None else []
        iterator = call.__aiter__()
        first: asyncio.Future[Any] = asyncio.ensure_future(iterator.__anext__())
        try:
            await asyncio.wait({first}, timeout=FIRST_STREAM_MESSAGE_WAIT_SECONDS)
            if first.done() and first.cancelled() and failure:
                return _gateway_error_response(failure[0])
            if first.done() and not first.cancelled() and isinstance(first.exception(), grpc.aio.AioRpcError):
                if failure:
                    return _gateway_error_response(failure[0])
                return _json_response(*rpc_error_response(first.exception()))  # type: ignore[arg-type]
            response = web.StreamResponse(status=route.success_code)
            response.content_type = NDJSON_CONTENT_TYPE
            await response.prepare(request)
            try:
                item = await _unless_client_gone(request, first)
                while True:
                    line = functools.partial(_result_line, route, item)
                    await response.write(await _off_loop_if_large(item.ByteSize(), line))
                    item = await _unless_client_gone(request, asyncio.ensure_future(iterator.__anext__()))
            except StopAsyncIteration:
                pass
            except (_ClientGone, ConnectionResetError):
                log.debug("%s: the HTTP client went away; the stream is cancelled", route.grpc_path)
                return response
            except (grpc.aio.AioRpcError, asyncio.CancelledError) as error:
                if not failure and isinstance(error, asyncio.CancelledError):
                    raise  # the HTTP client went away: stop
                body = failure[0].body() if failure else rpc_error_response(error)[1]  # type: ignore[arg-type]
                await response.write(encode_line({"error": body}))
        finally:
            first.cancel()
            call.cancel()
        await response.write_eof()
        return response

    async def _client_stream(self, request: web.Request, match: RouteMatch) -> web.StreamResponse:
        route = match.route
        failure: list[GatewayError] = []
        holder: list[Any] = []

        async def requests() -> AsyncIterator[Message]:
            try:
                async for number, line in read_lines(request.content, self.max_body_bytes):

                    def parse(line: bytes = line, number: int = number) -> Message:
                        body = decode_json(line, what=f"line {number} of the request stream")
                        try:
                            return build_request(route, match.path_values, request.query, body, True)
                        except GatewayError as error:
                            error.message = f"line {number}: {error.message}"
                            raise

                    yield await _off_loop_if_large(len(line), parse)
            except (GatewayError, JsonMappingError) as error:
                failure.append(error if isinstance(error, GatewayError) else invalid_argument(error))
                if holder:
                    holder[0].cancel()

        metadata = self._metadata(request)
        if not route.server_streaming:
            unary_call = self.dispatch.client_stream(route, requests(), metadata)
            holder.append(unary_call)
            try:
                response = await unary_call
            except asyncio.CancelledError:
                if failure:
                    raise failure[0] from None
                raise
            except grpc.aio.AioRpcError as error:
                if failure:
                    raise failure[0] from None
                raise error
            if failure:
                raise failure[0]
            return await _answer(route, response)
        stream_call = self.dispatch.bidi_stream(route, requests(), metadata)
        holder.append(stream_call)
        return await self._write_stream(request, route, stream_call, failure)
