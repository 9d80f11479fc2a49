"""VendorIngestService: the reads of Log10's legacy SDK and CLI (log10-io), in the shapes it reads."""

from __future__ import annotations

import grpc
from tenlog.v1 import vendor_ingest_service_pb2 as api

from tenlog_server.domain.completions import CompletionsService
from tenlog_server.domain.errors import NotFound
from tenlog_server.domain.feedback import FeedbackService, FeedbackTasksService
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.domain.pagination import make_page
from tenlog_server.domain.vendors.log10_legacy import LEGACY_KIND, check_named_organization, legacy_listing
from tenlog_server.domain.vendors.vendor_views import VendorViews

from .auth import current_org
from .completion_mapping import feedback_to_message, record_to_completion, task_to_message
from .handlers import rpc


def legacy_completion(rec: CompletionRecord) -> api.LegacyCompletion:
    """A completion as log10-io's CLI reads it."""
    full = record_to_completion(rec)
    msg = api.LegacyCompletion(
        id=full.id,
        organization_id=full.organization_id,
        kind=LEGACY_KIND.get(rec.kind, rec.kind),
        status=full.status,
        tags=full.tags,
        tag_resolved=[api.LegacyTag(id=t, name=t) for t in full.tags],
        stacktrace=full.stacktrace,
        session_id=full.session_id,
        duration=full.duration,
        failure_kind=full.failure_kind,
        failure_reason=full.failure_reason,
        created_at=full.created_at,
        updated_at=full.updated_at,
        model=full.model,
        prompt_tokens=full.prompt_tokens,
        completion_tokens=full.completion_tokens,
        total_tokens=full.total_tokens,
    )
    if full.HasField("request"):
        msg.request.CopyFrom(full.request)
    if full.HasField("response"):
        msg.response.CopyFrom(full.response)
    return msg


class Log10LegacyReads:
    """ListLegacyCompletions, GetLegacyCompletion, SearchLegacyTags, ListLegacyFeedback(Tasks)."""

    completions: CompletionsService
    feedback: FeedbackService
    tasks: FeedbackTasksService
    views: VendorViews

    @rpc
    async def ListLegacyCompletions(
        self, request: api.ListLegacyCompletionsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListLegacyCompletionsResponse:
        org = current_org(context)
        check_named_organization(request.organization_id, org)
        listing = legacy_listing(
            request.tag_filter,
            request.created_filter,
            request.sort,
            request.desc if request.HasField("desc") else None,
            request.ids,
        )
        page = make_page(0, request.limit, request.offset, "")
        if listing.ids:
            found = []
            for completion_id in dict.fromkeys(listing.ids):
                try:
                    found.append(await self.completions.get(org, completion_id))
                except NotFound:
                    continue
            rows = found[page.offset : page.offset + page.limit]
            total = len(found)
        else:
            rows = await self.completions.list_completions(org, listing.filter, page)
            total = await self.views.count_completions(org, listing.filter)
        return api.ListLegacyCompletionsResponse(data=[legacy_completion(r) for r in rows], total=total)

    @rpc
    async def GetLegacyCompletion(
        self, request: api.GetLegacyCompletionRequest, context: grpc.aio.ServicerContext
    ) -> api.GetLegacyCompletionResponse:
        org = current_org(context)
        check_named_organization(request.organization_id, org)
        return api.GetLegacyCompletionResponse(data=legacy_completion(await self.completions.get(org, request.id)))

    @rpc
    async def SearchLegacyTags(
        self, request: api.SearchLegacyTagsRequest, context: grpc.aio.ServicerContext
    ) -> api.SearchLegacyTagsResponse:
        org = current_org(context)
        check_named_organization(request.organization_id, org)
        page = make_page(0, request.limit, 0, "")
        tags = await self.views.search_tags(org, request.query, page.limit)
        return api.SearchLegacyTagsResponse(data=[api.LegacyTag(id=t, name=t) for t in tags])

    @rpc
    async def ListLegacyFeedback(
        self, request: api.ListLegacyFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> api.ListLegacyFeedbackResponse:
        org = current_org(context)
        check_named_organization(request.organization_id, org)
        page = make_page(0, request.limit, request.offset, "")
        rows = await self.feedback.list(org, request.task_id, request.completion_id, page)
        names = await self.views.task_names(org, [r.task_id for r in rows])
        total = await self.views.count_feedback(org, request.task_id, request.completion_id)
        data = [feedback_to_message(r, org, names.get(r.task_id, "")) for r in rows]
        return api.ListLegacyFeedbackResponse(data=data, total=total)

    @rpc
    async def ListLegacyFeedbackTasks(
        self, request: api.ListLegacyFeedbackTasksRequest, context: grpc.aio.ServicerContext
    ) -> api.ListLegacyFeedbackTasksResponse:
        org = current_org(context)
        check_named_organization(request.organization_id, org)
        page = make_page(0, request.limit, request.offset, "")
        rows = await self.tasks.list(org, page)
        total = await self.views.count_tasks(org)
        return api.ListLegacyFeedbackTasksResponse(data=[task_to_message(r) for r in rows], total=total)
