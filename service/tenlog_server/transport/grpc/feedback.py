"""FeedbackService and FeedbackTaskService servicers."""

from __future__ import annotations

import grpc
from google.protobuf.message import Message
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import feedback_service_pb2 as fb_api
from tenlog.v1 import feedback_service_pb2_grpc as fb_grpc
from tenlog.v1 import feedback_task_service_pb2 as task_api
from tenlog.v1 import feedback_task_service_pb2_grpc as task_grpc

from tenlog_server.domain.documents import struct_to_dict
from tenlog_server.domain.errors import FieldViolation, InvalidArgument
from tenlog_server.domain.feedback import FeedbackService, FeedbackTasksService
from tenlog_server.domain.feedback_matching import DEFAULT_MAX_MATCHED, FeedbackUpload
from tenlog_server.domain.limits import MAX_SCHEMA_BYTES, MAX_VALUES_BYTES
from tenlog_server.domain.model import FeedbackTaskRecord
from tenlog_server.domain.pagination import make_page, next_token

from .auth import current_org
from .completion_mapping import feedback_to_message, task_to_message
from .handlers import rpc


def _bounded(field: str, document: Message, limit: int) -> None:
    """Refuse a document over `limit` bytes before turning it into Python objects (work on the event loop)."""
    size = document.ByteSize()
    if size > limit:
        raise InvalidArgument(
            f"{field} is too large", [FieldViolation(field, f"is {size} bytes; the limit is {limit}")]
        )


class FeedbackTaskServicer(task_grpc.FeedbackTaskServiceServicer):
    """Implements FeedbackTaskService."""

    def __init__(self, tasks: FeedbackTasksService) -> None:
        self.tasks = tasks

    @rpc
    async def CreateFeedbackTask(
        self, request: task_api.CreateFeedbackTaskRequest, context: grpc.aio.ServicerContext
    ) -> pb.FeedbackTask:
        msg = request.task
        _bounded("task.json_schema", msg.json_schema, MAX_SCHEMA_BYTES)
        task = FeedbackTaskRecord(
            id=msg.id,
            name=msg.name,
            instruction=msg.instruction,
            json_schema=struct_to_dict(msg.json_schema),
            completion_tags_selector=list(msg.completion_tags_selector),
        )
        return task_to_message(await self.tasks.create(current_org(context), task))

    @rpc
    async def GetFeedbackTask(
        self, request: task_api.GetFeedbackTaskRequest, context: grpc.aio.ServicerContext
    ) -> pb.FeedbackTask:
        return task_to_message(await self.tasks.get(current_org(context), request.id))

    @rpc
    async def ListFeedbackTasks(
        self, request: task_api.ListFeedbackTasksRequest, context: grpc.aio.ServicerContext
    ) -> task_api.ListFeedbackTasksResponse:
        page = make_page(request.page_size, request.limit, request.offset, request.page_token)
        rows = await self.tasks.list(current_org(context), page)
        token = next_token(page, rows)
        return task_api.ListFeedbackTasksResponse(tasks=[task_to_message(r) for r in rows], next_page_token=token)


class FeedbackServicer(fb_grpc.FeedbackServiceServicer):
    """Implements FeedbackService."""

    def __init__(self, feedback: FeedbackService) -> None:
        self.feedback = feedback

    @rpc
    async def UploadFeedback(
        self, request: fb_api.UploadFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> pb.Feedback:
        _bounded("json_values", request.json_values, MAX_VALUES_BYTES)
        upload = FeedbackUpload(
            id=request.id,
            task_id=request.task_id,
            json_values=struct_to_dict(request.json_values),
            comment=request.comment,
            completions_summary=request.completions_summary,
            completion_ids=list(request.completion_ids),
            completion_tags_selector=list(request.completion_tags_selector),
            allow_unmatched_feedback=request.allow_unmatched_feedback,
            max_matched_completions=(
                request.max_matched_completions if request.HasField("max_matched_completions") else DEFAULT_MAX_MATCHED
            ),
        )
        org = current_org(context)
        return feedback_to_message(await self.feedback.upload(org, upload), org)

    @rpc
    async def GetFeedback(self, request: fb_api.GetFeedbackRequest, context: grpc.aio.ServicerContext) -> pb.Feedback:
        org = current_org(context)
        return feedback_to_message(await self.feedback.get(org, request.id), org)

    @rpc
    async def ListFeedback(
        self, request: fb_api.ListFeedbackRequest, context: grpc.aio.ServicerContext
    ) -> fb_api.ListFeedbackResponse:
        page = make_page(request.page_size, request.limit, request.offset, request.page_token)
        org = current_org(context)
        rows = await self.feedback.list(org, request.task_id, request.completion_id, page)
        token = next_token(page, rows)
        return fb_api.ListFeedbackResponse(feedback=[feedback_to_message(r, org) for r in rows], next_page_token=token)
