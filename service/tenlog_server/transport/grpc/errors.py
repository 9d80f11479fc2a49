"""Domain errors -> gRPC status codes with google.rpc.Status details."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from tenlog_server.domain import errors

CODES: dict[type[errors.DomainError], grpc.StatusCode] = {
    errors.InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.Aborted: grpc.StatusCode.ABORTED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
    errors.Unavailable: grpc.StatusCode.UNAVAILABLE,
    errors.DeadlineExceeded: grpc.StatusCode.DEADLINE_EXCEEDED,
}


# Status messages and details travel in HTTP/2 trailers, which gRPC caps at 16 KiB: an error
# echoing a huge input would otherwise turn into RESOURCE_EXHAUSTED "metadata size exceeds".
MAX_MESSAGE_CHARS = 1000
MAX_VIOLATIONS = 50
MAX_VIOLATION_CHARS = 200


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def bad_request(violations: list[errors.FieldViolation]) -> error_details_pb2.BadRequest:
    """A BadRequest detail listing field violations."""
    return error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field=_clip(v.field, MAX_VIOLATION_CHARS), description=_clip(v.description, MAX_VIOLATION_CHARS)
            )
            for v in violations[:MAX_VIOLATIONS]
        ]
    )


def to_status(exc: errors.DomainError) -> tuple[grpc.StatusCode, status_pb2.Status]:
    """The gRPC code and rich google.rpc.Status for a domain error."""
    code = CODES.get(type(exc), grpc.StatusCode.INTERNAL)
    details = [_pack(error_details_pb2.ErrorInfo(reason=exc.reason, domain=errors.ERROR_DOMAIN))]
    if isinstance(exc, errors.InvalidArgument) and exc.violations:
        details.append(_pack(bad_request(exc.violations)))
    if isinstance(exc, errors.ResourceExhausted | errors.Unavailable) and exc.retry_after is not None:
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(exc.retry_after * 1e9))
        details.append(_pack(error_details_pb2.RetryInfo(retry_delay=delay)))
    message = _clip(exc.message, MAX_MESSAGE_CHARS)
    status = status_pb2.Status(code=getattr(code_pb2, code.name), message=message, details=details)
    return code, status


def trailing_metadata(status: status_pb2.Status) -> tuple[tuple[str, bytes | str], ...]:
    """The trailer carrying the rich status, made by grpcio-status (whose from_call reads it back)."""
    return tuple(rpc_status.to_status(status).trailing_metadata)


async def abort(context: grpc.aio.ServicerContext, exc: errors.DomainError) -> None:
    """End the call with the domain error's status and details."""
    code, status = to_status(exc)
    # Keep what the call already set (its x-request-id) beside the status details.
    trailing = (*(context.trailing_metadata() or ()), *trailing_metadata(status))
    await context.abort(code, status.message, trailing_metadata=trailing)
