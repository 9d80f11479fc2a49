"""Fixtures for the OTLP tests: a live `tenlog serve` on SQLite, an API per organization, fixture payloads."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog_server.domain.api_keys import ApiKeys
from tenlog_server.storage.database import create_db_engine
from tenlog_server.storage.key_store import KeyStore

from tests.support.grpc_api import Api
from tests.support.server import ServerProcess, start_server


@pytest.fixture(scope="session")
def otlp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the OTLP tests (each test uses its own organization)."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('otlp') / 'tenlog.db'}"
    server = start_server(database_url, ["--no-bootstrap"])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def otlp_channel(otlp_server: ServerProcess) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(otlp_server.grpc_target) as channel:
        yield channel


@pytest.fixture(scope="session")
def otlp_keys(otlp_server: ServerProcess) -> Iterator[ApiKeys]:
    """tenlog's own key minting on the server's database (what `tenlog keys create` runs, without a process per key)."""
    engine = create_db_engine(otlp_server.database_url)
    yield ApiKeys(KeyStore(engine))
    engine.dispose()


@pytest.fixture
def org_api(otlp_keys: ApiKeys, otlp_channel: grpc.Channel) -> Api:
    """The API as a fresh organization, so tests never see each other's rows (response ids repeat)."""
    org = f"otlp-{uuid.uuid4().hex[:10]}"
    return Api(otlp_channel, otlp_keys.mint(org), org)


def completions(api: Api, **filters: Any) -> list[dict[str, Any]]:
    """Every completion matching the filters, as JSON dicts (proto field names)."""
    page = api.call(api.completions.ListCompletions, api_pb.ListCompletionsRequest(page_size=200, **filters))
    return [json_format.MessageToDict(c, preserving_proto_field_name=True) for c in page.completions]


def fresh_trace_ids(request: Any, mapping: dict[bytes, bytes] | None = None) -> dict[bytes, bytes]:
    """Give every trace in a captured request a new id (so repeated tests do not upsert each other's rows)."""
    mapping = {} if mapping is None else mapping
    for item in [*getattr(request, "resource_spans", []), *getattr(request, "resource_logs", [])]:
        for scope in [*getattr(item, "scope_spans", []), *getattr(item, "scope_logs", [])]:
            for record in [*getattr(scope, "spans", []), *getattr(scope, "log_records", [])]:
                if record.trace_id:
                    record.trace_id = mapping.setdefault(record.trace_id, uuid.uuid4().bytes)
    return mapping


def json_dump(value: Any) -> bytes:
    return json.dumps(value).encode()
