"""Cost at ingest: priced from tokens on every write path when the client sent none; a sent cost is kept."""

from __future__ import annotations

import json

import grpc
import pytest
from google.protobuf import field_mask_pb2
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.gateway.conftest import Rest
from tests.support.grpc_api import Api, chat_completion, error_details
from tests.support.server import ServerProcess

# gpt-4o in the built-in table: input 2.50, cached input 1.25, output 10.00 dollars per million tokens.
USAGE = {
    "prompt_tokens": 1000,
    "completion_tokens": 200,
    "total_tokens": 1200,
    "prompt_tokens_details": {"cached_tokens": 600},
    "completion_tokens_details": {"reasoning_tokens": 50},
}
GPT_4O_COST = (400 * 2.50 + 600 * 1.25 + 200 * 10.00) / 1e6


def priced(
    cid: str, model: str = "gpt-4o-2024-08-06", usage: dict[str, object] | None = None, **fields: object
) -> pb.Completion:
    response = {
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
        "usage": USAGE if usage is None else usage,
    }
    return chat_completion(id=cid, response=response, **fields)


def get(api: Api, cid: str) -> pb.Completion:
    completion: pb.Completion = api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=cid))
    return completion


def test_create_prices_tokens_lifting_cached_and_reasoning_counts(api: Api, unique: str) -> None:
    created = api.call(
        api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=priced(f"c-{unique}"))
    )
    stored = get(api, f"c-{unique}")
    for msg in (created, stored):
        assert (msg.prompt_tokens, msg.cached_tokens, msg.completion_tokens, msg.reasoning_tokens) == (
            1000,
            600,
            200,
            50,
        )
        assert msg.cost == pytest.approx(GPT_4O_COST)


def test_a_sent_cost_is_kept_and_unpriced_models_stay_without_cost(api: Api, unique: str) -> None:
    sent = priced(f"sent-{unique}", cost=0.123)
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=sent))
    assert get(api, f"sent-{unique}").cost == 0.123
    unknown = priced(f"unknown-{unique}", model="acme-internal-llm")
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=unknown))
    stored = get(api, f"unknown-{unique}")
    assert stored.cost == 0.0 and stored.prompt_tokens == 1000


def test_anthropic_usage_is_priced_with_cache_reads_at_the_cached_rate(api: Api, unique: str) -> None:
    usage = {"input_tokens": 100, "cache_read_input_tokens": 900, "output_tokens": 10}
    msg = priced(f"claude-{unique}", model="claude-sonnet-4-5-20250929", usage=usage)
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=msg))
    stored = get(api, f"claude-{unique}")
    assert (stored.prompt_tokens, stored.cached_tokens, stored.completion_tokens) == (1000, 900, 10)
    assert stored.cost == pytest.approx((100 * 3.0 + 900 * 0.30 + 10 * 15.0) / 1e6)


def test_batch_upload_and_stream_paths_price_too(api: Api, unique: str) -> None:
    batch = api_pb.BatchCreateCompletionsRequest(completions=[priced(f"b-{unique}")])
    api.call(api.completions.BatchCreateCompletions, batch)
    upload = iter([api_pb.UploadCompletionsRequest(completion=priced(f"u-{unique}"))])
    api.completions.UploadCompletions(upload, metadata=api.metadata, timeout=30)
    stream = api.completions.StreamCompletions(
        iter([api_pb.StreamCompletionsRequest(completion=priced(f"s-{unique}"))]), metadata=api.metadata, timeout=30
    )
    assert [ack.accepted for ack in stream] == [True]
    for prefix in ("b", "u", "s"):
        assert get(api, f"{prefix}-{unique}").cost == pytest.approx(GPT_4O_COST)


def test_a_started_completion_is_priced_once_its_response_arrives(api: Api, unique: str) -> None:
    started = chat_completion(id=f"late-{unique}", status=pb.STATUS_STARTED)
    started.ClearField("response")
    api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=started))
    assert get(api, f"late-{unique}").cost == 0.0
    update = priced(f"late-{unique}", status=pb.STATUS_FINISHED)
    request = api_pb.UpdateCompletionRequest(
        completion=update, update_mask=field_mask_pb2.FieldMask(paths=["status", "response"])
    )
    api.call(api.completions.UpdateCompletion, request)
    assert get(api, f"late-{unique}").cost == pytest.approx(GPT_4O_COST)


def test_rest_create_prices_and_returns_the_lifted_counts(tenlog_server: ServerProcess, unique: str) -> None:
    rest = Rest(tenlog_server.http_url, tenlog_server.key, tenlog_server.org)
    body = {
        "id": f"rest-{unique}",
        "kind": "chat",
        "request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
        "response": {"model": "gpt-4o-2024-08-06", "usage": USAGE, "choices": []},
    }
    created = rest.call("POST", "/api/v1/completions", body)
    assert created.status == 201, created.text
    assert created.json["cost"] == pytest.approx(GPT_4O_COST)
    assert (created.json["cached_tokens"], created.json["reasoning_tokens"]) == (600, 50)
    # A sent cost over REST is kept as sent.
    body["id"], body["cost"] = f"rest2-{unique}", 2.5
    assert json.loads(rest.call("POST", "/api/v1/completions", body).text)["cost"] == 2.5


def test_negative_cached_tokens_are_invalid(api: Api, unique: str) -> None:
    msg = priced(f"neg-{unique}", cached_tokens=-1)
    with pytest.raises(grpc.RpcError) as info:
        api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=msg))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "completion.cached_tokens" in error_details(info.value)["violations"]
