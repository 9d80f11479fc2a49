"""Decorators that turn domain errors raised by a servicer method into rich gRPC statuses."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc

from tenlog_server.domain.errors import DomainError

from .errors import abort

R = TypeVar("R")


def rpc(method: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R]]:
    """Wrap a unary-response servicer method: DomainError -> status with details."""

    @functools.wraps(method)
    async def call(self: Any, request: Any, context: grpc.aio.ServicerContext) -> R:
        try:
            return await method(self, request, context)
        except DomainError as exc:
            await abort(context, exc)
            raise  # unreachable: abort raises

    return call


def streaming_rpc(method: Callable[..., AsyncIterator[R]]) -> Callable[..., AsyncIterator[R]]:
    """Wrap a response-streaming servicer method: DomainError -> status with details."""

    @functools.wraps(method)
    async def call(self: Any, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[R]:
        try:
            async for item in method(self, request, context):
                yield item
        except DomainError as exc:
            await abort(context, exc)

    return call
