"""Authentication for every tenlog RPC, as a server interceptor.

The interceptor checks x-log10-token / x-log10-organization and runs the
handler with the caller's organization in a context variable, so servicers
never see a call whose organization was not verified.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from tenlog_server.domain.api_keys import ApiKeys, token_from_headers
from tenlog_server.domain.errors import DomainError

from .errors import abort

_ORG: contextvars.ContextVar[str] = contextvars.ContextVar("tenlog_org")
TOKEN_HEADER = "x-log10-token"
ORG_HEADER = "x-log10-organization"
_OPEN_SERVICES = ("/grpc.health.v1.", "/grpc.reflection.")


def current_org(context: grpc.aio.ServicerContext | None = None) -> str:
    """The verified organization of the call being served."""
    return _ORG.get()


def current_org_or_empty() -> str:
    """The verified organization of the call, or "" before (or without) authentication."""
    return _ORG.get("")


def _credentials(context: grpc.aio.ServicerContext) -> tuple[str, str]:
    """The key (x-log10-token, authorization: Bearer, or x-api-key, as OTLP exporters send it) and organization."""
    metadata = {key: str(value) for key, value in context.invocation_metadata() or () if not key.endswith("-bin")}
    return token_from_headers(metadata), metadata.get(ORG_HEADER, "")


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Rejects calls without a valid key for the named organization."""

    def __init__(self, keys: ApiKeys) -> None:
        self.keys = keys

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(_OPEN_SERVICES):
            return handler
        return self._wrap(handler)

    async def _authorize(self, context: grpc.aio.ServicerContext) -> contextvars.Token[str] | None:
        token, org = _credentials(context)
        try:
            verified = await self.keys.authenticate(token, org)
        except DomainError as exc:
            await abort(context, exc)
            return None
        return _ORG.set(verified)

    def _wrap(self, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        authorize = self._authorize

        def unary(behavior: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await authorize(context)
                return await behavior(request, context)

            return call

        def streaming(behavior: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                await authorize(context)
                async for item in behavior(request, context):
                    yield item

            return call

        kwargs = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary), **kwargs)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary), **kwargs)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream), **kwargs)
        return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream), **kwargs)
