"""The OTLP receivers over real sockets: authentication, OTLP answers, bounds, and malformed input."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import aiohttp
import grpc
import pytest
from google.protobuf import json_format
from google.rpc import status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

from tests.support.grpc_api import Api, error_details
from tests.support.otlp_captures import logs_fixture, trace_fixture
from tests.support.server import ServerProcess, start_server

from .conftest import completions, fresh_trace_ids

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}
TIGHT_LIMIT = 2 * 1024 * 1024


def attr(key: str, value: Any) -> KeyValue:
    if isinstance(value, str):
        return KeyValue(key=key, value=AnyValue(string_value=value))
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    return KeyValue(key=key, value=AnyValue(int_value=value))


def llm_span(content: str = "Hi", *, trace_id: bytes | None = None, span_id: bytes | None = None) -> Span:
    messages = json.dumps([{"role": "user", "parts": [{"type": "text", "content": content}]}])
    return Span(
        trace_id=uuid.uuid4().bytes if trace_id is None else trace_id,
        span_id=os.urandom(8) if span_id is None else span_id,
        name="chat gpt-4o",
        kind=Span.SPAN_KIND_CLIENT,
        start_time_unix_nano=1_700_000_000_000_000_000,
        end_time_unix_nano=1_700_000_001_500_000_000,
        attributes=[
            attr("gen_ai.operation.name", "chat"),
            attr("gen_ai.provider.name", "openai"),
            attr("gen_ai.request.model", "gpt-4o"),
            attr("gen_ai.input.messages", messages),
            attr("gen_ai.usage.input_tokens", 3),
        ],
    )


def export(*spans: Span) -> ExportTraceServiceRequest:
    return ExportTraceServiceRequest(resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=list(spans))])])


def grpc_export(server: ServerProcess, request: ExportTraceServiceRequest, metadata: Any, **kwargs: Any) -> Any:
    with grpc.insecure_channel(server.grpc_target) as channel:
        return trace_service_pb2_grpc.TraceServiceStub(channel).Export(request, metadata=metadata, timeout=30, **kwargs)


async def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status, await response.read(), dict(response.headers)


def http_post(
    server: ServerProcess, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, bytes, dict[str, str]]:
    return asyncio.run(post(server.http_url + path, body, headers))


@pytest.fixture(scope="module")
def tight_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with a 2 MiB message limit and a tiny write queue: the bounds are quick to reach."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('otlp-tight') / 'tenlog.db'}"
    server = start_server(
        database_url,
        ["--no-bootstrap", "--max-pending-writes", "20"],
        env={"TENLOG_MAX_MESSAGE_BYTES": str(TIGHT_LIMIT)},
    )
    server.key = server.mint_key("org-tight")
    yield server
    server.stop()


def test_grpc_accepts_each_header_otlp_exporters_send_the_key_in(otlp_server: ServerProcess, org_api: Api) -> None:
    for metadata in (
        [("x-log10-token", org_api.key)],
        [("authorization", f"Bearer {org_api.key}")],
        [("x-api-key", org_api.key)],
    ):
        response = grpc_export(otlp_server, export(llm_span()), metadata)
        assert not response.HasField("partial_success")
    assert len(completions(org_api, tags=[])) == 3
    for metadata in ([], [("authorization", "Bearer tlk_wrong")]):
        with pytest.raises(grpc.RpcError) as caught:
            grpc_export(otlp_server, export(llm_span()), metadata)
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_http_refuses_a_missing_key_with_a_status_in_the_request_encoding(otlp_server: ServerProcess) -> None:
    status, body, _ = http_post(otlp_server, "/v1/traces", export(llm_span()).SerializeToString(), PROTOBUF)
    assert status == 401
    assert "missing API key" in status_pb2.Status.FromString(body).message
    status, body, _ = http_post(otlp_server, "/v1/logs", b"{}", JSON)
    assert status == 401 and "missing API key" in json.loads(body)["message"]


def test_empty_exports_are_accepted(otlp_server: ServerProcess, org_api: Api) -> None:
    headers = {**JSON, "x-api-key": org_api.key}
    for body in ({}, {"resourceSpans": []}, {"resourceSpans": [{}]}, {"resourceSpans": [{"scopeSpans": [{}]}]}):
        status, answer, _ = http_post(otlp_server, "/v1/traces", json.dumps(body).encode(), headers)
        assert (status, json.loads(answer)) == (200, {})
    status, answer, _ = http_post(otlp_server, "/v1/traces", b"", {**PROTOBUF, "x-api-key": org_api.key})
    assert status == 200 and ExportTraceServiceResponse.FromString(answer) == ExportTraceServiceResponse()
    status, answer, _ = http_post(otlp_server, "/v1/logs", b'{"resourceLogs": [{}]}', headers)
    assert (status, json.loads(answer)) == (200, {})
    assert completions(org_api) == []


def test_otlp_json_partial_success_counts_spans_without_ids_and_names_what_was_not_stored(
    otlp_server: ServerProcess, org_api: Api
) -> None:
    span = json_format.MessageToDict(llm_span("no ids", trace_id=b"", span_id=b""))
    other = {"traceId": uuid.uuid4().hex, "spanId": os.urandom(8).hex(), "name": "GET /", "kind": 2, "status": {}}
    good = json_format.MessageToDict(llm_span("kept"))
    good["traceId"], good["spanId"] = uuid.uuid4().hex, os.urandom(8).hex()
    good["startTimeUnixNano"] = "1700000000000000000"  # int64 as a string, as OTLP/JSON writes it
    body = {"resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {}, "spans": [span, other, good]}]}]}
    status, answer, _ = http_post(
        otlp_server, "/v1/traces", json.dumps(body).encode(), {**JSON, "x-api-key": org_api.key}
    )
    assert status == 200
    partial = json.loads(answer)["partialSuccess"]
    assert partial["rejectedSpans"] == "1"
    assert "no valid trace_id and span_id" in partial["errorMessage"]
    assert "1 spans are not LLM calls" in partial["errorMessage"]
    (stored,) = completions(org_api)
    assert stored["id"] == f"{good['traceId']}-{good['spanId']}"
    assert stored["request"]["messages"] == [{"role": "user", "content": "kept"}]


def test_bad_otlp_json_and_protobuf_are_400_naming_the_problem(otlp_server: ServerProcess, org_api: Api) -> None:
    headers = {**JSON, "x-api-key": org_api.key}
    body = {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "not-hex", "spanId": "00"}]}]}]}
    status, answer, _ = http_post(otlp_server, "/v1/traces", json.dumps(body).encode(), headers)
    assert status == 400
    assert "resourceSpans[0].scopeSpans[0].spans[0].traceId: must be a hex string" in json.loads(answer)["message"]
    status, answer, _ = http_post(otlp_server, "/v1/traces", b"[1, 2", headers)
    assert status == 400 and "not JSON" in json.loads(answer)["message"]
    status, answer, _ = http_post(otlp_server, "/v1/traces", b"\xff\xff\xff", {**PROTOBUF, "x-api-key": org_api.key})
    assert status == 400 and "not an OTLP protobuf message" in status_pb2.Status.FromString(answer).message
    status, _, _ = http_post(otlp_server, "/v1/traces", b"x", {"Content-Type": "text/plain", "x-api-key": org_api.key})
    assert status == 415
    assert completions(org_api) == []


def test_unknown_attribute_value_types_are_kept_as_null(otlp_server: ServerProcess, org_api: Api) -> None:
    span = llm_span("future")
    # An AnyValue whose kind is field 99 (a newer protocol's): unknown to this proto, skipped by the parser.
    future = AnyValue.FromString(b"\x9a\x06\x03abc")
    span.attributes.append(KeyValue(key="app.future", value=future))
    grpc_export(otlp_server, export(span), [("x-api-key", org_api.key)])
    as_json = json_format.MessageToDict(llm_span("future json"))
    as_json["traceId"], as_json["spanId"] = uuid.uuid4().hex, os.urandom(8).hex()
    as_json["attributes"].append({"key": "app.future", "value": {"futureValue": {"x": 1}}})
    body = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [as_json]}]}]}).encode()
    status, _, _ = http_post(otlp_server, "/v1/traces", body, {**JSON, "x-api-key": org_api.key})
    assert status == 200
    rows = completions(org_api)
    assert len(rows) == 2
    for row in rows:
        assert row["metadata"]["attributes"]["app.future"] is None
        assert row["metadata"]["attributes"]["gen_ai.request.model"] == "gpt-4o"


def test_huge_attributes_are_stored_whole_and_too_large_requests_refused(tight_server: ServerProcess) -> None:
    api_key = [("x-api-key", tight_server.key)]
    big = "x" * (TIGHT_LIMIT // 4)  # kept twice (request and metadata.attributes): the answer fits the limit
    span = llm_span(big)
    grpc_export(tight_server, export(span), api_key)
    with grpc.insecure_channel(tight_server.grpc_target) as channel:
        api = Api(channel, tight_server.key)
        (row,) = completions(api, tags=[f"otel.trace:{span.trace_id.hex()}"])
    assert row["request"]["messages"][0]["content"] == big
    too_big = export(llm_span("y" * (TIGHT_LIMIT + 1000)))
    with pytest.raises(grpc.RpcError) as caught:
        grpc_export(tight_server, too_big, api_key)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    status, answer, _ = http_post(
        tight_server, "/v1/traces", too_big.SerializeToString(), {**PROTOBUF, "x-api-key": tight_server.key}
    )
    assert status == 413
    assert "larger than the limit" in status_pb2.Status.FromString(answer).message


def test_gzip_bombs_cost_no_more_than_the_limit(tight_server: ServerProcess) -> None:
    bomb = export(llm_span("z" * (8 * TIGHT_LIMIT)))  # 16 MiB inflated, about 16 KiB on the wire
    compressed = gzip.compress(bomb.SerializeToString())
    assert len(compressed) < TIGHT_LIMIT
    headers = {**PROTOBUF, "Content-Encoding": "gzip", "x-api-key": tight_server.key}
    status, answer, _ = http_post(tight_server, "/v1/traces", compressed, headers)
    assert status == 413
    assert "larger than the limit" in status_pb2.Status.FromString(answer).message
    with pytest.raises(grpc.RpcError) as caught:
        grpc_export(tight_server, bomb, [("x-api-key", tight_server.key)], compression=grpc.Compression.Gzip)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    # A gzip body within the limit is taken, over HTTP and gRPC.
    small = export(llm_span("fine"))
    status, _, _ = http_post(tight_server, "/v1/traces", gzip.compress(small.SerializeToString()), headers)
    assert status == 200
    grpc_export(
        tight_server, export(llm_span("fine")), [("x-api-key", tight_server.key)], compression=grpc.Compression.Gzip
    )


async def _flood(server: ServerProcess, calls: int) -> tuple[list[Any], list[tuple[int, dict[str, str]]]]:
    def batch() -> ExportTraceServiceRequest:
        return export(*(llm_span(f"flood {i}") for i in range(30)))

    metadata = (("x-api-key", server.key),)
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = trace_service_pb2_grpc.TraceServiceStub(channel)

        async def one() -> Any:
            try:
                return await stub.Export(batch(), metadata=metadata, timeout=30)
            except grpc.aio.AioRpcError as exc:
                return exc

        grpc_results = await asyncio.gather(*(one() for _ in range(calls)))
    headers = {**PROTOBUF, "x-api-key": server.key}
    http_results = await asyncio.gather(
        *(post(server.http_url + "/v1/traces", batch().SerializeToString(), headers) for _ in range(calls))
    )
    return list(grpc_results), [(status, h) for status, _, h in http_results]


def test_overload_is_resource_exhausted_with_retry_info_and_429_with_retry_after(tight_server: ServerProcess) -> None:
    grpc_results, http_results = asyncio.run(_flood(tight_server, 40))
    refused = [r for r in grpc_results if isinstance(r, grpc.aio.AioRpcError)]
    assert refused and len(refused) < len(grpc_results), "the flood should both land and be pushed back"
    for exc in refused:
        assert exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error_details(exc)["retry_delay"] > 0  # type: ignore[arg-type]
    statuses = [status for status, _ in http_results]
    assert 429 in statuses and 200 in statuses
    for status, headers in http_results:
        if status == 429:
            assert int(headers["Retry-After"]) >= 1


def test_reexport_does_not_duplicate_and_a_later_view_fills_in_content(
    otlp_server: ServerProcess, org_api: Api
) -> None:
    """genai-event's spans carry no content; its log records do. Spans first here, then logs, then spans again."""
    metadata = [("x-log10-token", org_api.key)]
    traces = trace_fixture("genai-event")
    logs = logs_fixture("genai-event")
    ids = fresh_trace_ids(traces)
    fresh_trace_ids(logs, ids)
    grpc_export(otlp_server, traces, metadata)
    stored = completions(org_api)
    before = {r["model"]: r for r in stored}
    assert len(stored) == 6
    assert "messages" not in before["chat-plain"]["request"]
    with grpc.insecure_channel(otlp_server.grpc_target) as channel:
        logs_service_pb2_grpc.LogsServiceStub(channel).Export(logs, metadata=metadata, timeout=30)
    grpc_export(otlp_server, traces, metadata)  # re-exported: same ids, still no content on the spans
    after = completions(org_api)
    assert sorted(r["id"] for r in after) == sorted(r["id"] for r in stored)
    plain = {r["model"]: r for r in after}["chat-plain"]
    assert plain["id"] == before["chat-plain"]["id"]
    assert plain["request"]["messages"][0] == {"role": "system", "content": "You are terse."}
    assert plain["response"]["choices"][0]["message"]["content"] == "Hello there!"
    assert plain["status"] == "STATUS_FINISHED"
