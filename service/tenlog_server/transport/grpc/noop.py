"""A CompletionService that stores nothing: the transport-only ceiling `make bench` compares against."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api

from tenlog_server.domain.clock import new_id

from .completion_streams import CompletionServicer


class NoopCompletionServicer(CompletionServicer):
    """Echoes creates back with an id; used only by the benchmark (`tenlog serve --noop`)."""

    async def CreateCompletion(
        self, request: api.CreateCompletionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Completion:
        completion = pb.Completion()
        completion.CopyFrom(request.completion)
        completion.id = completion.id or new_id()
        return completion

    async def UploadCompletions(
        self, request_iterator: AsyncIterator[api.UploadCompletionsRequest], context: grpc.aio.ServicerContext
    ) -> api.UploadCompletionsResponse:
        count = 0
        async for _ in request_iterator:
            count += 1
        return api.UploadCompletionsResponse(accepted_count=count)

    async def StreamCompletions(
        self, request_iterator: AsyncIterator[api.StreamCompletionsRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[api.StreamCompletionsResponse]:
        index = 0
        async for item in request_iterator:
            yield api.StreamCompletionsResponse(id=item.completion.id, index=index, accepted=True)
            index += 1
