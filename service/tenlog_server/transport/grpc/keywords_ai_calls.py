"""VendorIngestService: Keywords AI's log list, get and update calls."""

from __future__ import annotations

from urllib.parse import urlencode

import grpc
from tenlog.v1 import vendor_ingest_service_pb2 as api

from tenlog_server.domain.completions import CompletionsService
from tenlog_server.domain.errors import FieldViolation, InvalidArgument
from tenlog_server.domain.feedback import FeedbackService
from tenlog_server.domain.feedback_matching import FeedbackUpload
from tenlog_server.domain.model import CompletionFilter, CompletionRecord, Page
from tenlog_server.domain.named_feedback import NamedFeedback
from tenlog_server.domain.pagination import make_page
from tenlog_server.domain.vendors.keywords_ai_logs import (
    FEEDBACK_TASK,
    feedback_values,
    log_view,
    updated_completion,
)
from tenlog_server.domain.vendors.vendor_views import VendorViews

from .auth import current_org
from .handlers import rpc

LIST_PATH = "/api/request-logs/list"
# Only the newest few feedback rows matter for a log's current positive_feedback and note.
_FEEDBACK_LOOKBACK = 20


class KeywordsAiCalls:
    """Keywords AI's reads and updates of request logs."""

    completions: CompletionsService
    feedback: FeedbackService
    named_feedback: NamedFeedback
    views: VendorViews

    async def _view(self, org: str, rec: CompletionRecord) -> api.KeywordsAiLogView:
        rows = await self.feedback.list(org, FEEDBACK_TASK.id, rec.id, Page(limit=_FEEDBACK_LOOKBACK))
        return log_view(rec, [r.json_values for r in rows])

    async def _update(self, org: str, log_id: str, update: api.KeywordsAiLogUpdate) -> api.KeywordsAiLogView:
        rec = await self.completions.update_from_current(
            org, log_id, lambda current: updated_completion(current, update)
        )
        values = feedback_values(update)
        if values:
            upload = FeedbackUpload(task_id=FEEDBACK_TASK.id, json_values=values, completion_ids=[log_id])
            await self.named_feedback.record(org, FEEDBACK_TASK, upload)
        return await self._view(org, rec)

    @rpc
    async def ListKeywordsAiRequestLogs(
        self, request: api.ListKeywordsAiRequestLogsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListKeywordsAiRequestLogsResponse:
        org = current_org(context)
        if request.page < 0:
            raise InvalidArgument("invalid paging arguments", [FieldViolation("page", "must be 1 or more")])
        number = request.page or 1
        size = make_page(request.page_size, 0, 0, "").limit
        flt = CompletionFilter(model=request.model)
        if request.customer_identifier:
            flt.tags = [f"keywordsai.customer_identifier={request.customer_identifier}"]
        rows = await self.completions.list_completions(org, flt, Page(limit=size, offset=(number - 1) * size))
        count = await self.views.count_completions(org, flt)
        response = api.ListKeywordsAiRequestLogsResponse(results=[await self._view(org, r) for r in rows], count=count)
        query = {k: v for k, v in (("model", request.model), ("customer_identifier", request.customer_identifier)) if v}
        if number * size < count:
            response.next = f"{LIST_PATH}?{urlencode({**query, 'page': number + 1, 'page_size': size})}"
        if number > 1:
            response.previous = f"{LIST_PATH}?{urlencode({**query, 'page': number - 1, 'page_size': size})}"
        return response

    @rpc
    async def GetKeywordsAiRequestLog(
        self, request: api.GetKeywordsAiRequestLogRequest, context: grpc.aio.ServicerContext
    ) -> api.KeywordsAiLogView:
        org = current_org(context)
        return await self._view(org, await self.completions.get(org, request.id))

    @rpc
    async def UpdateKeywordsAiRequestLog(
        self, request: api.UpdateKeywordsAiRequestLogRequest, context: grpc.aio.ServicerContext
    ) -> api.KeywordsAiLogView:
        return await self._update(current_org(context), request.id, request.update)

    @rpc
    async def BatchUpdateKeywordsAiRequestLogs(
        self, request: api.BatchUpdateKeywordsAiRequestLogsRequest, context: grpc.aio.ServicerContext
    ) -> api.BatchUpdateKeywordsAiRequestLogsResponse:
        org = current_org(context)
        missing = [
            FieldViolation(f"logs[{i}].unique_id", "is required") for i, u in enumerate(request.logs) if not u.unique_id
        ]
        if missing:
            raise InvalidArgument("every log to update needs its unique_id", missing)
        # Check every id first, so a batch naming an unknown log changes nothing.
        for log in request.logs:
            await self.completions.get(org, log.unique_id)
        views = [await self._update(org, log.unique_id, log) for log in request.logs]
        return api.BatchUpdateKeywordsAiRequestLogsResponse(
            message="logs updated", updated_count=len(views), logs=views
        )
