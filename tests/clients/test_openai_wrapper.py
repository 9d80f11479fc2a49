"""tenlog.wrap against a local OpenAI-compatible server: what the caller gets is unchanged,
and every chat completion — plain, streamed, failed — lands in tenlog."""

from __future__ import annotations

import gc

import openai
import pytest
import tenlog
from tenlog.v1 import completion_pb2

from tests.clients.fake_openai import REPLY_PIECES, USAGE, fake_openai

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]


@pytest.fixture
def openai_server():
    with fake_openai() as (base_url, requests):
        yield base_url, requests


@pytest.fixture
def client(server):
    with tenlog.Client(server.grpc_target, server.key) as c:
        yield c


@pytest.fixture
def logger(client):
    with tenlog.Logger(client, flush_at_exit=False) as lg:
        yield lg


def logged(client, logger, tag, count=1):
    assert logger.flush(timeout=10), logger.stats()
    found = list(client.iter_completions(tags=[tag]))
    assert len(found) == count, found
    return found


def test_plain_call_is_returned_unchanged_and_logged(openai_server, client, logger, tag):
    base_url, _ = openai_server
    oai = tenlog.wrap(
        openai.OpenAI(base_url=base_url, api_key="sk-test"), tags=[tag], session_id=f"s-{tag}", logger=logger
    )

    answer = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.2)

    assert type(answer).__name__ == "ChatCompletion"
    assert answer.choices[0].message.content == "Hello there!"
    (completion,) = logged(client, logger, tag)
    assert completion.status == completion_pb2.STATUS_FINISHED
    assert completion.kind == completion_pb2.KIND_CHAT
    assert completion.session_id == f"s-{tag}"
    request = tenlog.from_struct(completion.request)
    assert request["messages"] == MESSAGES
    assert request["model"] == "gpt-4o-mini"
    assert request["temperature"] == pytest.approx(0.2)
    response = tenlog.from_struct(completion.response)
    assert response["id"] == "chatcmpl-plain"
    assert response["choices"][0]["message"]["content"] == "Hello there!"
    assert completion.model == "gpt-4o-mini"
    assert completion.total_tokens == USAGE["total_tokens"]
    assert completion.duration > 0
    assert any(frame.name == "test_plain_call_is_returned_unchanged_and_logged" for frame in completion.stacktrace)


def test_streamed_call_yields_the_same_chunks_and_logs_them_assembled(openai_server, client, logger, tag):
    base_url, _ = openai_server
    oai = tenlog.wrap(openai.OpenAI(base_url=base_url, api_key="sk-test"), tags=[tag], logger=logger)
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]

    stream = oai.chat.completions.create(
        model="gpt-4o-mini",
        messages=iter(MESSAGES),  # a one-shot iterable: openai must still see every message
        stream=True,
        stream_options={"include_usage": True},
        tools=tools,
    )
    assert isinstance(stream, openai.Stream)
    chunks = list(stream)

    contents = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert contents == REPLY_PIECES
    (completion,) = logged(client, logger, tag)
    assert completion.status == completion_pb2.STATUS_FINISHED
    assert tenlog.from_struct(completion.request)["messages"] == MESSAGES
    response = tenlog.from_struct(completion.response)
    assert response["object"] == "chat.completion"
    assert response["id"] == "chatcmpl-stream"
    choice = response["choices"][0]
    assert choice["message"]["content"] == "Hello there!"
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"city": "Paris"}'}}
    ]
    assert completion.total_tokens == USAGE["total_tokens"]


def test_failed_call_raises_as_before_and_is_logged_failed(openai_server, client, logger, tag):
    base_url, _ = openai_server
    oai = tenlog.wrap(openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0), tags=[tag], logger=logger)

    with pytest.raises(openai.BadRequestError) as raised:
        oai.chat.completions.create(model="fail-400", messages=MESSAGES)

    assert raised.value.status_code == 400
    (completion,) = logged(client, logger, tag)
    assert completion.status == completion_pb2.STATUS_FAILED
    assert completion.failure_kind == "BadRequestError"
    assert "does not exist" in completion.failure_reason
    assert tenlog.from_struct(completion.request)["model"] == "fail-400"


def test_stream_that_breaks_is_logged_failed_with_what_arrived(openai_server, client, logger, tag):
    base_url, _ = openai_server
    oai = tenlog.wrap(openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0), tags=[tag], logger=logger)

    stream = oai.chat.completions.create(model="break-stream", messages=MESSAGES, stream=True)
    received = []
    with pytest.raises(openai.APIError, match="the upstream broke"):
        for chunk in stream:
            received.append(chunk)

    assert len(received) == 2
    (completion,) = logged(client, logger, tag)
    assert completion.status == completion_pb2.STATUS_FAILED
    assert completion.failure_kind == "APIError"
    assert tenlog.from_struct(completion.response)["choices"][0]["message"]["content"] == REPLY_PIECES[0]


def test_wrapping_twice_logs_once(openai_server, client, logger, tag):
    base_url, _ = openai_server
    oai = openai.OpenAI(base_url=base_url, api_key="sk-test")
    tenlog.wrap(tenlog.wrap(oai, tags=[tag], logger=logger), tags=[tag], logger=logger)
    oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    logged(client, logger, tag, count=1)


async def test_async_client_plain_and_streamed(openai_server, client, logger, tag):
    base_url, _ = openai_server
    oai = tenlog.wrap(openai.AsyncOpenAI(base_url=base_url, api_key="sk-test"), tags=[tag], logger=logger)

    answer = await oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert answer.choices[0].message.content == "Hello there!"
    stream = await oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    assert isinstance(stream, openai.AsyncStream)
    pieces = [c.choices[0].delta.content async for c in stream if c.choices and c.choices[0].delta.content]
    assert pieces == REPLY_PIECES

    completions = logged(client, logger, tag, count=2)
    contents = sorted(tenlog.from_struct(c.response)["choices"][0]["message"]["content"] for c in completions)
    assert contents == ["Hello there!", "Hello there!"]
    assert {c.status for c in completions} == {completion_pb2.STATUS_FINISHED}


def test_stream_abandoned_by_the_caller_is_logged_as_incomplete(openai_server, client, logger, tag):
    base_url, _ = openai_server
    oai = tenlog.wrap(openai.OpenAI(base_url=base_url, api_key="sk-test"), tags=[tag], logger=logger)

    stream = oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
    next(stream)
    next(stream)
    stream.close()
    del stream
    gc.collect()  # the observed generator is closed when the stream object goes

    (completion,) = logged(client, logger, tag)
    assert completion.status == completion_pb2.STATUS_FAILED
    assert completion.failure_kind == "StreamClosed"
    assert tenlog.from_struct(completion.response)["choices"][0]["message"]["content"] == REPLY_PIECES[0]
