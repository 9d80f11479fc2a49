"""JSON <-> protobuf, the way the REST contract spells things.

Rules, all driven by the descriptors (no message is special-cased):

* keys are the proto field names (snake_case); input also accepts the
  lowerCamel JSON name. A field that declares an explicit `json_name` differing
  from the default (legacy camelCase wire names such as `completionID`) is
  written under that name.
* enum values drop their type's UPPER_SNAKE prefix and are lower-cased
  (`STATUS_FINISHED` <-> `finished`); input also takes the full proto name or
  the number.
* 64-bit integers are JSON numbers (the contract's clients expect numbers).
* a message with a `google.protobuf.Struct` field named `extra` keeps the keys
  it does not name there on input, and has them merged back into its top level
  on output; other messages ignore unknown keys, as grpc-gateway does.
* a message-typed field (Struct included) given a string holding JSON of the
  right shape is decoded: log10-io sends `request`, `response` and
  `stacktrace` as JSON-encoded strings.
* output leaves out unset message fields and enum fields at their zero
  (`*_UNSPECIFIED`) value; scalars and lists are always written.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from google.protobuf import descriptor_pb2, json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
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
_FLOAT_TYPES = {FieldDescriptor.CPPTYPE_FLOAT, FieldDescriptor.CPPTYPE_DOUBLE}
_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


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


def find_field(descriptor: Descriptor, key: str) -> FieldDesc | None:
    """The field a JSON key names: proto name, declared json_name or lowerCamel name."""
    field = descriptor.fields_by_name.get(key)
    if field is not None:
        return field
    for candidate in descriptor.fields:
        if key in (candidate.json_name, default_json_name(candidate.name)):
            return candidate
    return None


def enum_value_to_json(enum_type: EnumDescriptor, number: int) -> str | int:
    """`STATUS_FINISHED` -> `finished`; an unknown number stays a number."""
    if number == 0:  # short_name leaves the zero value out: it is `unspecified` here
        value = enum_type.values_by_number.get(0)
        return str(value.name).removeprefix(enum_prefix(enum_type)).lower() if value is not None else 0
    return short_name(enum_type, number) or number


def enum_value_from_json(enum_type: EnumDescriptor, raw: Any, field_path: str) -> int:
    """Accept `finished`, `FINISHED`, `STATUS_FINISHED` or 2."""
    if isinstance(raw, bool):
        raise JsonMappingError(
            field_path, f"expected one of {', '.join(enum_choices(enum_type))}, got {_described(raw)}"
        )
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        number = value_of(enum_type, raw)
        if number is not None:
            return number
        if raw.strip().lstrip("-").isdigit():
            return int(raw.strip())
    raise JsonMappingError(field_path, f"expected one of {', '.join(enum_choices(enum_type))}, got {_described(raw)}")


def enum_choices(enum_type: EnumDescriptor) -> list[str]:
    """The REST spellings of an enum's values, zero value excluded."""
    return list(dict.fromkeys(str(enum_value_to_json(enum_type, v.number)) for v in enum_type.values if v.number != 0))


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


# --- JSON -> protobuf -------------------------------------------------------


def _maybe_decode_json_string(value: Any, want: type, field_path: str) -> Any:
    """A message field given a string: accept it when the string is JSON of the wanted shape."""
    if not isinstance(value, str):
        return value
    try:
        decoded = orjson.loads(value)  # strict like the body: no NaN, lone surrogates or 1e400
    except orjson.JSONDecodeError:
        raise JsonMappingError(
            field_path, f"expected {'an object' if want is dict else 'an array'}, got a string"
        ) from None
    violations = json_violations(field_path, decoded, MAX_JSON_DEPTH)
    if violations:
        raise JsonMappingError(violations[0].field, violations[0].description)
    if not isinstance(decoded, want):
        raise JsonMappingError(
            field_path,
            f"expected {'an object' if want is dict else 'an array'}, got a string holding {_type_name(decoded)}",
        )
    return decoded


def parse_scalar(field: FieldDesc, value: Any, field_path: str) -> Any:
    """Convert one JSON scalar to the Python value a protobuf field takes."""
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        return enum_value_from_json(field.enum_type, value, field_path)
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        if field.type == FieldDescriptor.TYPE_BYTES:
            if not isinstance(value, str):
                raise JsonMappingError(field_path, f"expected a base64 string, got {_described(value)}")
            try:
                padded = value + "=" * (-len(value) % 4)
                return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
            except ValueError:
                raise JsonMappingError(field_path, "expected a base64 string") from None
        if not isinstance(value, str):
            raise JsonMappingError(field_path, f"expected a string, got {_described(value)}")
        return value
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        if not isinstance(value, bool):
            raise JsonMappingError(field_path, f"expected true or false, got {_described(value)}")
        return value
    if cpp in _FLOAT_TYPES:
        if isinstance(value, bool):
            raise JsonMappingError(field_path, "expected a number, got boolean")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
            if value in special:
                return special[value]
            try:
                return float(value)
            except ValueError:
                pass
        raise JsonMappingError(field_path, f"expected a number, got {_described(value)}")
    if cpp in _INT_RANGES:
        number: int
        if isinstance(value, bool):
            raise JsonMappingError(field_path, "expected an integer, got boolean")
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            number = int(value.strip())
        else:
            shown = _described(value) if not isinstance(value, float) else f"the fraction {value}"
            raise JsonMappingError(field_path, f"expected an integer, got {shown}")
        low, high = _INT_RANGES[cpp]
        if not low <= number <= high:
            raise JsonMappingError(field_path, f"integer {number} is out of range [{low}, {high}]")
        return number
    raise JsonMappingError(field_path, "unsupported field type")  # pragma: no cover


