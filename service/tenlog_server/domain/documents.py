"""A completion's JSON documents (request, response, metadata, extra), kept in their stored encoding.

Every document reaches tenlog as a google.protobuf.Struct and is stored as that
message's serialized bytes: writing and reading one is a single C call, where a
walk between Struct and Python dicts cost more than the rest of an insert. A
key is turned into Python values only when something asks for it (the domain
reads a few: request.messages[*].role, response.model, response.usage).

protobuf holds every JSON number as a double; integral values come back as
ints (tenlog.completions, shared with the client), so a document reads back as
the client sent it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from google.protobuf import struct_pb2
from tenlog.completions import from_struct, value_to_python

# One Struct -> dict walk, with the integers restored, for the client and the server alike.
struct_to_dict = from_struct


def _view(value: struct_pb2.Value) -> Any:
    """A Value for reading: scalars as Python values, objects and lists as views (nothing copied)."""
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return Document(None, value.struct_value)
    if kind == "list_value":
        return ListView(value.list_value)
    return value_to_python(value)


class Document(Mapping[str, Any]):
    """A JSON object held as a serialized Struct; reading converts only what is read.

    Nested objects and lists read as views, so checking one key deep in a large
    document costs that key alone. Compares equal to a dict with the same
    content. Immutable: a change is a new Document (Document.of(...)).
    """

    __slots__ = ("_encoded", "_struct")

    def __init__(self, encoded: bytes | None, struct: struct_pb2.Struct | None = None) -> None:
        self._encoded = encoded
        self._struct = struct

    @classmethod
    def from_struct(cls, struct: struct_pb2.Struct) -> Document:
        """The document a Struct holds (the Struct must not change afterwards)."""
        return cls(struct.SerializeToString(), struct)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Document:
        """The document of a JSON object given as Python values."""
        struct = struct_pb2.Struct()
        struct.update(data)
        return cls.from_struct(struct)

    @property
    def encoded(self) -> bytes:
        """The serialized Struct: what is stored."""
        if self._encoded is None:
            self._encoded = self.struct.SerializeToString()
        return self._encoded

    @property
    def struct(self) -> struct_pb2.Struct:
        """The document as a Struct (parsed on first use)."""
        if self._struct is None:
            self._struct = struct_pb2.Struct.FromString(self.encoded)
        return self._struct

    def to_dict(self) -> dict[str, Any]:
        """The whole document as plain Python values."""
        return struct_to_dict(self.struct)

    def __getitem__(self, key: str) -> Any:
        fields = self.struct.fields
        if key not in fields:
            raise KeyError(key)
        return _view(fields[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.struct.fields)

    def __len__(self) -> int:
        return len(self.struct.fields)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Document):
            return self.to_dict() == other.to_dict()
        return isinstance(other, Mapping) and self.to_dict() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Document({self.to_dict()!r})"


class ListView(Sequence[Any]):
    """A JSON list inside a Document, read in place."""

    __slots__ = ("_values",)

    def __init__(self, values: struct_pb2.ListValue) -> None:
        self._values = values.values

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [_view(v) for v in self._values[index]]
        return _view(self._values[index])

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ListView({list(self)!r})"
