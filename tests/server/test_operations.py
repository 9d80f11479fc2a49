"""What an operator runs tenlog with: metrics, JSON access logs, request ids, health, reflection, first start."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import tenlog as tenlog_client
from grpc_reflection.v1alpha import reflection_pb2
from prometheus_client.parser import text_string_to_metric_families
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, chat_completion
from tests.support.server import TENLOG, ServerProcess, start_server


def http(method: str, url: str, body: object = None, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def samples(server: ServerProcess) -> dict[str, list]:
    """Every sample of /metrics, parsed with prometheus-client's own parser, by sample name."""
    status, headers, body = http("GET", f"{server.http_url}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


@pytest.fixture(scope="module")
def json_server(tmp_path_factory) -> Iterator[ServerProcess]:
    """A server logging JSON lines, with a key for org-ops."""
    url = f"sqlite:///{tmp_path_factory.mktemp('ops') / 'tenlog.db'}"
    server = start_server(url, ["--no-bootstrap", "--log-format", "json"])
    server.org = "org-ops"
    server.key = server.mint_key(server.org)
    yield server
    server.stop()


def test_metrics_count_grpc_and_rest_calls_and_commits(tenlog_server: ServerProcess, api: Api, unique: str) -> None:
    api.call(
        api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=chat_completion(tags=[unique]))
    )
    status, _, _ = http(
        "POST",
        f"{tenlog_server.http_url}/api/v1/completions",
        {"kind": "chat", "status": "finished", "tags": [unique]},
        {"X-Log10-Token": tenlog_server.key},
    )
    assert status == 201
    http("GET", f"{tenlog_server.http_url}/api/v1/completions/nope-{unique}", headers={"X-Log10-Token": "bad"})
    time.sleep(1.2)  # the sampler copies gauges once a second

    found = samples(tenlog_server)
    calls = {
        (s.labels["transport"], s.labels["method"], s.labels["code"]): s.value for s in found["tenlog_rpc_calls_total"]
    }
    assert calls[("grpc", "/tenlog.v1.CompletionService/CreateCompletion", "OK")] >= 1
    assert calls[("http", "/tenlog.v1.CompletionService/CreateCompletion", "201")] >= 1
    assert calls[("http", "/tenlog.v1.CompletionService/GetCompletion", "401")] >= 1
    durations = {s.labels["method"] for s in found["tenlog_rpc_duration_seconds_count"]}
    assert "/tenlog.v1.CompletionService/CreateCompletion" in durations
    assert found["tenlog_commit_batch_size_count"][0].value >= 2
    assert found["tenlog_commit_duration_seconds_count"][0].value >= 2
    assert found["tenlog_completions_committed_total"][0].value >= 2
    assert found["tenlog_write_queue_depth"][0].value >= 0
    assert found["tenlog_tail_subscribers"][0].value >= 0
    assert found["tenlog_db_pool_size"][0].value >= 1


def test_json_access_log_has_one_line_per_call_with_request_id_and_no_secrets(json_server: ServerProcess) -> None:
    request_id = f"req-{uuid.uuid4().hex[:8]}"
    status, headers, _ = http(
        "POST",
        f"{json_server.http_url}/api/v1/completions",
        {"kind": "chat", "status": "finished", "request": {"messages": [{"role": "user", "content": "secret body"}]}},
        {"X-Log10-Token": json_server.key, "X-Request-Id": request_id},
    )
    assert status == 201
    assert headers["X-Request-Id"] == request_id

    status, headers, _ = http("GET", f"{json_server.http_url}/healthz")
    assert status == 200 and len(headers["X-Request-Id"]) == 32  # minted when the client sent none

    with grpc.insecure_channel(json_server.grpc_target) as channel:
        stub_call = channel.unary_unary(
            "/tenlog.v1.CompletionService/ListCompletions",
            request_serializer=api_pb.ListCompletionsRequest.SerializeToString,
            response_deserializer=api_pb.ListCompletionsResponse.FromString,
        )
        _, call = stub_call.with_call(
            api_pb.ListCompletionsRequest(),
            metadata=(("x-log10-token", json_server.key), ("x-request-id", "grpc-" + request_id)),
        )
        assert ("x-request-id", "grpc-" + request_id) in call.trailing_metadata()
        with pytest.raises(grpc.RpcError) as refused:
            stub_call(api_pb.ListCompletionsRequest(), metadata=(("x-log10-token", "tlk_wrong"),))
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert any(k == "x-request-id" for k, _ in refused.value.trailing_metadata())  # echoed on errors too

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        records = [json.loads(line) for line in json_server.output if line.startswith("{")]
        access = [r for r in records if r.get("logger") == "tenlog.access"]
        mine = [r for r in access if r.get("request_id") in (request_id, "grpc-" + request_id)]
        refused_lines = [r for r in access if r.get("code") == "UNAUTHENTICATED"]
        if len(mine) >= 2 and refused_lines:  # the REST call, the direct gRPC call, and the refused one
            break
        time.sleep(0.1)
    rest = next(r for r in mine if r["transport"] == "http")
    assert rest["method"] == "/tenlog.v1.CompletionService/CreateCompletion" and rest["code"] == 201
    assert rest["path"] == "/api/v1/completions" and rest["duration_ms"] > 0 and rest["organization"] == "org-ops"
    grpc_line = next(r for r in mine if r["request_id"] == "grpc-" + request_id)
    assert grpc_line["code"] == "OK" and grpc_line["organization"] == "org-ops"
    assert refused_lines
    everything = "".join(json_server.output)
    assert json_server.key not in everything and "secret body" not in everything
    assert all(line.startswith("{") for line in json_server.output if line.strip() and "tenlog:" not in line)


