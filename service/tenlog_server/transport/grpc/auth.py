"""Authentication for every tenlog RPC, as a server interceptor.

The interceptor checks x-log10-token / x-log10-organization and runs the
handler with the caller's organization in a context variable, so servicers
never see a call whose organization was not verified.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from tenlog_server.domain.api_keys import STREAM_RECHECK_SECONDS, ApiKeys, token_from_headers
from tenlog_server.domain.errors import DomainError, Unauthenticated
from tenlog_server.domain.rate_limits import RateLimits

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

    def __init__(
        self, keys: ApiKeys, rate_limits: RateLimits | None = None, recheck_seconds: float = STREAM_RECHECK_SECONDS
    ) -> None:
        self.keys = keys
        self.rate_limits = rate_limits or RateLimits()
        self.recheck_seconds = recheck_seconds

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
            self.rate_limits.admit_request(verified)
        except DomainError as exc:
            await abort(context, exc)
            return None
        return _ORG.set(verified)

    async def _watch_key(self, context: grpc.aio.ServicerContext, revoked: asyncio.Event) -> None:
        """Re-check a long-lived call's key every recheck_seconds; set `revoked` once it no longer works."""
        token, org = _credentials(context)
        while True:
            await asyncio.sleep(self.recheck_seconds)
            try:
                await self.keys.authenticate(token, org)
            except DomainError:
                revoked.set()
                return

    def _wrap(self, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
        authorize = self._authorize
        watch_key = self._watch_key

        def revoked_error() -> Unauthenticated:
            return Unauthenticated("the API key of this stream was revoked", reason="KEY_REVOKED")

        async def checked(requests: AsyncIterator[Any], revoked: asyncio.Event) -> AsyncIterator[Any]:
            async for item in requests:
                if revoked.is_set():
                    raise revoked_error()
                yield item

        def unary(behavior: Callable[..., Awaitable[Any]], streamed: bool) -> Callable[..., Awaitable[Any]]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await authorize(context)
                if not streamed:
                    return await behavior(request, context)
                revoked = asyncio.Event()
                watcher = asyncio.create_task(watch_key(context, revoked))
                try:
                    return await behavior(checked(request, revoked), context)
                finally:
                    watcher.cancel()

            return call

        def streaming(behavior: Callable[..., AsyncIterator[Any]], streamed: bool) -> Callable[..., AsyncIterator[Any]]:
            async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                await authorize(context)
                revoked = asyncio.Event()
                watcher = asyncio.create_task(watch_key(context, revoked))
                try:
                    if streamed:  # busy bidi streams: the check between messages is enough
                        async for item in behavior(checked(request, revoked), context):
                            if revoked.is_set():
                                raise revoked_error()
                            yield item
                    else:  # a tail may stay quiet for long: wait for an answer or the revocation
                        async for item in _until(behavior(request, context), revoked, revoked_error):
                            yield item
                finally:
                    watcher.cancel()

            return call

        kwargs = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary, False), **kwargs)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary, True), **kwargs)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream, False), **kwargs)
        return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream, True), **kwargs)


async def _until(
    responses: AsyncIterator[Any], revoked: asyncio.Event, error: Callable[[], Exception]
) -> AsyncIterator[Any]:
    """The responses, until `revoked` is set: then the stream ends with error() even while idle."""
    iterator = responses.__aiter__()
    revocation = asyncio.ensure_future(revoked.wait())
    following: asyncio.Future[Any] | None = None
    try:
        while True:
            following = asyncio.ensure_future(iterator.__anext__())
            await asyncio.wait({following, revocation}, return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                raise error()
            try:
                item = following.result()
            except StopAsyncIteration:
                return
            following = None
            yield item
    finally:
        revocation.cancel()
        if following is not None and not following.done():
            following.cancel()
            with contextlib.suppress(BaseException):
                await following
        with contextlib.suppress(Exception):
            await iterator.aclose()  # type: ignore[attr-defined]
