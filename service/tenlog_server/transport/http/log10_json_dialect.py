"""The Log10 JSON dialect: where the REST contract's JSON differs from proto3 JSON.

`google.protobuf.json_format` reads and writes proto3 JSON. The Log10 REST API
(and the vendor APIs served beside it) spell a few things differently; this
module translates a request body from the dialect into proto3 JSON before
json_format reads it, and json_format's output into the dialect after it
writes. All of it is driven by the descriptors (no message is special-cased):

* keys are the proto field names (snake_case); input also accepts the
  lowerCamel JSON name. A field that declares an explicit `json_name` differing
  from the default (legacy camelCase wire names such as `completionID`) is
  written under that name.
* enum values drop their type's UPPER_SNAKE prefix and are lower-cased
  (`STATUS_FINISHED` <-> `finished`); input also takes the full proto name or
  the number. Output leaves out enum fields at their zero (`*_UNSPECIFIED`) value.
* 64-bit integers are JSON numbers, not strings (the contract's clients expect numbers).
* a message with a `google.protobuf.Struct` field named `extra` keeps the keys
  it does not name there on input, and has them merged back into its top level
  on output; other messages ignore unknown keys, as grpc-gateway does.
* a message-typed field (Struct included) given a string holding JSON of the
  right shape is decoded: log10-io sends `request`, `response` and
  `stacktrace` as JSON-encoded strings.
* a Timestamp or Duration may be a bare number of seconds; a FieldMask may be a
  list, and its paths snake_case.

Input is also checked here, leaf by leaf, against the field it is meant for:
json_format's own errors do not reliably say which field (and which list
index) was wrong, and the contract's 400s name the path the client wrote.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable
from typing import Any

import orjson
from google.protobuf import descriptor_pb2, duration_pb2, timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor
from tenlog.completions import restore_integers
from tenlog.enums import enum_prefix, short_name, value_of

from tenlog_server.domain.input_contract import json_violations
from tenlog_server.domain.limits import MAX_JSON_DEPTH

# The protobuf stubs type descriptors as unions of the pure-Python and the upb
# classes (and make every `message_type` Optional); the code below checks
# field types before following them, so descriptors are plain aliases here.
Descriptor = Any
FieldDesc = Any
EnumDescriptor = Any
FileDescriptor = Any

EXTRA_FIELD = "extra"
STRUCT = "google.protobuf.Struct"
VALUE = "google.protobuf.Value"
LIST_VALUE = "google.protobuf.ListValue"
TIMESTAMP = "google.protobuf.Timestamp"
DURATION = "google.protobuf.Duration"
FIELD_MASK = "google.protobuf.FieldMask"
ANY = "google.protobuf.Any"
EMPTY = "google.protobuf.Empty"
WRAPPERS = {
    "google.protobuf.DoubleValue",
    "google.protobuf.FloatValue",
    "google.protobuf.Int64Value",
    "google.protobuf.UInt64Value",
    "google.protobuf.Int32Value",
    "google.protobuf.UInt32Value",
    "google.protobuf.BoolValue",
    "google.protobuf.StringValue",
    "google.protobuf.BytesValue",
}
WELL_KNOWN = {STRUCT, VALUE, LIST_VALUE, TIMESTAMP, DURATION, FIELD_MASK, ANY, EMPTY, *WRAPPERS}

_INT_RANGES = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}
# proto3 JSON writes these as strings; the dialect writes numbers.
_INT64_TYPES = {FieldDescriptor.CPPTYPE_INT64, FieldDescriptor.CPPTYPE_UINT64}
_FLOAT_TYPES = {FieldDescriptor.CPPTYPE_FLOAT, FieldDescriptor.CPPTYPE_DOUBLE}
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}
_ABSENT = object()
_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")
_INTEGER = re.compile(r"-?\d+")
# Seconds of 0001-01-01 and 9999-12-31T23:59:59, the range google.protobuf.Timestamp allows.
_TIMESTAMP_SECONDS_RANGE = (-62135596800.0, 253402300799.0)


class JsonMappingError(ValueError):
    """A JSON value that does not fit the field it is meant for."""

    def __init__(self, field_path: str, description: str) -> None:
        super().__init__(f"{field_path}: {description}" if field_path else description)
        self.field_path = field_path
        self.description = description


# --- naming -----------------------------------------------------------------


def default_json_name(proto_name: str) -> str:
    """protoc's default lowerCamel JSON name for a field."""
    head, *rest = proto_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.cache
