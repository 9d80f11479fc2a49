"""TransferService: the export streams and import streams of an organization's rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import transfer_service_pb2 as api
from tenlog.v1 import transfer_service_pb2_grpc as api_grpc

from tenlog_server.domain.documents import struct_to_dict
from tenlog_server.domain.model import CompletionRecord, FeedbackRecord, FeedbackTaskRecord, SessionRecord
from tenlog_server.domain.transfer import IMPORT_CHUNK, ImportRejected, TransferService

from .auth import current_org
from .completion_mapping import (
    completion_to_record,
    feedback_to_message,
    record_to_completion,
    session_to_message,
    task_to_message,
    timestamp_us,
)
from .completions import completion_filter
from .handlers import rpc, streaming_rpc

MAX_REPORTED_REJECTIONS = 1000
T = TypeVar("T")
R = TypeVar("R")


async def _export_pages(
    pages: AsyncIterator[Sequence[R]], total: int, respond: Callable[[Sequence[R], int], T]
) -> AsyncIterator[T]:
    """One response per page, by respond(page, total_count); only the first response carries the total."""
    async for page in pages:
        yield respond(page, total)
        total = 0


def imported_completion(msg: pb.Completion, org: str) -> CompletionRecord:
    """A Completion message as exported -> a record keeping its times (organization_id kept when foreign)."""
    rec = completion_to_record(msg)
    if rec.reported_organization_id == org:
        rec.reported_organization_id = ""
    rec.created_at_us = timestamp_us(msg.created_at) if msg.HasField("created_at") else 0
    rec.updated_at_us = timestamp_us(msg.updated_at) if msg.HasField("updated_at") else 0
    return rec


def imported_session(msg: pb.Session) -> SessionRecord:
    """A Session message as exported -> a record."""
    return SessionRecord(msg.id, timestamp_us(msg.created_at) if msg.HasField("created_at") else 0)


def _created_us(msg: pb.FeedbackTask | pb.Feedback) -> int:
    if msg.HasField("created_at"):
        return timestamp_us(msg.created_at)
    return int(msg.created_at_ms * 1000)


def imported_task(msg: pb.FeedbackTask) -> FeedbackTaskRecord:
    """A FeedbackTask message as exported -> a record."""
    return FeedbackTaskRecord(
        id=msg.id,
        name=msg.name,
        instruction=msg.instruction,
        json_schema=struct_to_dict(msg.json_schema),
        completion_tags_selector=list(msg.completion_tags_selector),
        created_at_us=_created_us(msg),
    )


def imported_feedback(msg: pb.Feedback) -> FeedbackRecord:
    """A Feedback message as exported -> a record with its completion links."""
    return FeedbackRecord(
        id=msg.id,
        task_id=msg.task_id,
        json_values=struct_to_dict(msg.json_values),
        comment=msg.comment,
        completions_summary=msg.completions_summary,
        matched_completion_ids=list(msg.matched_completion_ids),
        created_at_us=_created_us(msg),
    )


async def _import(
    requests: AsyncIterator[Any],
    convert: Callable[[Any], T],
    store: Callable[[Sequence[T], int], Awaitable[tuple[int, list[ImportRejected]]]],
) -> api.ImportResponse:
    """Read a stream in chunks, storing each chunk in one transaction before reading on (flow control)."""
    result = api.ImportResponse()
    chunk: list[T] = []
    first = index = 0

    async def flush() -> None:
        stored, rejected = await store(chunk, first)
        result.imported_count += stored
        result.rejected_count += len(rejected)
        room = MAX_REPORTED_REJECTIONS - len(result.rejected)
        result.rejected.extend(api.ImportRejection(index=r.index, id=r.id, reason=r.reason) for r in rejected[:room])
        chunk.clear()

    async for request in requests:
        chunk.append(convert(request))
        index += 1
        if len(chunk) >= IMPORT_CHUNK:
            await flush()
            first = index
    if chunk:
        await flush()
    return result


class TransferServicer(api_grpc.TransferServiceServicer):
    """Export and import RPCs over the transfer use cases."""

    def __init__(self, transfer: TransferService) -> None:
        self.transfer = transfer

    @streaming_rpc
    async def ExportCompletions(
        self, request: api.ExportCompletionsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.ExportCompletionsResponse]:
        """Pages of completions by ascending id; the stream's flow control paces the reads."""
        org = current_org(context)
        query, pages = self.transfer.export_completions(
            org,
            completion_filter(request),
            filter_text=request.filter,
            search=request.search,
            after=request.after,
            page_size=request.page_size,
        )
        total = await self.transfer.count("completions", org, request.after, query)

        def respond(page: Sequence[CompletionRecord], total: int) -> api.ExportCompletionsResponse:
            response = api.ExportCompletionsResponse(last_id=page[-1].id, total_count=total)
            for rec in page:  # append: cheaper than a list given to the constructor
                response.completions.append(record_to_completion(rec))
            return response

        async for response in _export_pages(pages, total, respond):
            yield response

    @streaming_rpc
    async def ExportSessions(
        self, request: api.ExportSessionsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.ExportSessionsResponse]:
        """Pages of sessions by ascending id."""
        org = current_org(context)
        pages = self.transfer.export_sessions(org, after=request.after, page_size=request.page_size)
        total = await self.transfer.count("sessions", org, request.after)
        async for response in _export_pages(
            pages,
            total,
            lambda page, total: api.ExportSessionsResponse(
                sessions=[session_to_message(r) for r in page], last_id=page[-1].id, total_count=total
            ),
        ):
            yield response

    @streaming_rpc
    async def ExportFeedbackTasks(
        self, request: api.ExportFeedbackTasksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.ExportFeedbackTasksResponse]:
        """Pages of feedback tasks by ascending id."""
        org = current_org(context)
        pages = self.transfer.export_tasks(org, after=request.after, page_size=request.page_size)
        total = await self.transfer.count("feedback_tasks", org, request.after)
        async for response in _export_pages(
            pages,
            total,
            lambda page, total: api.ExportFeedbackTasksResponse(
                tasks=[task_to_message(r) for r in page], last_id=page[-1].id, total_count=total
            ),
        ):
            yield response

    @streaming_rpc
    async def ExportFeedback(
        self, request: api.ExportFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.ExportFeedbackResponse]:
        """Pages of feedback by ascending id."""
        org = current_org(context)
        pages = self.transfer.export_feedback(org, after=request.after, page_size=request.page_size)
        total = await self.transfer.count("feedback", org, request.after)
        async for response in _export_pages(
            pages,
            total,
            lambda page, total: api.ExportFeedbackResponse(
                feedback=[feedback_to_message(r, org) for r in page], last_id=page[-1].id, total_count=total
            ),
        ):
            yield response

    @rpc
    async def ImportCompletions(
        self, requests: AsyncIterator[api.ImportCompletionsRequest], context: grpc.aio.ServicerContext
    ) -> api.ImportResponse:
        """Completions as exported, stored a chunk per transaction."""
        org = current_org(context)
        return await _import(
            requests,
            lambda r: imported_completion(r.completion, org),
            lambda recs, first: self.transfer.import_completions(org, recs, first),
        )

    @rpc
    async def ImportSessions(
        self, requests: AsyncIterator[api.ImportSessionsRequest], context: grpc.aio.ServicerContext
    ) -> api.ImportResponse:
        """Sessions as exported."""
        org = current_org(context)
        return await _import(
            requests,
            lambda r: imported_session(r.session),
            lambda recs, first: self.transfer.import_sessions(org, recs, first),
        )

    @rpc
    async def ImportFeedbackTasks(
        self, requests: AsyncIterator[api.ImportFeedbackTasksRequest], context: grpc.aio.ServicerContext
    ) -> api.ImportResponse:
        """Feedback tasks as exported."""
        org = current_org(context)
        return await _import(
            requests,
            lambda r: imported_task(r.task),
            lambda recs, first: self.transfer.import_tasks(org, recs, first),
        )

    @rpc
    async def ImportFeedback(
        self, requests: AsyncIterator[api.ImportFeedbackRequest], context: grpc.aio.ServicerContext
    ) -> api.ImportResponse:
        """Feedback as exported, linked to the completions the organization has."""
        org = current_org(context)
        return await _import(
            requests,
            lambda r: imported_feedback(r.feedback),
            lambda recs, first: self.transfer.import_feedback(org, recs, first),
        )
