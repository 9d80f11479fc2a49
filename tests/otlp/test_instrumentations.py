"""The real OpenTelemetry instrumentations, driving the real `openai` client against a fake OpenAI
server, exporting with the real OTLP exporters to a live tenlog; asserted on what tenlog then serves.

Each instrumentation runs in its own venv (.venv-otel/<name>, built by `make otel-venvs`)
because they conflict: tests/otlp/drive_openai.py is run there as a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from tenlog.v1 import feedback_service_pb2 as feedback_pb

from tests.clients.fake_openai import fake_openai
from tests.support.grpc_api import Api
from tests.support.server import ServerProcess

from .conftest import completions

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("drive_openai.py")
LATEST = {"OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental"}
# name -> (venv, environment, what this instrumentation captures)
RUNS: dict[str, tuple[str, dict[str, str], set[str]]] = {
    "genai-span": ("genai", {**LATEST, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_ONLY"}, {"tools"}),
    "genai-event": ("genai", {**LATEST, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "EVENT_ONLY"}, {"tools"}),
    # Without the stability opt-in: content as per-message events, no tool definitions.
    "openai-v2": ("openai-v2", {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"}, set()),
    "openinference": ("openinference", {}, {"tools"}),
    "openllmetry": ("openllmetry", {"TRACELOOP_TRACE_CONTENT": "true"}, {"tools"}),
    "openllmetry-event": ("openllmetry", {"TRACELOOP_TRACE_CONTENT": "true"}, set()),
}
# Every instrumentation once, each transport twice, gzip on one of each exporter's transports.
CASES = [
    ("genai-span", "grpc", {"evaluate": True}),
    ("genai-event", "json", {}),
    ("openai-v2", "grpc", {"gzip": True}),
    ("openinference", "http", {"gzip": True}),
    ("openllmetry", "json", {}),
    ("openllmetry-event", "http", {}),
]


def drive(
    server: ServerProcess, api: Api, name: str, transport: str, session: str, *, gzip: bool, evaluate: bool
) -> None:
    venv, env, _ = RUNS[name]
    python = ROOT / ".venv-otel" / venv / "bin" / "python"
    if not python.exists():
        pytest.fail(f"{python} is missing: run `make otel-venvs`")
    endpoint = f"http://{server.grpc_target}" if transport == "grpc" else server.http_url
    if gzip:
        env = {**env, "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}
    with fake_openai() as (base_url, _):
        args = [str(python), str(DRIVER), name, transport, endpoint, api.key, base_url, session]
        done = subprocess.run(
            [*args, *(["--evaluate"] if evaluate else [])],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Failed to export" not in done.stderr, done.stderr[-4000:]


def by_model(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: r["metadata"]["otel"].get("start_time_unix_nano", "")):
        out.setdefault(row["model"], []).append(row)
    return out


def text_of(row: dict[str, Any]) -> Any:
    return row["response"]["choices"][0]["message"]["content"]


@pytest.mark.parametrize(("name", "transport", "options"), CASES, ids=[f"{n}-{t}" for n, t, _ in CASES])
def test_instrumented_openai_calls_become_completions(
    otlp_server: ServerProcess, org_api: Api, name: str, transport: str, options: dict[str, bool]
) -> None:
    session = f"sess-{uuid.uuid4().hex[:8]}"
    drive(
        otlp_server,
        org_api,
        name,
        transport,
        session,
        gzip=options.get("gzip", False),
        evaluate=options.get("evaluate", False),
    )
    rows = completions(org_api, session_id=session)
    calls = by_model(rows)
    # The five calls (the tool call is two requests); the root span is not an LLM call and is not stored.
    assert sorted(calls) == ["chat-async", "chat-plain", "chat-stream", "chat-tool", "fail-400"], rows
    assert {model: len(rows) for model, rows in calls.items()}["chat-tool"] == 2 and len(rows) == 6
    captures = RUNS[name][2]
    for row in rows:
        assert row["source"] == "SOURCE_OTLP"
        assert row["session_id"] == session
        otel = row["metadata"]["otel"]
        assert row["id"] == f"{otel['trace_id']}-{otel['span_id']}"
        assert len(otel["parent_span_id"]) == 16  # the root span's
        assert f"otel.trace:{otel['trace_id']}" in row["tags"]
        assert row["metadata"]["resource"]["service.name"] == f"driver-{name}"
        assert row["duration"] > 0

    (plain,) = calls["chat-plain"]
    assert plain["status"] == "STATUS_FINISHED"
    assert plain["request"]["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Say hello."},
    ]
    assert plain["request"]["temperature"] == 0.2 and plain["request"]["max_tokens"] == 50
    assert text_of(plain) == "Hello there!"
    assert plain["response"]["choices"][0]["finish_reason"] == "stop"
    assert (plain["prompt_tokens"], plain["completion_tokens"], plain["total_tokens"]) == (9, 4, 13)

    first, second = calls["chat-tool"]
    call = first["response"]["choices"][0]["message"]["tool_calls"][0]
    assert call["id"] == "call_weather_1" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}  # a JSON string, as OpenAI sends it
    assert first["response"]["choices"][0]["finish_reason"] == "tool_calls"
    if "tools" in captures:
        assert first["request"]["tools"][0]["function"]["name"] == "get_weather"
    question, asked, answer = second["request"]["messages"]
    assert question == {"role": "user", "content": "Weather in Paris?"}
    assert asked["role"] == "assistant" and asked["tool_calls"][0]["id"] == "call_weather_1"
    assert answer == {"role": "tool", "tool_call_id": "call_weather_1", "content": '{"temp_c": 18}'}
    assert text_of(second) == "Hello there!"

    (stream,) = calls["chat-stream"]
    assert stream["request"]["messages"] == [{"role": "user", "content": "Stream a hello."}]
    assert text_of(stream) == "Hello there!"
    assert stream["prompt_tokens"] == 9

    (async_call,) = calls["chat-async"]
    assert text_of(async_call) == "Hello there!"

    (failed,) = calls["fail-400"]
    assert failed["status"] == "STATUS_FAILED"
    assert "does not exist" in failed["failure_reason"]
    assert failed["request"]["messages"] == [{"role": "user", "content": "Fail."}]

    if options.get("evaluate"):
        feedback = org_api.call(org_api.feedback.ListFeedback, feedback_pb.ListFeedbackRequest(limit=10)).feedback
        graded = {f.task_id: f for f in feedback}
        assert set(graded) == {"named:relevance", "named:tool_choice"}
        relevance = graded["named:relevance"]
        assert list(relevance.matched_completion_ids) == [plain["id"]]  # by its parent span
        assert dict(relevance.json_values) == {"score": 0.75, "label": "relevant", "explanation": "It said hello."}
        assert list(graded["named:tool_choice"].matched_completion_ids) == [first["id"]]  # by gen_ai.response.id
