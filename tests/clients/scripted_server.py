"""A real gRPC server that fails on cue, for the client behaviours a healthy tenlog server
cannot be made to show on demand: quota pushback with RetryInfo, a completion the server
chokes on, TLS."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from tenlog.v1 import completion_pb2, completion_service_pb2, completion_service_pb2_grpc


def _status(code: grpc.StatusCode, delay: float | None) -> grpc.Status:
    status = status_pb2.Status(code=getattr(code_pb2, code.name), message="scripted failure")
    if delay is not None:
        detail = any_pb2.Any()
        seconds = int(delay)
        detail.Pack(
            error_details_pb2.RetryInfo(
                retry_delay=duration_pb2.Duration(seconds=seconds, nanos=int((delay - seconds) * 1e9))
            )
        )
        status.details.append(detail)
    return rpc_status.to_status(status)


class ScriptedCompletions(completion_service_pb2_grpc.CompletionServiceServicer):
    """GetCompletion answers each call with the next scripted failure, then succeeds.

    StreamCompletions refuses each new stream with the next scripted pushback
    (RESOURCE_EXHAUSTED carrying RetryInfo of that many seconds), then acknowledges
    items in order, failing the stream with INTERNAL on any item tagged ``poison``.
    """

    def __init__(self, failures: list[tuple[grpc.StatusCode, float | None]], stream_pushbacks: list[float]) -> None:
        self.failures = list(failures)
        self.stream_pushbacks = list(stream_pushbacks)
        self.calls = 0
        self.streams = 0
        self.stored: list[str] = []
        self.metadata: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def StreamCompletions(self, request_iterator, context):
        with self.lock:
            self.streams += 1
            pushback = self.stream_pushbacks.pop(0) if self.stream_pushbacks else None
        if pushback is not None:
            context.abort_with_status(_status(grpc.StatusCode.RESOURCE_EXHAUSTED, pushback))
        for index, item in enumerate(request_iterator):
            if "poison" in item.completion.tags:
                context.abort(grpc.StatusCode.INTERNAL, "cannot store this one")
            with self.lock:
                self.stored.append(item.completion.id)
            yield completion_service_pb2.StreamCompletionsResponse(id=item.completion.id, index=index, accepted=True)

    def GetCompletion(self, request: completion_service_pb2.GetCompletionRequest, context):
        with self.lock:
            self.calls += 1
            self.metadata.append(dict(context.invocation_metadata()))
            failure = self.failures.pop(0) if self.failures else None
        if failure is None:
            return completion_pb2.Completion(id=request.id)
        context.abort_with_status(_status(*failure))


@contextmanager
def scripted_server(
    failures: list[tuple[grpc.StatusCode, float | None]] = (),
    credentials: grpc.ServerCredentials | None = None,
    stream_pushbacks: list[float] = (),
) -> Iterator[tuple[str, ScriptedCompletions]]:
    """Serve ScriptedCompletions on a free localhost port; yields (target, servicer)."""
    servicer = ScriptedCompletions(list(failures), list(stream_pushbacks))
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    completion_service_pb2_grpc.add_CompletionServiceServicer_to_server(servicer, server)
    if credentials is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield f"localhost:{port}", servicer
    finally:
        server.stop(grace=None)
