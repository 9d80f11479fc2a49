"""Serving past one core (--workers) and past one machine (two servers on one PostgreSQL)."""

from __future__ import annotations

import concurrent.futures
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, chat_completion
from tests.support.server import ServerProcess, start_server


def children(pid: int) -> list[int]:
    """The worker processes of a server (not multiprocessing's resource tracker)."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        pids = [int(p) for p in f.read().split()]
    return [p for p in pids if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def test_workers_share_the_ports_and_the_database(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--no-bootstrap", "--workers", "2"])
    try:
        deadline = time.monotonic() + 30
        while "".join(server.output).count("serving HTTP") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "".join(server.output).count("serving gRPC") == 2
        assert len(children(server.proc.pid)) == 2
        key = server.mint_key("org-a")

        def write(i: int) -> str:
            # A new channel per call spreads connections over both processes.
            with grpc.insecure_channel(server.grpc_target) as channel:
                api = Api(channel, key)
                req = api_pb.CreateCompletionRequest(completion=chat_completion(id=f"w{i}", tags=["workers"]))
                return str(api.call(api.completions.CreateCompletion, req).id)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(write, range(40)))
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, key)
            listed = api.call(
                api.completions.ListCompletions, api_pb.ListCompletionsRequest(tags=["workers"], page_size=100)
            )
        assert sorted(c.id for c in listed.completions) == sorted(ids)
    finally:
        assert server.stop() == 0


@pytest.fixture
def two_servers(postgres_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    first = start_server(postgres_url, ["--no-bootstrap"])
    second = start_server(postgres_url, ["--no-bootstrap"])
    yield first, second
    first.stop()
    second.stop()


def test_two_servers_on_one_postgresql(two_servers: tuple[ServerProcess, ServerProcess], unique: str) -> None:
    first, second = two_servers
    key = first.mint_key(f"scale-{unique}")
    with grpc.insecure_channel(first.grpc_target) as ch1, grpc.insecure_channel(second.grpc_target) as ch2:
        a, b = Api(ch1, key), Api(ch2, key)

        # A tail on the second server sees writes made through the first.
        events: queue.Queue[api_pb.TailCompletionsResponse] = queue.Queue()
        tail = b.completions.TailCompletions(
            api_pb.TailCompletionsRequest(tags=[unique]), metadata=b.metadata, timeout=60
        )

        def pump() -> None:
            try:
                for event in tail:
                    events.put(event)
            except grpc.RpcError:
                pass

        tail.initial_metadata()  # the subscription is live: every later write reaches it
        threading.Thread(target=pump, daemon=True).start()

        made = a.call(
            a.completions.CreateCompletion,
            api_pb.CreateCompletionRequest(completion=chat_completion(id=f"x-{unique}", tags=[unique])),
        )
        assert b.call(b.completions.GetCompletion, api_pb.GetCompletionRequest(id=made.id)) == made
        seen = events.get(timeout=10)
        assert seen.completion.id == made.id and seen.event == api_pb.TAIL_EVENT_CREATED
        tail.cancel()

        # The same client-chosen ids written through both servers at once stay unique.
        writes = []
        for i in range(30):
            for api, status in ((a, pb.STATUS_STARTED), (b, pb.STATUS_FINISHED)):
                writes.append((api, chat_completion(id=f"dup{i}-{unique}", tags=[f"dup-{unique}"], status=status)))
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(
                pool.map(
                    lambda w: w[0].call(
                        w[0].completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=w[1])
                    ),
                    writes,
                )
            )
        listed = a.call(
            a.completions.ListCompletions, api_pb.ListCompletionsRequest(tags=[f"dup-{unique}"], page_size=100)
        ).completions
        assert sorted(c.id for c in listed) == sorted(f"dup{i}-{unique}" for i in range(30))
        assert {c.status for c in listed} == {pb.STATUS_FINISHED}  # a late started never wins


def test_shutdown_leaves_no_worker_behind(sqlite_path: str) -> None:
    server = start_server(sqlite_path, ["--no-bootstrap", "--workers", "2", "--http-port", "-1"])
    pids = children(server.proc.pid)
    assert server.stop() == 0
    for pid in pids:  # gone, or a zombie awaiting its reaper
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split()[2] == "Z"
