"""google.protobuf.Struct <-> plain JSON values.

protobuf stores every JSON number as a double; integral values are turned
back into ints in the same single walk (see domain.json_numbers), so a
document comes back exactly as the client sent it.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from tenlog_server.domain.json_numbers import MAX_SAFE_INTEGER


def value_to_python(value: struct_pb2.Value) -> Any:
    """One Value as a plain Python JSON value."""
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        n = value.number_value
        return int(n) if n.is_integer() and abs(n) < MAX_SAFE_INTEGER else n
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "list_value":
        return [value_to_python(v) for v in value.list_value.values]
    return None


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A Struct as a dict."""
    return {key: value_to_python(v) for key, v in struct.fields.items()}


def dict_to_struct(data: dict[str, Any], target: struct_pb2.Struct) -> None:
    """Fill a Struct from a dict (Struct.update handles nesting natively)."""
    target.update(data)
