"""The export's direct Completion -> JSON conversion gives exactly the REST gateway's JSON."""

from __future__ import annotations

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from tenlog.v1 import completion_pb2 as pb
from tenlog_server.transfer_formats import completion_json
from tenlog_server.transport.http.json_mapping import message_to_json


def _timestamp(seconds: int, nanos: int) -> Timestamp:
    return Timestamp(seconds=seconds, nanos=nanos)


@pytest.mark.parametrize("nanos", [0, 5_000_000, 123_456_000, 123_456_789, 1])
def test_completion_json_equals_the_gateways_json(nanos: int) -> None:
    completion = pb.Completion(
        id="c-1",
        organization_id="org",
        kind=pb.KIND_CHAT,
        status=pb.STATUS_FAILED,
        tags=["a", "b"],
        stacktrace=[pb.StackFrame(file="f.py", line="x = 1", lineno=3, name="main")],
        session_id="s",
        duration=1.25,
        failure_kind="timeout",
        failure_reason="slow",
        model="gpt-4o",
        prompt_tokens=10,
        completion_tokens=5,
        total_tokens=15,
        cached_tokens=2,
        reasoning_tokens=1,
        cost=0.5,
        source=pb.SOURCE_LOG10,
        created_at=_timestamp(1_700_000_000, nanos),
        updated_at=_timestamp(86_399, nanos),
    )
    completion.request.update(
        {
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": "hi", "n": 3, "x": 0.5, "ok": True, "none": None}],
            "nested": [[1, 2.5, "s", False, None, {"deep": {"big": 2.0**60}}], []],
            "empty": {},
        }
    )
    completion.response.SetInParent()  # present but empty
    completion.metadata.update({"customer": "acme", "n": -7})
    completion.extra.update({"client_field": {"n": 1}, "model": "ignored: the named field wins"})
    assert completion_json(completion) == message_to_json(completion)


def test_a_bare_completion_matches_too() -> None:
    completion = pb.Completion(id="bare")
    assert completion_json(completion) == message_to_json(completion)
