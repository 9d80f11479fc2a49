"""Issue 9 on every path a call can take: gRPC, REST inside `tenlog serve` (in-process dispatch) and
REST through `tenlog gateway --upstream` (a gRPC channel).

- Internal errors are opaque (an error id, never SQL), and the id is in the server log.
- Past the concurrent-call limit, REST answers 429 with Retry-After (gRPC: RetryInfo).
- On SIGTERM the REST gateway keeps answering: requests in progress finish, new ones get
  503 with Retry-After.

These are transport behaviours, the same on both backends: they run on SQLite.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import grpc
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import feedback_task_service_pb2 as task_pb

from tests.support.gateway import start_gateway
from tests.support.grpc_api import Api, error_details, rpc_error
from tests.support.server import start_server

MAX_ERROR_BYTES = 500  # "never more than a few hundred bytes"


def http_get(base_url: str, path: str, key: str) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(base_url + path, headers={"X-Log10-Token": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_internal_errors_are_opaque_on_every_path(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--no-bootstrap"])
    gateway = start_gateway(server.grpc_target)
    try:
        key = server.mint_key("org-a")
        # A real internal error: the table the call reads is gone (its SQL would name it).
        with sqlite3.connect(sqlite_path.removeprefix("sqlite:///")) as db:
            db.execute("ALTER TABLE feedback_tasks RENAME TO feedback_tasks_gone")
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, key)
            exc = rpc_error(lambda: api.call(api.tasks.GetFeedbackTask, task_pb.GetFeedbackTaskRequest(id="t")))
        assert exc.code() == grpc.StatusCode.INTERNAL
        messages = [exc.details() or ""]
        for base_url in (server.http_url, gateway.http_url):
            status, _, body = http_get(base_url, "/api/v1/feedback_task/t", key)
            assert status == 500, body
            assert len(json.dumps(body)) < MAX_ERROR_BYTES, body
            messages.append(body["message"])
        for message in messages:
            assert len(message.encode()) < MAX_ERROR_BYTES, message
            assert "feedback_tasks" not in message and "SELECT" not in message, message
            found = re.search(r"internal error \(id ([0-9a-f]+)\)", message)
            assert found, message
            error_id = found.group(1)
            # The id leads to the traceback in the server's log.
            _wait_for(lambda error_id=error_id: error_id in "".join(server.output), "error id not logged")
        assert "Traceback" in "".join(server.output)
    finally:
        gateway.stop()
        server.stop()


def test_past_the_call_limit_rest_gets_429_with_retry_after_on_both_rest_paths(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--no-bootstrap"], env={"TENLOG_MAX_CONCURRENT_RPCS": "2"})
    gateway = start_gateway(server.grpc_target)
    try:
        key = server.mint_key("org-a")
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, key)
            tails = [
                api.completions.TailCompletions(api_pb.TailCompletionsRequest(tags=["x"]), metadata=api.metadata)
                for _ in range(2)
            ]

            time.sleep(1)  # both tails are in progress (a call racing them would take a place)
            assert not any(tail.done() for tail in tails)
            exc = rpc_error(lambda: api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id="x")))
            assert error_details(exc)["reason"] == "TOO_MANY_CALLS"
            for base_url in (server.http_url, gateway.http_url):
                status, headers, body = http_get(base_url, "/api/v1/completions/x", key)
                assert status == 429, body
                assert float(headers["Retry-After"]) >= 1, headers
                assert body["details"], body  # the RetryInfo / ErrorInfo details travel along
            for tail in tails:
                tail.cancel()
    finally:
        gateway.stop()
        server.stop()


def _slow_create(base_url: str, key: str, completion_id: str) -> tuple[http.client.HTTPConnection, bytes]:
    """Start a CreateCompletion whose body is only half sent: the request is in progress."""
    host, port = base_url.removeprefix("http://").split(":")
    body = json.dumps({"id": completion_id, "status": "finished", "request": {"pad": "x" * 2000}}).encode()
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest("POST", "/api/v1/completions")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("X-Log10-Token", key)
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders()
    connection.send(body[:100])
    return connection, body[100:]


def _finish(connection: http.client.HTTPConnection, rest: bytes) -> tuple[int, Any]:
    connection.send(rest)
    answer = connection.getresponse()
    return answer.status, json.loads(answer.read())


def test_on_sigterm_rest_in_progress_finishes_and_new_rest_calls_get_503(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--no-bootstrap", "--grace-seconds", "20"])
    gateway = start_gateway(server.grpc_target)
    try:
        key = server.mint_key("org-a")
        # `tenlog gateway --upstream` first, then `tenlog serve` (its in-process REST).
        for proc, base_url, completion_id in (
            (gateway.proc, gateway.http_url, "through-gateway"),
            (server.proc, server.http_url, "in-process"),
        ):
            connection, rest = _slow_create(base_url, key, completion_id)
            time.sleep(0.3)  # the gateway handles the request and waits for its body
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)  # the signal is handled

            def draining(base_url: str = base_url, completion_id: str = completion_id) -> bool:
                return http_get(base_url, f"/api/v1/completions/{completion_id}", key)[0] == 503

            _wait_for(draining, "new REST calls are not refused while draining")
            status, headers, body = http_get(base_url, f"/api/v1/completions/{completion_id}", key)
            assert status == 503 and headers["Retry-After"] == "1", (status, body)
            status, created = _finish(connection, rest)
            assert status == 201 and created["id"] == completion_id, created
            assert proc.wait(30) == 0
    finally:
        gateway.stop()
        server.stop()
    restarted = start_server(sqlite_path, ["--no-bootstrap", "--http-port", "-1"])
    try:
        with grpc.insecure_channel(restarted.grpc_target) as channel:
            api = Api(channel, key)
            for completion_id in ("through-gateway", "in-process"):
                got = api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=completion_id))
                assert got.id == completion_id  # acknowledged, so committed
    finally:
        restarted.stop()
