"""JSON <-> protobuf for the REST gateway: json_format, spoken in the Log10 dialect.

`google.protobuf.json_format` does the conversion; `log10_json_dialect` holds
every way the REST contract's JSON differs from proto3 JSON, and the checks
that name the field a bad value was meant for. Strings from the URL (path
variables, query parameters) go through the same two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from tenlog_server.transport.http.log10_json_dialect import (
    EXTRA_FIELD,
    LIST_VALUE,
    STRUCT,
    VALUE,
    WELL_KNOWN,
    WRAPPERS,
    Descriptor,
    FieldDesc,
    JsonMappingError,
    find_field,
    has_extra,
    is_map,
    message_from_proto3,
    message_to_proto3,
)

__all__ = [
    "JsonMappingError",
    "field_mask_paths",
    "message_to_json",
    "parse_message",
    "resolve_field_path",
    "set_from_strings",
]


def parse_message(value: Any, message: Message, field_path: str = "") -> None:
    """Merge a dialect JSON value into `message` (repeated fields it names are replaced).

    Raises JsonMappingError naming the path (under `field_path`) of a value that does not fit.
    """
    proto3 = message_to_proto3(message.DESCRIPTOR, value, field_path)
    try:
        json_format.ParseDict(proto3, message)
    except json_format.ParseError as error:
        # The dialect checked every value against its field; what json_format still
        # refuses (a base64 string that is not, a float32 out of range) is told as it says.
        raise JsonMappingError(field_path, str(error)) from None


def message_to_json(message: Message) -> Any:
    """The dialect JSON value of a message."""
    return message_from_proto3(message.DESCRIPTOR, _proto3_json(message))


def _proto3_json(message: Message) -> Any:
    try:
        return _message_to_dict(message)
    except (ValueError, json_format.SerializeToJsonError):
        # NaN or Infinity inside a Struct of a row stored before ingest refused them:
        # render them as proto3 JSON renders a non-finite double ("NaN", "Infinity"),
        # rather than fail the whole page.
        finite = type(message)()
        finite.CopyFrom(message)
        _spell_non_finite(finite)
        return _message_to_dict(finite)


def _message_to_dict(message: Message) -> Any:
    return json_format.MessageToDict(
        message,
        preserving_proto_field_name=True,
        use_integers_for_enums=True,
        always_print_fields_with_no_presence=True,
    )


def _spell_non_finite(message: Any) -> None:
    """Replace every non-finite number held in a Struct / Value / ListValue by its proto3 JSON string."""
    full_name = message.DESCRIPTOR.full_name
    if full_name == VALUE:
        kind = message.WhichOneof("kind")
        if kind == "number_value":
            number = message.number_value
            if not math.isfinite(number):
                message.string_value = "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
            return
        children: list[Any] = [getattr(message, kind)] if kind in ("struct_value", "list_value") else []
    elif full_name == STRUCT:
        children = list(message.fields.values())
    elif full_name == LIST_VALUE:
        children = list(message.values)
    else:
        children = []
        for field, value in message.ListFields():
            if field.type != FieldDescriptor.TYPE_MESSAGE:
                continue
            if is_map(field):
                children.extend(value.values())
            else:
                children.extend(value if field.is_repeated else [value])
    for child in children:
        _spell_non_finite(child)


# --- strings (path variables, query parameters) -> protobuf -----------------


def resolve_field_path(descriptor: Descriptor, dotted: str) -> list[FieldDesc] | None:
    """The chain of fields a dotted path names (`completion.id`), or None when it names none."""
    chain: list[FieldDesc] = []
    current: Descriptor | None = descriptor
    for part in dotted.split("."):
        if current is None or current.full_name in WELL_KNOWN:
            return None
        field = find_field(current, part)
        if field is None:
            return None
        chain.append(field)
        current = field.message_type if field.type == FieldDescriptor.TYPE_MESSAGE and not is_map(field) else None
    return chain


def set_from_strings(message: Message, dotted: str, values: list[str]) -> bool:
    """Set a (possibly nested) field from string values; False when the path names no field.

    Repeated fields take every value (after those already there); singular fields take the last one.
    """
    chain = resolve_field_path(message.DESCRIPTOR, dotted)
    if not chain:
        return False
    target = message
    for field in chain[:-1]:
        if field.is_repeated:
            return False
        target = getattr(target, field.name)
    leaf = chain[-1]
    if is_map(leaf):
        return False
    items = [_string_to_json(leaf, raw) for raw in (values if leaf.is_repeated else values[-1:])]
    parsed = type(target)()
    try:
        parse_message({leaf.name: items if leaf.is_repeated else items[0]}, parsed)
    except JsonMappingError as error:
        raise JsonMappingError(dotted, error.description) from None
    if leaf.is_repeated:
        getattr(target, leaf.name).extend(getattr(parsed, leaf.name))
    elif leaf.type == FieldDescriptor.TYPE_MESSAGE and leaf.message_type.full_name in WELL_KNOWN:
        getattr(target, leaf.name).CopyFrom(getattr(parsed, leaf.name))  # a timestamp is one value
    elif leaf.type == FieldDescriptor.TYPE_MESSAGE:
        getattr(target, leaf.name).MergeFrom(getattr(parsed, leaf.name))
    else:
        setattr(target, leaf.name, getattr(parsed, leaf.name))
    return True


def _string_to_json(field: FieldDesc, raw: str) -> Any:
    """The JSON value a query-string value stands for, given the field's type."""
    scalar = field
    if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.full_name in WRAPPERS:
        scalar = field.message_type.fields_by_name["value"]
    if scalar.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        lowered = raw.strip().lower()
        if lowered in ("true", "1", ""):
            return True
        if lowered in ("false", "0"):
            return False
    return raw


# --- field masks from request bodies ------------------------------------------


def field_mask_paths(body: Mapping[str, Any], descriptor: Descriptor, prefix: str = "") -> list[str]:
    """The field paths a JSON body sets, as grpc-gateway derives an update mask for PATCH.

    Nested plain messages are walked; Structs, lists, maps and other well-known
    types are leaves. Keys that land in `extra` contribute the path `extra`.
    """
    paths: list[str] = []
    for key, value in body.items():
        field = find_field(descriptor, key)
        if field is None:
            if has_extra(descriptor) and prefix + EXTRA_FIELD not in paths:
                paths.append(prefix + EXTRA_FIELD)
            continue
        path = prefix + field.name
        nested = (
            field.type == FieldDescriptor.TYPE_MESSAGE
            and not field.is_repeated
            and field.message_type.full_name not in WELL_KNOWN
            and isinstance(value, dict)
            and value
        )
        if nested:
            paths.extend(field_mask_paths(value, field.message_type, path + "."))
        elif path not in paths:
            paths.append(path)
    return paths
