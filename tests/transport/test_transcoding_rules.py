"""The transcoder's rules against the real descriptors, without a server: templates, routes, JSON."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2
from multidict import MultiDict
from tenlog.v1 import completion_pb2, feedback_service_pb2, vendor_ingest_service_pb2
from tenlog_server.transport.http.errors import GatewayError
from tenlog_server.transport.http.headers import metadata_from_headers
from tenlog_server.transport.http.json_mapping import (
    JsonMappingError,
    field_mask_paths,
    message_to_json,
    parse_message,
)
from tenlog_server.transport.http.openapi import build_openapi
from tenlog_server.transport.http.path_template import PathTemplateError, parse_path_template, split_path
from tenlog_server.transport.http.request_building import build_request
from tenlog_server.transport.http.routes import RouteConfigError, RouteTable, build_route_table, load_services


@pytest.fixture(scope="module")
def table() -> RouteTable:
    return build_route_table(load_services())


def test_templates_bind_variables_nested_paths_wildcards_and_verbs() -> None:
    template = parse_path_template("/v1/{parent.name=shelves/*}/books/{book_id}:publish")
    assert template.verb == "publish"
    assert template.match(split_path("/v1/shelves/s1/books/b%2F2:publish")) == {
        "parent.name": "shelves/s1",
        "book_id": "b/2",
    }
    assert template.match(split_path("/v1/shelves/s1/books/b2")) is None
    deep = parse_path_template("/files/{path=**}")
    assert deep.match(split_path("/files/a/b/c")) == {"path": "a/b/c"}
    for bad in ("v1/x", "/v1/{a", "/v1/**/x", "/v1/{a b}"):
        with pytest.raises(PathTemplateError):
            parse_path_template(bad)


def test_literal_segments_beat_variables(table: RouteTable) -> None:
    ungraded = table.match("GET", "/api/v1/completions/ungraded")
    assert ungraded is not None and ungraded.route.method.name == "ListUngradedCompletions"
    by_id = table.match("GET", "/api/v1/completions/ungraded2")
    assert by_id is not None and by_id.route.method.name == "GetCompletion"
    verb = table.match("POST", "/api/v1/completions:batchCreate")
    assert verb is not None and verb.route.method.name == "BatchCreateCompletions"
    assert table.allowed_methods("/api/v1/completions/x") == ["DELETE", "GET", "POST"]
    assert table.match("GET", "/api/v1/feedback_task/") is not None  # a stray trailing slash is tolerated


def test_every_keywords_ai_path_and_the_success_code_option(table: RouteTable) -> None:
    for path in ("/api/request-logs/create/", "/api/request-logs/create", "/request-logs/create"):
        match = table.match("POST", path)
        assert match is not None and match.route.method.name == "CreateKeywordsAiRequestLog"
    create = table.match("POST", "/api/v1/completions")
    assert create is not None and create.route.success_code == 201


def test_clashing_bindings_are_refused_at_start_up() -> None:
    services = load_services()
    completion_service = next(s for s in services if s.name == "CompletionService")
    with pytest.raises(RouteConfigError, match="bound by both"):
        build_route_table([completion_service, completion_service])


def test_enums_extra_and_json_strings_round_trip() -> None:
    completion = completion_pb2.Completion()
    parse_message(
        {
            "status": "FINISHED",
            "kind": "KIND_PROMPT",
            "request": '{"model": "m", "n": 1}',
            "stacktrace": '[{"file": "a.py", "lineno": 3, "line": null}]',
            "orig_module": "openai",
            "nested": {"a": [1, 2.5]},
            "duration": 2,
        },
        completion,
    )
    assert completion.status == completion_pb2.STATUS_FINISHED
    assert completion.kind == completion_pb2.KIND_PROMPT
    assert completion.stacktrace[0].lineno == 3
    out = message_to_json(completion)
    assert out["status"] == "finished" and out["kind"] == "prompt"
    assert out["request"] == {"model": "m", "n": 1}  # integers come back as integers
    assert out["orig_module"] == "openai" and out["nested"] == {"a": [1, 2.5]}
    assert "extra" not in out and "source" not in out  # zero enums are left out


def test_type_errors_name_the_field_path() -> None:
    cases = [
        ({"tags": ["a", 3]}, "tags[1]", "expected a string, got number 3"),
        ({"stacktrace": [{"lineno": 2**40}]}, "stacktrace[0].lineno", "out of range"),
        ({"status": True}, "status", "expected one of started, finished, failed"),
        ({"request": "[1]"}, "request", "got a string holding array"),
    ]
    for body, field, description in cases:
        with pytest.raises(JsonMappingError) as caught:
            parse_message(body, completion_pb2.Completion())
        assert caught.value.field_path == field
        assert description in caught.value.description


def test_update_mask_comes_from_the_body_keys(table: RouteTable) -> None:
    assert field_mask_paths(
        {"status": "finished", "orig_qualname": "x", "other": 1, "request": {}}, completion_pb2.Completion.DESCRIPTOR
    ) == ["status", "extra", "request"]
    match = table.match("POST", "/api/v1/completions/c1")
    assert match is not None
    request = build_request(match.route, match.path_values, MultiDict(), {"status": "failed", "tags": []}, True)
    # POST /api/v1/completions/{id} writes (creates or updates) as log10-io's mock_chat_completions expects.
    assert isinstance(request, vendor_ingest_service_pb2.WriteLegacyCompletionRequest)
    assert request.completion.id == "c1"
    assert list(request.update_mask.paths) == ["status", "tags"]
    explicit = build_request(
        match.route, match.path_values, MultiDict(update_mask="tags"), {"status": "failed", "tags": []}, True
    )
    assert list(explicit.update_mask.paths) == ["tags"]


def test_query_parameters_and_get_bodies(table: RouteTable) -> None:
    match = table.match("GET", "/api/v1/feedback")
    assert match is not None
    query = MultiDict([("limit", "5"), ("organization_id", "ignored")])
    request = build_request(match.route, {}, query, {"task_id": "t1", "offset": 2}, True)
    assert isinstance(request, feedback_service_pb2.ListFeedbackRequest)
    assert (request.limit, request.offset, request.task_id) == (5, 2, "t1")
    listing = table.match("GET", "/api/v1/completions")
    assert listing is not None
    repeated = build_request(
        listing.route,
        {},
        MultiDict([("tags", "a"), ("tags", "b"), ("created_after", "2024-01-01T00:00:00Z")]),
        None,
        False,
    )
    assert list(repeated.tags) == ["a", "b"] and repeated.created_after.seconds == 1704067200
    with pytest.raises(GatewayError) as caught:
        build_request(listing.route, {}, MultiDict(status="nope"), None, False)
    assert caught.value.http_status == 400 and "query parameter status" in caught.value.message


def test_declared_json_names_are_used_on_output() -> None:
    answer = vendor_ingest_service_pb2.StartLegacyCompletionResponse(completion_id="c", organization_slug="o")
    assert message_to_json(answer) == {"completionID": "c", "organizationSlug": "o"}
    value = struct_pb2.Struct()
    value.update({"x": 1})
    assert message_to_json(value) == {"x": 1}


def test_headers_become_metadata() -> None:
    assert metadata_from_headers({"Authorization": "Bearer k1", "X-Log10-Organization-Id": "o"}) == [
        ("x-log10-token", "k1"),
        ("x-log10-organization", "o"),
    ]
    assert metadata_from_headers({"x-api-key": "k2", "Grpc-Metadata-Trace": "t"}) == [
        ("x-log10-token", "k2"),
        ("trace", "t"),
    ]
    assert metadata_from_headers({"Authorization": "Basic abc"}) == []


def test_openapi_names_every_route(table: RouteTable) -> None:
    doc = build_openapi(table)
    operations = [(m, p) for p, ops in doc["paths"].items() for m in ops]
    # A query-conditioned binding shares its path's operation (its answer is a oneOf branch there).
    assert len(operations) == len([r for r in table.routes if not r.when_query_has])
    # The contract's bare array, or log10-io's {"data", "total"} when the query names organization_id.
    assert doc["paths"]["/api/v1/feedback_task"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "oneOf"
    ][0] == {"type": "array", "items": {"$ref": "#/components/schemas/tenlog.v1.FeedbackTask"}}
    upload = doc["paths"]["/api/v1/completions:upload"]["post"]["requestBody"]["content"]
    assert "application/x-ndjson" in upload
