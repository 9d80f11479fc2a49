"""Overload: a full write queue answers RESOURCE_EXHAUSTED with RetryInfo (HTTP 429 + Retry-After),
nothing refused is stored, and streams slow down instead of failing."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import completion_service_pb2_grpc as api_grpc

from tests.support.grpc_api import Api, chat_completion, error_details, list_all_ids
from tests.support.server import ServerProcess, start_server


@pytest.fixture
def small_queue_server(sqlite_path: str) -> Iterator[ServerProcess]:
    server = start_server(sqlite_path, ["--no-bootstrap", "--max-pending-writes", "300"])
    server.key = server.mint_key("org-a")
    yield server
    server.stop()


def count_stored(api: Api, tag: str) -> int:
    return len(list_all_ids(api, tags=[tag]))


async def _flood(target: str, key: str, calls: int) -> list[object]:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = api_grpc.CompletionServiceStub(channel)

        async def one(i: int) -> object:
            items = [chat_completion(id=f"flood{i}-{j}", tags=["flood"]) for j in range(100)]
            try:
                resp = await stub.BatchCreateCompletions(
                    api_pb.BatchCreateCompletionsRequest(completions=items), metadata=(("x-log10-token", key),)
                )
                return resp.accepted_count
            except grpc.aio.AioRpcError as exc:
                return exc

        return list(await asyncio.gather(*(one(i) for i in range(calls))))


def test_full_queue_rejects_with_retry_info_and_stores_only_what_it_acknowledged(
    small_queue_server: ServerProcess,
) -> None:
    results = asyncio.run(_flood(small_queue_server.grpc_target, small_queue_server.key, 60))
    accepted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert accepted and refused, "the flood should both land and be pushed back"
    assert all(r == 100 for r in accepted)
    for exc in refused:
        assert exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        details = error_details(exc)  # type: ignore[arg-type]
        assert details["reason"] == "WRITE_QUEUE_FULL" and details["retry_delay"] > 0
        assert "write queue is full" in (exc.details() or "")
    with grpc.insecure_channel(small_queue_server.grpc_target) as channel:
        assert count_stored(Api(channel, small_queue_server.key), "flood") == 100 * len(accepted)


def test_rest_overload_is_429_with_retry_after(small_queue_server: ServerProcess) -> None:
    def post(i: int) -> tuple[int, dict[str, str], dict[str, object]]:
        body = {
            "completions": [{"id": f"rest{i}-{j}", "status": "finished", "tags": ["rest-flood"]} for j in range(100)]
        }
        req = urllib.request.Request(
            f"{small_queue_server.http_url}/api/v1/completions:batchCreate",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Log10-Token": small_queue_server.key},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, dict(resp.headers), json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), json.loads(err.read())

    with ThreadPoolExecutor(40) as pool:
        answers = list(pool.map(post, range(80)))
    statuses = {status for status, _, _ in answers}
    assert statuses <= {200, 429} and 429 in statuses and 200 in statuses
    for status, headers, body in answers:
        if status == 429:
            assert int(headers["Retry-After"]) >= 1
            assert "write queue is full" in str(body["message"])


def test_streams_slow_down_instead_of_failing(small_queue_server: ServerProcess) -> None:
    def items() -> Iterator[api_pb.UploadCompletionsRequest]:
        for i in range(3000):
            yield api_pb.UploadCompletionsRequest(completion=chat_completion(id=f"slow{i}", tags=["slow"]))

    with grpc.insecure_channel(small_queue_server.grpc_target) as channel:
        api = Api(channel, small_queue_server.key)
        with ThreadPoolExecutor(3) as pool:
            # Three streams at once push far past the 300-item queue.
            runs = [
                pool.submit(api.completions.UploadCompletions, items(), metadata=api.metadata, timeout=120)
                for _ in range(3)
            ]
            summaries = [run.result() for run in runs]
        assert all(s.accepted_count == 3000 and s.rejected_count == 0 for s in summaries)
        assert count_stored(api, "slow") == 3000  # same ids three times: idempotent


def test_a_batch_larger_than_the_queue_still_lands_on_an_idle_server(small_queue_server: ServerProcess) -> None:
    with grpc.insecure_channel(small_queue_server.grpc_target) as channel:
        api = Api(channel, small_queue_server.key)
        items = [chat_completion(id=f"big{i}", tags=["big"]) for i in range(500)]
        resp = api.call(api.completions.BatchCreateCompletions, api_pb.BatchCreateCompletionsRequest(completions=items))
        assert resp.accepted_count == 500
