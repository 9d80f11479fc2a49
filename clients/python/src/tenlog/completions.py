"""Building ``Completion`` messages from plain Python values.

The protobuf messages are the API; these helpers save callers from writing
``Struct`` conversions and enum names by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, cast

from google.protobuf import struct_pb2

from tenlog.enums import value_of
from tenlog.v1 import completion_pb2

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


def json_number(n: float) -> int | float:
    """A JSON number back from a double: integral values as the int a client sent (14, not 14.0)."""
    return int(n) if n.is_integer() and abs(n) < MAX_SAFE_INTEGER else n


def restore_integers(value: Any) -> Any:
    """Give back the integers a client sent (14, not 14.0), recursively.

    ``google.protobuf.Struct`` holds every JSON number as a double, so integers
    come back from it (and from ``json_format.MessageToDict``) as floats.
    """
    if isinstance(value, float):
        return json_number(value)
    if isinstance(value, dict):
        return {k: restore_integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_integers(v) for v in value]
    return value


def value_to_python(value: struct_pb2.Value) -> Any:
    """One ``google.protobuf.Value`` as a plain Python JSON value, integers restored."""
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        return json_number(value.number_value)
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "list_value":
        return [value_to_python(v) for v in value.list_value.values]
    if kind == "bool_value":
        return value.bool_value
    return None


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A ``Struct`` back as plain Python values, with integral numbers as ints."""
    fields = struct.fields
    # Indexing by key: the map's items() view iterates in Python, this stays in C.
    return {key: value_to_python(fields[key]) for key in fields}


def _enum_number(enum: Any, value: str | int) -> int:
    """A name (``finished``, ``STATUS_FINISHED``) or number of an enum, checked; ValueError otherwise."""
    if isinstance(value, str):
        number = value_of(enum, value)
        if number is None:
            raise ValueError(f"{enum.name} has no value {value!r}")
        return number
    if value not in enum.values_by_number:
        raise ValueError(f"{enum.name} has no value {value}")
    return value


def status_value(status: StatusLike) -> completion_pb2.Status:
    """Accepts ``"finished"``, ``"STATUS_FINISHED"`` or the enum value."""
    return cast(completion_pb2.Status, _enum_number(completion_pb2.Status.DESCRIPTOR, status))


def kind_value(kind: KindLike) -> completion_pb2.Kind:
    """Accepts ``"chat"``, ``"KIND_CHAT"`` or the enum value."""
    return cast(completion_pb2.Kind, _enum_number(completion_pb2.Kind.DESCRIPTOR, kind))


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
