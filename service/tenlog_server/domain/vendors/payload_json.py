"""Vendor payload messages back to the JSON their clients sent, for keeping in metadata."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from tenlog.completions import restore_integers

from tenlog_server.domain.errors import FieldViolation, InvalidArgument
from tenlog_server.domain.limits import MAX_TAG_LENGTH

EXTRA_FIELD = "extra"


def _is_extra(field: Any) -> bool:
    return bool(
        field.name == EXTRA_FIELD
        and field.message_type is not None
        and field.message_type.full_name == "google.protobuf.Struct"
    )


def _value(field: Any, value: Any) -> Any:
    if field.message_type is None:
        return value
    if field.message_type.full_name.startswith("google.protobuf."):
        return finite_json(value, field.name)
    return as_sent(value)


def finite_json(message: Message, where: str) -> Any:
    """A well-known message (Struct, Value...) as JSON; InvalidArgument naming `where` when it holds NaN or Infinity."""
    try:
        return restore_integers(json_format.MessageToDict(message, preserving_proto_field_name=True))
    except ValueError:  # NaN or Infinity in a Struct: JSON has no form for them (the input contract)
        raise InvalidArgument(
            "the payload is not valid",
            [FieldViolation(where, "must hold only finite numbers (NaN and Infinity are not JSON)")],
        ) from None


def as_sent(message: Message) -> dict[str, Any]:
    """The fields a client set, as JSON with snake_case keys, its unknown (`extra`) keys put back."""
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for field, value in message.ListFields():
        if _is_extra(field):
            extra = finite_json(value, field.name)
        elif field.is_repeated:
            out[field.name] = [_value(field, item) for item in value]
        else:
            out[field.name] = _value(field, value)
    for key, item in extra.items():
        out.setdefault(key, item)
    return out


def struct_dict(message: Message) -> dict[str, Any]:
    """A google.protobuf.Struct (or any message) as a plain dict with integers restored."""
    value: dict[str, Any] = finite_json(message, message.DESCRIPTOR.name)
    return value


def tag(namespace: str, key: str, value: Any) -> str | None:
    """`freeplay.project_id=<id>`: a vendor attribute as a tag, so tag filters can query it."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    # An over-long value is not worth a tag (and would fail tag validation).
    candidate = f"{namespace}.{key}={text}"
    return candidate if len(candidate) <= MAX_TAG_LENGTH else None
