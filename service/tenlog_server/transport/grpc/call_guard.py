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

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from tenlog_server.domain import errors

from .errors import abort

log = logging.getLogger("tenlog.errors")
RETRY_AFTER_SECONDS = 0.5  # what an overloaded server asks a refused caller to wait
MAX_LOOP_LAG_SECONDS = 1.0  # past this event-loop lag new calls are refused (0: never): a last resort
LOOP_PROBE_SECONDS = 0.05
THROUGHPUT_WINDOW_PROBES = 20  # the pace of finished calls is taken over the last second or so
TARGET_UNARY_SECONDS = 1.0  # unary calls in progress are bounded to about this much work
MIN_UNARY_LIMIT = 256  # the bound when the server is idle: a burst this large is always taken
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

    def __init__(self, max_concurrent: int, max_loop_lag: float = MAX_LOOP_LAG_SECONDS) -> None:
        self.max_concurrent = max_concurrent
        self.max_loop_lag = max_loop_lag
        self.in_flight = 0
        self.draining = False
        self.loop_lag = 0.0  # how late the last two probes of the event loop ran (the lesser), in seconds
        self.unary_in_flight = 0
        self.unary_done = 0  # unary calls finished so far
        self.unary_limit = MIN_UNARY_LIMIT
        self._probe: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start watching the event loop's lag (call from the loop that serves the calls)."""
        self._probe = asyncio.get_running_loop().create_task(self._watch_loop())

    async def stop(self) -> None:
        """Stop watching the loop."""
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe

    async def _watch_loop(self) -> None:
        # A saturated loop runs this sleep late: that lateness is how long any new call waits to run.
        loop = asyncio.get_running_loop()
        finished: deque[tuple[float, int]] = deque(maxlen=THROUGHPUT_WINDOW_PROBES)
        last_lag = 0.0
        while True:
            started = loop.time()
            await asyncio.sleep(LOOP_PROBE_SECONDS)
            now = loop.time()
            lag = max(0.0, now - started - LOOP_PROBE_SECONDS)
            # One stall (a large body parsed, a pause) makes one probe late, and the calls that waited
            # behind it are not to be refused for it; a saturated loop makes every probe late.
            self.loop_lag, last_lag = min(lag, last_lag), lag
            # Little's law: unary calls the server finishes within TARGET_UNARY_SECONDS at its recent pace.
            finished.append((now, self.unary_done))
            elapsed = now - finished[0][0]
            if elapsed > 0:
                pace = (self.unary_done - finished[0][1]) / elapsed
                self.unary_limit = max(MIN_UNARY_LIMIT, int(pace * TARGET_UNARY_SECONDS))

    def refusal(self, in_process: bool = False, unary: bool = False) -> errors.DomainError | None:
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
        if unary and self.unary_in_flight >= self.unary_limit:
            # More unary calls in progress than the server finishes in TARGET_UNARY_SECONDS: one taken
            # now would queue past its deadline. Refuse it while a refusal is cheap and retryable.
            return errors.ResourceExhausted(
                f"the server is overloaded ({self.unary_in_flight} calls waiting, about "
                f"{TARGET_UNARY_SECONDS:g} s of work); retry in {RETRY_AFTER_SECONDS:g} s",
                retry_after=RETRY_AFTER_SECONDS,
                reason="OVERLOADED",
            )
        if self.max_loop_lag and self.loop_lag > self.max_loop_lag:
            # The loop is saturated: a refusal costs little, a call taken now would wait and time out,
            # and gRPC core, left to shed by itself, would cancel calls without a retry delay.
            return errors.ResourceExhausted(
                f"the server is overloaded (its event loop runs {self.loop_lag * 1000:.0f} ms late); "
                f"retry in {RETRY_AFTER_SECONDS:g} s",
                retry_after=RETRY_AFTER_SECONDS,
                reason="OVERLOADED",
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

        async def admit(context: grpc.aio.ServicerContext, unary: bool = False) -> None:
            refusal = admission.refusal(in_process=context.peer() == IN_PROCESS_PEER, unary=unary)
            if refusal is not None:
                await abort(context, refusal)

        async def fail(context: grpc.aio.ServicerContext, exc: Exception) -> None:
            if isinstance(exc, errors.DomainError):
                await abort(context, exc)
            await abort(context, internal_error(exc, method))

        def unary(behavior: Callable[..., Awaitable[Any]], streamed: bool) -> Callable[..., Awaitable[Any]]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await admit(context, unary=not streamed)
                admission.in_flight += 1
                admission.unary_in_flight += not streamed
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
                    if not streamed:
                        admission.unary_in_flight -= 1
                        admission.unary_done += 1

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
