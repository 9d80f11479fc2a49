"""Each convention's mapper on the payloads the real instrumentations exported (tests/fixtures/otlp).

The fixtures are what tests/otlp/drive_openai.py captured (`--capture`): the same five
calls (a chat with a system prompt, a tool call and the call that sends its result, a
stream, an async call, a failing call) under each instrumentation. No server here: the
transport's decoder and the domain's mappers, called directly.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tenlog_server.domain.otel import genai_events, genai_spans, openinference
from tenlog_server.domain.otel.evaluation_feedback import EVALUATION_EVENT, evaluation_of
from tenlog_server.domain.otel.llm_call import LlmCall
from tenlog_server.domain.otel.model import OtelSpan
from tenlog_server.domain.otel.span_completions import span_call, span_completion
from tenlog_server.transport.otlp.decoding import log_records_of, spans_of

from tests.support.otlp_captures import logs_fixture, trace_fixture

MODELS = ["chat-plain", "chat-tool", "chat-tool", "chat-stream", "chat-async", "fail-400"]


def llm_spans(name: str) -> list[OtelSpan]:
    """The fixture's LLM spans in start order (the driver's root span is not one)."""
    spans = spans_of(trace_fixture(name))
    return sorted((s for s in spans if span_call(s) is not None), key=lambda s: s.start_ns)


def event_calls(name: str) -> dict[str, LlmCall]:
    """The calls the fixture's content log records describe, by the span id they carry."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in log_records_of(logs_fixture(name)):
        event = genai_events.event_name(record)
        if event in genai_events.CONTENT_EVENTS:
            groups.setdefault(record.span_id, []).append(genai_events.stored_event(record, event))
    out = {}
    for span_id, events in groups.items():
        call = genai_events.call_from_events(genai_events.merge_events(events))
        assert call is not None, events
        out[span_id] = call
    return out


def text(call: LlmCall) -> Any:
    assert call.choices is not None
    return call.choices[0]["message"]["content"]


