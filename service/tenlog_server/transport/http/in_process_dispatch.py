"""The gateway of `tenlog serve` calls this process's servicers directly.

The servicers are registered here exactly as on the gRPC server (the generated
`add_*_to_server` functions take a `ServicerRegistry` too), and every call goes
through the same server interceptors (authentication and organization
scoping), so a REST call is served as a gRPC call is, minus a loopback socket
and two protobuf round trips. The server's concurrency limit applies too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import grpc
from google.protobuf.message import Message

from tenlog_server.transport.grpc.call_guard import IN_PROCESS_PEER
from tenlog_server.transport.http.dispatch import Metadata, StreamingCall, UnaryCall
from tenlog_server.transport.http.routes import Route

log = logging.getLogger(__name__)

STREAM_BUFFER = 8  # responses a streaming handler may run ahead of the HTTP writer
_END = object()
_CANCELLED = object()


class ServicerRegistry:
    """Collects method handlers from the generated `add_*Servicer_to_server` functions (it quacks as a server)."""

    def __init__(self) -> None:
        self.handlers: dict[str, grpc.RpcMethodHandler] = {}

    def add_generic_rpc_handlers(self, _handlers: Sequence[Any]) -> None:
        """Ignored: the same handlers arrive by name through add_registered_method_handlers."""

    def add_registered_method_handlers(self, service: str, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        """Keep the handlers of one service by their method paths."""
        for name, handler in handlers.items():
            self.handlers[f"/{service}/{name}"] = handler


class _Aborted(grpc.aio.AbortError):
    """Raised by InProcessContext.abort; an AbortError, as grpc.aio raises, so interceptors treat both alike."""

    def __init__(self, code: grpc.StatusCode, details: str, trailing_metadata: Metadata) -> None:
        super().__init__(details)
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


class InProcessContext:
    """What a servicer (and the auth interceptor) use of grpc.aio.ServicerContext, for an in-process call."""

    def __init__(self, metadata: Metadata) -> None:
        self._metadata = tuple(metadata)
        self._trailing: tuple[tuple[str, str], ...] = ()

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        """The request headers, as gRPC metadata."""
        return self._metadata

    async def abort(self, code: grpc.StatusCode, details: str = "", trailing_metadata: Metadata = ()) -> NoReturn:
        """End the call with a status."""
        raise _Aborted(code, details, trailing_metadata)

    def set_trailing_metadata(self, metadata: Metadata) -> None:
        """Keep metadata for the end of the call (errors.abort merges it into the status)."""
        self._trailing = tuple(metadata)

    def trailing_metadata(self) -> tuple[tuple[str, str], ...]:
        """What set_trailing_metadata kept."""
        return self._trailing

    async def send_initial_metadata(self, _metadata: Metadata) -> None:
        """Nothing to send: the gateway writes its headers when the first response (or a second) has passed."""

    def peer(self) -> str:
        """Where the call came from (the call guard lets these finish while the server drains)."""
        return IN_PROCESS_PEER


@dataclass(frozen=True, slots=True)
class _CallDetails:
    """grpc.HandlerCallDetails for the interceptors."""

    method: str
    invocation_metadata: Metadata


def _rpc_error(code: grpc.StatusCode, details: str, trailing: Metadata = ()) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing), details=details)


def _as_rpc_error(exc: Exception) -> grpc.aio.AioRpcError:
    """The error a gRPC client would have seen for an exception out of a handler."""
    if isinstance(exc, _Aborted):
        return _rpc_error(exc.code, exc.details, exc.trailing_metadata)
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc
    log.error("in-process call failed", exc_info=exc)
    # grpc.aio's own wording for an exception escaping a servicer.
    return _rpc_error(grpc.StatusCode.UNKNOWN, f"Unexpected {type(exc)}: {exc}")


class _UnaryCall:
    """A client-streaming call running as its own task."""

    def __init__(self, response: Awaitable[Message], done: Callable[[], None]) -> None:
        self._task = asyncio.ensure_future(self._run(response))
        self._task.add_done_callback(lambda _: done())

    @staticmethod
    async def _run(response: Awaitable[Message]) -> Message:
        try:
            return await response
        except Exception as exc:
            raise _as_rpc_error(exc) from None

    def __await__(self) -> Generator[Any, None, Message]:
        return self._task.__await__()

    def cancel(self) -> bool:
        return self._task.cancel()


class _StreamingCall:
    """A response-streaming call: the handler runs in its own task, a few responses ahead of the reader."""

    def __init__(self, responses: AsyncIterator[Message], done: Callable[[], None]) -> None:
        self._items: asyncio.Queue[object] = asyncio.Queue(STREAM_BUFFER)
        self._task = asyncio.ensure_future(self._pump(responses))
        self._task.add_done_callback(lambda _: done())

    async def _pump(self, responses: AsyncIterator[Message]) -> None:
        try:
            end: object = _END
            try:
                async for item in responses:
                    await self._items.put(item)
            except Exception as exc:
                end = _as_rpc_error(exc)
            await self._items.put(end)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await responses.aclose()  # type: ignore[attr-defined]
            while not self._items.empty():
                self._items.get_nowait()
            self._items.put_nowait(_CANCELLED)

    def __aiter__(self) -> _StreamingCall:
        return self

    async def __anext__(self) -> Message:
        item = await self._items.get()
        if item is _END:
            self._items.put_nowait(_END)  # iterating again ends again
            raise StopAsyncIteration
        if item is _CANCELLED:
            self._items.put_nowait(_CANCELLED)
            raise asyncio.CancelledError
        if isinstance(item, grpc.aio.AioRpcError):
            raise item
        return item  # type: ignore[return-value]

    def cancel(self) -> bool:
        return self._task.cancel()


class InProcessDispatch:
    """Dispatch to the servicers of this process, through the server's interceptors."""

    def __init__(
        self,
        registry: ServicerRegistry,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
        *,
        max_concurrent_rpcs: int | None = None,
    ) -> None:
        self._registry = registry
        self._interceptors = list(interceptors)
        self._max_concurrent = max_concurrent_rpcs
        self._in_flight = 0

    async def _handler(self, route: Route, metadata: Metadata) -> grpc.RpcMethodHandler:
        """The method's handler as the interceptors wrap it (interceptors may look at the call details)."""
        details = _CallDetails(route.grpc_path, metadata)
        handler = self._registry.handlers.get(route.grpc_path)
        if handler is None:
            raise _rpc_error(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")
        for interceptor in reversed(self._interceptors):

            async def continuation(_: Any, wrapped: grpc.RpcMethodHandler = handler) -> grpc.RpcMethodHandler:
                return wrapped

            handler = await interceptor.intercept_service(continuation, details)
        return handler

    def _admit(self) -> None:
        if self._max_concurrent is not None and self._in_flight >= self._max_concurrent:
            # What the gRPC server answers past maximum_concurrent_rpcs.
            raise _rpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED, "Concurrent RPC limit exceeded!")
        self._in_flight += 1

    def _release(self) -> None:
        self._in_flight -= 1

    async def unary(self, route: Route, request: Message, metadata: Metadata) -> Message:
        """Run a unary method here."""
        self._admit()
        try:
            handler = await self._handler(route, metadata)
            return await handler.unary_unary(request, InProcessContext(metadata))  # type: ignore[no-any-return]
        except Exception as exc:
            raise _as_rpc_error(exc) from None
        finally:
            self._release()

    def server_stream(self, route: Route, request: Message, metadata: Metadata) -> StreamingCall:
        """Run a server-streaming method here."""
        self._admit()

        async def responses() -> AsyncIterator[Message]:
            handler = await self._handler(route, metadata)
            async for item in handler.unary_stream(request, InProcessContext(metadata)):
                yield item

        return _StreamingCall(responses(), self._release)

    def client_stream(self, route: Route, requests: AsyncIterator[Message], metadata: Metadata) -> UnaryCall:
        """Run a client-streaming method here."""
        self._admit()

        async def response() -> Message:
            handler = await self._handler(route, metadata)
            return await handler.stream_unary(requests, InProcessContext(metadata))  # type: ignore[no-any-return]

        return _UnaryCall(response(), self._release)

    def bidi_stream(self, route: Route, requests: AsyncIterator[Message], metadata: Metadata) -> StreamingCall:
        """Run a bidirectional-streaming method here."""
        self._admit()

        async def responses() -> AsyncIterator[Message]:
            handler = await self._handler(route, metadata)
            async for item in handler.stream_stream(requests, InProcessContext(metadata)):
                yield item

        return _StreamingCall(responses(), self._release)

    async def close(self) -> None:
        """Nothing to release: the servicers belong to the server."""
