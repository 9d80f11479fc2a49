"""`tenlog tail` prints committed writes as JSON lines in a terminal."""

from __future__ import annotations

import json
import queue
import subprocess
import threading

import grpc
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, chat_completion
from tests.support.server import TENLOG, ServerProcess


def test_tail_prints_matching_writes(tenlog_server: ServerProcess, unique: str) -> None:
    tail = subprocess.Popen(
        [TENLOG, "tail", "--target", tenlog_server.grpc_target, "--api-key", tenlog_server.key, "--tag", unique],
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert tail.stdout is not None
    threading.Thread(target=lambda: [lines.put(line) for line in tail.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        with grpc.insecure_channel(tenlog_server.grpc_target) as channel:
            api = Api(channel, tenlog_server.key)
            for attempt in range(100):  # until the subscription is live
                completion = chat_completion(id=f"tail{attempt}-{unique}", tags=[unique])
                api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=completion))
                try:
                    event = json.loads(lines.get(timeout=0.3))
                    break
                except queue.Empty:
                    continue
            else:
                raise AssertionError("tenlog tail printed nothing")
        assert event["event"] == "created"
        assert event["completion"]["id"].startswith("tail") and unique in event["completion"]["tags"]
        # Integers come out as sent (37, not 37.0), as the REST gateway prints them.
        total = event["completion"]["response"]["usage"]["total_tokens"]
        assert total == 37 and isinstance(total, int)
    finally:
        tail.terminate()
        tail.wait(10)
