"""tenlog.enums: the one spelling of enum values (client, REST and CLI), checked without a server."""

from __future__ import annotations

from tenlog.completions import from_struct, status_value, to_struct
from tenlog.enums import enum_prefix, short_name, short_names, value_of
from tenlog.v1 import completion_pb2, completion_service_pb2


def test_short_names_drop_the_enum_prefix() -> None:
    tail_event = completion_service_pb2.TailEvent.DESCRIPTOR
    assert enum_prefix(tail_event) == "TAIL_EVENT_"
    assert short_name(completion_pb2.Status.DESCRIPTOR, completion_pb2.STATUS_FINISHED) == "finished"
    assert (
        short_name(completion_pb2.Status.DESCRIPTOR, 0) == "" and short_name(completion_pb2.Status.DESCRIPTOR, 99) == ""
    )
    # KIND_COMPLETION is an alias of KIND_PROMPT: the name declared first is the spelling.
    assert short_names(completion_pb2.Kind.DESCRIPTOR) == {1: "chat", 2: "prompt"}


def test_every_spelling_reads_back() -> None:
    status = completion_pb2.Status.DESCRIPTOR
    for spelling in ("failed", "FAILED", "STATUS_FAILED", " Failed "):
        assert value_of(status, spelling) == completion_pb2.STATUS_FAILED
    assert value_of(status, "done") is None
    assert status_value("started") == completion_pb2.STATUS_STARTED


def test_structs_give_back_integers() -> None:
    value = {"n": 14, "x": 1.5, "big": 2.0**60, "list": [1, {"k": 2}], "none": None}
    assert from_struct(to_struct(value)) == value
    assert isinstance(from_struct(to_struct(value))["list"][0], int)
