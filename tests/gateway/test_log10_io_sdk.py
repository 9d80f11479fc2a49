"""log10-io 0.16 (Log10's own SDK and its `log10` CLI), unchanged, beyond the wrapped-client logging.

It runs in subprocesses (see test_log10_clients.py for why). Its LLM classes
only talk to a host named log10.io, so LOG10_URL is http://log10.io and
HTTP_PROXY hands every request to a forward proxy in front of the gateway.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.clients.fake_openai import fake_openai
from tests.gateway.conftest import ROOT, Rest
from tests.support.forward_proxy import forward_proxy
from tests.support.server import ServerProcess

SCRIPT = Path(__file__).with_name("scripts") / "log10_io_calls.py"


@pytest.fixture(scope="module")
def legacy_rest(gateway_server: ServerProcess) -> Rest:
    """An organization of its own, so the CLI's org-wide lists see only this module's rows."""
    org = f"log10io-{os.getpid()}"
    return Rest(gateway_server.http_url, gateway_server.mint_key(org), org)


def _run(rest: Rest, log10_io_path: Path, *args: str) -> dict[str, Any]:
    with fake_openai() as (openai_url, _), forward_proxy(rest.base_url) as (proxy_url, seen):
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(log10_io_path), str(ROOT)]),
            "LOG10_URL": "http://log10.io",
            "HTTP_PROXY": proxy_url,
            "http_proxy": proxy_url,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "LOG10_TOKEN": rest.key,
            "LOG10_ORG_ID": rest.org,
            "OPENAI_BASE_URL": openai_url,
            "OPENAI_API_KEY": "sk-fake",
            "COLUMNS": "400",  # rich tables: room for whole ids
        }
        done = subprocess.run(
            [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["proxied"] = seen
    result["stderr"] = done.stderr
    return result


def test_log10_io_mock_chat_completions_and_llm_session(legacy_rest: Rest, log10_io_path: Path, unique: str) -> None:
    rest = legacy_rest
    result = _run(rest, log10_io_path, "sdk", unique)
    assert "Failed" not in result["stderr"], result["stderr"]

    # mock_chat_completions() posts a whole Completion (id, organization_id, stack_trace) to the v1 update route.
    mock = result["mock"]
    assert mock is not None and mock["choices"][0]["message"]["content"] == "Paris."
    completion_id = mock["id"].removeprefix("chatcmpl-")
    stored = rest.get(f"/api/v1/completions/{completion_id}").json
    assert stored["status"] == "finished" and stored["kind"] == "chat"
    assert set(stored["tags"]) == {unique, "MOCK_CHAT_COMPLETIONS"}
    assert stored["response"]["choices"][0]["message"]["content"] == "Paris."
    assert stored["organization_id"] == rest.org and stored["stack_trace"] == []

    # The LLM class starts a server session (reads sessionID), then logs its call into it.
    assert result["logging"] and result["session_id"]
    assert "POST log10.io/api/sessions" in result["proxied"]
    assert rest.get(f"/api/v1/sessions/{result['session_id']}").status == 200
    assert result["llm_reply"] == "Hello there!"
    logged = rest.get(f"/api/v1/completions/{result['llm_completion_id']}").json
    assert logged["session_id"] == result["session_id"]
    assert logged["status"] == "finished" and unique in logged["tags"]
    assert logged["response"]["choices"][0]["message"]["content"] == "Hello there!"
    assert result["last_completion_url"].endswith(f"/app/{rest.org}/completions/{result['llm_completion_id']}")


def test_log10_io_cli_completions_feedback_and_tasks(
    legacy_rest: Rest, gateway_server: ServerProcess, log10_io_path: Path, unique: str, tmp_path: Path
) -> None:
    rest = legacy_rest
    body = {"status": "finished", "tags": [unique, "cli"]}
    ids = [rest.post("/api/v1/completions", body).json["id"] for _ in range(12)]
    other = rest.post("/api/v1/completions", {"status": "finished", "tags": [f"{unique}-other"]}).json["id"]
    result = _run(rest, log10_io_path, "cli", unique, str(tmp_path))
    for name, outcome in result.items():
        if isinstance(outcome, dict):
            assert outcome["exit_code"] == 0 and not outcome["error"], (name, outcome)

    listed = result["completions list"]["output"]
    assert ids[-1] in listed and other not in listed  # newest first, filtered by the tag's id
    assert f"{unique}, cli" in listed or f"cli, {unique}" in listed  # tagResolved names
    assert ids[-1] in result["completions list (dates)"]["output"]
    downloaded = [json.loads(line) for line in result["completions_file"].splitlines()]
    assert [c["id"] for c in downloaded] == ids[::-1]  # all 12, in batches of 10, newest first
    assert downloaded[0]["tagResolved"] == [{"id": unique, "name": unique}, {"id": "cli", "name": "cli"}]
    assert ids[-1] in result["completions get"]["output"]

    task_id = result["task_id"]
    assert rest.get(f"/api/v1/feedback_task/{task_id}").json["name"] == f"task-{unique}"
    assert task_id in result["feedback-task list"]["output"] and "rate it" in result["feedback-task list"]["output"]
    assert task_id in result["feedback-task get"]["output"]
    feedback = [json.loads(line) for line in result["feedback_file"].splitlines()]
    assert len(feedback) == 1 and feedback[0]["task_name"] == f"task-{unique}"
    assert feedback[0]["json_values"] == {"score": 4} and sorted(feedback[0]["matched_completion_ids"]) == sorted(ids)
    listed_feedback = result["feedback list"]["output"]
    assert feedback[0]["id"] in listed_feedback and f"task-{unique}" in listed_feedback
    assert feedback[0]["id"] in result["feedback get"]["output"]

    # log10py's reading of the same paths is unchanged: the contract's shapes without organization_id.
    assert isinstance(rest.get("/api/v1/feedback_task").json, list)
    assert [f["id"] for f in rest.get(f"/api/v1/feedback?task_id={task_id}").json["feedback"]] == [feedback[0]["id"]]
    legacy = rest.get(f"/api/v1/feedback?organization_id={rest.org}&task_id={task_id}&offset=0&limit=5").json
    assert legacy["total"] == 1 and [f["id"] for f in legacy["data"]] == [feedback[0]["id"]]
    assert rest.get(f"/api/v1/feedback?organization_id=not-{rest.org}").status == 403

    # Another organization reads none of it through the CLI's routes, and cannot name this one.
    theirs = Rest(rest.base_url, gateway_server.mint_key(f"other-{unique}"), f"other-{unique}")
    query = f"organization_id={theirs.org}&offset=0&limit=50"
    assert theirs.get(f"/api/completions?{query}").json == {"data": [], "total": 0}
    assert theirs.get(f"/api/completions?{query}&tagFilter={unique}").json["data"] == []
    assert theirs.get(f"/api/completions/{ids[0]}?organization_id={theirs.org}").status == 404
    assert theirs.get(f"/api/tags/search?organization_id={theirs.org}&query={unique}").json.get("data", []) == []
    assert theirs.get(f"/api/v1/feedback?{query}").json == {"data": [], "total": 0}
    assert theirs.get(f"/api/completions?organization_id={rest.org}&offset=0&limit=5").status == 403
