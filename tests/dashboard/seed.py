"""Completions, a session and a feedback task for the dashboard tests, logged through the REST API."""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any

# A 2x2 red PNG, as the logs API's media carries images.
RED_PIXELS_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)

GRADE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["rating", "verdict"],
    "properties": {
        "rating": {"type": "integer", "minimum": 1, "maximum": 5, "title": "Rating"},
        "verdict": {"enum": ["correct", "partly correct", "wrong"]},
        "harmful": {"type": "boolean"},
        # The browser leaves multipleOf to the server: its violation shows at this field.
        "confidence": {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.25},
        "details": {
            "type": "object",
            "properties": {"category": {"type": "string", "maxLength": 40}},
        },
        "labels": {"type": "array", "items": {"type": "string", "maxLength": 20}},
    },
}


def call(base_url: str, key: str, method: str, path: str, body: Any = None) -> Any:
    """One REST call with the key; the parsed JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("X-Log10-Token", key)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def chat(
    tag: str, user: str, reply: str, *, model: str = "gpt-4o", cost: float = 0.001, tokens: int = 30, **extra: Any
) -> dict[str, Any]:
    """A finished chat completion as the Log10 REST API takes it."""
    completion: dict[str, Any] = {
        "kind": "chat",
        "status": "finished",
        "tags": [tag],
        "duration": 0.5 + tokens / 100,
        "cost": cost,
        "request": {"model": model, "temperature": 0.2, "messages": [{"role": "user", "content": user}]},
        "response": {
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": reply}}],
            "usage": {"prompt_tokens": tokens - 10, "completion_tokens": 10, "total_tokens": tokens},
        },
    }
    completion.update(extra)
    return completion


def seed(base_url: str, key: str, tag: str) -> dict[str, Any]:
    """Log the dashboard's fixture data under `tag`; returns ids and names the tests look for."""
    session = f"sess-{tag}"
    tool_call = {
        "kind": "chat",
        "status": "finished",
        "tags": [tag, "checkout"],
        "session_id": session,
        "duration": 2.5,
        "cost": 0.02,
        "metadata": {"customer": "acme"},
        "request": {
            "model": "gpt-4o",
            "messages": [
                {"role": "system", "content": "You are the order desk."},
                {"role": "user", "content": "Where is my parcel 7731?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "lookup_order", "arguments": '{"order_id": "7731"}'},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": '{"state": "shipped"}'},
            ],
            "tools": [{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object"}}}],
        },
        "response": {
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "It has shipped."}}
            ],
            "usage": {"prompt_tokens": 80, "completion_tokens": 6, "total_tokens": 86},
        },
    }
    created = {"tool": call(base_url, key, "POST", "/api/v1/completions", tool_call)["id"]}
    created["refund"] = call(
        base_url,
        key,
        "POST",
        "/api/v1/completions",
        chat(tag, "I want a zanzibar refund for order 12", "Refund started.", model="gpt-4o-mini", session_id=session),
    )["id"]
    created["failed"] = call(
        base_url,
        key,
        "POST",
        "/api/v1/completions",
        chat(
            tag,
            "Translate this",
            "",
            model="claude-3-5-sonnet",
            status="failed",
            failure_kind="rate_limit",
            failure_reason="429 from upstream",
            metadata={"customer": "globex"},
        ),
    )["id"]
    for i in range(3):
        created[f"grade{i}"] = call(
            base_url,
            key,
            "POST",
            "/api/v1/completions",
            chat(f"{tag}-grade", f"Question {i}: capital of France?", "Paris.", tokens=20 + i),
        )["id"]
    swatch = base64.b64encode(RED_PIXELS_PNG).decode()
    image = call(
        base_url,
        key,
        "POST",
        "/api/logs/insert",
        {
            "model": "gpt-4o",
            "request_data": {"model": "gpt-4o", "messages": [{"role": "user", "content": "What colour is this?"}]},
            "response_data": {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Red."}}]},
            "media": {"request": [{"type": "image", "title": "swatch", "data": swatch}]},
        },
    )
    created["image"] = image["id"]
    task = call(
        base_url,
        key,
        "POST",
        "/api/v1/feedback_task",
        {
            "name": f"Answer quality {tag}",
            "instruction": "Is the answer correct?",
            "json_schema": GRADE_SCHEMA,
            "completion_tags_selector": [f"{tag}-grade"],
        },
    )
    return {"ids": created, "session": session, "task_id": task["id"], "task_name": task["name"]}