def _explicit_json_names(file: FileDescriptor) -> frozenset[str]:
    """Full names of the fields of a file that declare `json_name` themselves.

    The runtime descriptor always has a json_name (computed when not declared);
    only the serialized file descriptor tells a declared one apart.
    """
    proto = descriptor_pb2.FileDescriptorProto.FromString(file.serialized_pb)
    found: set[str] = set()

    def walk(messages: Iterable[descriptor_pb2.DescriptorProto], scope: str) -> None:
        for message in messages:
            name = f"{scope}.{message.name}" if scope else message.name
            found.update(f"{name}.{f.name}" for f in message.field if f.HasField("json_name"))
            walk(message.nested_type, name)

    walk(proto.message_type, proto.package)
    return frozenset(found)


def wire_name(field: FieldDesc) -> str:
    """The key a field is written under: its proto name unless it declares its own json_name."""
    if field.full_name in _explicit_json_names(field.file):
        return str(field.json_name)
    return str(field.name)


@functools.cache
def _fields_by_key(descriptor: Descriptor) -> dict[str, FieldDesc]:
    """Every key that names a field of a message: proto name, declared json_name, lowerCamel name."""
    keys: dict[str, FieldDesc] = {}
    for field in descriptor.fields:
        keys.setdefault(field.json_name, field)
        keys.setdefault(default_json_name(field.name), field)
    keys.update({field.name: field for field in descriptor.fields})  # the proto name always wins
    return keys


def find_field(descriptor: Descriptor, key: str) -> FieldDesc | None:
    """The field a JSON key names: proto name, declared json_name or lowerCamel name."""
    return _fields_by_key(descriptor).get(key)


def is_map(field: FieldDesc) -> bool:
    """Whether a field is a protobuf map."""
    return bool(
        field.type == FieldDescriptor.TYPE_MESSAGE and field.is_repeated and field.message_type.GetOptions().map_entry
    )


def has_extra(descriptor: Descriptor) -> bool:
    """Whether a message keeps unknown JSON keys in a Struct field named `extra`."""
    field = descriptor.fields_by_name.get(EXTRA_FIELD)
    return (
        field is not None
        and field.type == FieldDescriptor.TYPE_MESSAGE
        and not field.is_repeated
        and field.message_type.full_name == STRUCT
    )


def snake_case_path(path: str) -> str:
    """`completion.origModule` -> `completion.orig_module`: a field path as the proto names it."""
    return ".".join(_CAMEL_BOUNDARY.sub("_", part).lower() for part in path.strip().split("."))


# --- enums ------------------------------------------------------------------


def enum_value_to_json(enum_type: EnumDescriptor, number: int) -> str | int:
    """`STATUS_FINISHED` -> `finished`; an unknown number stays a number."""
    if number == 0:  # short_name leaves the zero value out: it is `unspecified` here
        value = enum_type.values_by_number.get(0)
        return str(value.name).removeprefix(enum_prefix(enum_type)).lower() if value is not None else 0
    return short_name(enum_type, number) or number


def enum_choices(enum_type: EnumDescriptor) -> list[str]:
    """The REST spellings of an enum's values, zero value excluded."""
    return list(dict.fromkeys(str(enum_value_to_json(enum_type, v.number)) for v in enum_type.values if v.number != 0))


def _enum_number(enum_type: EnumDescriptor, raw: Any, field_path: str) -> int:
    """Accept `finished`, `FINISHED`, `STATUS_FINISHED` or 2."""
    if isinstance(raw, int) and not isinstance(raw, bool) and -(2**31) <= raw < 2**31:
        return raw  # a number the enum does not name is kept, as proto3 keeps it
    if isinstance(raw, str):
        number = value_of(enum_type, raw)
        if number is not None:
            return number
        if _INTEGER.fullmatch(raw.strip()) and -(2**31) <= int(raw.strip()) < 2**31:
            return int(raw.strip())
    raise JsonMappingError(field_path, f"expected one of {', '.join(enum_choices(enum_type))}, got {_described(raw)}")


# --- describing values in errors ------------------------------------------------


def _described(value: Any) -> str:
    """`string "abc"`: the JSON type of a value and, when short, the value itself."""
    shown = json.dumps(value) if not isinstance(value, dict | list) else ""
    if shown and len(shown) <= 40:
        return f"{_type_name(value)} {shown}"
    return _type_name(value)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# --- dialect -> proto3 JSON (input) --------------------------------------------


def _decoded_json_string(value: Any, want: type, field_path: str) -> Any:
    """A message field given a string: accept it when the string is JSON of the wanted shape."""
    if not isinstance(value, str):
        return value
    wanted = "an object" if want is dict else "an array"
    try:
        decoded = orjson.loads(value)  # strict like the body: no NaN, lone surrogates or 1e400
    except orjson.JSONDecodeError:
        raise JsonMappingError(field_path, f"expected {wanted}, got a string") from None
    violations = json_violations(field_path, decoded, MAX_JSON_DEPTH)
    if violations:
        raise JsonMappingError(violations[0].field, violations[0].description)
    if not isinstance(decoded, want):
        raise JsonMappingError(field_path, f"expected {wanted}, got a string holding {_type_name(decoded)}")
    return decoded


