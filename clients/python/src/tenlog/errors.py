"""Reading the rich error details tenlog attaches to failed calls.

tenlog answers errors with a ``google.rpc.Status`` in the
``grpc-status-details-bin`` trailer: ``BadRequest`` field violations for bad
input, an ``ErrorInfo`` reason, and ``RetryInfo`` when the caller should slow
down. Calls raise plain ``grpc.RpcError``; these functions read its details.
"""

from __future__ import annotations

from typing import Any

from google.rpc import error_details_pb2, status_pb2

_DETAILS_KEY = "grpc-status-details-bin"


def rich_status(error: Any) -> Any | None:
    """The ``google.rpc.Status`` carried by a failed call, or ``None``.

    Works for both ``grpc.RpcError`` and ``grpc.aio.AioRpcError``. Unlike
    ``grpc_status.rpc_status.from_call`` it never raises: a status whose code
    disagrees with the call's is still returned, since its details remain useful.
    """
    trailing = getattr(error, "trailing_metadata", None)
    if trailing is None:
        return None
    try:
        metadata = trailing()
    except Exception:  # a call that never started has no trailers to read
        return None
    for key, value in metadata or ():
        if key == _DETAILS_KEY and isinstance(value, bytes):
            return status_pb2.Status.FromString(value)
    return None


def _unpack(error: Any, message_type: Any) -> Any | None:
    status = rich_status(error)
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(message_type.DESCRIPTOR):
            message = message_type()
            detail.Unpack(message)
            return message
    return None


def retry_delay(error: Any) -> float | None:
    """Seconds the server asked the caller to wait (``RetryInfo``), or ``None``."""
    info = _unpack(error, error_details_pb2.RetryInfo)
    if info is None or not info.HasField("retry_delay"):
        return None
    return float(info.retry_delay.seconds) + float(info.retry_delay.nanos) / 1e9


def error_info(error: Any) -> Any | None:
    """The ``google.rpc.ErrorInfo`` of a failed call (its ``reason`` and ``metadata``), or ``None``."""
    return _unpack(error, error_details_pb2.ErrorInfo)


def field_violations(error: Any) -> list[tuple[str, str]]:
    """``(field, description)`` for each ``BadRequest`` field violation of a failed call."""
    bad_request = _unpack(error, error_details_pb2.BadRequest)
    if bad_request is None:
        return []
    return [(v.field, v.description) for v in bad_request.field_violations]
