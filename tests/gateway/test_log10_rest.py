"""The Log10 REST contract over the gateway, against a live server: shapes, codes, enums, headers."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import aiohttp
import pytest

from tests.gateway.conftest import Rest

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def _example() -> dict:
    """The request and response of log10-create-completion-example.txt."""
    text = (SEEDS / "log10-create-completion-example.txt").read_text()
    return json.loads(text[text.index("{") :])


def test_the_seed_example_request_gets_201_and_the_example_fields(rest: Rest, unique: str) -> None:
    example = _example()
    body = example["request"]["body"]
    body["session_id"] = f"sess-{unique}"
    headers = {k: v for k, v in example["request"]["headers"].items() if k.lower() != "x-log10-organization"}
    headers["X-Log10-Token"] = rest.key  # the example's placeholder token, replaced by a real one
    result = rest.post("/api/v1/completions", body, headers=headers)
    assert result.status == example["response"]["status"] == 201, result.text
    got = result.json
    for key, value in example["response"]["body"].items():
        if key in ("id", "session_id"):
            continue
        if key == "organization_id":
            # Answers name the owning organization (the key's), never a value the client reported.
            assert got[key] == rest.org
            continue
        assert got[key] == value, key
    assert got["session_id"] == body["session_id"]
    assert got["id"]
    # Nothing sent is lost: request/response come back as sent, integers as integers.
    assert got["request"] == body["request"]
    assert got["response"] == body["response"]
    assert got["total_tokens"] == 37 and got["model"] == "gpt-4o"


def test_unknown_top_level_keys_are_kept_and_returned(rest: Rest, unique: str) -> None:
    created = rest.post("/api/v1/completions", {"status": "started", "tags": [unique], "orig_module": "openai"})
    assert created.status == 201, created.text
    fetched = rest.get(f"/api/v1/completions/{created.json['id']}")
    assert fetched.status == 200
    assert fetched.json["orig_module"] == "openai"
    assert "extra" not in fetched.json


def test_update_keeps_fields_absent_from_the_body(rest: Rest, unique: str) -> None:
    created = rest.post(
        "/api/v1/completions",
        {"status": "started", "tags": [unique], "session_id": f"s-{unique}", "request": {"model": "m", "messages": []}},
    ).json
    updated = rest.post(f"/api/v1/completions/{created['id']}", {"status": "finished", "response": {"model": "m"}})
    assert updated.status == 200, updated.text
    assert updated.json["status"] == "finished"
    assert updated.json["tags"] == [unique]
    assert updated.json["session_id"] == f"s-{unique}"
    assert updated.json["request"] == {"model": "m", "messages": []}


def test_enum_values_are_spelled_as_the_spec_and_accepted_in_any_spelling(rest: Rest, unique: str) -> None:
    for spelling in ("failed", "FAILED", "STATUS_FAILED", 3):
        result = rest.post("/api/v1/completions", {"status": spelling, "kind": "prompt", "tags": [unique]})
        assert result.status == 201, result.text
        assert (result.json["status"], result.json["kind"]) == ("failed", "prompt")
    listed = rest.get(f"/api/v1/completions?tags={unique}&status=failed&limit=10")
    assert listed.status == 200
    assert len(listed.json["completions"]) == 4


def test_log10_io_text_completion_kind_is_accepted_as_prompt(rest: Rest, unique: str) -> None:
    """log10-io sends kind "completion" for text completions; the contract spells it "prompt"."""
    result = rest.post("/api/v1/completions", {"kind": "completion", "status": "finished", "tags": [unique]})
    assert result.status == 201, result.text
    assert result.json["kind"] == "prompt"
    assert rest.get(f"/api/v1/completions/{result.json['id']}").json["kind"] == "prompt"
    bad = rest.post("/api/v1/completions", {"kind": "essay", "tags": [unique]})
    assert bad.status == 400 and "chat, prompt" in bad.text and "prompt, prompt" not in bad.text


def test_literal_segment_wins_over_a_variable(rest: Rest) -> None:
    result = rest.get("/api/v1/completions/ungraded")
    assert result.status == 200, result.text
    assert "completions" in result.json


def test_query_parameters_repeat_for_lists(rest: Rest, unique: str) -> None:
    rest.post("/api/v1/completions", {"status": "finished", "tags": [unique, "a"]})
    rest.post("/api/v1/completions", {"status": "finished", "tags": [unique, "b"]})
    both = rest.get(f"/api/v1/completions?tags={unique}")
    only_a = rest.get(f"/api/v1/completions?tags={unique}&tags=a")
    assert len(both.json["completions"]) == 2
    assert [c["tags"] for c in only_a.json["completions"]] == [[unique, "a"]]


def test_sessions_create_answers_201_with_the_session(rest: Rest, unique: str) -> None:
    result = rest.post("/api/v1/sessions", raw=b"")
    assert result.status == 201, result.text
    assert result.json["session"]["id"]
    chosen = rest.post("/api/v1/sessions", {"session": {"id": f"sess-{unique}"}})
    assert chosen.json["session"]["id"] == f"sess-{unique}"
    assert rest.get(f"/api/v1/sessions/sess-{unique}").json["id"] == f"sess-{unique}"


def test_feedback_tasks_list_is_a_bare_array_and_feedback_lists_from_query_or_body(rest: Rest, unique: str) -> None:
    task = rest.post(
        "/api/v1/feedback_task",
        {
            "name": f"task-{unique}",
            "instruction": "rate it",
            "json_schema": {"type": "object", "properties": {"score": {"type": "integer"}}},
            "completion_tags_selector": [unique],
            "organization_id": "sent by log10 clients, ignored",
        },
    )
    assert task.status == 200, task.text
    task_id = task.json["id"]
    listed = rest.get("/api/v1/feedback_task?limit=100")
    assert isinstance(listed.json, list)
    assert task_id in [t["id"] for t in listed.json]

    completion = rest.post("/api/v1/completions", {"status": "finished", "tags": [unique]}).json
    feedback = rest.post(
        "/api/v1/feedback",
        {"task_id": task_id, "json_values": {"score": 4}, "completion_ids": [completion["id"]], "comment": "ok"},
    )
    assert feedback.status == 200, feedback.text
    assert feedback.json["matched_completion_ids"] == [completion["id"]]
    assert feedback.json["json_values"] == {"score": 4}

    by_query = rest.get(f"/api/v1/feedback?task_id={task_id}&offset=0&limit=5")
    by_body = rest.call("GET", "/api/v1/feedback", {"task_id": task_id, "completion_id": completion["id"]})
    other = rest.call("GET", "/api/v1/feedback", {"task_id": "no-such-task"})
    assert [f["id"] for f in by_query.json["feedback"]] == [feedback.json["id"]]
    assert [f["id"] for f in by_body.json["feedback"]] == [feedback.json["id"]]
    assert other.json["feedback"] == []


def test_every_key_header_reaches_the_server(rest: Rest, unique: str) -> None:
    for headers in (
        {"X-Log10-Token": rest.key},
        {"Authorization": f"Bearer {rest.key}"},
        {"x-api-key": rest.key},
    ):
        result = rest.post("/api/v1/completions", {"status": "started", "tags": [unique]}, headers=headers, auth=False)
        assert result.status == 201, (headers, result.text)


def test_organization_headers_are_checked_against_the_key(rest: Rest, unique: str) -> None:
    for name in ("X-Log10-Organization", "x-log10-organization-id"):
        own = rest.post("/api/v1/completions", {"tags": [unique]}, headers={name: rest.org})
        assert own.status == 201, own.text
        other = rest.post("/api/v1/completions", {"tags": [unique]}, headers={name: f"not-{rest.org}"})
        assert other.status == 403, other.text
        assert other.json["code"] == 7


def test_rich_error_details_reach_the_json_body(rest: Rest) -> None:
    result = rest.post("/api/v1/completions", {"kind": "chat", "tags": [""]})
    assert result.status == 400
    body = result.json
    assert body["code"] == 3
    violations = [d for d in body["details"] if d["@type"].endswith("google.rpc.BadRequest")]
    assert violations and violations[0]["field_violations"][0]["field"] == "completion.tags[0]"
    assert body["error"] == body["message"]


def test_not_found_from_the_server_is_404(rest: Rest, unique: str) -> None:
    result = rest.get(f"/api/v1/completions/missing-{unique}")
    assert result.status == 404
    assert unique in result.json["message"]


def test_openapi_document_and_offline_docs_page(rest: Rest) -> None:
    spec = rest.get("/openapi.json", auth=False)
    assert spec.status == 200
    doc = spec.json
    assert doc["openapi"].startswith("3.")
    create = doc["paths"]["/api/v1/completions"]["post"]
    assert "201" in create["responses"]
    assert "/api/v2/projects/{project_id}/sessions/{session_id}/completions" in doc["paths"]
    schema = doc["components"]["schemas"]["tenlog.v1.Completion"]
    assert schema["properties"]["status"]["enum"] == ["started", "finished", "failed"]
    docs = rest.get("/docs", auth=False)
    assert docs.status == 200 and "/openapi.json" in docs.text
    # Offline: the page loads nothing from another host.
    assert not re.search(r"""(src|href)=["']https?://""", docs.text)


async def test_server_stream_answers_ndjson_as_events_happen(rest: Rest, unique: str) -> None:
    url = f"{rest.base_url}/api/v1/completions:tail?tags={unique}"
    async with aiohttp.ClientSession() as session, session.get(url, headers={"X-Log10-Token": rest.key}) as response:
        if response.status == 501:
            pytest.skip("the server does not implement TailCompletions yet")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/x-ndjson")
        created = await asyncio.to_thread(rest.post, "/api/v1/completions", {"status": "finished", "tags": [unique]})
        line = await asyncio.wait_for(response.content.readline(), 15)
        event = json.loads(line)["result"]
        assert event["event"] == "created"
        assert event["completion"]["id"] == created.json["id"]
