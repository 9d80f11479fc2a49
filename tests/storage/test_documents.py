"""Document: a completion's JSON object kept as Struct bytes, read through views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from google.protobuf import struct_pb2
from tenlog_server.domain.documents import Document

BODY = {
    "model": "gpt-4o",
    "n": 2,
    "big": 2**60,
    "t": 0.25,
    "ok": True,
    "none": None,
    "messages": [{"role": "user", "content": "hi", "parts": [1, "x", None]}],
}


def test_reads_back_what_was_written_with_integers_restored() -> None:
    doc = Document.of(BODY)
    again = Document(doc.encoded)  # as read from a row
    assert again.to_dict() == {**BODY, "big": float(2**60)}  # past 2**53 a double is all there is
    assert again["n"] == 2 and isinstance(again["n"], int)
    assert again == {**BODY, "big": float(2**60)} and again == doc and again != {"model": "gpt-4o"}


def test_nested_objects_and_lists_are_views() -> None:
    doc = Document(Document.of(BODY).encoded)
    messages = doc["messages"]
    assert isinstance(messages, Sequence) and not isinstance(messages, list) and len(messages) == 1
    first = messages[0]
    assert isinstance(first, Mapping) and first.get("role") == "user" and first.get("absent") is None
    assert first["parts"] == [1, "x", None] and messages[0:1] == [BODY["messages"][0]]  # type: ignore[index]
    with pytest.raises(KeyError):
        doc["absent"]
    assert sorted(doc) == sorted(BODY) and len(doc) == len(BODY)


def test_a_nested_view_encodes_on_its_own() -> None:
    inner = Document.of(BODY)["messages"][0]
    assert isinstance(inner, Document)
    assert struct_pb2.Struct.FromString(inner.encoded)["role"] == "user"


def test_an_empty_document_is_falsy_but_present() -> None:
    empty = Document.of({})
    assert empty.encoded == b"" and not empty and empty == {}
