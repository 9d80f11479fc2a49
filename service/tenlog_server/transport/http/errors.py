"""gRPC status -> HTTP status and JSON error body, as grpc-gateway maps them."""

from __future__ import annotations

import math
from typing import Any

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2

from tenlog_server.domain.errors import ERROR_DOMAIN

# Importing error_details_pb2 registers BadRequest, ErrorInfo, ... so the
# details of a google.rpc.Status can be unpacked into JSON.
_ = error_details_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"

# runtime.HTTPStatusFromCode of grpc-gateway v2.
HTTP_STATUS_BY_CODE: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}

# The one reason-based override: HTTP has a precise status for "this payload is
# too large", and gRPC has no code for it. A server error carrying an ErrorInfo
# with this reason (e.g. a logs-API image over 10 MB) is answered with 413.
PAYLOAD_TOO_LARGE_REASON = "PAYLOAD_TOO_LARGE"
HTTP_PAYLOAD_TOO_LARGE = 413


class GatewayError(Exception):
    """An error the gateway itself answers (bad JSON, unknown route, oversize body...)."""

    def __init__(
        self,
        http_status: int,
        code: grpc.StatusCode,
        message: str,
        field_violations: list[tuple[str, str]] | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message
        self.field_violations = field_violations or []
        self.reason = reason

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        details: list[dict[str, Any]] = []
        if self.field_violations:
            details.append(
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "field_violations": [{"field": f, "description": d} for f, d in self.field_violations],
                }
            )
        if self.reason:
            details.append(
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": self.reason, "domain": ERROR_DOMAIN}
            )
        return error_body(self.code, self.message, details)


def error_body(code: grpc.StatusCode, message: str, details: list[dict[str, Any]]) -> dict[str, Any]:
    """{"code", "message", "details"} as grpc-gateway writes it, plus "error" for Log10 clients."""
    return {"code": int(code.value[0]), "message": message, "details": details, "error": message}


def status_details(trailing_metadata: Any) -> list[dict[str, Any]]:
    """The rich details of a failed call (BadRequest, ErrorInfo, ...) as JSON objects."""
    for key, value in trailing_metadata or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            details: list[dict[str, Any]] = []
            for any_detail in status.details:
                try:
                    details.append(json_format.MessageToDict(any_detail, preserving_proto_field_name=True))
                except (json_format.Error, TypeError, KeyError):
                    details.append({"@type": any_detail.type_url})
            return details
    return []


def http_status_for(code: grpc.StatusCode, details: list[dict[str, Any]]) -> int:
    """The HTTP status for a gRPC code (with the 413 override above)."""
    for detail in details:
        if detail.get("@type", "").endswith("google.rpc.ErrorInfo") and (
            detail.get("reason") == PAYLOAD_TOO_LARGE_REASON
        ):
            return HTTP_PAYLOAD_TOO_LARGE
    return HTTP_STATUS_BY_CODE.get(code, 500)


def retry_after_seconds(details: list[dict[str, Any]]) -> int | None:
    """Whole seconds of a RetryInfo detail, rounded up (the HTTP Retry-After header), or None."""
    for detail in details:
        if detail.get("@type", "").endswith("google.rpc.RetryInfo"):
            delay = str(detail.get("retry_delay", "0s")).removesuffix("s")
            try:
                return max(1, math.ceil(float(delay)))
            except ValueError:
                return None
    return None


def rpc_error_response(error: grpc.aio.AioRpcError) -> tuple[int, dict[str, Any], dict[str, str]]:
    """HTTP status, body and headers (Retry-After from RetryInfo) for a failed upstream call."""
    code = error.code()
    details = status_details(error.trailing_metadata())
    message = error.details() or code.name.lower().replace("_", " ")
    retry_after = retry_after_seconds(details)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    status = http_status_for(code, details)
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED and retry_after is None:
        # Not overload (that carries RetryInfo) but a size limit, e.g. a message over the gRPC
        # limit: a 429 would invite a retry that can never succeed.
        status = HTTP_PAYLOAD_TOO_LARGE
    if code == grpc.StatusCode.UNAVAILABLE and retry_after is None:
        headers["Retry-After"] = "1"
    return status, error_body(code, message, details), headers