def _expect(value: Any, want: type, field_path: str) -> Any:
    """`value` itself when it is a `want` (an object or an array), else a 400 naming the field."""
    if not isinstance(value, want):
        wanted = "an object" if want is dict else "an array"
        raise JsonMappingError(field_path, f"expected {wanted}, got {_type_name(value)}")
    return value


def scalar_to_proto3(field: FieldDesc, value: Any, field_path: str) -> Any:
    """One dialect JSON scalar as the proto3 JSON value json_format takes for `field`."""
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        return _enum_number(field.enum_type, value, field_path)
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        if not isinstance(value, str):
            wanted = "a base64 string" if field.type == FieldDescriptor.TYPE_BYTES else "a string"
            raise JsonMappingError(field_path, f"expected {wanted}, got {_described(value)}")
        return value
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        if not isinstance(value, bool):
            raise JsonMappingError(field_path, f"expected true or false, got {_described(value)}")
        return value
    if cpp in _FLOAT_TYPES:
        return _float_to_proto3(value, field_path)
    if cpp in _INT_RANGES:
        return _int_to_proto3(cpp, value, field_path)
    raise JsonMappingError(field_path, "unsupported field type")  # pragma: no cover


def _float_to_proto3(value: Any, field_path: str) -> float | str:
    if isinstance(value, bool):
        raise JsonMappingError(field_path, "expected a number, got boolean")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if value in _NON_FINITE:
            return value
        try:
            number = float(value)
        except ValueError:
            pass
        else:  # a number written as a string ("1.5", "nan", "inf"): proto3 JSON spells non-finite ones
            if math.isfinite(number):
                return number
            return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    raise JsonMappingError(field_path, f"expected a number, got {_described(value)}")


