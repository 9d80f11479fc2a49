"""The outermost server interceptor: what every call goes through before and after tenlog's own code.

- **Admission.** Past `max_concurrent_rpcs` calls in progress, or while the
  server drains, a call is refused before any work: RESOURCE_EXHAUSTED with a
  RetryInfo delay, or UNAVAILABLE (both retried by the official clients).
- **Malformed messages.** Bytes protobuf cannot parse (truncated, nested past
  its recursion limit, invalid UTF-8) are INVALID_ARGUMENT, not UNKNOWN.
- **Opaque internal errors.** An unexpected exception is logged with its
  traceback under a short error id; the caller gets INTERNAL with that id only,
  never the exception text (which may hold SQL and its parameters).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from tenlog_server.domain import errors

from .errors import abort

log = logging.getLogger("tenlog.errors")
RETRY_AFTER_SECONDS = 0.5  # what an overloaded server asks a refused caller to wait
IN_PROCESS_PEER = "in-process"  # the peer() of a call the REST gateway dispatches in-process
_UNGUARDED = ("/grpc.health.", "/grpc.reflection.")  # grpc's own services: always answered


class MalformedMessage:
    """Stands in for a request message protobuf could not parse."""

    __slots__ = ("error",)

    def __init__(self, error: str) -> None:
        self.error = error


def tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    """A deserializer that returns MalformedMessage instead of raising (gRPC would answer UNKNOWN)."""
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception as exc:
            return MalformedMessage(type(exc).__name__)

    return parse


def _malformed(message: MalformedMessage) -> errors.InvalidArgument:
    return errors.InvalidArgument(
        "the request message could not be parsed as protobuf (truncated, invalid UTF-8 in a string, "
        "or nested deeper than 100 messages)",
        [errors.FieldViolation("request", f"malformed protobuf ({message.error})")],
        reason="MALFORMED_MESSAGE",
    )


async def _checked(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for item in requests:
        if isinstance(item, MalformedMessage):
            raise _malformed(item)
        yield item


def internal_error(exc: BaseException, method: str) -> errors.DomainError:
    """Log an unexpected exception with its traceback; the opaque error the caller gets instead."""
    error_id = secrets.token_hex(6)
    log.error("internal error %s in %s", error_id, method, exc_info=exc)
    error = errors.DomainError(f"internal error (id {error_id}); the server log has the details", reason="INTERNAL")
    return error


class Admission:
    """How many calls are in progress, whether the server drains; refuses calls that should not start."""

    def __init__(self, max_concurrent: int) -> None:
        self.max_concurrent = max_concurrent
        self.in_flight = 0
        self.draining = False

    def refusal(self, in_process: bool = False) -> errors.DomainError | None:
        """The error a new call gets now, or None when it may run.

        An in-process call comes from a REST request the gateway took before the
        drain began (it answers 503 to later ones), so draining does not refuse it.
        """
        if self.draining and not in_process:
            return errors.Unavailable(
                "the server is shutting down; retry (another server will answer)", retry_after=1.0
            )
        if self.max_concurrent and self.in_flight >= self.max_concurrent:
            return errors.ResourceExhausted(
                f"the server has {self.in_flight} calls in progress, its limit (TENLOG_MAX_CONCURRENT_RPCS); "
                f"retry in {RETRY_AFTER_SECONDS:g} s",
                retry_after=RETRY_AFTER_SECONDS,
                reason="TOO_MANY_CALLS",
            )
        return None


class CallGuardInterceptor(grpc.aio.ServerInterceptor):
    """Admission, malformed-message and internal-error handling for every method (see the module doc)."""

    def __init__(self, admission: Admission) -> None:
        self.admission = admission

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(_UNGUARDED):
            return handler  # health and reflection: grpc's own services, always answered
        return self._wrap(handler, handler_call_details.method)

    def _wrap(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        admission = self.admission

        async def admit(context: grpc.aio.ServicerContext) -> None:
            refusal = admission.refusal(in_process=context.peer() == IN_PROCESS_PEER)
            if refusal is not None:
                await abort(context, refusal)

        async def fail(context: grpc.aio.ServicerContext, exc: Exception) -> None:
            if isinstance(exc, errors.DomainError):
                await abort(context, exc)
            await abort(context, internal_error(exc, method))

        def unary(behavior: Callable[..., Awaitable[Any]], streamed: bool) -> Callable[..., Awaitable[Any]]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await admit(context)
                admission.in_flight += 1
                try:
                    if streamed:
                        request = _checked(request)
                    elif isinstance(request, MalformedMessage):
                        raise _malformed(request)
                    return await behavior(request, context)
                except (grpc.aio.AbortError, grpc.aio.UsageError):
                    raise
                except Exception as exc:
                    await fail(context, exc)
                finally:
                    admission.in_flight -= 1

            return call

        def streaming(behavior: Callable[..., AsyncIterator[Any]], streamed: bool) -> Callable[..., AsyncIterator[Any]]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                await admit(context)
                admission.in_flight += 1
                try:
                    if streamed:
                        request = _checked(request)
                    elif isinstance(request, MalformedMessage):
                        raise _malformed(request)
                    async for item in behavior(request, context):
                        yield item
                except (grpc.aio.AbortError, grpc.aio.UsageError):
                    raise
                except Exception as exc:
                    await fail(context, exc)
                finally:
                    admission.in_flight -= 1

            return call

        kwargs = {
            "request_deserializer": tolerant(handler.request_deserializer),
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary, False), **kwargs)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary, True), **kwargs)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream, False), **kwargs)
        return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream, True), **kwargs)
