"""A background logger: ``log()`` returns at once, a worker thread ships completions.

The worker keeps one ``StreamCompletions`` stream open and writes queued
completions to it as they arrive; the server acknowledges each by its position
on the stream once it is committed. A completion leaves memory only when it is
acknowledged (or rejected as invalid). When the stream breaks, everything sent
but not acknowledged goes back to the front of the queue and is sent again on
the next stream; ids are set before the first send, so a resend of something
the server had committed upserts the same row instead of adding a second one.

Memory is bounded by ``max_queue`` completions (queued plus in flight). When it
is full, ``log()`` drops the completion it was given — the newest — and counts
it; the first drop of a run is also reported through :mod:`logging`.
"""

from __future__ import annotations

import atexit
import collections
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType

import grpc

from tenlog.client import Client, ResponseStream
from tenlog.completions import new_id
from tenlog.errors import retry_delay
from tenlog.retry import RetryPolicy
from tenlog.v1 import completion_pb2, completion_service_pb2

_log = logging.getLogger("tenlog")

# Stream failures that say nothing about the completions in flight: the server
# was away, refused us, or we stopped. Other failures (INTERNAL,
# INVALID_ARGUMENT, a message too large...) count a strike against the oldest
# unanswered item — the server answers in order, so that is the one it choked
# on — and an item is given up after max_sends strikes. So one poisonous
# completion cannot block the queue forever, while an outage or a bad key
# never makes the logger throw good completions away.
_NOT_THE_ITEMS_FAULT = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.DEADLINE_EXCEEDED,
    }
)


@dataclass(frozen=True)
class LoggerStats:
    """A snapshot of a :class:`Logger`'s counters.

    ``enqueued + dropped`` is every ``log()`` call. Each enqueued completion
    ends up ``acknowledged`` (committed), ``rejected`` (the server refused it as
    invalid; never retried), ``undelivered`` (given up on: ``max_sends``
    streams failed on it, or it was still queued when ``close()`` timed out), or
    is still ``pending``.
    """

    enqueued: int
    dropped: int
    acknowledged: int
    rejected: int
    undelivered: int
    resent: int
    reconnects: int
    pending: int
    in_flight: int
    last_error: str | None


@dataclass
class _Item:
    completion: completion_pb2.Completion
    sends: int = 0
    # Streams that failed, in a way it may have caused, while this was the oldest unanswered item.
    strikes: int = 0


class _StreamState:
    """Book-keeping of one StreamCompletions call; ``done`` stops its request generator."""

    def __init__(self) -> None:
        self.done = False
        self.next_index = 0
        self.in_flight: dict[int, _Item] = {}


