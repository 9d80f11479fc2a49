"""The outermost gRPC interceptor: request ids, one access-log line and metrics per call.

It sits before authentication, so refused calls are counted and logged too. A
call's `x-request-id` is kept (or one is minted) and sent back in the trailing
metadata, so a client can quote it and an operator can find the log line.
"""

from __future__ import annotations

import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from tenlog_server import metrics

from .auth import current_org_or_empty

access_log = logging.getLogger("tenlog.access")
REQUEST_ID = "x-request-id"
_MAX_REQUEST_ID = 128  # a client-sent id longer than this is replaced, so logs stay bounded


def request_id_of(context: grpc.aio.ServicerContext) -> str:
    """The caller's x-request-id, or a fresh one."""
    for key, value in context.invocation_metadata() or ():
        if key == REQUEST_ID and isinstance(value, str) and 0 < len(value) <= _MAX_REQUEST_ID:
            return value
    return uuid.uuid4().hex


class _Call:
    """What the access log and metrics say about one call."""

    __slots__ = ("context", "items_in", "items_out", "method", "request_id", "started")

    def __init__(self, method: str, context: grpc.aio.ServicerContext) -> None:
        self.method = method
        self.context = context
        self.request_id = request_id_of(context)
        self.started = time.perf_counter()
        self.items_in = 0
        self.items_out = 0
        context.set_trailing_metadata(((REQUEST_ID, self.request_id),))

    def finish(self, failed: bool, streaming_in: bool, streaming_out: bool) -> None:
        code = self.context.code()
        if code is None:
            code = grpc.StatusCode.UNKNOWN if failed else grpc.StatusCode.OK
        name = code.name if isinstance(code, grpc.StatusCode) else str(code)
        seconds = time.perf_counter() - self.started
        metrics.RPC_CALLS.labels("grpc", self.method, name).inc()
        metrics.RPC_DURATION.labels("grpc", self.method).observe(seconds)
        if streaming_in:
            metrics.STREAM_ITEMS.labels("grpc", self.method, "received").inc(self.items_in)
        if streaming_out:
            metrics.STREAM_ITEMS.labels("grpc", self.method, "sent").inc(self.items_out)
        fields: dict[str, Any] = {
            "transport": "grpc",
            "method": self.method,
            "code": name,
            "duration_ms": round(seconds * 1000, 3),
            "organization": current_org_or_empty(),
            "request_id": self.request_id,
        }
        if streaming_in:
            fields["items_received"] = self.items_in
        if streaming_out:
            fields["items_sent"] = self.items_out
        access_log.info(
            "grpc %s %s %.1fms org=%s request_id=%s",
            self.method,
            name,
            seconds * 1000,
            fields["organization"] or "-",
            self.request_id,
            extra={"access": fields},
        )


class ObservabilityInterceptor(grpc.aio.ServerInterceptor):
    """Times, counts and logs every call; echoes its request id."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        return _wrap(handler, handler_call_details.method)


def _wrap(handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
    streaming_in = bool(handler.request_streaming)
    streaming_out = bool(handler.response_streaming)

    async def counted(requests: AsyncIterator[Any], call: _Call) -> AsyncIterator[Any]:
        async for request in requests:
            call.items_in += 1
            yield request

    def unary_out(behavior: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def run(request: Any, context: grpc.aio.ServicerContext) -> Any:
            call = _Call(method, context)
            failed = True
            try:
                if streaming_in:
                    request = counted(request, call)
                result = await behavior(request, context)
                failed = False
                return result
            finally:
                call.finish(failed, streaming_in, streaming_out)

        return run

    def stream_out(behavior: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
        async def run(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            call = _Call(method, context)
            failed = True
            try:
                if streaming_in:
                    request = counted(request, call)
                answers = behavior(request, context)
                if inspect.isawaitable(answers):  # a servicer that writes with context.write (health's Watch)
                    await answers
                else:
                    async for item in answers:
                        call.items_out += 1
                        yield item
                failed = False
            finally:
                call.finish(failed, streaming_in, streaming_out)

        return run

    kwargs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(unary_out(handler.unary_unary), **kwargs)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(unary_out(handler.stream_unary), **kwargs)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(stream_out(handler.unary_stream), **kwargs)
    return grpc.stream_stream_rpc_method_handler(stream_out(handler.stream_stream), **kwargs)
