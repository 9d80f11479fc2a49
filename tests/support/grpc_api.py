"""A thin test-side handle on the tenlog gRPC API: stubs plus the caller's credentials."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import (
    completion_service_pb2_grpc,
    feedback_service_pb2_grpc,
    feedback_task_service_pb2_grpc,
    session_service_pb2_grpc,
)


@dataclass
class Api:
    """Stubs for every tenlog service, calling with one key (and optionally an organization)."""

    channel: grpc.Channel
    key: str
    org: str = ""

    def __post_init__(self) -> None:
        self.completions = completion_service_pb2_grpc.CompletionServiceStub(self.channel)
        self.sessions = session_service_pb2_grpc.SessionServiceStub(self.channel)
        self.feedback = feedback_service_pb2_grpc.FeedbackServiceStub(self.channel)
        self.tasks = feedback_task_service_pb2_grpc.FeedbackTaskServiceStub(self.channel)

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        md = [("x-log10-token", self.key)] if self.key else []
        if self.org:
            md.append(("x-log10-organization", self.org))
        return tuple(md)

    def call(self, method: Callable[..., Any], request: Any, **kwargs: Any) -> Any:
        """Invoke a stub method with this caller's metadata."""
        return method(request, metadata=self.metadata, timeout=30, **kwargs)


def list_all_ids(api: Api, page_size: int = 1000, **filters: Any) -> list[str]:
    """Ids of every completion matching the filters, newest first, following next_page_token."""
    ids: list[str] = []
    token = ""
    while True:
        request = api_pb.ListCompletionsRequest(page_size=page_size, page_token=token, **filters)
        page = api.call(api.completions.ListCompletions, request)
        ids += [c.id for c in page.completions]
        token = page.next_page_token
        if not token:
            return ids


def rpc_error(fn: Callable[[], Any]) -> grpc.RpcError:
    """Run fn, which must fail with an RpcError, and return that error."""
    try:
        fn()
    except grpc.RpcError as exc:
        return exc
    raise AssertionError("the call succeeded but an error was expected")


def error_details(exc: grpc.RpcError) -> dict[str, Any]:
    """The rich details of an error: reason, field violations, retry delay."""
    status = rpc_status.from_call(exc)  # type: ignore[arg-type]
    out: dict[str, Any] = {"violations": {}, "reason": None, "retry_delay": None}
    if status is None:
        return out
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            br = error_details_pb2.BadRequest()
            detail.Unpack(br)
            out["violations"].update({v.field: v.description for v in br.field_violations})
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            out["reason"] = info.reason
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            out["retry_delay"] = retry.retry_delay.ToTimedelta().total_seconds()
    return out


def chat_completion(**fields: Any) -> pb.Completion:
    """A finished chat completion shaped like the seed example, with overrides."""
    request = fields.pop(
        "request",
        {
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is the capital of France?"},
            ],
        },
    )
    response = fields.pop(
        "response",
        {
            "id": "chatcmpl-example123",
            "object": "chat.completion",
            "model": "gpt-4o",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 28, "completion_tokens": 9, "total_tokens": 37},
        },
    )
    msg = pb.Completion(kind=pb.KIND_CHAT, status=fields.pop("status", pb.STATUS_FINISHED), **fields)
    if request is not None:
        msg.request.update(request)
    if response is not None:
        msg.response.update(response)
    return msg
