"""Drive the real `openai` client under one real OpenTelemetry instrumentation, exporting over OTLP.

Runs inside one of the .venv-otel/<name> environments (the instrumentations
conflict with each other), as a subprocess of the pytest test. It makes five
calls against the fake OpenAI server under a root span that names the session:
a plain chat with a system prompt, a tool call and its result, a streamed chat,
an async call and a failing call. Then it flushes the SDK's exporters.

    python drive_openai.py INSTRUMENTATION TRANSPORT ENDPOINT KEY OPENAI_BASE_URL SESSION [--capture DIR]

TRANSPORT is grpc or http (the official OTLP exporters), or json: the SDK's
own OTLP encoding of the spans and logs, posted as OTLP/JSON at the end, spans
first (the official Python exporters have no JSON encoding), or none. With --capture the encoded requests
are also written to DIR as protobuf JSON, to be kept as test fixtures.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import urllib.request
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from opentelemetry import trace
from opentelemetry._logs import set_logger_provider
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.trace import NonRecordingSpan

try:  # the SDK moved these between 1.39 and 1.45
    from opentelemetry.sdk._logs.export import InMemoryLogExporter, SimpleLogRecordProcessor
except ImportError:  # pragma: no cover
    from opentelemetry.sdk._logs.export import (  # type: ignore[attr-defined,no-redef]
        InMemoryLogRecordExporter as InMemoryLogExporter,
    )
    from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor  # type: ignore[no-redef]
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def instrument(name: str) -> None:
    """Install the named instrumentation (its env vars are set by the caller)."""
    if name in ("genai-span", "genai-event"):
        from opentelemetry.instrumentation.genai.openai import OpenAIInstrumentor
    elif name == "openai-v2":
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor  # type: ignore[no-redef]
    elif name == "openinference":
        from openinference.instrumentation.openai import OpenAIInstrumentor  # type: ignore[no-redef]
    elif name in ("openllmetry", "openllmetry-event"):
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor  # type: ignore[no-redef]

        # use_attributes=False is OpenLLMetry's event mode: content in gen_ai.* log records.
        OpenAIInstrumentor(use_attributes=name == "openllmetry").instrument()
        return
    else:
        raise SystemExit(f"unknown instrumentation {name}")
    OpenAIInstrumentor().instrument()


def exporters(transport: str, endpoint: str, key: str) -> tuple[Any, Any]:
    """The official OTLP span and log exporters for grpc or http; in-memory ones for json."""
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        # OTEL_EXPORTER_OTLP_HEADERS carries the key, as users configure it.
        return OTLPSpanExporter(endpoint=endpoint, insecure=True), OTLPLogExporter(endpoint=endpoint, insecure=True)
    if transport == "http":
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter  # type: ignore[assignment]
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # type: ignore[assignment]

        return (
            OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces"),
            OTLPLogExporter(endpoint=f"{endpoint}/v1/logs"),
        )
    return InMemorySpanExporter(), InMemoryLogExporter()


def calls(base_url: str, session: str) -> None:
    """The five calls, under one root span carrying the session."""
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="sk-fake", max_retries=0)
    tracer = trace.get_tracer("tenlog.driver")
    with tracer.start_as_current_span("agent-run", attributes={"session.id": session}):
        client.chat.completions.create(
            model="chat-plain",
            messages=[
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Say hello."},
            ],
            temperature=0.2,
            max_tokens=50,
        )
        question = {"role": "user", "content": "Weather in Paris?"}
        first = client.chat.completions.create(model="chat-tool", messages=[question], tools=TOOLS)  # type: ignore[arg-type,list-item]
        call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
        client.chat.completions.create(
            model="chat-tool",
            messages=[
                question,
                {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
                {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 18}'},
            ],  # type: ignore[list-item]
            tools=TOOLS,  # type: ignore[arg-type,list-item]
        )
        stream = client.chat.completions.create(
            model="chat-stream",
            messages=[{"role": "user", "content": "Stream a hello."}],
            stream=True,
            stream_options={"include_usage": True},
        )
        for _ in stream:
            pass

        async def async_call() -> None:
            aclient = openai.AsyncOpenAI(base_url=base_url, api_key="sk-fake", max_retries=0)
            await aclient.chat.completions.create(
                model="chat-async", messages=[{"role": "user", "content": "Hello, async."}]
            )
            await aclient.close()

        asyncio.run(async_call())
        with contextlib.suppress(openai.BadRequestError):
            client.chat.completions.create(model="fail-400", messages=[{"role": "user", "content": "Fail."}])


class PlainChatSpan(SpanProcessor):
    """Remembers the span of the plain chat call: the evaluations below grade it."""

    context: Any = None

    def on_end(self, span: Any) -> None:
        attributes = span.attributes or {}
        if "chat-plain" in (attributes.get("gen_ai.request.model"), attributes.get("llm.model_name")):
            PlainChatSpan.context = span.get_span_context()


def evaluate() -> None:
    """Two gen_ai.evaluation.result events, as a grader using OpenTelemetry sends them.

    One is parented to the plain chat's span; the other names the first tool-call
    response by gen_ai.response.id alone.
    """
    from opentelemetry._logs import get_logger

    logger = get_logger("tenlog.driver.grader")
    parent = trace.set_span_in_context(NonRecordingSpan(PlainChatSpan.context))
    logger.emit(
        event_name="gen_ai.evaluation.result",
        context=parent,
        attributes={
            "gen_ai.evaluation.name": "relevance",
            "gen_ai.evaluation.score.value": 0.75,
            "gen_ai.evaluation.score.label": "relevant",
            "gen_ai.evaluation.explanation": "It said hello.",
        },
    )
    logger.emit(
        event_name="gen_ai.evaluation.result",
        attributes={
            "gen_ai.evaluation.name": "tool_choice",
            "gen_ai.evaluation.score.label": "correct",
            "gen_ai.response.id": "chatcmpl-tool",
        },
    )


def hexify_ids(value: Any) -> Any:
    """Protobuf JSON writes bytes as base64; OTLP/JSON writes trace and span ids as hex."""
    if isinstance(value, dict):
        return {
            k: base64.b64decode(v).hex()
            if k in ("traceId", "spanId", "parentSpanId") and isinstance(v, str)
            else hexify_ids(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [hexify_ids(v) for v in value]
    return value


def post_json(url: str, key: str, body: Any) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("instrumentation", "transport", "endpoint", "key", "base_url", "session"):
        parser.add_argument(name)
    parser.add_argument("--capture", default="")
    parser.add_argument("--evaluate", action="store_true", help="then send evaluation results of two calls")
    args = parser.parse_args()
    os.environ.setdefault("OTEL_EXPORTER_OTLP_HEADERS", f"x-log10-token={args.key}")
    resource = Resource.create({"service.name": f"driver-{args.instrumentation}", "deployment.environment": "test"})
    span_exporter, log_exporter = exporters(args.transport, args.endpoint, args.key)
    tracer_provider = TracerProvider(resource=resource)
    logger_provider = LoggerProvider(resource=resource)
    # Logs are exported one by one as they are emitted, spans in one batch at the end: the content
    # records reach tenlog before their spans, and the root span (the session) is in the spans' export.
    # The delay keeps a slow run (a loaded machine) from exporting early spans without their root.
    tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter, schedule_delay_millis=600_000))
    tracer_provider.add_span_processor(PlainChatSpan())
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
    capture = InMemorySpanExporter(), InMemoryLogExporter()
    if args.capture:
        tracer_provider.add_span_processor(SimpleSpanProcessor(capture[0]))
        logger_provider.add_log_record_processor(SimpleLogRecordProcessor(capture[1]))
    trace.set_tracer_provider(tracer_provider)
    set_logger_provider(logger_provider)
    try:  # the event API (openai-v2's per-message events) sits on the logger provider
        from opentelemetry._events import set_event_logger_provider
        from opentelemetry.sdk._events import EventLoggerProvider

        set_event_logger_provider(EventLoggerProvider(logger_provider))
    except ImportError:
        pass
    instrument(args.instrumentation)
    calls(args.base_url, args.session)
    tracer_provider.force_flush()
    if args.evaluate:  # graded after the calls were exported, as a grader works
        evaluate()
    logger_provider.force_flush()
    if args.transport == "json":  # spans first here: the log records then join calls already stored
        spans = span_exporter.get_finished_spans()
        post_json(f"{args.endpoint}/v1/traces", args.key, hexify_ids(json_format.MessageToDict(encode_spans(spans))))
        logs = log_exporter.get_finished_logs()
        if logs:
            post_json(f"{args.endpoint}/v1/logs", args.key, hexify_ids(json_format.MessageToDict(encode_logs(logs))))
    if args.capture:
        out = Path(args.capture)
        out.mkdir(parents=True, exist_ok=True)
        traces = json_format.MessageToDict(encode_spans(capture[0].get_finished_spans()))
        (out / f"{args.instrumentation}.traces.json").write_text(json.dumps(traces, indent=1) + "\n")
        logs = capture[1].get_finished_logs()
        if logs:
            (out / f"{args.instrumentation}.logs.json").write_text(
                json.dumps(json_format.MessageToDict(encode_logs(logs)), indent=1) + "\n"
            )
    tracer_provider.shutdown()
    logger_provider.shutdown()


if __name__ == "__main__":
    main()
