"""VendorIngestService: Freeplay's feedback, trace, metadata and session calls."""

from __future__ import annotations

from typing import Any

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import vendor_ingest_service_pb2 as api

from tenlog_server.domain.completions import CompletionsService
from tenlog_server.domain.documents import Document, struct_to_dict
from tenlog_server.domain.feedback_matching import FeedbackUpload
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.domain.named_feedback import NamedFeedback, NamedTask
from tenlog_server.domain.vendors.freeplay_traces import (
    CUSTOMER_FEEDBACK_TASK,
    TRACE_FEEDBACK_TASK,
    merged_trace_metadata,
    require_ids,
    trace_completion,
    trace_output,
    updated_trace_metadata,
)
from tenlog_server.domain.vendors.vendor_views import VendorViews

from .auth import current_org
from .completion_mapping import completion_to_record, feedback_to_message, record_to_completion, session_to_message
from .handlers import rpc


class FreeplayCalls:
    """Freeplay's calls beyond recording completions."""

    completions: CompletionsService
    named_feedback: NamedFeedback
    views: VendorViews

    async def _feedback(self, org: str, task: NamedTask, completion_id: str, values: dict[str, object]) -> pb.Feedback:
        upload = FeedbackUpload(task_id=task.id, json_values=dict(values), completion_ids=[completion_id])
        record = await self.named_feedback.record(org, task, upload)
        return feedback_to_message(record, org, task.name)

    @rpc
    async def RecordFreeplayCustomerFeedback(
        self, request: api.RecordFreeplayCustomerFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> pb.Feedback:
        require_ids(project_id=request.project_id, completion_id=request.completion_id)
        values = struct_to_dict(request.feedback)
        return await self._feedback(current_org(context), CUSTOMER_FEEDBACK_TASK, request.completion_id, values)

    @rpc
    async def RecordFreeplayTraceFeedback(
        self, request: api.RecordFreeplayTraceFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> pb.Feedback:
        require_ids(project_id=request.project_id, trace_id=request.trace_id)
        values = struct_to_dict(request.feedback)
        return await self._feedback(current_org(context), TRACE_FEEDBACK_TASK, request.trace_id, values)

    @rpc
    async def RecordFreeplayTrace(
        self, request: api.RecordFreeplayTraceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        completion = trace_completion(request.project_id, request.session_id, request.trace_id, request.trace)
        rec = await self.completions.create(current_org(context), completion_to_record(completion))
        return record_to_completion(rec)

    @rpc
    async def UpdateFreeplayTrace(
        self, request: api.UpdateFreeplayTraceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        require_ids(project_id=request.project_id, session_id=request.session_id, trace_id=request.trace_id)
        org = current_org(context)
        output = trace_output(request.update)

        def changes_of(current: CompletionRecord) -> dict[str, Any]:
            metadata = current.metadata.to_dict() if current.metadata is not None else {}
            changes: dict[str, Any] = {"metadata": Document.of(updated_trace_metadata(metadata, request.update))}
            if output is not None:
                changes["response"] = Document.of(output)
            return changes

        rec = await self.completions.update_from_current(org, request.trace_id, changes_of)
        if request.update.HasField("feedback"):
            await self._feedback(org, TRACE_FEEDBACK_TASK, request.trace_id, struct_to_dict(request.update.feedback))
        return record_to_completion(rec)

    @rpc
    async def UpdateFreeplayTraceMetadata(
        self, request: api.UpdateFreeplayTraceMetadataRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        require_ids(project_id=request.project_id, session_id=request.session_id, trace_id=request.trace_id)
        org = current_org(context)
        custom = struct_to_dict(request.metadata)

        def changes_of(current: CompletionRecord) -> dict[str, Any]:
            metadata = current.metadata.to_dict() if current.metadata is not None else {}
            return {"metadata": Document.of(merged_trace_metadata(metadata, custom))}

        rec = await self.completions.update_from_current(org, request.trace_id, changes_of)
        return record_to_completion(rec)

    @rpc
    async def UpdateFreeplaySessionMetadata(
        self, request: api.UpdateFreeplaySessionMetadataRequest, context: grpc.aio.ServicerContext
    ) -> pb.Session:
        require_ids(project_id=request.project_id, session_id=request.session_id)
        org = current_org(context)
        session = await self.views.merge_session_metadata(org, request.session_id, struct_to_dict(request.metadata))
        return session_to_message(session)

    @rpc
    async def DeleteFreeplaySession(
        self, request: api.DeleteFreeplaySessionRequest, context: grpc.aio.ServicerContext
    ) -> api.DeleteFreeplaySessionResponse:
        require_ids(project_id=request.project_id, session_id=request.session_id)
        deleted = await self.views.delete_session(current_org(context), request.session_id)
        return api.DeleteFreeplaySessionResponse(deleted_count=deleted)
