"""Cutting a completion's request and response into a skeleton plus content-addressed pieces, and back.

Chat clients resend the whole conversation on every call and reuse system
prompts and tool definitions across sessions, so most of a request is a value
stored before. A document is split into:

- pieces: each message of request.messages, each response choice's message,
  and each other top-level value of at least PIECE_MIN_BYTES (tools,
  functions, response_format, a long prompt). A piece is its
  google.protobuf.Value serialized deterministically (map keys sorted): that
  canonical form is both what is hashed and what is stored, so the same
  message keyed in another order, or the response's assistant message resent
  in the next call's history, is one value;
- the skeleton: the document's Struct with every piece replaced by a null
  Value;
- references: where each piece goes back (see Ref), encoded compactly in one
  bytes column beside the skeletons.

Reassembly parses the skeleton and merges each piece back in place, so a
document reads back as the same JSON values it was sent as (a Struct is a map:
object key order was never kept, and still is not; list order is).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from google.protobuf import struct_pb2

from tenlog_server.domain.documents import Document

HASH_BYTES = 16  # blake2b-128: collisions are out of reach at any log size, and it hashes at memory speed
PIECE_MIN_BYTES = 48  # a message shorter than its reference and row is left inline
REQUEST, RESPONSE = 0, 1  # which document a reference belongs to

# Where a piece sits in its document.
MESSAGE = 0  # document["messages"][index]
CHOICE_MESSAGE = 1  # document["choices"][index]["message"]
FIELD = 2  # document[name]


@dataclass(frozen=True, slots=True)
class Ref:
    """One piece's place: which document, which kind of place, an index or a field name, and its hash."""

    document: int
    kind: int
    index: int
    name: str
    hash: bytes


_blake2b = hashlib.blake2b


def content_hash(canonical: bytes) -> bytes:
    """The key of a piece within its organization."""
    return _blake2b(canonical, digest_size=HASH_BYTES).digest()


@dataclass(slots=True)
class SplitDocuments:
    """A record's request and response as stored: skeletons, references, and the pieces they need."""

    request: bytes | None
    response: bytes | None
    refs: bytes | None  # None: no pieces, the skeletons are the whole documents
    hashes: list[bytes]  # the hash of each reference, in refs' order (repeats kept: each is counted)
    pieces: dict[bytes, bytes]  # hash -> canonical bytes


def split(request: Document | None, response: Document | None) -> SplitDocuments:
    """Cut the two documents into skeletons, references and pieces."""
    refs = bytearray()
    hashes: list[bytes] = []
    pieces: dict[bytes, bytes] = {}
    request_bytes = _split_one(REQUEST, request, refs, hashes, pieces)
    response_bytes = _split_one(RESPONSE, response, refs, hashes, pieces)
    return SplitDocuments(request_bytes, response_bytes, bytes(refs) if refs else None, hashes, pieces)


def _split_one(
    which: int, document: Document | None, refs: bytearray, hashes: list[bytes], pieces: dict[bytes, bytes]
) -> bytes | None:
    if document is None:
        return None
    struct = document.struct
    fields = struct.fields
    found: list[tuple[int, int, str, bytes]] = []  # (place, index, field name, canonical bytes)
    # Each candidate is serialized once, in C; the skeleton is one C copy of the document with
    # the cut values nulled, so a document with nothing to cut costs a few calls.
    for key in fields:
        value = fields[key]
        kind = value.WhichOneof("kind")
        if kind == "list_value" and which == REQUEST and key == "messages":
            for i, item in enumerate(value.list_value.values):
                canonical = item.SerializeToString(deterministic=True)
                if len(canonical) >= PIECE_MIN_BYTES:
                    found.append((MESSAGE, i, "", canonical))
        elif kind == "list_value" and which == RESPONSE and key == "choices":
            for i, item in enumerate(value.list_value.values):
                if item.WhichOneof("kind") == "struct_value" and "message" in item.struct_value.fields:
                    canonical = item.struct_value.fields["message"].SerializeToString(deterministic=True)
                    if len(canonical) >= PIECE_MIN_BYTES:
                        found.append((CHOICE_MESSAGE, i, "", canonical))
        elif kind in ("struct_value", "list_value", "string_value") and value.ByteSize() >= FIELD_MIN_BYTES:
            found.append((FIELD, 0, key, value.SerializeToString(deterministic=True)))
    if not found:
        return document.encoded
    skeleton = struct_pb2.Struct()
    skeleton.CopyFrom(struct)
    slots = skeleton.fields
    messages = slots["messages"].list_value.values if which == REQUEST and "messages" in slots else None
    choices = slots["choices"].list_value.values if which == RESPONSE and "choices" in slots else None
    for place, index, name, canonical in found:
        digest = _blake2b(canonical, digest_size=HASH_BYTES).digest()
        pieces[digest] = canonical
        hashes.append(digest)
        if place == MESSAGE:
            slot = messages[index]  # type: ignore[index]
        elif place == CHOICE_MESSAGE:
            slot = choices[index].struct_value.fields["message"]  # type: ignore[index]
        else:
            slot = slots[name]
        slot.null_value = struct_pb2.NULL_VALUE
        if index < 0x80:
            refs += bytes((which << 4 | place, index))
        else:
            refs.append(which << 4 | place)
            _varint(index, refs)
        if place == FIELD:
            encoded = name.encode()
            _varint(len(encoded), refs)
            refs += encoded
        refs += digest
    return skeleton.SerializeToString()


FIELD_MIN_BYTES = 256  # other top-level values (tools, functions, response_format) worth a piece of their own


def join(skeleton: bytes | None, which: int, refs: list[Ref], pieces: Mapping[bytes, bytes]) -> Document | None:
    """The whole document from its skeleton and the pieces its references name (KeyError if one is missing)."""
    if skeleton is None:
        return None
    mine = [ref for ref in refs if ref.document == which]
    if not mine:
        return Document(skeleton)
    struct = struct_pb2.Struct.FromString(skeleton)
    fields = struct.fields
    for ref in mine:
        if ref.kind == MESSAGE:
            slot = fields["messages"].list_value.values[ref.index]
        elif ref.kind == CHOICE_MESSAGE:
            slot = fields["choices"].list_value.values[ref.index].struct_value.fields["message"]
        else:
            slot = fields[ref.name]
        slot.Clear()
        slot.MergeFromString(pieces[ref.hash])
    return Document(None, struct)


# -- the references column ------------------------------------------------------
# Per reference: one byte (document << 4 | kind), the index as a varint, for FIELD
# the name's UTF-8 length as a varint and the name, then the 16-byte hash.


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def decode_refs(data: bytes | None) -> list[Ref]:
    """The references a column value holds (none for NULL)."""
    return list(_iter_refs(data)) if data else []


def _iter_refs(data: bytes) -> Iterator[Ref]:
    pos = 0
    while pos < len(data):
        head = data[pos]
        pos += 1
        index, pos = _read_varint(data, pos)
        name = ""
        if head & 0x0F == FIELD:
            length, pos = _read_varint(data, pos)
            name = data[pos : pos + length].decode()
            pos += length
        yield Ref(head >> 4, head & 0x0F, index, name, data[pos : pos + HASH_BYTES])
        pos += HASH_BYTES


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = data[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        if b < 0x80:
            return n, pos
        shift += 7


def ref_hashes(data: bytes | None) -> list[bytes]:
    """The hashes a references column value names, one per reference (repeats kept: each is counted)."""
    return [ref.hash for ref in decode_refs(data)]