def assert_content(calls: list[LlmCall], *, system_prompt: bool = True) -> None:
    """What every content-capturing convention must yield for the driver's calls, OpenAI-shaped."""
    plain, ask_tool, send_result, stream, async_call, failed = calls
    expected = [{"role": "user", "content": "Say hello."}]
    if system_prompt:
        expected.insert(0, {"role": "system", "content": "You are terse."})
    assert plain.messages == expected
    assert text(plain) == "Hello there!" and plain.choices and plain.choices[0]["finish_reason"] == "stop"

    assert ask_tool.messages == [{"role": "user", "content": "Weather in Paris?"}]
    assert ask_tool.choices is not None
    (tool_call,) = ask_tool.choices[0]["message"]["tool_calls"]
    assert tool_call["id"] == "call_weather_1" and tool_call["function"]["name"] == "get_weather"
    assert json.loads(tool_call["function"]["arguments"]) == {"city": "Paris"}  # a JSON string, as OpenAI has it
    assert ask_tool.choices[0]["finish_reason"] == "tool_calls"

    assert send_result.messages is not None
    question, asked, answer = send_result.messages
    assert question == {"role": "user", "content": "Weather in Paris?"}
    assert asked["role"] == "assistant" and asked["tool_calls"][0]["id"] == "call_weather_1"
    assert json.loads(asked["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert answer == {"role": "tool", "tool_call_id": "call_weather_1", "content": '{"temp_c": 18}'}

    assert stream.messages == [{"role": "user", "content": "Stream a hello."}] and text(stream) == "Hello there!"
    assert async_call.messages == [{"role": "user", "content": "Hello, async."}] and text(async_call) == "Hello there!"
    assert failed.messages == [{"role": "user", "content": "Fail."}] and failed.choices is None


@pytest.mark.parametrize("name", ["genai-span", "openllmetry"])
def test_genai_span_attributes_map_to_openai_chat(name: str) -> None:
    spans = llm_spans(name)
    assert all(genai_spans.is_llm_span(s.attributes) for s in spans)
    calls = [genai_spans.read_call(s.attributes) for s in spans]
    assert [c.model for c in calls] == MODELS
    assert_content(calls)
    plain = calls[0]
    assert plain.params["temperature"] == 0.2 and plain.params["max_tokens"] == 50
    assert plain.usage == {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}
    assert plain.response_id and plain.finish_reasons == ["stop"]
    assert calls[1].tools and calls[1].tools[0]["function"]["name"] == "get_weather"
    assert calls[1].tools[0]["function"]["parameters"]["properties"]["city"]["type"] == "string"
    assert calls[-1].error_type.endswith("BadRequestError")


def test_openinference_attributes_map_to_openai_chat() -> None:
    spans = llm_spans("openinference")
    assert all(openinference.is_llm_span(s.attributes) for s in spans)
    calls = [openinference.read_call(s.attributes) for s in spans]
    assert [c.model for c in calls] == MODELS
    assert_content(calls)
    assert calls[0].params["temperature"] == 0.2 and calls[0].params["max_tokens"] == 50
    assert calls[0].usage["prompt_tokens"] == 9 and calls[0].usage["completion_tokens"] == 4
    assert calls[1].tools and calls[1].tools[0]["function"]["name"] == "get_weather"


def test_openinference_flattened_attributes_alone_give_the_same_call() -> None:
    """Other OpenInference instrumentations send only llm.input_messages.N.* and friends."""
    for span in llm_spans("openinference")[:3]:
        whole = openinference.read_call(span.attributes)
        flat = {k: v for k, v in span.attributes.items() if k not in ("input.value", "output.value")}
        flat_call = openinference.read_call(flat)
        assert flat_call.messages == whole.messages
        assert flat_call.choices is not None and whole.choices is not None
        assert flat_call.choices[0]["message"].get("tool_calls") == whole.choices[0]["message"].get("tool_calls")
        assert flat_call.choices[0]["message"]["content"] == whole.choices[0]["message"]["content"]


def test_operation_details_records_carry_the_content_of_event_only_mode() -> None:
    spans = llm_spans("genai-event")
    assert all(genai_spans.read_call(s.attributes).messages is None for s in spans)  # no content on the spans
    by_span = event_calls("genai-event")
    assert_content([by_span[s.span_id] for s in spans])


@pytest.mark.parametrize("name", ["openai-v2", "openllmetry-event"])
def test_per_message_events_add_up_to_the_conversation(name: str) -> None:
    spans = llm_spans(name)
    by_span = event_calls(name)
    calls = [by_span.get(s.span_id) for s in spans]
    if name == "openllmetry-event":
        # OpenLLMetry's streamed gen_ai.choice names the stream span's parent: ingest joins it by time.
        (stray,) = [call for span_id, call in by_span.items() if span_id not in {s.span_id for s in spans}]
        assert stray.messages is None and text(stray) == "Hello there!"
        stream = calls[3]
        assert stream is not None and stream.choices is None
        stream.choices = stray.choices
    assert all(c is not None for c in calls)
    assert_content([c for c in calls if c is not None])


def test_a_span_becomes_a_completion_with_its_ids_times_and_attributes() -> None:
    span = llm_spans("genai-span")[0]
    call = span_call(span)
    assert call is not None
    record = span_completion(span, call, "sess-1")
    assert record.id == f"{span.trace_id}-{span.span_id}" and record.source == "otlp"
    assert record.status == "finished" and record.session_id == "sess-1"
    assert record.duration == pytest.approx((span.end_ns - span.start_ns) / 1e9)
    assert f"otel.trace:{span.trace_id}" in record.tags
    assert record.metadata is not None
    metadata = record.metadata.to_dict()
    assert metadata["attributes"] == span.attributes and metadata["resource"]["service.name"] == "driver-genai-span"
    assert metadata["otel"]["parent_span_id"] == span.parent_span_id


def test_a_failed_span_is_a_failed_completion_with_its_reason() -> None:
    span = llm_spans("genai-span")[-1]
    call = span_call(span)
    assert call is not None
    record = span_completion(span, call, "")
    assert record.status == "failed" and record.failure_kind.endswith("BadRequestError")
    assert "does not exist" in record.failure_reason


def test_evaluation_results_name_their_completion() -> None:
    found = []
    for record in log_records_of(logs_fixture("genai-span")):
        assert genai_events.event_name(record) == EVALUATION_EVENT
        evaluation = evaluation_of(record.attributes, record.trace_id, record.span_id, record.time_ns, record.body)
        assert evaluation is not None
        found.append(evaluation)
    by_name = {e.name: e for e in found}
    assert set(by_name) == {"relevance", "tool_choice"}
    assert by_name["relevance"].values() == {"score": 0.75, "label": "relevant", "explanation": "It said hello."}
    assert by_name["relevance"].span_id  # the evaluated span is its parent
    assert by_name["tool_choice"].response_id  # named by gen_ai.response.id
    assert by_name["relevance"].task().id == "named:relevance"