def test_healthz_readyz_and_both_reflection_versions(tenlog_server: ServerProcess) -> None:
    assert http("GET", f"{tenlog_server.http_url}/healthz")[0] == 200
    status, _, body = http("GET", f"{tenlog_server.http_url}/readyz")
    assert status == 200 and json.loads(body)["status"] == "ready"

    with grpc.insecure_channel(tenlog_server.grpc_target) as channel:
        for package in ("grpc.reflection.v1alpha", "grpc.reflection.v1"):
            info = channel.stream_stream(
                f"/{package}.ServerReflection/ServerReflectionInfo",
                request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
            )
            (answer,) = list(info(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10))
            names = {s.name for s in answer.list_services_response.service}
            assert {"tenlog.v1.CompletionService", "grpc.reflection.v1.ServerReflection"} <= names


def test_first_start_banner_commands_work_as_printed(tmp_path: Path) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        deadline = time.monotonic() + 10
        while not any("tenlog completions list" in line for line in server.output) and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = [line.strip() for line in server.output]
        curl = next(line for line in lines if line.startswith("curl "))
        listing = next(line for line in lines if "tenlog completions list" in line)
        assert "grpcurl" not in "".join(lines)
        posted = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30)
        assert posted.returncode == 0 and '"status":"finished"' in posted.stdout
        # The banner says `tenlog`; run this environment's.
        command = listing.replace("tenlog completions", f"{shlex.quote(TENLOG)} completions", 1)
        listed = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
        assert listed.returncode == 0, listed.stderr
        assert "gpt-4o" in listed.stdout and "finished" in listed.stdout and "hello" in listed.stdout
    finally:
        server.stop()


