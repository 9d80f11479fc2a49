"""A small OpenAI-compatible HTTP server for the wrapper tests: /v1/chat/completions only.

The model name picks the behaviour: ``fail-400`` answers 400 with an OpenAI error
body, ``break-stream`` streams two chunks and then an error event; anything
else answers "Hello there!" (streamed in pieces when ``stream`` is true, with a
usage chunk when ``stream_options.include_usage`` is set, and a tool call when
the request offers tools). A non-streamed request that offers tools and carries
no tool result yet is answered with a call of its first tool (``finish_reason``
``tool_calls``); once a tool result is in the messages the answer is text.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLY_PIECES = ["Hel", "lo ", "there", "!"]
USAGE = {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}


def completion_body(model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-plain",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "".join(REPLY_PIECES), "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": USAGE,
    }


def tool_call_body(model: str, tool: str) -> dict[str, Any]:
    body = completion_body(model)
    call = {"id": "call_weather_1", "type": "function", "function": {"name": tool, "arguments": '{"city": "Paris"}'}}
    body["id"] = "chatcmpl-tool"
    body["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": [call], "refusal": None}
    body["choices"][0]["finish_reason"] = "tool_calls"
    return body


def chunk(model: str, delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> dict[str, Any]:
    choices = [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
    return {
        "id": "chatcmpl-stream",
        "object": "chat.completion.chunk",
        "created": 1700000001,
        "model": model,
        "choices": choices,
        "usage": usage,
    }


def stream_chunks(request: dict[str, Any]) -> list[dict[str, Any]]:
    model = request["model"]
    chunks = [chunk(model, {"role": "assistant", "content": ""})]
    chunks += [chunk(model, {"content": piece}) for piece in REPLY_PIECES]
    if request.get("tools"):
        call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": ""}}
        chunks.append(chunk(model, {"tool_calls": [call]}))
        for part in ['{"city"', ': "Paris"}']:
            chunks.append(chunk(model, {"tool_calls": [{"index": 0, "function": {"arguments": part}}]}))
    chunks.append(chunk(model, {}, finish="tool_calls" if request.get("tools") else "stop"))
    if (request.get("stream_options") or {}).get("include_usage"):
        chunks.append(chunk(model, {}, usage=USAGE))
    return chunks


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_events(self, events: list[dict[str, Any]], done: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            if done:
                self.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading early, as a test may mean it to

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(404, {"error": {"message": "not found"}})
            return
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(request)  # type: ignore[attr-defined]
        model = request.get("model")
        if model == "fail-400":
            error = {"message": "The model `fail-400` does not exist", "type": "invalid_request_error"}
            self._send_json(400, {"error": {**error, "param": None, "code": "model_not_found"}})
        elif model == "break-stream":
            events = [*stream_chunks(request)[:2], {"error": {"message": "the upstream broke"}}]
            self._send_events(events, done=False)
        elif request.get("stream"):
            self._send_events(stream_chunks(request))
        elif request.get("tools") and not any(m.get("role") == "tool" for m in request.get("messages", [])):
            self._send_json(200, tool_call_body(model, request["tools"][0]["function"]["name"]))
        else:
            self._send_json(200, completion_body(model))


@contextmanager
def fake_openai() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Run the server on a free port; yields (base_url, requests received)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