# Seconds of 0001-01-01 and 9999-12-31T23:59:59, the range google.protobuf.Timestamp allows.
_TIMESTAMP_SECONDS_RANGE = (-62135596800.0, 253402300799.0)


def _parse_well_known(value: Any, message: Message, field_path: str) -> None:
    full_name = message.DESCRIPTOR.full_name
    if full_name == STRUCT:
        value = _maybe_decode_json_string(value, dict, field_path)
        if not isinstance(value, dict):
            raise JsonMappingError(field_path, f"expected an object, got {_type_name(value)}")
    elif full_name == LIST_VALUE:
        value = _maybe_decode_json_string(value, list, field_path)
        if not isinstance(value, list):
            raise JsonMappingError(field_path, f"expected an array, got {_type_name(value)}")
    elif full_name in (TIMESTAMP, DURATION) and isinstance(value, int | float) and not isinstance(value, bool):
        # Lenient: a bare number is seconds (epoch seconds for a Timestamp).
        seconds = float(value)
        if not _TIMESTAMP_SECONDS_RANGE[0] <= seconds <= _TIMESTAMP_SECONDS_RANGE[1]:
            raise JsonMappingError(field_path, "is out of range (years 1 to 9999)")
        message.seconds = math.floor(seconds)  # type: ignore[attr-defined]
        message.nanos = round((seconds - math.floor(seconds)) * 1e9)  # type: ignore[attr-defined]
        return
    elif full_name == FIELD_MASK:
        paths = value.split(",") if isinstance(value, str) else value
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise JsonMappingError(field_path, "expected a comma-separated string of field paths")
        message.paths.extend(  # type: ignore[attr-defined]
            ".".join(_CAMEL_BOUNDARY.sub("_", part).lower() for part in p.strip().split("."))
            for p in paths
            if p.strip()
        )
        return
    try:
        json_format.ParseDict(value, message)
    except json_format.ParseError as error:
        raise JsonMappingError(field_path, str(error)) from None


def parse_message(value: Any, message: Message, field_path: str = "") -> None:
    """Merge a JSON value into `message`, following the module's rules."""
    descriptor = message.DESCRIPTOR
    if descriptor.full_name in WELL_KNOWN:
        _parse_well_known(value, message, field_path)
        return
    value = _maybe_decode_json_string(value, dict, field_path)
    if not isinstance(value, dict):
        raise JsonMappingError(field_path, f"expected an object, got {_type_name(value)}")
    keeps_extra = has_extra(descriptor)
    unknown: dict[str, Any] = {}
    for key, item in value.items():
        field = find_field(descriptor, key)
        if field is None or (keeps_extra and field.name == EXTRA_FIELD and not isinstance(item, dict)):
            if keeps_extra:
                unknown[key] = item
            continue
        _parse_field(message, field, item, _join(field_path, key))
    if unknown:
        extra = getattr(message, EXTRA_FIELD)
        extra.update(unknown)


def _parse_field(message: Message, field: FieldDesc, value: Any, field_path: str) -> None:
    if value is None:
        if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.full_name == VALUE:
            getattr(message, field.name).null_value = 0
        return  # null means "not set", as in protojson
    if is_map(field):
        value = _maybe_decode_json_string(value, dict, field_path)
        if not isinstance(value, dict):
            raise JsonMappingError(field_path, f"expected an object, got {_type_name(value)}")
        target = getattr(message, field.name)
        key_field = field.message_type.fields_by_name["key"]
        value_field = field.message_type.fields_by_name["value"]
        for raw_key, item in value.items():
            item_path = _join(field_path, raw_key)
            key = _map_key(key_field, raw_key, item_path)
            if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                parse_message(item, target[key], item_path)
            elif item is not None:
                target[key] = parse_scalar(value_field, item, item_path)
        return
    if field.is_repeated:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            value = _maybe_decode_json_string(value, list, field_path)
        if not isinstance(value, list):
            raise JsonMappingError(field_path, f"expected an array, got {_type_name(value)}")
        target_list = getattr(message, field.name)
        for index, item in enumerate(value):
            item_path = _join(field_path, index)
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                parse_message(item, target_list.add(), item_path)
            elif item is None:
                raise JsonMappingError(item_path, "null is not allowed in this array")
            else:
                target_list.append(parse_scalar(field, item, item_path))
        return
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        sub = getattr(message, field.name)
        parse_message(value, sub, field_path)
        sub.SetInParent()
        return
    setattr(message, field.name, parse_scalar(field, value, field_path))


