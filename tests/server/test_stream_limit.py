"""The per-stream item limit: exceeding it ends the stream with an error that names the limit."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, chat_completion, error_details, list_all_ids, rpc_error
from tests.support.server import start_server


def test_too_long_a_stream_is_refused_by_name(sqlite_path: str, unique: str) -> None:
    server = start_server(sqlite_path, ["--no-bootstrap", "--http-port", "-1", "--max-stream-items", "5"])
    try:
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, server.mint_key("org-a"))

            def items(count: int) -> Iterator[api_pb.UploadCompletionsRequest]:
                for i in range(count):
                    yield api_pb.UploadCompletionsRequest(completion=chat_completion(id=f"s{i}", tags=[unique]))

            err = rpc_error(lambda: api.completions.UploadCompletions(items(9), metadata=api.metadata, timeout=30))
            assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "TENLOG_MAX_STREAM_ITEMS" in (err.details() or "") and "5" in (err.details() or "")
            assert error_details(err)["reason"] == "STREAM_TOO_LONG"
            assert len(list_all_ids(api, tags=[unique])) <= 5  # nothing past the limit was stored
            summary = api.completions.UploadCompletions(items(5), metadata=api.metadata, timeout=30)
            assert summary.accepted_count == 5  # at the limit is fine
    finally:
        server.stop()