def test_cli_lists_and_gets_completions_feedback_and_tasks(tenlog_server: ServerProcess, api: Api, unique: str) -> None:
    created = api.call(
        api.completions.CreateCompletion,
        api_pb.CreateCompletionRequest(completion=chat_completion(id=f"cli-{unique}", tags=[unique])),
    )
    env = {**os.environ, "TENLOG_TARGET": tenlog_server.grpc_target, "TENLOG_API_KEY": tenlog_server.key}

    def tenlog(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([TENLOG, *args], capture_output=True, text=True, env=env, timeout=30)

    table = tenlog("completions", "list", "--tag", unique)
    assert table.returncode == 0 and created.id in table.stdout and "gpt-4o" in table.stdout
    rows = [json.loads(line) for line in tenlog("completions", "list", "--tag", unique, "--json").stdout.splitlines()]
    assert [r["id"] for r in rows] == [created.id] and rows[0]["status"] == "finished"
    full = json.loads(tenlog("completions", "get", created.id, "--json").stdout)
    assert full["response"]["usage"]["total_tokens"] == 37 and isinstance(
        full["response"]["usage"]["total_tokens"], int
    )
    small = api.call(
        api.completions.CreateCompletion,
        api_pb.CreateCompletionRequest(
            completion=chat_completion(
                tags=[unique],
                request={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"zebra{unique[-6:]}"}]},
                response={"model": "gpt-4o-mini", "usage": {"total_tokens": 5}},
            )
        ),
    )
    by_filter = tenlog("completions", "list", "--tag", unique, "--filter", 'model = "gpt-4o-mini"', "--json")
    assert [json.loads(line)["id"] for line in by_filter.stdout.splitlines()] == [small.id]
    by_search = tenlog("completions", "list", "--search", f"zebra{unique[-6:]}", "--json")
    assert [json.loads(line)["id"] for line in by_search.stdout.splitlines()] == [small.id]
    ordered = tenlog("completions", "list", "--tag", unique, "--order-by", "total_tokens desc", "--json")
    assert [json.loads(line)["id"] for line in ordered.stdout.splitlines()] == [created.id, small.id]
    bad = tenlog("completions", "list", "--filter", "model =")
    assert bad.returncode == 1 and "INVALID_ARGUMENT" in bad.stderr
    missing = tenlog("completions", "get", f"nope-{unique}")
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr
    with tenlog_client.Client(tenlog_server.grpc_target, tenlog_server.key) as client:
        task = client.create_feedback_task(
            name=f"task-{unique}", json_schema={"type": "object", "properties": {"score": {"type": "integer"}}}
        )
        feedback = client.upload_feedback(task_id=task.id, json_values={"score": 4}, completion_ids=[created.id])
    listed = tenlog("feedback", "list", "--task-id", task.id)
    assert listed.returncode == 0 and feedback.id in listed.stdout and '{"score": 4}' in listed.stdout
    assert created.id in listed.stdout
    with tenlog_client.Client(tenlog_server.grpc_target, tenlog_server.key) as client:
        client.create_feedback_task(name=f"line\u2028separator-{unique}", json_schema={"type": "object"})
    tasks = [json.loads(line) for line in tenlog("feedback-tasks", "list", "--json").stdout.splitlines()]
    assert {f"task-{unique}", f"line\u2028separator-{unique}"} <= {t["name"] for t in tasks}
    assert json.loads(tenlog("feedback", "get", feedback.id, "--json").stdout)["json_values"] == {"score": 4}
    denied = subprocess.run(
        [TENLOG, "completions", "list", "--target", tenlog_server.grpc_target, "--api-key", "tlk_wrong"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert denied.returncode == 1 and "UNAUTHENTICATED" in denied.stderr


def test_metrics_of_worker_processes_add_up(tmp_path: Path) -> None:
    """With --workers 2 any worker's /metrics answers for both (prometheus-client multiprocess mode)."""
    server = start_server(f"sqlite:///{tmp_path / 'workers.db'}", ["--no-bootstrap", "--workers", "2"])
    try:
        key = server.mint_key("org-workers")
        for _ in range(20):  # new connections: the kernel spreads them over both workers
            with grpc.insecure_channel(server.grpc_target) as channel:
                Api(channel, key).call(
                    Api(channel, key).completions.CreateCompletion,
                    api_pb.CreateCompletionRequest(completion=chat_completion()),
                )
        totals = set()
        for _ in range(6):  # whichever worker answers, the sum is the same
            found = samples(server)
            totals.add(
                sum(
                    s.value
                    for s in found["tenlog_rpc_calls_total"]
                    if s.labels["method"] == "/tenlog.v1.CompletionService/CreateCompletion"
                )
            )
        assert totals == {20.0}
    finally:
        server.stop()


def wait_for_gauge(server: ServerProcess, name: str, wanted: float, seconds: float = 5.0) -> float:
    """Poll /metrics until the gauge shows wanted (the sampler copies gauges once a second); its last value."""
    deadline = time.monotonic() + seconds
    value = -1.0
    while time.monotonic() < deadline:
        value = samples(server)[name][0].value
        if value == wanted:
            break
        time.sleep(0.2)
    return value


def test_rest_tail_lets_go_of_a_gone_client_without_a_traceback(json_server: ServerProcess) -> None:
    request = urllib.request.Request(
        f"{json_server.http_url}/api/v1/completions:tail", headers={"X-Log10-Token": json_server.key}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert wait_for_gauge(json_server, "tenlog_tail_subscribers", 1) == 1
    # The client is gone and nothing happens on the tail: the server must notice by itself.
    assert wait_for_gauge(json_server, "tenlog_tail_subscribers", 0) == 0
    status, _, _ = http(
        "POST",
        f"{json_server.http_url}/api/v1/completions",
        {"status": "finished"},
        {"X-Log10-Token": json_server.key},
    )
    assert status == 201
    time.sleep(0.5)
    output = "".join(json_server.output)
    assert "Traceback" not in output and "ClientConnectionResetError" not in output
