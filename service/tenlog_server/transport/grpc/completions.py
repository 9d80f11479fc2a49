"""CompletionService unary RPCs; the streaming ones are added in completion_streams.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api
from tenlog.v1 import completion_service_pb2_grpc as api_grpc

from tenlog_server.domain.completion_aggregates import AggregateGroup, parse_group_by, parse_interval
from tenlog_server.domain.completion_query import build_query, make_query_page
from tenlog_server.domain.completions import CompletionsService, Rejected, check_filter
from tenlog_server.domain.errors import FieldViolation, InvalidArgument
from tenlog_server.domain.model import CompletionFilter
from tenlog_server.domain.pagination import bounded_by_bytes, make_page, next_token

from .auth import current_org
from .completion_mapping import (
    SOURCE_NAMES,
    STATUS_NAMES,
    completion_to_record,
    record_to_completion,
    timestamp,
    timestamp_us,
)
from .errors import bad_request
from .handlers import rpc


def completion_filter(request: Any) -> CompletionFilter:
    """The listing filter of a List/Tail request."""
    flt = CompletionFilter(
        tags=list(request.tags),
        session_id=request.session_id,
        status=STATUS_NAMES.get(request.status, ""),
    )
    if hasattr(request, "model"):
        flt.model = request.model
        flt.source = SOURCE_NAMES.get(request.source, "")
        if request.HasField("created_after"):
            flt.created_after_us = timestamp_us(request.created_after)
        if request.HasField("created_before"):
            flt.created_before_us = timestamp_us(request.created_before)
    return flt


def group_message(group: AggregateGroup) -> api.CompletionGroup:
    """One aggregate group as a CompletionGroup message."""
    message = api.CompletionGroup(
        key=group.key,
        count=group.count,
        failed_count=group.failed_count,
        prompt_tokens=group.prompt_tokens,
        completion_tokens=group.completion_tokens,
        total_tokens=group.total_tokens,
        cost=group.cost,
        duration_p50=group.duration_p50,
        duration_p95=group.duration_p95,
        duration_p99=group.duration_p99,
    )
    if group.bucket_start_us is not None:
        message.bucket_start.CopyFrom(timestamp(group.bucket_start_us))
    return message


def rejected_message(rej: Rejected) -> api.RejectedCompletion:
    """A domain rejection as a RejectedCompletion message."""
    return api.RejectedCompletion(
        index=rej.index,
        id=rej.id,
        reason=rej.reason,
        field_violations=bad_request(rej.violations).field_violations,
    )


def update_paths(completion: pb.Completion, mask_paths: Sequence[str]) -> list[str]:
    """The mask's paths, else every field the completion sets (domain.update_mask checks them)."""
    if mask_paths:
        return list(mask_paths)
    return [field.name for field, _ in completion.ListFields() if field.name != "id"]


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Per-call limits on bulk ingest; 0 means no limit."""

    max_batch_items: int = 10_000
    max_stream_items: int = 0


class UnaryCompletionServicer(api_grpc.CompletionServiceServicer):
    """Implements the unary CompletionService RPCs."""

    def __init__(self, completions: CompletionsService, limits: IngestLimits) -> None:
        self.completions = completions
        self.limits = limits

    @rpc
    async def CreateCompletion(
        self, request: api.CreateCompletionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        if not request.HasField("completion"):  # over REST: a POST with no body at all
            raise InvalidArgument(
                "completion is required (over REST, the request body)", [FieldViolation("completion", "is required")]
            )
        stored = await self.completions.create(current_org(context), completion_to_record(request.completion))
        return record_to_completion(stored)

    @rpc
    async def UpdateCompletion(
        self, request: api.UpdateCompletionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        if not request.completion.id:
            raise InvalidArgument("completion.id is required", [FieldViolation("completion.id", "is required")])
        rec = await self.completions.update(
            current_org(context),
            request.completion.id,
            update_paths(request.completion, request.update_mask.paths),
            completion_to_record(request.completion),
        )
        return record_to_completion(rec)

    @rpc
    async def GetCompletion(
        self, request: api.GetCompletionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        return record_to_completion(await self.completions.get(current_org(context), request.id))

    @rpc
    async def DeleteCompletion(
        self, request: api.DeleteCompletionRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await self.completions.delete(current_org(context), request.id)
        return empty_pb2.Empty()

    @rpc
    async def ListCompletions(
        self, request: api.ListCompletionsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListCompletionsResponse:
        org = current_org(context)
        fixed = completion_filter(request)
        check_filter(fixed)  # the fixed fields' bounds (tags: MAX_FILTER_TAGS), as for a tail
        query = build_query(fixed, request.filter, request.search, request.order_by)
        page = make_query_page(org, query, request.page_size, request.limit, request.offset, request.page_token)
        rows, token = await self.completions.query(org, query, page)
        return api.ListCompletionsResponse(completions=[record_to_completion(r) for r in rows], next_page_token=token)

    @rpc
    async def AggregateCompletions(
        self, request: api.AggregateCompletionsRequest, context: grpc.aio.ServicerContext
    ) -> api.AggregateCompletionsResponse:
        query = build_query(None, request.filter, request.search)
        group_by = parse_group_by(list(request.group_by))
        interval_us = parse_interval(request.interval)
        groups = await self.completions.aggregate(current_org(context), query, group_by, interval_us)
        return api.AggregateCompletionsResponse(groups=[group_message(g) for g in groups])

    @rpc
    async def ListUngradedCompletions(
        self, request: api.ListUngradedCompletionsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListUngradedCompletionsResponse:
        page = make_page(request.page_size, request.limit, request.offset, request.page_token)
        rows, more = bounded_by_bytes(await self.completions.list_ungraded(current_org(context), request.task_id, page))
        return api.ListUngradedCompletionsResponse(
            completions=[record_to_completion(r) for r in rows],
            next_page_token=next_token(page, rows, more),
        )

    @rpc
    async def BatchCreateCompletions(
        self, request: api.BatchCreateCompletionsRequest, context: grpc.aio.ServicerContext
    ) -> api.BatchCreateCompletionsResponse:
        limit = self.limits.max_batch_items
        if limit and len(request.completions) > limit:
            raise InvalidArgument(
                f"the batch has {len(request.completions)} completions; the limit is {limit} per batch "
                "(TENLOG_MAX_BATCH_ITEMS)",
                [FieldViolation("completions", f"at most {limit} items per batch")],
                reason="BATCH_TOO_LARGE",
            )
        outcome = await self.completions.create_many(
            current_org(context), [completion_to_record(c) for c in request.completions]
        )
        return api.BatchCreateCompletionsResponse(
            accepted_count=len(outcome.accepted),
            accepted_ids=[rec.id for _, rec in outcome.accepted],
            rejected=[rejected_message(r) for r in outcome.rejected],
            rejected_count=len(outcome.rejected),
        )
