"""Fuzz every route of tenlog's own /openapi.json with schemathesis against a live server, on both backends.

Checks: no 5xx and no hang (each call has a timeout), and rows stored before the
run are unchanged after it. `make test` runs a few examples per route
(TENLOG_FUZZ_EXAMPLES, default 3); `make fuzz` runs many more.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, chat_completion
from tests.support.server import ServerProcess


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_ctx: Any, value: Any) -> bytes:
    """Stream routes take NDJSON: one line per generated item."""
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


EXAMPLES = int(os.environ.get("TENLOG_FUZZ_EXAMPLES", "3"))
SEED_IDS = [f"fuzz-seed-{i}" for i in range(3)]
_before: dict[str, dict[str, bytes]] = {}
_keys: dict[str, str] = {}  # the fuzz's own organization per server: its random rows stay out of other tests' way


def _key(server: ServerProcess) -> str:
    if server.database_url not in _keys:
        _keys[server.database_url] = server.mint_key("org-openapi-fuzz")
    return _keys[server.database_url]


def _snapshot(server: ServerProcess) -> dict[str, bytes]:
    with grpc.insecure_channel(server.grpc_target) as channel:
        api = Api(channel, _key(server))
        return {
            i: api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=i)).SerializeToString()
            for i in SEED_IDS
        }


@pytest.fixture(scope="module")
def openapi_schema(tenlog_server: ServerProcess) -> Iterator[Any]:
    """The live server's own OpenAPI document, after seeding the rows that must survive the run."""
    with grpc.insecure_channel(tenlog_server.grpc_target) as channel:
        api = Api(channel, _key(tenlog_server))
        for i in SEED_IDS:
            completion = chat_completion(id=i, tags=["fuzz-seed"])
            api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=completion))
    _before[tenlog_server.database_url] = _snapshot(tenlog_server)
    yield schemathesis.openapi.from_url(f"{tenlog_server.http_url}/openapi.json")


def test_no_route_answers_5xx(openapi_schema: Any, tenlog_server: ServerProcess) -> None:
    results = list(openapi_schema.get_all_operations())
    # Two operations of the generated document do not load in schemathesis (known, left to the
    # openapi.py owners); every other route is fuzzed.
    operations = [result.ok() for result in results if hasattr(result, "ok")]
    assert len(operations) >= len(results) - 2 and len(operations) > 10
    for operation in operations:
        if operation.path.endswith(":tail"):
            continue  # an open-ended stream by design: tests/grpc_api and test_hardening cover it

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(headers={"X-Log10-Token": _key(tenlog_server)}, timeout=30)
            assert response.status_code < 500, (
                case.method,
                case.formatted_path,
                response.status_code,
                response.text[:500],
            )

        call()


def test_rows_stored_before_the_run_are_unchanged(tenlog_server: ServerProcess, openapi_schema: Any) -> None:
    assert _snapshot(tenlog_server) == _before[tenlog_server.database_url]
