"""The Log10 JSON dialect over json_format, against the real descriptors, without a server."""

from __future__ import annotations

import math

import pytest
from tenlog.v1 import (
    completion_pb2,
    completion_service_pb2,
    feedback_service_pb2,
    session_service_pb2,
    vendor_ingest_service_pb2,
)
from tenlog_server.transport.http.json_mapping import (
    JsonMappingError,
    message_to_json,
    parse_message,
    set_from_strings,
)
from tenlog_server.transport.http.log10_json_dialect import message_to_proto3


def test_the_dialect_becomes_proto3_json_that_json_format_reads() -> None:
    proto3 = message_to_proto3(
        completion_pb2.Completion.DESCRIPTOR,
        {"status": "finished", "promptTokens": " 12 ", "request": '{"a": 1}', "orig_module": "openai", "cost": None},
    )
    assert proto3 == {
        "status": completion_pb2.STATUS_FINISHED,
        "prompt_tokens": 12,
        "request": {"a": 1},
        "extra": {"orig_module": "openai"},
    }


def test_64_bit_integers_and_map_values_are_written_as_numbers() -> None:
    group = completion_service_pb2.CompletionGroup(count=2**40, failed_count=3, cost=1.5)
    group.key["model"] = "m"
    group.bucket_start.FromSeconds(1704067200)
    out = message_to_json(group)
    assert out["count"] == 2**40 and isinstance(out["count"], int)
    assert out["key"] == {"model": "m"} and out["bucket_start"] == "2024-01-01T00:00:00Z"
    parsed = completion_service_pb2.CompletionGroup()
    parse_message(out, parsed)
    assert parsed == group


def test_declared_json_names_are_written_and_read() -> None:
    response = session_service_pb2.CreateSessionResponse()
    parse_message({"sessionID": "s1"}, response)
    assert message_to_json(response)["sessionID"] == "s1"
    legacy = vendor_ingest_service_pb2.LegacyCompletion()
    parse_message({"tag_resolved": [{"name": "a"}]}, legacy)  # the proto name is read too
    assert "tagResolved" in message_to_json(legacy)


def test_extra_round_trips_and_a_named_field_wins() -> None:
    completion = completion_pb2.Completion()
    parse_message({"id": "c1", "extra": {"id": "stray", "kept": 1}, "orig_qualname": "x"}, completion)
    assert dict(completion.extra) == {"id": "stray", "kept": 1.0, "orig_qualname": "x"}
    out = message_to_json(completion)
    assert out["id"] == "c1" and out["kept"] == 1 and out["orig_qualname"] == "x" and "extra" not in out
    assert list(out)[:4] == ["id", "organization_id", "tags", "stacktrace"]  # the proto's order, zero enums left out


def test_timestamps_as_seconds_and_field_masks_as_lists_or_camel_case() -> None:
    request = completion_service_pb2.UpdateCompletionRequest()
    parse_message(
        {"completion": {"id": "c1"}, "updateMask": ["completion.origModule", "completion.prompt_tokens"]}, request
    )
    assert list(request.update_mask.paths) == ["completion.orig_module", "completion.prompt_tokens"]
    assert message_to_json(request)["update_mask"] == "completion.orig_module,completion.prompt_tokens"
    listing = completion_service_pb2.ListCompletionsRequest()
    parse_message({"created_after": 1704067200.25}, listing)
    assert (listing.created_after.seconds, listing.created_after.nanos) == (1704067200, 250_000_000)
    with pytest.raises(JsonMappingError) as caught:
        parse_message({"created_after": "yesterday"}, completion_service_pb2.ListCompletionsRequest())
    assert caught.value.field_path == "created_after"
    with pytest.raises(JsonMappingError, match="years 1 to 9999"):
        parse_message({"created_after": 1e12}, completion_service_pb2.ListCompletionsRequest())


def test_enum_numbers_past_int32_are_refused_not_crashed() -> None:
    with pytest.raises(JsonMappingError) as caught:
        parse_message({"status": 2**70}, completion_pb2.Completion())
    assert caught.value.field_path == "status" and "expected one of" in caught.value.description
    unknown = completion_pb2.Completion()
    parse_message({"status": 77}, unknown)  # proto3 keeps a number the enum does not name
    assert message_to_json(unknown)["status"] == 77


def test_null_values_and_nulls_in_arrays() -> None:
    completion = completion_pb2.Completion()
    parse_message({"model": None, "stacktrace": None}, completion)
    assert not completion.model and not completion.stacktrace
    with pytest.raises(JsonMappingError) as caught:
        parse_message({"tags": ["a", None]}, completion_pb2.Completion())
    assert caught.value.field_path == "tags[1]"
    with pytest.raises(JsonMappingError, match="expected an object, got null"):
        parse_message({"stacktrace": [None]}, completion_pb2.Completion())


def test_query_strings_append_to_repeated_fields_and_replace_singular_ones() -> None:
    request = feedback_service_pb2.ListFeedbackRequest()
    parse_message({"limit": 5, "task_id": "t1"}, request)
    assert set_from_strings(request, "limit", ["7", "9"])
    assert request.limit == 9 and request.task_id == "t1"
    listing = completion_service_pb2.ListCompletionsRequest(tags=["a"])
    assert set_from_strings(listing, "tags", ["b", "c"])
    assert list(listing.tags) == ["a", "b", "c"]
    assert not set_from_strings(listing, "no_such_field", ["x"])
    with pytest.raises(JsonMappingError) as caught:
        set_from_strings(listing, "page_size", ["many"])
    assert caught.value.field_path == "page_size" and "expected an integer" in caught.value.description


def test_non_finite_numbers_stored_in_a_struct_render_as_proto3_spells_them() -> None:
    completion = completion_pb2.Completion(id="c1")
    completion.metadata.update({"score": math.nan, "nested": {"big": math.inf}, "ok": 1})
    out = message_to_json(completion)
    assert out["metadata"] == {"score": "NaN", "nested": {"big": "Infinity"}, "ok": 1}
    assert isinstance(completion.metadata["score"], float)  # the message itself is left alone
