"""Completions stored as content-addressed pieces read back exactly as sent, over REST and gRPC, on both backends.

Hypothesis writes arbitrary JSON requests and responses (messages with unknown
fields, nulls, nested values, integers and fractions) to a running server, the
second call of each pair resending the first one's messages and reply as a chat
client does, and reads each back through both APIs.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from google.protobuf import json_format, struct_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog_server.domain.documents import Document

from tests.gateway.conftest import Rest
from tests.support.grpc_api import Api
from tests.support.typed_json import as_sent, typed


def from_grpc(struct: struct_pb2.Struct) -> Any:
    return typed(Document.from_struct(struct).to_dict())


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not math.isinf(f))
    | st.text(max_size=60)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
messages = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user", "assistant", "tool"])},
        optional={"content": values | st.text(min_size=40, max_size=200), "x_unknown": values},
    ),
    max_size=5,
)
requests = st.builds(
    lambda extra, msgs, tools: {**extra, "messages": msgs, **({"tools": tools} if tools is not None else {})},
    st.dictionaries(st.sampled_from(["model", "temperature", "n", "stop", "metadata"]), values, max_size=3),
    messages,
    st.none() | st.lists(st.dictionaries(st.text(max_size=8), values, max_size=4), max_size=4),
)
replies = st.fixed_dictionaries(
    {"role": st.just("assistant"), "content": st.text(min_size=30, max_size=200)}, optional={"tool_calls": values}
)
responses = st.builds(
    lambda extra, reply, more: {**extra, "choices": [{"index": 0, "message": reply, "finish_reason": "stop"}, *more]},
    st.dictionaries(st.sampled_from(["id", "model", "usage", "created", "object"]), values, max_size=4),
    replies,
    st.lists(values, max_size=2),
)


def _write(rest: Rest, api: Api, over_rest: bool, cid: str, request: dict[str, Any], response: Any) -> None:
    if over_rest:
        body = {"id": cid, "kind": "chat", "status": "finished", "request": request, "response": response}
        created = rest.post("/api/v1/completions", body)
        assert created.status == 201, created.text
        return
    completion = pb.Completion(id=cid, kind=pb.KIND_CHAT, status=pb.STATUS_FINISHED)
    json_format.ParseDict(request, completion.request)
    json_format.ParseDict(response, completion.response)
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=completion))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests, response=responses, over_rest=st.booleans())
def test_arbitrary_documents_read_back_exactly_over_rest_and_grpc(
    rest: Rest, api: Api, request: dict[str, Any], response: dict[str, Any], over_rest: bool
) -> None:
    first, second = f"rt-{uuid.uuid4().hex}", f"rt-{uuid.uuid4().hex}"
    # The next call resends the conversation and the reply: the same values, stored once.
    follow_up = {**request, "messages": [*request["messages"], response["choices"][0]["message"]]}
    sent = {first: (request, response), second: (follow_up, response)}
    for cid, (req, resp) in sent.items():
        _write(rest, api, over_rest, cid, req, resp)
    for cid, (req, resp) in sent.items():
        got = rest.get(f"/api/v1/completions/{cid}")
        assert got.status == 200, got.text
        assert typed(got.json["request"]) == as_sent(req)
        assert typed(got.json["response"]) == as_sent(resp)
        completion = api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=cid))
        assert from_grpc(completion.request) == as_sent(req)
        assert from_grpc(completion.response) == as_sent(resp)
