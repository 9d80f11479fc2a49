"""Retries with exponential backoff for unary calls.

Two failures are worth retrying: UNAVAILABLE (the server or the network blipped)
and RESOURCE_EXHAUSTED when the server says how long to wait (``RetryInfo``).
RESOURCE_EXHAUSTED without ``RetryInfo`` is not retried: gRPC also uses that
code for a message over the size limit, which no amount of waiting fixes.

Retrying writes is safe because the clients give every new completion, session,
task and feedback an id before sending: a retry of a write that did commit
upserts the same row instead of creating a second one.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc

from tenlog.errors import retry_delay

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How a client retries a failed unary call.

    ``max_attempts`` counts the first try. Backoff before retry ``n`` (1-based)
    is ``initial_backoff * multiplier ** (n - 1)``, capped at ``max_backoff``
    and jittered down by up to half so that many clients do not retry in step.
    A delay the server asks for with ``RetryInfo`` is honoured (plus up to 10 %
    jitter); if it is longer than ``max_server_delay`` the error is raised
    instead, because the caller would rather know than block that long.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    multiplier: float = 2.0
    max_server_delay: float = 60.0

    def backoff(self, retry: int) -> float:
        """The jittered exponential backoff before retry number ``retry`` (1-based)."""
        ceiling = min(self.max_backoff, self.initial_backoff * self.multiplier ** (retry - 1))
        return ceiling * random.uniform(0.5, 1.0)

    def delay(self, error: BaseException, attempt: int) -> float | None:
        """Seconds to wait before retrying ``error`` on ``attempt`` (1-based); ``None`` to give up."""
        if attempt >= self.max_attempts or not isinstance(error, grpc.RpcError):
            return None
        code = error.code()
        if code == grpc.StatusCode.UNAVAILABLE:
            # A server may attach RetryInfo to UNAVAILABLE too (e.g. while draining).
            asked = retry_delay(error)
            return self._server_delay(asked) if asked is not None else self.backoff(attempt)
        if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            asked = retry_delay(error)
            return None if asked is None else self._server_delay(asked)
        return None

    def _server_delay(self, asked: float) -> float | None:
        if asked > self.max_server_delay:
            return None
        return asked * random.uniform(1.0, 1.1)


#: A policy that never retries.
NO_RETRY = RetryPolicy(max_attempts=1)


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def call_with_retry(
    attempt: Callable[[float | None], T],
    policy: RetryPolicy,
    timeout: float | None,
    sleep: Callable[[float], Any] = time.sleep,
) -> T:
    """Run ``attempt(timeout_for_this_try)`` until it succeeds or the policy gives up.

    ``timeout`` bounds the whole call, retries and waits included: each try gets
    what is left, and a wait that would outlast the deadline is not started.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    tries = 0
    while True:
        tries += 1
        try:
            return attempt(_remaining(deadline))
        except grpc.RpcError as error:
            wait = policy.delay(error, tries)
            remaining = _remaining(deadline)
            if wait is None or (remaining is not None and wait >= remaining):
                raise
            sleep(wait)


async def call_with_retry_async(
    attempt: Callable[[float | None], Awaitable[T]],
    policy: RetryPolicy,
    timeout: float | None,
) -> T:
    """The asyncio twin of :func:`call_with_retry`."""
    deadline = None if timeout is None else time.monotonic() + timeout
    tries = 0
    while True:
        tries += 1
        try:
            return await attempt(_remaining(deadline))
        except grpc.RpcError as error:
            wait = policy.delay(error, tries)
            remaining = _remaining(deadline)
            if wait is None or (remaining is not None and wait >= remaining):
                raise
            await asyncio.sleep(wait)
