"""Building ``Completion`` messages from plain Python values.

The protobuf messages are the API; these helpers save callers from writing
``Struct`` conversions and enum names by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, cast

from google.protobuf import json_format, struct_pb2

from tenlog.v1 import completion_pb2

_STATUS_NAMES = {
    "started": completion_pb2.STATUS_STARTED,
    "finished": completion_pb2.STATUS_FINISHED,
    "failed": completion_pb2.STATUS_FAILED,
}
_KIND_NAMES = {"chat": completion_pb2.KIND_CHAT, "prompt": completion_pb2.KIND_PROMPT}

# Enum values are ints at run time; the generated stubs give them a class for type checking.
StatusLike = str | int
KindLike = str | int


def new_id() -> str:
    """A fresh client-side id. Ids chosen before sending make retries and resends idempotent."""
    return str(uuid.uuid4())


def to_struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    """A ``google.protobuf.Struct`` holding a JSON-shaped mapping."""
    struct = struct_pb2.Struct()
    struct.update(dict(value))
    return struct


# Above 2**53 a double no longer holds every integer, so such values stay floats.
MAX_SAFE_INTEGER = 2**53


def restore_integers(value: Any) -> Any:
    """Give back the integers a client sent (14, not 14.0), recursively.

    ``google.protobuf.Struct`` holds every JSON number as a double, so integers
    come back from it as floats.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_SAFE_INTEGER:
        return int(value)
    if isinstance(value, dict):
        return {k: restore_integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_integers(v) for v in value]
    return value


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A ``Struct`` back as plain Python values, with integral numbers as ints."""
    return cast(dict[str, Any], restore_integers(json_format.MessageToDict(struct)))


def status_value(status: StatusLike) -> completion_pb2.Status:
    """Accepts ``"finished"``, ``"STATUS_FINISHED"`` or the enum value."""
    if isinstance(status, str):
        if status.lower() in _STATUS_NAMES:
            return _STATUS_NAMES[status.lower()]
        return cast(completion_pb2.Status, completion_pb2.Status.Value(status))
    completion_pb2.Status.Name(status)  # raises ValueError for an unknown number
    return cast(completion_pb2.Status, status)


def kind_value(kind: KindLike) -> completion_pb2.Kind:
    """Accepts ``"chat"``, ``"KIND_CHAT"`` or the enum value."""
    if isinstance(kind, str):
        if kind.lower() in _KIND_NAMES:
            return _KIND_NAMES[kind.lower()]
        return cast(completion_pb2.Kind, completion_pb2.Kind.Value(kind))
    completion_pb2.Kind.Name(kind)  # raises ValueError for an unknown number
    return cast(completion_pb2.Kind, kind)


def new_completion(
    *,
    request: Mapping[str, Any] | None = None,
    response: Mapping[str, Any] | None = None,
    status: StatusLike = "finished",
    kind: KindLike = "chat",
    tags: Iterable[str] = (),
    session_id: str = "",
    duration: float = 0.0,
    id: str | None = None,
    model: str = "",
    failure_kind: str = "",
    failure_reason: str = "",
    metadata: Mapping[str, Any] | None = None,
    cost: float = 0.0,
) -> completion_pb2.Completion:
    """A ``Completion`` from plain values, with a fresh id unless one is given.

    ``request`` and ``response`` are the OpenAI-shaped JSON objects; the server
    stores them as sent and lifts model and token counts from them.
    """
    completion = completion_pb2.Completion(
        id=id or new_id(),
        status=status_value(status),
        kind=kind_value(kind),
        tags=list(tags),
        session_id=session_id,
        duration=duration,
        model=model,
        failure_kind=failure_kind,
        failure_reason=failure_reason,
        cost=cost,
    )
    if request is not None:
        completion.request.CopyFrom(to_struct(request))
    if response is not None:
        completion.response.CopyFrom(to_struct(response))
    if metadata is not None:
        completion.metadata.CopyFrom(to_struct(metadata))
    return completion
