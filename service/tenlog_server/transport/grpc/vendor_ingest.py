"""VendorIngestService servicer: other vendors' ingest calls, written as ordinary Completions.

The mappers in domain/vendors turn each payload into a Completion; this
servicer writes it through the same CompletionsService the CompletionService
uses, so validation, upsert rules, batching and tail events are shared.
"""

from __future__ import annotations

from typing import Any

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import vendor_ingest_service_pb2 as api
from tenlog.v1 import vendor_ingest_service_pb2_grpc as api_grpc

from tenlog_server.domain.completions import CompletionsService
from tenlog_server.domain.documents import Document
from tenlog_server.domain.errors import FieldViolation, InvalidArgument, NotFound
from tenlog_server.domain.feedback import FeedbackService, FeedbackTasksService
from tenlog_server.domain.feedback_matching import FeedbackUpload
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.domain.named_feedback import NamedFeedback
from tenlog_server.domain.upsert_merge import started_may_replace
from tenlog_server.domain.vendors.freeplay import freeplay_completion, freeplay_update_metadata
from tenlog_server.domain.vendors.keywords_ai import keywords_ai_completion
from tenlog_server.domain.vendors.keywords_ai_logs import FEEDBACK_TASK, create_feedback_values
from tenlog_server.domain.vendors.logs_api import log_entry_completion, log_entry_update
from tenlog_server.domain.vendors.vendor_views import VendorViews

from .auth import current_org
from .completion_mapping import completion_to_record, record_to_completion
from .completions import update_paths
from .freeplay_calls import FreeplayCalls
from .handlers import rpc
from .keywords_ai_calls import KeywordsAiCalls
from .log10_legacy_reads import Log10LegacyReads


def _required_id(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidArgument(f"{field} is required", [FieldViolation(field, "is required")])
    return value


class VendorIngestServicer(Log10LegacyReads, FreeplayCalls, KeywordsAiCalls, api_grpc.VendorIngestServiceServicer):
    """Implements VendorIngestService on top of the completion, feedback and session use cases."""

    def __init__(
        self,
        completions: CompletionsService,
        feedback: FeedbackService,
        tasks: FeedbackTasksService,
        views: VendorViews,
    ) -> None:
        self.completions = completions
        self.feedback = feedback
        self.tasks = tasks
        self.views = views
        self.named_feedback = NamedFeedback(tasks, feedback)

    @rpc
    async def RecordFreeplayCompletion(
        self, request: api.RecordFreeplayCompletionRequest, context: grpc.aio.ServicerContext
    ) -> api.RecordFreeplayCompletionResponse:
        completion = freeplay_completion(request.project_id, request.session_id, request.completion)
        rec = await self.completions.create(current_org(context), completion_to_record(completion))
        return api.RecordFreeplayCompletionResponse(completion_id=rec.id)

    @rpc
    async def UpdateFreeplayCompletion(
        self, request: api.UpdateFreeplayCompletionRequest, context: grpc.aio.ServicerContext
    ) -> api.UpdateFreeplayCompletionResponse:
        org = current_org(context)
        completion_id = _required_id(request.completion_id, "completion_id")

        def changes(current: CompletionRecord) -> dict[str, Any]:
            metadata = current.metadata.to_dict() if current.metadata else {}
            return {"metadata": Document.of(freeplay_update_metadata(metadata, request))}

        await self.completions.update_from_current(org, completion_id, changes)
        return api.UpdateFreeplayCompletionResponse(completion_id=completion_id)

    @rpc
    async def CreateKeywordsAiRequestLog(
        self, request: api.CreateKeywordsAiRequestLogRequest, context: grpc.aio.ServicerContext
    ) -> api.CreateKeywordsAiRequestLogResponse:
        org = current_org(context)
        completion = keywords_ai_completion(request.log)
        rec = await self.completions.create(org, completion_to_record(completion))
        values = create_feedback_values(request.log)
        if values:  # positive_feedback / note given on create are feedback, as on update
            upload = FeedbackUpload(task_id=FEEDBACK_TASK.id, json_values=values, completion_ids=[rec.id])
            await self.named_feedback.record(org, FEEDBACK_TASK, upload)
        return api.CreateKeywordsAiRequestLogResponse(id=rec.id, message="log successful")

    @rpc
    async def InsertLog(
        self, request: api.InsertLogRequest, context: grpc.aio.ServicerContext
    ) -> api.InsertLogResponse:
        completion = log_entry_completion(request.log)
        rec = await self.completions.create(current_org(context), completion_to_record(completion))
        return api.InsertLogResponse(id=rec.id)

    @rpc
    async def UpdateLog(
        self, request: api.UpdateLogRequest, context: grpc.aio.ServicerContext
    ) -> api.UpdateLogResponse:
        org = current_org(context)
        log_id = _required_id(request.id, "id")
        current = await self.completions.get(org, log_id)
        changed, paths = log_entry_update(
            request.update_data, current.metadata.to_dict() if current.metadata else {}, list(current.tags)
        )
        if paths:
            await self.completions.update(org, log_id, paths, completion_to_record(changed))
        return api.UpdateLogResponse(id=log_id, success=True)

    @rpc
    async def StartLegacyCompletion(
        self, request: api.StartLegacyCompletionRequest, context: grpc.aio.ServicerContext
    ) -> api.StartLegacyCompletionResponse:
        org = current_org(context)
        completion = pb.Completion()
        completion.CopyFrom(request.completion)
        # Without an id the domain mints a lowercase UUID v4, the only kind log10-io accepts back.
        if completion.source == pb.SOURCE_UNSPECIFIED:
            completion.source = pb.SOURCE_LOG10
        rec = await self.completions.create(org, completion_to_record(completion))
        return api.StartLegacyCompletionResponse(completion_id=rec.id, organization_slug=org)

    @rpc
    async def WriteLegacyCompletion(
        self, request: api.WriteLegacyCompletionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        org = current_org(context)
        completion_id = _required_id(request.completion.id, "completion.id")
        try:
            current = await self.completions.get(org, completion_id)
        except NotFound:
            # First write of a client-made id; a concurrent write of the same id is
            # an upsert, and the store keeps a late `started` from reopening a finished one.
            rec = await self.completions.create(org, completion_to_record(request.completion))
            return record_to_completion(rec)
        if not started_may_replace(completion_to_record(request.completion).status, current.status):
            return record_to_completion(current)  # a late started write is ignored, as on create
        # The id names the completion to write (the path's, over REST); a body repeating it changes nothing.
        paths = [p for p in update_paths(request.completion, request.update_mask.paths) if p != "id"]
        rec = await self.completions.update(org, completion_id, paths, completion_to_record(request.completion))
        return record_to_completion(rec)