class Logger:
    """Ships completions to tenlog in the background over ``StreamCompletions``.

    ``client`` is used if given (and left open on :meth:`close`); otherwise the
    logger opens its own from ``target``/``api_key`` or the ``TENLOG_*``
    environment, and closes it. Pending completions are flushed on
    :meth:`close` and, unless ``flush_at_exit`` is false, at interpreter exit,
    waiting at most ``exit_timeout`` seconds.

    ``max_in_flight`` bounds completions sent but not yet acknowledged, so a
    slow server applies back-pressure to the worker rather than to ``log()``.
    Reconnects back off per ``retry`` (its ``max_attempts`` is ignored: the
    logger keeps trying until closed).
    """

    def __init__(
        self,
        client: Client | None = None,
        *,
        target: str | None = None,
        api_key: str | None = None,
        max_queue: int = 10_000,
        max_in_flight: int = 1_000,
        max_sends: int = 10,
        retry: RetryPolicy | None = None,
        flush_at_exit: bool = True,
        exit_timeout: float = 5.0,
    ) -> None:
        if max_queue < 1 or max_in_flight < 1 or max_sends < 1:
            raise ValueError("max_queue, max_in_flight and max_sends must be positive")
        self._owns_client = client is None
        self._client = client if client is not None else Client(target, api_key)
        self.max_queue = max_queue
        self.max_in_flight = max_in_flight
        self.max_sends = max_sends
        self.exit_timeout = exit_timeout
        self._retry = retry or RetryPolicy(initial_backoff=0.05, max_backoff=2.0)

        self._cond = threading.Condition()
        self._pending: collections.deque[_Item] = collections.deque()
        self._stream: _StreamState | None = None
        self._call: ResponseStream[completion_service_pb2.StreamCompletionsResponse] | None = None
        self._closing = False  # no new logs; the worker exits once everything is answered
        self._stopped = False  # the worker exits now (close timed out)
        self._dropping = False

        self._enqueued = 0
        self._dropped = 0
        self._acknowledged = 0
        self._rejected = 0
        self._undelivered = 0
        self._resent = 0
        self._streams_opened = 0
        self._last_error: str | None = None

        self._worker = threading.Thread(target=self._run, name="tenlog-logger", daemon=True)
        self._worker.start()
        # The worker is a daemon so an unreachable server cannot hang interpreter
        # exit; this hook gives it exit_timeout seconds to deliver what is queued.
        self._at_exit = self._close_at_exit if flush_at_exit else None
        if self._at_exit is not None:
            atexit.register(self._at_exit)

    # -- public API --------------------------------------------------------------------

    def log(self, completion: completion_pb2.Completion) -> bool:
        """Queue a completion for sending and return at once.

        A completion without an id is given one here (set on the message you
        passed), so you can refer to it later and resends stay idempotent. The
        message itself is queued, not a copy: do not change it after logging.
        Returns ``False`` if it was dropped because the queue is full or the
        logger is closed; drops are counted in :meth:`stats`.
        """
        if not completion.id:
            completion.id = new_id()
        with self._cond:
            if self._closing or self._queued() >= self.max_queue:
                self._dropped += 1
                if not self._dropping:
                    self._dropping = True
                    reason = "the logger is closed" if self._closing else f"{self.max_queue} are queued"
                    _log.warning("tenlog: dropping completions: %s (dropped so far: %d)", reason, self._dropped)
                return False
            self._dropping = False
            self._pending.append(_Item(completion))
            self._enqueued += 1
            self._cond.notify_all()
            return True

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything logged so far is answered; ``False`` if ``timeout`` ran out first."""
        with self._cond:
            return self._cond.wait_for(lambda: self._queued() == 0 or self._stopped, timeout) and (self._queued() == 0)

    def close(self, timeout: float | None = 10.0) -> bool:
        """Flush for at most ``timeout`` seconds, then stop the worker.

        Anything still queued after that is counted as ``undelivered`` and
        reported through :mod:`logging`. Returns ``True`` if everything was
        delivered. Safe to call more than once.
        """
        if self._at_exit is not None:
            atexit.unregister(self._at_exit)
            self._at_exit = None
        with self._cond:
            if self._stopped:
                return self._queued() == 0
            self._closing = True
            self._cond.notify_all()
        delivered = self.flush(timeout)
        if delivered:
            # The worker half-closes its idle stream and returns once the server ends it.
            self._worker.join(timeout=2.0)
        with self._cond:
            self._stopped = True
            call = self._call
            self._cond.notify_all()
        if call is not None and self._worker.is_alive():
            call.cancel()
        self._worker.join(timeout=5.0)
        with self._cond:
            # The worker has put anything unanswered back in the queue; give up on it, loudly.
            left = self._queued()
            if left:
                self._undelivered += left
                self._pending.clear()
                _log.warning("tenlog: closed with %d completions undelivered: %s", left, self._last_error)
        if self._owns_client:
            self._client.close()
        return delivered

    def stats(self) -> LoggerStats:
        """The counters as of now."""
        with self._cond:
            in_flight = len(self._stream.in_flight) if self._stream is not None else 0
            return LoggerStats(
                enqueued=self._enqueued,
                dropped=self._dropped,
                acknowledged=self._acknowledged,
                rejected=self._rejected,
                undelivered=self._undelivered,
                resent=self._resent,
                reconnects=max(0, self._streams_opened - 1),
                pending=len(self._pending) + in_flight,
                in_flight=in_flight,
                last_error=self._last_error,
            )

    def __enter__(self) -> Logger:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- worker ------------------------------------------------------------------------

    def _queued(self) -> int:
        # Caller holds self._cond.
        in_flight = len(self._stream.in_flight) if self._stream is not None else 0
        return len(self._pending) + in_flight

    def _close_at_exit(self) -> None:
        self.close(timeout=self.exit_timeout)

    def _run(self) -> None:
        failures = 0
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._closing or self._stopped)
                if self._stopped or (self._closing and not self._pending):
                    return
                stream = self._stream = _StreamState()
                self._streams_opened += 1
            strike = False
            server_delay: float | None = None
            try:
                call = self._client.stream_completions(self._requests(stream))
                with self._cond:
                    self._call = call
                for ack in call:
                    self._on_ack(stream, ack)
                    failures = 0
            except grpc.RpcError as error:
                if self._stopped:  # close() cancelled the call; nothing went wrong
                    return
                failures += 1
                server_delay = retry_delay(error)
                # A server asking us to wait (RetryInfo) is pushing back, not refusing the items.
                strike = error.code() not in _NOT_THE_ITEMS_FAULT and server_delay is None
                self._last_error = f"{error.code().name}: {error.details()}"
                log = _log.warning if failures == 1 else _log.debug
                log("tenlog: stream to %s failed: %s", self._client.settings.target, self._last_error)
            finally:
                self._end_stream(stream, strike=strike)
            if failures:
                wait = server_delay if server_delay is not None else self._retry.backoff(min(failures, 30))
                with self._cond:
                    # Waits out the backoff, but wakes at once if close() gives up.
                    self._cond.wait_for(lambda: self._stopped, wait)

    def _requests(self, stream: _StreamState) -> Iterator[completion_pb2.Completion]:
        # Runs on a gRPC thread. Items move from the queue to in_flight under the
        # lock, and only while the stream is live, so _end_stream sees them all.
        while True:
            with self._cond:
                while True:
                    if stream.done:
                        return
                    if self._pending and len(stream.in_flight) < self.max_in_flight:
                        item = self._pending.popleft()
                        break
                    if self._closing and not self._pending:
                        return  # half-close: the server answers what is in flight, then ends
                    self._cond.wait()
                item.sends += 1
                if item.sends > 1:
                    self._resent += 1
                stream.in_flight[stream.next_index] = item
                stream.next_index += 1
            yield item.completion

    def _on_ack(self, stream: _StreamState, ack: completion_service_pb2.StreamCompletionsResponse) -> None:
        with self._cond:
            item = stream.in_flight.get(ack.index)
            key = ack.index
            if item is None or (ack.id and item.completion.id != ack.id):
                # Should not happen; match by id rather than trust a wrong index.
                key = next((k for k, v in stream.in_flight.items() if v.completion.id == ack.id), -1)
                item = stream.in_flight.get(key)
            if item is None:
                return
            del stream.in_flight[key]
            if ack.accepted:
                self._acknowledged += 1
            else:
                self._rejected += 1
                _log.warning("tenlog: completion %s rejected: %s", ack.id, ack.rejected.reason)
            self._cond.notify_all()

    def _end_stream(self, stream: _StreamState, strike: bool) -> None:
        with self._cond:
            stream.done = True
            self._call = None
            self._stream = None
            # Unanswered items go back to the front, in the order they were sent.
            retry = [stream.in_flight[k] for k in sorted(stream.in_flight)]
            stream.in_flight.clear()
            if strike and retry:
                retry[0].strikes += 1
            for item in reversed(retry):
                if item.strikes >= self.max_sends:
                    self._undelivered += 1
                    _log.warning(
                        "tenlog: giving up on completion %s: %d streams failed on it (%s)",
                        item.completion.id,
                        item.strikes,
                        self._last_error,
                    )
                else:
                    self._pending.appendleft(item)
            self._cond.notify_all()


_default: Logger | None = None
_default_lock = threading.Lock()


def default_logger() -> Logger:
    """The process-wide logger, created on first use from ``TENLOG_TARGET``/``TENLOG_API_KEY``.

    It is what :func:`tenlog.wrap` uses when given no logger; it flushes at exit.
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = Logger()
        return _default