def _map_key(key_field: FieldDesc, raw_key: str, field_path: str) -> Any:
    if key_field.cpp_type == FieldDescriptor.CPPTYPE_STRING:
        return raw_key
    if key_field.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        if raw_key not in ("true", "false"):
            raise JsonMappingError(field_path, "map key must be true or false")
        return raw_key == "true"
    return parse_scalar(key_field, raw_key, field_path)


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

    Repeated fields take every value; singular fields take the last one.
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
    strings = values if leaf.is_repeated else values[-1:]
    for raw in strings:
        if leaf.type == FieldDescriptor.TYPE_MESSAGE:
            sub = getattr(target, leaf.name).add() if leaf.is_repeated else getattr(target, leaf.name)
            full_name = leaf.message_type.full_name
            if full_name in WRAPPERS:
                parse_message(_string_to_json(leaf.message_type.fields_by_name["value"], raw), sub, dotted)
            else:
                parse_message(raw, sub, dotted)
            sub.SetInParent()
            continue
        converted = parse_scalar(leaf, _string_to_json(leaf, raw), dotted)
        if leaf.is_repeated:
            getattr(target, leaf.name).append(converted)
        else:
            setattr(target, leaf.name, converted)
    return True


def _string_to_json(field: FieldDesc, raw: str) -> Any:
    """The JSON value a query-string value stands for, given the field's type."""
    if field.cpp_type == FieldDescriptor.CPPTYPE_BOOL:
        lowered = raw.strip().lower()
        if lowered in ("true", "1", ""):
            return True
        if lowered in ("false", "0"):
            return False
    return raw


# --- protobuf -> JSON -------------------------------------------------------


def message_to_json(message: Message) -> Any:
    """The JSON value of a message, following the module's rules."""
    descriptor: Descriptor = message.DESCRIPTOR
    if descriptor.full_name in WELL_KNOWN:
        return _well_known_to_json(message)
    out: dict[str, Any] = {}
    field: FieldDesc
    for field in descriptor.fields:
        if has_extra(descriptor) and field.name == EXTRA_FIELD:
            continue
        key = wire_name(field)
        if is_map(field):
            value_field = field.message_type.fields_by_name["value"]
            out[key] = {str(k): _value_to_json(value_field, v) for k, v in getattr(message, field.name).items()}
        elif field.is_repeated:
            out[key] = [_value_to_json(field, v) for v in getattr(message, field.name)]
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if message.HasField(field.name):
                out[key] = message_to_json(getattr(message, field.name))
        elif field.has_presence:
            if message.HasField(field.name):
                out[key] = _value_to_json(field, getattr(message, field.name))
        elif field.cpp_type == FieldDescriptor.CPPTYPE_ENUM:
            number = getattr(message, field.name)
            if number != 0:
                out[key] = enum_value_to_json(field.enum_type, number)
        else:
            out[key] = _value_to_json(field, getattr(message, field.name))
    if has_extra(descriptor) and message.HasField(EXTRA_FIELD):
        for key, value in _well_known_to_json(getattr(message, EXTRA_FIELD)).items():
            out.setdefault(key, value)  # a named field always wins over a stray extra key
    return out


def _value_to_json(field: FieldDesc, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return message_to_json(value)
    if field.cpp_type == FieldDescriptor.CPPTYPE_ENUM:
        return enum_value_to_json(field.enum_type, value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if field.cpp_type in _FLOAT_TYPES:
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if field.cpp_type == FieldDescriptor.CPPTYPE_FLOAT:
            # float32 values print with their float32 precision, not as 0.10000000149011612.
            return float(f"{value:.7g}")
    return value


def _spell_non_finite(message: Any) -> None:
    """Replace, in a Struct / Value / ListValue, every non-finite number by its proto3 JSON string."""
    full_name = message.DESCRIPTOR.full_name
    if full_name == STRUCT:
        children = list(message.fields.values())
    elif full_name == LIST_VALUE:
        children = list(message.values)
    else:
        kind = message.WhichOneof("kind")
        if kind == "number_value" and not math.isfinite(message.number_value):
            number = message.number_value
            message.string_value = "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
        children = [getattr(message, kind)] if kind in ("struct_value", "list_value") else []
    for child in children:
        _spell_non_finite(child)


def _well_known_to_json(message: Message) -> Any:
    full_name = message.DESCRIPTOR.full_name
    if full_name in (STRUCT, VALUE, LIST_VALUE):
        try:
            return restore_integers(json_format.MessageToDict(message))
        except ValueError:
            # NaN or Infinity in a row stored before ingest refused them: render them as proto3
            # JSON renders a non-finite double ("NaN", "Infinity"), rather than fail the whole page.
            finite = type(message)()
            finite.CopyFrom(message)
            _spell_non_finite(finite)
            return restore_integers(json_format.MessageToDict(finite))
    if full_name == FIELD_MASK:
        return ",".join(message.paths)  # type: ignore[attr-defined]
    if full_name in WRAPPERS:
        return _value_to_json(message.DESCRIPTOR.fields_by_name["value"], message.value)  # type: ignore[attr-defined]
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


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
