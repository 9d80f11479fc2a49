"""The two official Log10 Python clients, unchanged, against tenlog's REST gateway.

log10py (generated from the v1 spec) runs in this process. log10-io 0.16 (the
SDK wrapping OpenAI) runs in a subprocess: it reads its configuration at
import time and ships a `log10` package that clashes with log10py's, so it is
installed into its own folder and put first on that process's path. Its
OpenAI calls go to a local fake OpenAI server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clients.fake_openai import fake_openai
from tests.gateway.conftest import Rest
from tests.support.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("scripts") / "log10_io_chat.py"


@pytest.fixture(scope="session")
def log10py_rest(gateway_server: ServerProcess) -> Rest:
    """A separate organization, so org-wide lists (ungraded) see only this module's rows."""
    org = "org-log10py"
    return Rest(gateway_server.http_url, gateway_server.mint_key(org), org)


def _full_request() -> dict:
    # log10py's generated CreateChatCompletionRequest can only decode a request
    # that sets every field it defaults to its UNSET sentinel (a bug of that
    # client, whatever the server): so the request logged here sets them all.
    return {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Hi"}],
        "logit_bias": {},
        "top_logprobs": 0,
        "max_tokens": 16,
        "seed": 1,
        "stop": "\n",
        "stream_options": {"include_usage": False},
    }


def test_log10py_completions_sessions_and_tasks(log10py_rest: Rest, unique: str) -> None:
    from log10.models import components
    from log10.sdk import Log10

    rest = log10py_rest
    sdk = Log10(log10_token=rest.key, x_log10_organization=rest.org, server_url=rest.base_url)
    response = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4o",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": "Hello"},
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }
    created = sdk.completions.create(
        completion=components.Completion(
            organization_id=rest.org,
            kind=components.Kind.CHAT,
            status=components.Status.FINISHED,
            tags=[unique],
            request=_full_request(),
            response=response,
            duration=1.5,
        )
    )
    assert created.http_meta.response.status_code == 201
    assert created.completion is not None
    assert created.completion.status == components.Status.FINISHED
    assert created.completion.response.choices[0].message.content == "Hello"
    completion_id = created.completion.id

    started = sdk.completions.create(
        completion=components.Completion(organization_id=rest.org, status=components.Status.STARTED, tags=[unique])
    )
    updated = sdk.completions.update(
        completion_id=started.completion.id,
        completion=components.Completion(organization_id=rest.org, status=components.Status.FAILED, failure_reason="x"),
    )
    assert updated.completion.status == components.Status.FAILED
    assert updated.completion.tags == [unique]  # kept: absent from the update body

    session = sdk.sessions.create()
    assert session.http_meta.response.status_code == 201
    assert session.object.session.id

    # log10py was generated from the original spec, where a task's completion_tags_selector
    # is an object; the contract (and tenlog) answers the list of tags it always was, so the
    # SDK's decoder rejects the answer *after* the server accepted the task.
    with pytest.raises(AttributeError, match="'list' object has no attribute 'items'"):
        sdk.feedback_tasks.create(
            request=components.Task(
                name=f"task-{unique}",
                instruction="rate",
                json_schema={"type": "object", "properties": {"score": {"type": "integer"}}},
                completion_tags_selector=[unique],
            )
        )
    tasks = [t for t in rest.get("/api/v1/feedback_task?limit=1000").json if t["name"] == f"task-{unique}"]
    assert len(tasks) == 1 and tasks[0]["completion_tags_selector"] == [unique]

    ungraded = sdk.completions.list_ungraded().object.completions
    assert {c.id for c in ungraded} >= {completion_id, started.completion.id}


def test_log10py_feedback_round_trip(log10py_rest: Rest, unique: str) -> None:
    from log10.models import operations
    from log10.sdk import Log10

    rest = log10py_rest
    sdk = Log10(log10_token=rest.key, x_log10_organization=rest.org, server_url=rest.base_url)
    completion_id = rest.post("/api/v1/completions", {"status": "finished", "tags": [unique]}).json["id"]
    task_id = rest.post(
        "/api/v1/feedback_task",
        {
            "name": unique,
            "instruction": "rate",
            "json_schema": {"type": "object"},
            "completion_tags_selector": [unique],
        },
    ).json["id"]
    feedback = sdk.feedback.upload(
        request_body=operations.Two(
            organization_id=rest.org,
            task_id=task_id,
            json_values={"score": 5},
            matched_completion_ids=[],
            comment="good",
            completion_ids=[completion_id],
        )
    ).feedback
    assert feedback.matched_completion_ids == [completion_id]
    listed = sdk.feedback.list(request_body=operations.ListRequestBody(task_id=task_id)).object.feedback
    assert [f.id for f in listed] == [feedback.id]
    assert sdk.feedback.get(feedback_id=feedback.id).feedback.comment == "good"
    assert completion_id not in {c.id for c in sdk.completions.list_ungraded().object.completions}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_log10_io_logs_wrapped_openai_calls(rest: Rest, log10_io_path: Path, unique: str, mode: str) -> None:
    with fake_openai() as (openai_url, seen):
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(log10_io_path), str(ROOT)]),
            "LOG10_URL": rest.base_url,
            "LOG10_TOKEN": rest.key,
            "LOG10_ORG_ID": rest.org,
            "OPENAI_BASE_URL": openai_url,
            "OPENAI_API_KEY": "sk-fake",
        }
        done = subprocess.run(
            [sys.executable, str(SCRIPT), mode, unique], env=env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr
    assert "LOG10" not in done.stderr or "failed" not in done.stderr.lower(), done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["content"] == "Hello there!"
    assert len(seen) == 1

    stored = rest.get(f"/api/v1/completions/{result['id']}")
    assert stored.status == 200, stored.text
    completion = stored.json
    assert completion["status"] == "finished"  # a late started write never reopens it
    assert completion["kind"] == "chat"
    assert unique in completion["tags"]
    assert completion["source"] == "log10"
    # log10-io sent request/response as JSON strings; they are stored as objects.
    assert completion["request"]["messages"] == [{"role": "user", "content": "Say hello"}]
    assert completion["response"]["choices"][0]["message"]["content"] == "Hello there!"
    assert completion["total_tokens"] == 13 and completion["model"] == "gpt-4o-mini"
    assert completion["stacktrace"] and completion["stacktrace"][0]["file"]
    assert completion["orig_module"].startswith("openai")  # a key the contract does not name, kept
    # The legacy read route answers the same completion.
    assert rest.get(f"/api/completions/{result['id']}?organization_id={rest.org}").json["data"]["id"] == result["id"]
