"""CompletionService streaming RPCs: UploadCompletions, StreamCompletions and TailCompletions.

Ingest streams read through a small bounded queue and hand whole chunks to the
group-commit writer. When the writer is full the chunk waits, the queue fills,
the reader stops reading, and HTTP/2 flow control slows the client: memory
stays bounded however fast a client sends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api

from tenlog_server.domain.completions import BatchOutcome, CompletionsService, check_filter
from tenlog_server.domain.errors import ResourceExhausted
from tenlog_server.domain.tail import TailBus

from .auth import current_org
from .completion_mapping import completion_to_record, record_to_completion
from .completions import IngestLimits, UnaryCompletionServicer, completion_filter, rejected_message
from .handlers import rpc, streaming_rpc

CHUNK = 500  # items per write: large enough to amortise a commit, small enough to ack promptly
IN_FLIGHT_CHUNKS = 4  # per stream: keeps the writer busy while the next chunk is read
MAX_IDS_IN_SUMMARY = 10_000
MAX_REJECTED_IN_SUMMARY = 1_000


@dataclass(slots=True)
class _Chunk:
    first_index: int
    outcome: asyncio.Task[BatchOutcome]


class _End:
    """Marks the end of a stream's chunks, carrying the error that ended it, if any."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


async def _read_chunks(
    requests: AsyncIterator[Any], max_items: int, draining: asyncio.Event
) -> AsyncIterator[list[pb.Completion]]:
    """The stream's completions in chunks of whatever has arrived (at most CHUNK).

    Once the server is draining, the stream ends the next time it is idle: the
    client reconnects elsewhere and resends what was not acknowledged.
    """
    queue: asyncio.Queue[pb.Completion | _End] = asyncio.Queue(CHUNK * 2)

    async def reader() -> None:
        count = 0
        try:
            async for item in requests:
                count += 1
                if max_items and count > max_items:
                    raise ResourceExhausted(
                        f"the stream sent more than {max_items} completions, the limit per stream "
                        "(TENLOG_MAX_STREAM_ITEMS); the first ones were processed",
                        reason="STREAM_TOO_LONG",
                    )
                await queue.put(item.completion)
        except Exception as exc:  # handed on, re-raised in order; cancellation propagates
            await queue.put(_End(exc))
        else:
            await queue.put(_End())

    task = asyncio.create_task(reader())
    try:
        end: _End | None = None
        while end is None:
            first = await _get_unless_draining(queue, draining)
            if first is None:
                return
            if isinstance(first, _End):
                end = first
                break
            chunk = [first]
            while len(chunk) < CHUNK and not queue.empty():
                item = queue.get_nowait()
                if isinstance(item, _End):
                    end = item
                    break
                chunk.append(item)
            yield chunk
        if end.error is not None:
            raise end.error
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _get_unless_draining(queue: asyncio.Queue[Any], draining: asyncio.Event) -> Any | None:
    """The next item, or None when the server starts draining while the stream is idle."""
    if not queue.empty():
        return queue.get_nowait()
    if draining.is_set():
        return None
    getter = asyncio.ensure_future(queue.get())
    drained = asyncio.ensure_future(draining.wait())
    await asyncio.wait({getter, drained}, return_when=asyncio.FIRST_COMPLETED)
    drained.cancel()
    if getter.done():
        return getter.result()
    getter.cancel()  # queue.get() is safe to cancel: no item is lost
    return None


class CompletionServicer(UnaryCompletionServicer):
    """Implements every CompletionService RPC."""

    def __init__(self, completions: CompletionsService, limits: IngestLimits, tail: TailBus) -> None:
        super().__init__(completions, limits)
        self.tail = tail
        self.draining = asyncio.Event()

    def drain(self) -> None:
        """Server shutdown: idle ingest streams end so the grace period is not spent waiting on them."""
        self.draining.set()

    async def _chunks(self, requests: AsyncIterator[Any]) -> AsyncIterator[_Chunk]:
        """Submit the stream's chunks with up to IN_FLIGHT_CHUNKS writing at once, yielding them in order."""
        org = current_org()
        in_flight: asyncio.Queue[_Chunk | _End] = asyncio.Queue(IN_FLIGHT_CHUNKS)

        async def producer() -> None:
            index = 0
            try:
                async for chunk in _read_chunks(requests, self.limits.max_stream_items, self.draining):
                    records = [completion_to_record(c) for c in chunk]
                    outcome = asyncio.create_task(
                        self.completions.create_many(org, records, first_index=index, wait_for_room=True)
                    )
                    await in_flight.put(_Chunk(index, outcome))
                    index += len(chunk)
            except Exception as exc:  # handed on, re-raised in order; cancellation propagates
                await in_flight.put(_End(exc))
            else:
                await in_flight.put(_End())

        task = asyncio.create_task(producer())
        try:
            while True:
                item = await in_flight.get()
                if isinstance(item, _End):
                    if item.error is not None:
                        raise item.error
                    return
                await item.outcome
                yield item
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    @rpc
    async def UploadCompletions(
        self, request_iterator: AsyncIterator[api.UploadCompletionsRequest], context: grpc.aio.ServicerContext
    ) -> api.UploadCompletionsResponse:
        summary = api.UploadCompletionsResponse()
        async for chunk in self._chunks(request_iterator):
            outcome = chunk.outcome.result()
            summary.accepted_count += len(outcome.accepted)
            room = MAX_IDS_IN_SUMMARY - len(summary.accepted_ids)
            summary.accepted_ids.extend(rec.id for _, rec in outcome.accepted[: max(room, 0)])
            summary.rejected_count += len(outcome.rejected)
            room = MAX_REJECTED_IN_SUMMARY - len(summary.rejected)
            summary.rejected.extend(rejected_message(r) for r in outcome.rejected[: max(room, 0)])
        return summary

    @streaming_rpc
    async def StreamCompletions(
        self, request_iterator: AsyncIterator[api.StreamCompletionsRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.StreamCompletionsResponse]:
        async for chunk in self._chunks(request_iterator):
            outcome = chunk.outcome.result()
            acks = [
                (i, api.StreamCompletionsResponse(id=rec.id, index=i, accepted=True)) for i, rec in outcome.accepted
            ]
            acks += [
                (r.index, api.StreamCompletionsResponse(id=r.id, index=r.index, rejected=rejected_message(r)))
                for r in outcome.rejected
            ]
            for _, ack in sorted(acks, key=lambda pair: pair[0]):
                yield ack

    @streaming_rpc
    async def TailCompletions(
        self, request: api.TailCompletionsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.TailCompletionsResponse]:
        async def live() -> None:
            # Headers go out once the subscription exists: a client may write right after.
            await context.send_initial_metadata(())

        flt = completion_filter(request)
        check_filter(flt)
        events = self.tail.subscribe(current_org(), flt, on_live=live)
        try:
            async for event in events:
                yield api.TailCompletionsResponse(
                    event=api.TAIL_EVENT_CREATED if event.created else api.TAIL_EVENT_UPDATED,
                    completion=record_to_completion(event.record),
                )
        finally:
            await events.aclose()  # type: ignore[attr-defined]
