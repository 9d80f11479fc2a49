"""How the gateway reaches the gRPC methods: one interface, two ways.

- `ChannelDispatch` sends each call over a gRPC channel (`tenlog gateway --upstream`).
- `InProcessDispatch` (in_process_dispatch.py) runs the servicers of this very
  process, behind the same interceptors (`tenlog serve`): no socket, no
  serialization.

Both report a failed call as `grpc.aio.AioRpcError` carrying the rich status
in its trailing metadata, so the gateway answers errors one way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Generator, Sequence
from typing import Any, Protocol

import grpc
from google.protobuf.message import Message

from tenlog_server.transport.http.routes import Route

Metadata = Sequence[tuple[str, str]]


class UnaryCall(Protocol):
    """A call answered with one message: await it for the response."""

    def __await__(self) -> Generator[Any, None, Any]:
        """Wait for the response (AioRpcError on failure, CancelledError once cancelled)."""
        ...

    def cancel(self) -> bool:
        """Cancel the call."""
        ...


class StreamingCall(Protocol):
    """A call answered with a stream: iterate it for the responses."""

    def __aiter__(self) -> AsyncIterator[Any]:
        """The responses (AioRpcError on failure, CancelledError once cancelled)."""
        ...

    def cancel(self) -> bool:
        """Cancel the call."""
        ...


class Dispatch(Protocol):
    """Calls a gRPC method for the gateway."""

    def unary(self, route: Route, request: Message, metadata: Metadata) -> Awaitable[Message]:
        """A unary call."""
        ...

    def server_stream(self, route: Route, request: Message, metadata: Metadata) -> StreamingCall:
        """A server-streaming call."""
        ...

    def client_stream(self, route: Route, requests: AsyncIterator[Message], metadata: Metadata) -> UnaryCall:
        """A client-streaming call."""
        ...

    def bidi_stream(self, route: Route, requests: AsyncIterator[Message], metadata: Metadata) -> StreamingCall:
        """A bidirectional-streaming call."""
        ...

    async def close(self) -> None:
        """Release what the dispatch holds (the channel)."""
        ...


def upstream_channel(
    upstream_target: str, max_body_bytes: int, credentials: grpc.ChannelCredentials | None = None
) -> grpc.aio.Channel:
    """A gRPC channel to the upstream server sized for the largest body accepted; TLS when given credentials."""
    send_limit = max(max_body_bytes * 2, 4 * 1024 * 1024)
    options = [
        ("grpc.max_send_message_length", send_limit),
        ("grpc.max_receive_message_length", -1),
    ]
    if credentials is not None:
        return grpc.aio.secure_channel(upstream_target, credentials, options=options)
    return grpc.aio.insecure_channel(upstream_target, options=options)


class ChannelDispatch:
    """Dispatch over a gRPC channel to a remote server."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.channel = channel
        self._callables: dict[str, Any] = {}

    def _callable(self, route: Route) -> Any:
        found = self._callables.get(route.grpc_path)
        if found is None:
            kind = {
                (False, False): self.channel.unary_unary,
                (False, True): self.channel.unary_stream,
                (True, False): self.channel.stream_unary,
                (True, True): self.channel.stream_stream,
            }[(route.client_streaming, route.server_streaming)]
            found = kind(
                route.grpc_path,
                request_serializer=route.request_class.SerializeToString,
                response_deserializer=route.response_class.FromString,
            )
            self._callables[route.grpc_path] = found
        return found

    def unary(self, route: Route, request: Message, metadata: Metadata) -> Awaitable[Message]:
        """A unary call over the channel."""
        return self._callable(route)(request, metadata=metadata)  # type: ignore[no-any-return]

    def server_stream(self, route: Route, request: Message, metadata: Metadata) -> StreamingCall:
        """A server-streaming call over the channel."""
        return self._callable(route)(request, metadata=metadata)  # type: ignore[no-any-return]

    def client_stream(self, route: Route, requests: AsyncIterator[Message], metadata: Metadata) -> UnaryCall:
        """A client-streaming call over the channel."""
        return self._callable(route)(requests, metadata=metadata)  # type: ignore[no-any-return]

    def bidi_stream(self, route: Route, requests: AsyncIterator[Message], metadata: Metadata) -> StreamingCall:
        """A bidirectional-streaming call over the channel."""
        return self._callable(route)(requests, metadata=metadata)  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Close the channel."""
        await self.channel.close()