def _int_to_proto3(cpp: int, value: Any, field_path: str) -> int:
    number: int
    if isinstance(value, bool):
        raise JsonMappingError(field_path, "expected an integer, got boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        shown = _described(value) if not isinstance(value, float) else f"the fraction {value}"
        raise JsonMappingError(field_path, f"expected an integer, got {shown}")
    low, high = _INT_RANGES[cpp]
    if not low <= number <= high:
        raise JsonMappingError(field_path, f"integer {number} is out of range [{low}, {high}]")
    return number


def _seconds_to_proto3(full_name: str, seconds: float, field_path: str) -> str:
    """A bare number of seconds (epoch seconds for a Timestamp) as proto3 JSON's string."""
    if not _TIMESTAMP_SECONDS_RANGE[0] <= seconds <= _TIMESTAMP_SECONDS_RANGE[1]:
        raise JsonMappingError(field_path, "is out of range (years 1 to 9999)")
    whole = math.floor(seconds)
    nanos = round((seconds - whole) * 1e9)
    message = timestamp_pb2.Timestamp() if full_name == TIMESTAMP else duration_pb2.Duration()
    message.seconds, message.nanos = (whole + 1, 0) if nanos == 1_000_000_000 else (whole, nanos)
    return message.ToJsonString()


def _well_known_to_proto3(descriptor: Descriptor, value: Any, field_path: str) -> Any:
    full_name = descriptor.full_name
    if full_name == STRUCT:
        return _expect(_decoded_json_string(value, dict, field_path), dict, field_path)
    if full_name == LIST_VALUE:
        return _expect(_decoded_json_string(value, list, field_path), list, field_path)
    if full_name in (TIMESTAMP, DURATION):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _seconds_to_proto3(full_name, float(value), field_path)
        if not isinstance(value, str):
            wanted = "an RFC 3339 string or a number of seconds"
            raise JsonMappingError(field_path, f"expected {wanted}, got {_described(value)}")
        try:  # checked here, where the path is known; json_format parses it again
            (timestamp_pb2.Timestamp() if full_name == TIMESTAMP else duration_pb2.Duration()).FromJsonString(value)
        except ValueError as error:
            raise JsonMappingError(field_path, str(error)) from None
        return value
    if full_name == FIELD_MASK:
        paths = value.split(",") if isinstance(value, str) else value
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise JsonMappingError(field_path, "expected a comma-separated string of field paths")
        # proto3 JSON spells mask paths in lowerCamel; json_format turns them back into field names.
        return ",".join(
            ".".join(default_json_name(part) for part in snake_case_path(p).split(".")) for p in paths if p.strip()
        )
    if full_name in WRAPPERS:
        return scalar_to_proto3(descriptor.fields_by_name["value"], value, field_path)
    return value  # Value, Any, Empty: json_format checks them


def message_to_proto3(descriptor: Descriptor, value: Any, field_path: str = "") -> Any:
    """A dialect JSON value for a message of type `descriptor`, as proto3 JSON.

    Raises JsonMappingError naming the path of the first value that does not fit.
    """
    if descriptor.full_name in WELL_KNOWN:
        return _well_known_to_proto3(descriptor, value, field_path)
    value = _expect(_decoded_json_string(value, dict, field_path), dict, field_path)
    keeps_extra = has_extra(descriptor)
    out: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, item in value.items():
        field = find_field(descriptor, key)
        if field is None or (keeps_extra and field.name == EXTRA_FIELD and not isinstance(item, dict)):
            if keeps_extra:
                unknown[key] = item
            continue
        if item is None:
            if _is_value(field):
                out[field.name] = None  # a JSON null Value
            continue  # null means "not set", as in protojson
        out[field.name] = _field_to_proto3(field, item, _join(field_path, key))
    if unknown:
        out[EXTRA_FIELD] = {**out.get(EXTRA_FIELD, {}), **unknown}
    return out


def _field_to_proto3(field: FieldDesc, value: Any, field_path: str) -> Any:
    if is_map(field):
        value = _expect(_decoded_json_string(value, dict, field_path), dict, field_path)
        value_field = field.message_type.fields_by_name["value"]
        return {
            key: _item_to_proto3(value_field, item, _join(field_path, key))
            for key, item in value.items()
            if item is not None or _is_value(value_field)
        }
    if field.is_repeated:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            value = _decoded_json_string(value, list, field_path)
        value = _expect(value, list, field_path)
        items = []
        for index, item in enumerate(value):
            item_path = _join(field_path, index)
            if item is None and field.type != FieldDescriptor.TYPE_MESSAGE:
                raise JsonMappingError(item_path, "null is not allowed in this array")
            items.append(_item_to_proto3(field, item, item_path))
        return items
    return _item_to_proto3(field, value, field_path)


def _item_to_proto3(field: FieldDesc, value: Any, field_path: str) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return message_to_proto3(field.message_type, value, field_path)
    return scalar_to_proto3(field, value, field_path)


def _is_value(field: FieldDesc) -> bool:
    return bool(field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.full_name == VALUE)


# --- proto3 JSON -> dialect (output) -------------------------------------------


def message_from_proto3(descriptor: Descriptor, value: Any) -> Any:
    """json_format's JSON of a message, in the dialect.

    `value` is what MessageToDict writes with proto field names, integer enums
    and the fields without presence included.
    """
    if descriptor.full_name in WELL_KNOWN:
        return _well_known_from_proto3(descriptor, value)
    out: dict[str, Any] = {}
    keeps_extra = has_extra(descriptor)
    extra = value.get(EXTRA_FIELD) if keeps_extra else None
    for field in descriptor.fields:  # in the order the proto declares them, as people read them
        item = value.get(field.name, _ABSENT)
        if item is _ABSENT or (keeps_extra and field.name == EXTRA_FIELD):
            continue
        if item == 0 and field.cpp_type == FieldDescriptor.CPPTYPE_ENUM and not field.has_presence:
            continue  # `*_UNSPECIFIED` is left out
        out[wire_name(field)] = _field_from_proto3(field, item)
    if extra:
        for key, item in restore_integers(extra).items():
            out.setdefault(key, item)  # a named field always wins over a stray extra key
    return out


def _field_from_proto3(field: FieldDesc, value: Any) -> Any:
    if is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        return {key: _item_from_proto3(value_field, item) for key, item in value.items()}
    if field.is_repeated:
        return [_item_from_proto3(field, item) for item in value]
    return _item_from_proto3(field, value)


def _item_from_proto3(field: FieldDesc, value: Any) -> Any:
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_MESSAGE:
        return message_from_proto3(field.message_type, value)
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        return enum_value_to_json(field.enum_type, value)
    if cpp in _INT64_TYPES:
        return int(value)
    return value


def _well_known_from_proto3(descriptor: Descriptor, value: Any) -> Any:
    full_name = descriptor.full_name
    if full_name in (STRUCT, VALUE, LIST_VALUE):
        return restore_integers(value)
    if full_name == FIELD_MASK:
        return ",".join(snake_case_path(path) for path in value.split(",") if path)
    if full_name in WRAPPERS:
        return _item_from_proto3(descriptor.fields_by_name["value"], value)
    return value
