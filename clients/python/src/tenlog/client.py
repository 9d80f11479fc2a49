"""The synchronous tenlog client: one typed method per RPC."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from tenlog import request_builders as build
from tenlog.completions import StatusLike, status_value
from tenlog.connection import ConnectionSettings, open_channel
from tenlog.retry import NO_RETRY, RetryPolicy, call_with_retry
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
    transfer_service_pb2,
    transfer_service_pb2_grpc,
    vendor_ingest_service_pb2,
    vendor_ingest_service_pb2_grpc,
)

T = TypeVar("T")

#: Deadline of a unary call, retries included, unless the client or call says otherwise.
DEFAULT_TIMEOUT = 30.0


class ResponseStream(Generic[T]):
    """The responses of a server-streaming call: iterate it, and ``cancel()`` (or leave
    a ``with`` block) to stop it. Iteration raises ``grpc.RpcError`` if the call fails."""

    def __init__(self, call: Any) -> None:
        self._call = call

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        return next(self._call)  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the call; further iteration raises ``grpc.RpcError`` with CANCELLED."""
        self._call.cancel()

    def __enter__(self) -> ResponseStream[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


class Client:
    """A connection to a tenlog server.

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
    Use it as a context manager, or call :meth:`close`.
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
        self._channel = open_channel(self.settings)
        self._completions = completion_service_pb2_grpc.CompletionServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._sessions = session_service_pb2_grpc.SessionServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._feedback = feedback_service_pb2_grpc.FeedbackServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._tasks = feedback_task_service_pb2_grpc.FeedbackTaskServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._vendor = vendor_ingest_service_pb2_grpc.VendorIngestServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self._transfer = transfer_service_pb2_grpc.TransferServiceStub(self._channel)  # type: ignore[no-untyped-call]

    # -- plumbing --------------------------------------------------------------------

    def _unary(self, method: Any, request: Any, timeout: float | None, idempotent: bool = True) -> Any:
        # The generated *_pb2_grpc stubs are untyped; each public method casts
        # the answer to the response type its RPC declares.
        def attempt(remaining: float | None) -> Any:
            return method(request, timeout=remaining, metadata=self._metadata)

        retry = self.retry if idempotent else NO_RETRY
        return call_with_retry(attempt, retry, timeout if timeout is not None else self.timeout)

    def close(self) -> None:
        """Close the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- completions -----------------------------------------------------------------

    def create_completion(
        self, completion: completion_pb2.Completion, *, timeout: float | None = None
    ) -> completion_pb2.Completion:
        """Store a completion (or upsert the one with its id) and return it as committed.

        A completion without an id is sent with a fresh one, so a retry cannot store it twice.
        """
        return cast(
            completion_pb2.Completion,
            self._unary(self._completions.CreateCompletion, build.create_completion(completion), timeout),
        )

    def update_completion(
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
        return cast(completion_pb2.Completion, self._unary(self._completions.UpdateCompletion, request, timeout))

    def get_completion(self, id: str, *, timeout: float | None = None) -> completion_pb2.Completion:
        """The completion with this id; NOT_FOUND if the organization has none."""
        request = completion_service_pb2.GetCompletionRequest(id=id)
        return cast(completion_pb2.Completion, self._unary(self._completions.GetCompletion, request, timeout))

    def delete_completion(self, id: str, *, timeout: float | None = None) -> None:
        """Delete the completion with this id, its tags and feedback links; NOT_FOUND if the organization has none.

        Retried like the other unary calls: if an answer is lost after the delete
        committed, the retry reports NOT_FOUND, and the completion is gone either way.
        """
        request = completion_service_pb2.DeleteCompletionRequest(id=id)
        self._unary(self._completions.DeleteCompletion, request, timeout)

    def list_completions(
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
            self._unary(self._completions.ListCompletions, request, timeout),
        )

    def iter_completions(
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
    ) -> Iterator[completion_pb2.Completion]:
        """Every matching completion, newest first (or in ``order_by`` order), fetching pages as needed."""
        tags = list(tags)
        token = ""
        while True:
            page = self.list_completions(
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
            yield from page.completions
            token = page.next_page_token
            if not token:
                return

    def list_ungraded_completions(
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
            self._unary(self._completions.ListUngradedCompletions, request, timeout),
        )

    def batch_create_completions(
        self, completions: Iterable[completion_pb2.Completion], *, timeout: float | None = None
    ) -> completion_service_pb2.BatchCreateCompletionsResponse:
        """Store many completions in one call; good items land even when others are rejected."""
        request = completion_service_pb2.BatchCreateCompletionsRequest(
            completions=[build.with_id(c) for c in completions]
        )
        return cast(
            completion_service_pb2.BatchCreateCompletionsResponse,
            self._unary(self._completions.BatchCreateCompletions, request, timeout),
        )

    def upload_completions(
        self, completions: Iterable[completion_pb2.Completion], *, timeout: float | None = None
    ) -> completion_service_pb2.UploadCompletionsResponse:
        """Send any number of completions on one client stream; the answer counts what was committed.

        A list or tuple is retried like a unary call (each item has an id, so a
        resend upserts); any other iterable is consumed once and not retried.
        """
        if isinstance(completions, Sequence):
            requests = [
                completion_service_pb2.UploadCompletionsRequest(completion=build.with_id(c)) for c in completions
            ]

            def attempt(remaining: float | None) -> completion_service_pb2.UploadCompletionsResponse:
                return self._completions.UploadCompletions(  # type: ignore[no-any-return]
                    iter(requests), timeout=remaining, metadata=self._metadata
                )

            return call_with_retry(attempt, self.retry, timeout)
        stream = (completion_service_pb2.UploadCompletionsRequest(completion=build.with_id(c)) for c in completions)
        return self._completions.UploadCompletions(  # type: ignore[no-any-return]
            stream, timeout=timeout, metadata=self._metadata
        )

    def stream_completions(
        self, completions: Iterable[completion_pb2.Completion], *, timeout: float | None = None
    ) -> ResponseStream[completion_service_pb2.StreamCompletionsResponse]:
        """Send completions on a bidirectional stream; each is acknowledged by id once committed.

        The iterable is read on a gRPC thread while the acknowledgements are
        iterated here. For fire-and-forget logging use :class:`tenlog.Logger`,
        which runs this stream in the background and resends after reconnects.
        """
        requests = (completion_service_pb2.StreamCompletionsRequest(completion=build.with_id(c)) for c in completions)
        return ResponseStream(self._completions.StreamCompletions(requests, timeout=timeout, metadata=self._metadata))

    def tail_completions(
        self,
        *,
        tags: Iterable[str] = (),
        session_id: str = "",
        status: StatusLike | None = None,
        timeout: float | None = None,
    ) -> ResponseStream[completion_service_pb2.TailCompletionsResponse]:
        """Follow completions as they are created or updated, from now on; runs until cancelled."""
        request = build.tail_completions(tags=tags, session_id=session_id, status=status)
        return ResponseStream(self._completions.TailCompletions(request, timeout=timeout, metadata=self._metadata))

    # -- export and import -----------------------------------------------------------

    def export_completions(
        self,
        *,
        filter: str = "",
        search: str = "",
        after: str = "",
        page_size: int = 0,
        tags: Iterable[str] = (),
        session_id: str = "",
        status: StatusLike | None = None,
        model: str = "",
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        timeout: float | None = None,
    ) -> ResponseStream[transfer_service_pb2.ExportCompletionsResponse]:
        """Every completion of the organization matching the filters, a page per message, by ascending id.

        To resume a broken export, pass the last ``last_id`` received as ``after``.
        """
        request = transfer_service_pb2.ExportCompletionsRequest(
            filter=filter,
            search=search,
            after=after,
            page_size=page_size,
            tags=list(tags),
            session_id=session_id,
            model=model,
        )
        if status is not None:
            request.status = status_value(status)
        if created_after is not None:
            request.created_after.FromDatetime(created_after)
        if created_before is not None:
            request.created_before.FromDatetime(created_before)
        return ResponseStream(self._transfer.ExportCompletions(request, timeout=timeout, metadata=self._metadata))

    def export_sessions(
        self, *, after: str = "", page_size: int = 0, timeout: float | None = None
    ) -> ResponseStream[transfer_service_pb2.ExportSessionsResponse]:
        """Every session of the organization, a page per message, by ascending id."""
        request = transfer_service_pb2.ExportSessionsRequest(after=after, page_size=page_size)
        return ResponseStream(self._transfer.ExportSessions(request, timeout=timeout, metadata=self._metadata))

    def export_feedback_tasks(
        self, *, after: str = "", page_size: int = 0, timeout: float | None = None
    ) -> ResponseStream[transfer_service_pb2.ExportFeedbackTasksResponse]:
        """Every feedback task of the organization, a page per message, by ascending id."""
        request = transfer_service_pb2.ExportFeedbackTasksRequest(after=after, page_size=page_size)
        return ResponseStream(self._transfer.ExportFeedbackTasks(request, timeout=timeout, metadata=self._metadata))

    def export_feedback(
        self, *, after: str = "", page_size: int = 0, timeout: float | None = None
    ) -> ResponseStream[transfer_service_pb2.ExportFeedbackResponse]:
        """Every piece of feedback of the organization with its completion ids, a page per message."""
        request = transfer_service_pb2.ExportFeedbackRequest(after=after, page_size=page_size)
        return ResponseStream(self._transfer.ExportFeedback(request, timeout=timeout, metadata=self._metadata))

    def import_completions(
        self, completions: Iterable[completion_pb2.Completion], *, timeout: float | None = None
    ) -> transfer_service_pb2.ImportResponse:
        """Import completions as exported (ids and times kept; idempotent by id) on one client stream."""
        requests = (transfer_service_pb2.ImportCompletionsRequest(completion=c) for c in completions)
        return self._transfer.ImportCompletions(  # type: ignore[no-any-return]
            requests, timeout=timeout, metadata=self._metadata
        )

    def import_sessions(
        self, sessions: Iterable[completion_pb2.Session], *, timeout: float | None = None
    ) -> transfer_service_pb2.ImportResponse:
        """Import sessions as exported."""
        requests = (transfer_service_pb2.ImportSessionsRequest(session=s) for s in sessions)
        return self._transfer.ImportSessions(requests, timeout=timeout, metadata=self._metadata)  # type: ignore[no-any-return]

    def import_feedback_tasks(
        self, tasks: Iterable[completion_pb2.FeedbackTask], *, timeout: float | None = None
    ) -> transfer_service_pb2.ImportResponse:
        """Import feedback tasks as exported."""
        requests = (transfer_service_pb2.ImportFeedbackTasksRequest(task=t) for t in tasks)
        return self._transfer.ImportFeedbackTasks(  # type: ignore[no-any-return]
            requests, timeout=timeout, metadata=self._metadata
        )

    def import_feedback(
        self, feedback: Iterable[completion_pb2.Feedback], *, timeout: float | None = None
    ) -> transfer_service_pb2.ImportResponse:
        """Import feedback as exported (import its tasks and completions first)."""
        requests = (transfer_service_pb2.ImportFeedbackRequest(feedback=f) for f in feedback)
        return self._transfer.ImportFeedback(requests, timeout=timeout, metadata=self._metadata)  # type: ignore[no-any-return]

    # -- sessions --------------------------------------------------------------------

    def create_session(self, id: str | None = None, *, timeout: float | None = None) -> completion_pb2.Session:
        """Create a session (a fresh id unless given; creating an existing id returns it)."""
        response: session_service_pb2.CreateSessionResponse = self._unary(
            self._sessions.CreateSession, build.create_session(id), timeout
        )
        return response.session

    def get_session(self, id: str, *, timeout: float | None = None) -> completion_pb2.Session:
        """The session with this id."""
        return cast(
            completion_pb2.Session,
            self._unary(self._sessions.GetSession, session_service_pb2.GetSessionRequest(id=id), timeout),
        )

    def list_sessions(
        self, *, page_size: int = 0, page_token: str = "", offset: int = 0, timeout: float | None = None
    ) -> session_service_pb2.ListSessionsResponse:
        """One page of sessions, newest first."""
        request = session_service_pb2.ListSessionsRequest(page_size=page_size, page_token=page_token, offset=offset)
        return cast(
            session_service_pb2.ListSessionsResponse,
            self._unary(self._sessions.ListSessions, request, timeout),
        )

    # -- feedback tasks --------------------------------------------------------------

    def create_feedback_task(
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
        return cast(completion_pb2.FeedbackTask, self._unary(self._tasks.CreateFeedbackTask, request, timeout))

    def get_feedback_task(self, id: str, *, timeout: float | None = None) -> completion_pb2.FeedbackTask:
        """The feedback task with this id."""
        request = feedback_task_service_pb2.GetFeedbackTaskRequest(id=id)
        return cast(completion_pb2.FeedbackTask, self._unary(self._tasks.GetFeedbackTask, request, timeout))

    def list_feedback_tasks(
        self, *, page_size: int = 0, page_token: str = "", offset: int = 0, timeout: float | None = None
    ) -> feedback_task_service_pb2.ListFeedbackTasksResponse:
        """One page of feedback tasks, newest first."""
        request = feedback_task_service_pb2.ListFeedbackTasksRequest(
            page_size=page_size, page_token=page_token, offset=offset
        )
        return cast(
            feedback_task_service_pb2.ListFeedbackTasksResponse,
            self._unary(self._tasks.ListFeedbackTasks, request, timeout),
        )

    # -- feedback --------------------------------------------------------------------

    def upload_feedback(
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
        return cast(completion_pb2.Feedback, self._unary(self._feedback.UploadFeedback, request, timeout))

    def get_feedback(self, id: str, *, timeout: float | None = None) -> completion_pb2.Feedback:
        """The feedback with this id."""
        return cast(
            completion_pb2.Feedback,
            self._unary(self._feedback.GetFeedback, feedback_service_pb2.GetFeedbackRequest(id=id), timeout),
        )

    def list_feedback(
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
            self._unary(self._feedback.ListFeedback, request, timeout),
        )

    # -- vendor ingest -----------------------------------------------------------------
    # Other vendors' ingest shapes (Freeplay, Keywords AI, the logs API, log10's
    # legacy calls), for code that already builds them. Each lands as a Completion.
    # Creates are retried only when they carry a client-chosen id.

    def record_freeplay_completion(
        self, request: vendor_ingest_service_pb2.RecordFreeplayCompletionRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.RecordFreeplayCompletionResponse:
        """Record a completion in Freeplay's shape."""
        idempotent = bool(request.completion.completion_id)
        return cast(
            vendor_ingest_service_pb2.RecordFreeplayCompletionResponse,
            self._unary(self._vendor.RecordFreeplayCompletion, request, timeout, idempotent),
        )

    def update_freeplay_completion(
        self, request: vendor_ingest_service_pb2.UpdateFreeplayCompletionRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.UpdateFreeplayCompletionResponse:
        """Update a completion in Freeplay's shape (new messages, eval results)."""
        return cast(
            vendor_ingest_service_pb2.UpdateFreeplayCompletionResponse,
            self._unary(self._vendor.UpdateFreeplayCompletion, request, timeout),
        )

    def create_keywords_ai_request_log(
        self, request: vendor_ingest_service_pb2.CreateKeywordsAiRequestLogRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.CreateKeywordsAiRequestLogResponse:
        """Log a request in Keywords AI's shape (it has no client id, so it is never retried)."""
        return cast(
            vendor_ingest_service_pb2.CreateKeywordsAiRequestLogResponse,
            self._unary(self._vendor.CreateKeywordsAiRequestLog, request, timeout, idempotent=False),
        )

    def insert_log(
        self, request: vendor_ingest_service_pb2.InsertLogRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.InsertLogResponse:
        """Insert a log entry in the logs API's shape."""
        return cast(
            vendor_ingest_service_pb2.InsertLogResponse,
            self._unary(self._vendor.InsertLog, request, timeout, bool(request.log.id)),
        )

    def update_log(
        self, request: vendor_ingest_service_pb2.UpdateLogRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.UpdateLogResponse:
        """Update a log entry in the logs API's shape."""
        return cast(vendor_ingest_service_pb2.UpdateLogResponse, self._unary(self._vendor.UpdateLog, request, timeout))

    def start_legacy_completion(
        self, request: vendor_ingest_service_pb2.StartLegacyCompletionRequest, *, timeout: float | None = None
    ) -> vendor_ingest_service_pb2.StartLegacyCompletionResponse:
        """Start a completion the way log10's older SDKs do."""
        return cast(
            vendor_ingest_service_pb2.StartLegacyCompletionResponse,
            self._unary(self._vendor.StartLegacyCompletion, request, timeout, bool(request.completion.id)),
        )

    def write_legacy_completion(
        self, request: vendor_ingest_service_pb2.WriteLegacyCompletionRequest, *, timeout: float | None = None
    ) -> completion_pb2.Completion:
        """Write a started completion's outcome the way log10's older SDKs do."""
        return cast(completion_pb2.Completion, self._unary(self._vendor.WriteLegacyCompletion, request, timeout))
