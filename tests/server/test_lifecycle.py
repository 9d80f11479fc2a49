"""The server process: first start, health, reflection, message limits, SIGTERM."""

from __future__ import annotations

import queue
import re
import signal
import threading
import time
from collections.abc import Iterator

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, chat_completion, list_all_ids, rpc_error
from tests.support.server import start_server


def test_first_start_creates_default_org_and_prints_a_working_key(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--http-port", "-1"])
    try:
        printed = "".join(server.output)
        match = re.search(r"(tlk_[A-Za-z0-9_-]+)", printed)
        # Without the HTTP port the banner offers the tenlog CLI (test_operations runs the curl one).
        assert match and "tenlog completions list" in printed and "grpcurl" not in printed
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, match.group(1), "default")
            made = api.call(
                api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=chat_completion())
            )
            assert made.organization_id == "default"
    finally:
        assert server.stop() == 0
    again = start_server(sqlite_path, ["--http-port", "-1"])  # not a fresh database: no new key
    try:
        assert "tlk_" not in "".join(again.output)
    finally:
        again.stop()


def test_health_and_reflection(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--http-port", "-1", "--no-bootstrap"])
    try:
        with grpc.insecure_channel(server.grpc_target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            for service in ("", "tenlog.v1.CompletionService", "tenlog.v1.FeedbackService"):
                resp = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
                assert resp.status == health_pb2.HealthCheckResponse.SERVING
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)
            (answer,) = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
            names = {s.name for s in answer.list_services_response.service}
            assert {
                "tenlog.v1.CompletionService",
                "tenlog.v1.SessionService",
                "tenlog.v1.FeedbackService",
                "tenlog.v1.FeedbackTaskService",
                "grpc.health.v1.Health",
            } <= names
    finally:
        server.stop()


def test_max_message_size_is_enforced(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--http-port", "-1", "--no-bootstrap", "--max-message-bytes", "65536"])
    try:
        key = server.mint_key("org-a")
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, key)
            big = chat_completion(request={"model": "m", "messages": [{"role": "user", "content": "x" * 100_000}]})
            err = rpc_error(
                lambda: api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=big))
            )
            assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            small = chat_completion()
            api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=small))
    finally:
        server.stop()


def test_sigterm_reports_not_serving_finishes_in_flight_calls_and_exits_zero(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--http-port", "-1", "--no-bootstrap", "--grace-seconds", "20"])
    key = server.mint_key("org-a")
    results: list[object] = []
    with grpc.insecure_channel(server.grpc_target) as channel:
        api = Api(channel, key)
        health = health_pb2_grpc.HealthStub(channel)
        watch = health.Watch(health_pb2.HealthCheckRequest(service=""), timeout=30)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING

        batches = [
            api_pb.BatchCreateCompletionsRequest(
                completions=[chat_completion(id=f"inflight-{i}-{j}") for j in range(200)]
            )
            for i in range(8)
        ]

        def writer(req: api_pb.BatchCreateCompletionsRequest) -> None:
            try:
                results.append(api.call(api.completions.BatchCreateCompletions, req).accepted_count)
            except grpc.RpcError as exc:
                results.append(exc.code())

        threads = [threading.Thread(target=writer, args=(req,)) for req in batches]
        for t in threads:
            t.start()
        time.sleep(0.05)  # the calls are on the wire; some are being written
        server.proc.send_signal(signal.SIGTERM)
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
        watch.cancel()  # an open Watch would hold shutdown for the whole grace period
        for t in threads:
            t.join()
        assert server.proc.wait(30) == 0
    accepted = [r for r in results if isinstance(r, int)]
    # Calls that reached a handler before SIGTERM completed; later ones were refused, never half-done.
    refused = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
    assert all(r == 200 or r in refused for r in results), results
    assert accepted, "no call was in flight when SIGTERM arrived"

    restarted = start_server(sqlite_path, ["--http-port", "-1", "--no-bootstrap"])
    try:
        with grpc.insecure_channel(restarted.grpc_target) as channel:
            api = Api(channel, key)
            stored = len(list_all_ids(api))
            assert stored == 200 * len(accepted)
    finally:
        restarted.stop()


def test_sigterm_ends_idle_streams_instead_of_waiting_out_the_grace_period(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--http-port", "-1", "--no-bootstrap", "--grace-seconds", "60"])
    key = server.mint_key("org-a")
    requests: queue.Queue[api_pb.StreamCompletionsRequest | None] = queue.Queue()

    def request_iter() -> Iterator[api_pb.StreamCompletionsRequest]:
        while (item := requests.get()) is not None:
            yield item

    with grpc.insecure_channel(server.grpc_target) as channel:
        api = Api(channel, key)
        call = api.completions.StreamCompletions(request_iter(), metadata=api.metadata, timeout=120)
        requests.put(api_pb.StreamCompletionsRequest(completion=chat_completion(id="before-shutdown")))
        assert next(call).id == "before-shutdown"
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)  # the stream is open and idle
        assert list(call) == []  # it ends cleanly: a client reconnects and resends what was not acked
        assert server.proc.wait(30) == 0
        assert time.monotonic() - started < 20
        requests.put(None)
    restarted = start_server(sqlite_path, ["--http-port", "-1", "--no-bootstrap"])
    try:
        with grpc.insecure_channel(restarted.grpc_target) as channel:
            api = Api(channel, key)
            assert api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id="before-shutdown")).id
    finally:
        restarted.stop()
