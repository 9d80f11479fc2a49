"""The asyncio tenlog client: one typed coroutine per RPC, over ``grpc.aio``."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from tenlog import request_builders as build
from tenlog.client import DEFAULT_TIMEOUT
from tenlog.completions import StatusLike
from tenlog.connection import ConnectionSettings, open_aio_channel
from tenlog.retry import NO_RETRY, RetryPolicy, call_with_retry_async
from tenlog.v1 import (
    completion_pb2,
    completion_service_pb2,
    completion_service_pb2_grpc,
    feedback_service_pb2,
    feedback_service_pb2_grpc,
    feedback_task_service_pb2,
    feedback_task_service_pb2_grpc,
    session_service_pb2,
    session_service_pb2_grpc,
    vendor_ingest_service_pb2,
    vendor_ingest_service_pb2_grpc,
)

T = TypeVar("T")
M = TypeVar("M")


class AsyncResponseStream(Generic[T]):
    """The responses of a streaming call: ``async for`` over it, and ``cancel()`` (or leave
    an ``async with`` block) to stop it. Iteration raises ``grpc.RpcError`` if the call fails."""

    def __init__(self, call: Any) -> None:
        self._call = call
        self._iterator: AsyncIterator[T] = call.__aiter__()

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await self._iterator.__anext__()

    def cancel(self) -> None:
        """Stop the call; further iteration raises ``asyncio.CancelledError`` or ``grpc.RpcError``."""
        self._call.cancel()

    async def __aenter__(self) -> AsyncResponseStream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cancel()


async def _requests(
    completions: Iterable[completion_pb2.Completion] | AsyncIterable[completion_pb2.Completion],
    wrap: Callable[..., M],
) -> AsyncIterator[M]:
    # Each item gets an id before it leaves, so a caller can match acknowledgements.
    if isinstance(completions, AsyncIterable):
        async for completion in completions:
            yield wrap(completion=build.with_id(completion))
    else:
        for completion in completions:
            yield wrap(completion=build.with_id(completion))


class AsyncClient:
    """An asyncio connection to a tenlog server (``grpc.aio``); the twin of :class:`tenlog.Client`.

    ``target`` and ``api_key`` default to ``TENLOG_TARGET`` and
    ``TENLOG_API_KEY``; ``organization`` (``TENLOG_ORGANIZATION``) defaults to
    the key's own. TLS is used when ``tls=True``, ``TENLOG_TLS=1`` or any
    certificate is given (``root_certificates`` for a private CA,
    ``private_key``/``certificate_chain`` for mutual TLS).

    Unary calls retry UNAVAILABLE, and RESOURCE_EXHAUSTED carrying
    ``RetryInfo``, per ``retry``; their ``timeout`` (default ``timeout`` of the
    client) bounds the whole call, retries included. Streaming calls are not
    retried and have no deadline unless given one.

    Failed calls raise ``grpc.RpcError``; :mod:`tenlog.errors` reads its details.
    Use it as an ``async with`` context manager, or await :meth:`close`.
    """

    def __init__(
        self,
        target: str | None = None,
        api_key: str | None = None,
        *,
        organization: str | None = None,
        tls: bool | None = None,
        root_certificates: bytes | None = None,
        private_key: bytes | None = None,
        certificate_chain: bytes | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        channel_options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self.settings = ConnectionSettings.resolve(
            target,
            api_key,
            organization=organization,
            tls=tls,
            root_certificates=root_certificates,
            private_key=private_key,
            certificate_chain=certificate_chain,
            channel_options=channel_options,
        )
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._metadata = self.settings.metadata()
        self._channel = open_aio_channel(self.settings)
        self._completions = completion_service_pb2_grpc.CompletionServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._sessions = session_service_pb2_grpc.SessionServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._feedback = feedback_service_pb2_grpc.FeedbackServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._tasks = feedback_task_service_pb2_grpc.FeedbackTaskServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._vendor = vendor_ingest_service_pb2_grpc.VendorIngestServiceStub(self._channel)  # type: ignore[no-untyped-call]

    # -- plumbing --------------------------------------------------------------------

    async def _unary(self, method: Any, request: Any, timeout: float | None, idempotent: bool = True) -> Any:
        # The generated *_pb2_grpc stubs are untyped; each public method casts
        # the answer to the response type its RPC declares.
        async def attempt(remaining: float | None) -> Any:
            return await method(request, timeout=remaining, metadata=self._metadata)

        retry = self.retry if idempotent else NO_RETRY
        return await call_with_retry_async(attempt, retry, timeout if timeout is not None else self.timeout)

    async def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        await self._channel.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- completions -----------------------------------------------------------------

    async def create_completion(
        self, completion: completion_pb2.Completion, *, timeout: float | None = None
    ) -> completion_pb2.Completion:
        """Store a completion (or upsert the one with its id) and return it as committed.

        A completion without an id is sent with a fresh one, so a retry cannot store it twice.
        """
        return cast(
            completion_pb2.Completion,
            await self._unary(self._completions.CreateCompletion, build.create_completion(completion), timeout),
        )

    async def update_completion(
        self,
        completion: completion_pb2.Completion,
        update_mask: Iterable[str] | None = None,
        *,
        timeout: float | None = None,
    ) -> completion_pb2.Completion:
        """Update the completion named by ``completion.id``.

        ``update_mask`` lists the fields to replace (e.g. ``["status", "response"]``);
        without it every field set to a non-default value is replaced.
        """
        request = build.update_completion(completion, update_mask)
        return cast(completion_pb2.Completion, await self._unary(self._completions.UpdateCompletion, request, timeout))

    async def get_completion(self, id: str, *, timeout: float | None = None) -> completion_pb2.Completion:
        """The completion with this id; NOT_FOUND if the organization has none."""
        request = completion_service_pb2.GetCompletionRequest(id=id)
        return cast(completion_pb2.Completion, await self._unary(self._completions.GetCompletion, request, timeout))

    async def delete_completion(self, id: str, *, timeout: float | None = None) -> None:
        """Delete the completion with this id, its tags and feedback links; NOT_FOUND if the organization has none.

        Retried like the other unary calls: if an answer is lost after the delete
        committed, the retry reports NOT_FOUND, and the completion is gone either way.
        """
        request = completion_service_pb2.DeleteCompletionRequest(id=id)
        await self._unary(self._completions.DeleteCompletion, request, timeout)

    async def list_completions(
        self,
        *,
        tags: Iterable[str] = (),
        session_id: str = "",
        status: StatusLike | None = None,
        model: str = "",
        source: int | str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        filter: str = "",
        search: str = "",
        order_by: str = "",
        page_size: int = 0,
        page_token: str = "",
        offset: int = 0,
        timeout: float | None = None,
    ) -> completion_service_pb2.ListCompletionsResponse:
        """One page of completions, newest first, matching every filter given.

        ``tags`` matches completions carrying all of them. Pass the response's
        ``next_page_token`` as ``page_token`` for the next page, or use
        :meth:`iter_completions`.
        """
        request = build.list_completions(
            tags=tags,
            session_id=session_id,
            status=status,
            model=model,
            source=source,
            created_after=created_after,
            created_before=created_before,
            filter=filter,
            search=search,
            order_by=order_by,
            page_size=page_size,
            page_token=page_token,
            offset=offset,
        )
        return cast(
            completion_service_pb2.ListCompletionsResponse,
            await self._unary(self._completions.ListCompletions, request, timeout),
        )

    async def iter_completions(
        self,
        *,
        tags: Iterable[str] = (),
        session_id: str = "",
        status: StatusLike | None = None,
        model: str = "",
        source: int | str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        filter: str = "",
        search: str = "",
        order_by: str = "",
        page_size: int = 0,
        timeout: float | None = None,
    ) -> AsyncIterator[completion_pb2.Completion]:
        """Every matching completion, newest first, fetching pages as needed (``async for``)."""
        tags = list(tags)
        token = ""
        while True:
            page = await self.list_completions(
                tags=tags,
                session_id=session_id,
                status=status,
                model=model,
                source=source,
                created_after=created_after,
                created_before=created_before,
                filter=filter,
                search=search,
                order_by=order_by,
                page_size=page_size,
                page_token=token,
                timeout=timeout,
            )
            for completion in page.completions:
                yield completion
            token = page.next_page_token
            if not token:
                return

    async def list_ungraded_completions(
        self,
        *,
        task_id: str = "",
        page_size: int = 0,
        page_token: str = "",
        offset: int = 0,
        timeout: float | None = None,
    ) -> completion_service_pb2.ListUngradedCompletionsResponse:
        """Completions some feedback task selects that have no feedback yet (for ``task_id`` if given)."""
        request = completion_service_pb2.ListUngradedCompletionsRequest(
            task_id=task_id, page_size=page_size, page_token=page_token, offset=offset
        )
        return cast(
            completion_service_pb2.ListUngradedCompletionsResponse,
            await self._unary(self._completions.ListUngradedCompletions, request, timeout),
        )

    async def batch_create_completions(
        self, completions: Iterable[completion_pb2.Completion], *, timeout: float | None = None
    ) -> completion_service_pb2.BatchCreateCompletionsResponse:
        """Store many completions in one call; good items land even when others are rejected."""
        request = completion_service_pb2.BatchCreateCompletionsRequest(
            completions=[build.with_id(c) for c in completions]
        )
        return cast(
            completion_service_pb2.BatchCreateCompletionsResponse,
            await self._unary(self._completions.BatchCreateCompletions, request, timeout),
        )

    async def upload_completions(
        self,
        completions: Iterable[completion_pb2.Completion] | AsyncIterable[completion_pb2.Completion],
        *,
        timeout: float | None = None,
    ) -> completion_service_pb2.UploadCompletionsResponse:
        """Send any number of completions on one client stream; the answer counts what was committed.

        A list or tuple is retried like a unary call (each item has an id, so a
        resend upserts); any other iterable, sync or async, is consumed once and
        not retried.
        """
        if isinstance(completions, Sequence):
            requests = [
                completion_service_pb2.UploadCompletionsRequest(completion=build.with_id(c)) for c in completions
            ]

            async def attempt(remaining: float | None) -> completion_service_pb2.UploadCompletionsResponse:
                return cast(
                    completion_service_pb2.UploadCompletionsResponse,
                    await self._completions.UploadCompletions(
                        iter(requests), timeout=remaining, metadata=self._metadata
                    ),
                )

            return await call_with_retry_async(attempt, self.retry, timeout)
        return cast(
            completion_service_pb2.UploadCompletionsResponse,
            await self._completions.UploadCompletions(
                _requests(completions, completion_service_pb2.UploadCompletionsRequest),
                timeout=timeout,
                metadata=self._metadata,
            ),
        )

    def stream_completions(
        self,
        completions: Iterable[completion_pb2.Completion] | AsyncIterable[completion_pb2.Completion],
        *,
        timeout: float | None = None,
    ) -> AsyncResponseStream[completion_service_pb2.StreamCompletionsResponse]:
        """Send completions on a bidirectional stream; ``async for`` over the acknowledgements,
        one per item, by id, once it is committed."""
        requests = _requests(completions, completion_service_pb2.StreamCompletionsRequest)
        return AsyncResponseStream(
            self._completions.StreamCompletions(requests, timeout=timeout, metadata=self._metadata)
        )

    def tail_completions(
        self,
        *,
        tags: Iterable[str] = (),
        session_id: str = "",
        status: StatusLike | None = None,
        timeout: float | None = None,
    ) -> AsyncResponseStream[completion_service_pb2.TailCompletionsResponse]:
        """Follow completions as they are created or updated, from now on (``async for``); runs until
        cancelled."""
        request = build.tail_completions(tags=tags, session_id=session_id, status=status)
        return AsyncResponseStream(self._completions.TailCompletions(request, timeout=timeout, metadata=self._metadata))

    # -- sessions --------------------------------------------------------------------

    async def create_session(self, id: str | None = None, *, timeout: float | None = None) -> completion_pb2.Session:
        """Create a session (a fresh id unless given; creating an existing id returns it)."""
        response: session_service_pb2.CreateSessionResponse = await self._unary(
            self._sessions.CreateSession, build.create_session(id), timeout
        )
        return response.session

    async def get_session(self, id: str, *, timeout: float | None = None) -> completion_pb2.Session:
        """The session with this id."""
        return cast(
            completion_pb2.Session,
            await self._unary(self._sessions.GetSession, session_service_pb2.GetSessionRequest(id=id), timeout),
        )

    async def list_sessions(
        self, *, page_size: int = 0, page_token: str = "", offset: int = 0, timeout: float | None = None
    ) -> session_service_pb2.ListSessionsResponse:
        """One page of sessions, newest first."""
        request = session_service_pb2.ListSessionsRequest(page_size=page_size, page_token=page_token, offset=offset)
        return cast(
            session_service_pb2.ListSessionsResponse,
            await self._unary(self._sessions.ListSessions, request, timeout),
        )

    # -- feedback tasks --------------------------------------------------------------

    async def create_feedback_task(
        self,
        *,
        name: str,
        json_schema: Mapping[str, Any],
        instruction: str = "",
        completion_tags_selector: Iterable[str] = (),
        id: str | None = None,
        timeout: float | None = None,
    ) -> completion_pb2.FeedbackTask:
        """Create a feedback task; completions carrying every selector tag then need its feedback."""
        request = build.create_feedback_task(
            name=name,
            json_schema=json_schema,
            instruction=instruction,
            completion_tags_selector=completion_tags_selector,
            id=id,
        )
        return cast(completion_pb2.FeedbackTask, await self._unary(self._tasks.CreateFeedbackTask, request, timeout))

    async def get_feedback_task(self, id: str, *, timeout: float | None = None) -> completion_pb2.FeedbackTask:
        """The feedback task with this id."""
        request = feedback_task_service_pb2.GetFeedbackTaskRequest(id=id)
        return cast(completion_pb2.FeedbackTask, await self._unary(self._tasks.GetFeedbackTask, request, timeout))

    async def list_feedback_tasks(
        self, *, page_size: int = 0, page_token: str = "", offset: int = 0, timeout: float | None = None
    ) -> feedback_task_service_pb2.ListFeedbackTasksResponse:
        """One page of feedback tasks, newest first."""
        request = feedback_task_service_pb2.ListFeedbackTasksRequest(
            page_size=page_size, page_token=page_token, offset=offset
        )
        return cast(
            feedback_task_service_pb2.ListFeedbackTasksResponse,
            await self._unary(self._tasks.ListFeedbackTasks, request, timeout),
        )

    # -- feedback --------------------------------------------------------------------

    async def upload_feedback(
        self,
        *,
        task_id: str,
        json_values: Mapping[str, Any],
        completion_ids: Iterable[str] = (),
        completion_tags_selector: Iterable[str] = (),
        comment: str = "",
        completions_summary: str = "",
        allow_unmatched_feedback: bool | None = None,
        max_matched_completions: int | None = None,
        id: str | None = None,
        timeout: float | None = None,
    ) -> completion_pb2.Feedback:
        """Attach feedback, valid against the task's schema, to explicit completions or a tag selector."""
        request = build.upload_feedback(
            task_id=task_id,
            json_values=json_values,
            completion_ids=completion_ids,
            completion_tags_selector=completion_tags_selector,
            comment=comment,
            completions_summary=completions_summary,
            allow_unmatched_feedback=allow_unmatched_feedback,
            max_matched_completions=max_matched_completions,
            id=id,
        )
        return cast(completion_pb2.Feedback, await self._unary(self._feedback.UploadFeedback, request, timeout))

    async def get_feedback(self, id: str, *, timeout: float | None = None) -> completion_pb2.Feedback:
        """The feedback with this id."""
        return cast(
            completion_pb2.Feedback,
            await self._unary(self._feedback.GetFeedback, feedback_service_pb2.GetFeedbackRequest(id=id), timeout),
        )

    async def list_feedback(
        self,
        *,
        task_id: str = "",
        completion_id: str = "",
        page_size: int = 0,
        page_token: str = "",
        offset: int = 0,
        timeout: float | None = None,
    ) -> feedback_service_pb2.ListFeedbackResponse:
        """One page of feedback, newest first, for a task and/or a completion."""
        request = feedback_service_pb2.ListFeedbackRequest(
            task_id=task_id,
            completion_id=completion_id,
            page_size=page_size,
            page_token=page_token,
            offset=offset,
        )
        return cast(
            feedback_service_pb2.ListFeedbackResponse,
            await self._unary(self._feedback.ListFeedback, request, timeout),
        )

    # -- vendor ingest -----------------------------------------------------------------
    # Other vendors' ingest shapes (Freeplay, Keywords AI, the logs API, log10's
    # legacy calls), for code that already builds them. Each lands as a Completion.
    # Creates are retried only when they carry a client-chosen id.

    async def record_freeplay_completion(
        self, request: vendor_ingest_service_pb2.RecordFreeplayCompletionRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.RecordFreeplayCompletionResponse:
        """Record a completion in Freeplay's shape."""
        idempotent = bool(request.completion.completion_id)
        return cast(
            vendor_ingest_service_pb2.RecordFreeplayCompletionResponse,
            await self._unary(self._vendor.RecordFreeplayCompletion, request, timeout, idempotent),
        )

    async def update_freeplay_completion(
        self, request: vendor_ingest_service_pb2.UpdateFreeplayCompletionRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.UpdateFreeplayCompletionResponse:
        """Update a completion in Freeplay's shape (new messages, eval results)."""
        return cast(
            vendor_ingest_service_pb2.UpdateFreeplayCompletionResponse,
            await self._unary(self._vendor.UpdateFreeplayCompletion, request, timeout),
        )

    async def create_keywords_ai_request_log(
        self, request: vendor_ingest_service_pb2.CreateKeywordsAiRequestLogRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.CreateKeywordsAiRequestLogResponse:
        """Log a request in Keywords AI's shape (it has no client id, so it is never retried)."""
        return cast(
            vendor_ingest_service_pb2.CreateKeywordsAiRequestLogResponse,
            await self._unary(self._vendor.CreateKeywordsAiRequestLog, request, timeout, idempotent=False),
        )

    async def insert_log(
        self, request: vendor_ingest_service_pb2.InsertLogRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.InsertLogResponse:
        """Insert a log entry in the logs API's shape."""
        return cast(
            vendor_ingest_service_pb2.InsertLogResponse,
            await self._unary(self._vendor.InsertLog, request, timeout, bool(request.log.id)),
        )

    async def update_log(
        self, request: vendor_ingest_service_pb2.UpdateLogRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.UpdateLogResponse:
        """Update a log entry in the logs API's shape."""
        return cast(
            vendor_ingest_service_pb2.UpdateLogResponse, await self._unary(self._vendor.UpdateLog, request, timeout)
        )

    async def start_legacy_completion(
        self, request: vendor_ingest_service_pb2.StartLegacyCompletionRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.StartLegacyCompletionResponse:
        """Start a completion the way log10's older SDKs do."""
        return cast(
            vendor_ingest_service_pb2.StartLegacyCompletionResponse,
            await self._unary(self._vendor.StartLegacyCompletion, request, timeout, bool(request.completion.id)),
        )

    async def write_legacy_completion(
        self, request: vendor_ingest_service_pb2.WriteLegacyCompletionRequest, *, timeout: float | None = None
    ) -> completion_pb2.Completion:
        """Write a started completion's outcome the way log10's older SDKs do."""
        return cast(completion_pb2.Completion, await self._unary(self._vendor.WriteLegacyCompletion, request, timeout))
