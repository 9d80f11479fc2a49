"""Other vendors' ingest APIs over REST: the official Freeplay and Keywords AI SDKs, and the logs API.

Each call must land as an ordinary Completion, readable through the Log10 API,
with its `source`, the lifted fields, and everything else kept in metadata.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from tests.gateway.conftest import Rest

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def _by_tag(rest: Rest, tag: str) -> list[dict]:
    result = rest.get(f"/api/v1/completions?tags={quote(tag)}&limit=100")
    assert result.status == 200, result.text
    completions: list[dict] = result.json["completions"]
    return completions


def _without_nulls(value: object) -> object:
    """JSON null means "not sent"; drop it (recursively) before comparing with what was kept."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _seed_json(name: str) -> dict:
    """The first JSON object of a seed file (the request body of its curl example)."""
    text = (SEEDS / name).read_text()
    start = text.index("{", text.index("--data"))
    body, _ = json.JSONDecoder().raw_decode(text[start:])
    return body


# --- Freeplay -------------------------------------------------------------------------------


def test_freeplay_sdk_records_a_completion(rest: Rest, unique: str) -> None:
    from freeplay import Freeplay
    from freeplay.resources.prompts import PromptVersionInfo
    from freeplay.resources.recordings import CallInfo, RecordPayload, UsageTokens
    from freeplay.resources.sessions import SessionInfo

    client = Freeplay(freeplay_api_key=rest.key, api_base=f"{rest.base_url}/api")
    project_id, session_id, completion_id = f"proj-{unique}", str(uuid.uuid4()), uuid.uuid4()
    started = time.time()
    payload = RecordPayload(
        project_id=project_id,
        all_messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Capital of France?"},
            {"role": "assistant", "content": "Paris."},
        ],
        session_info=SessionInfo(session_id=session_id, custom_metadata={"customer": unique}),
        inputs={"country": "France"},
        prompt_version_info=PromptVersionInfo(prompt_template_version_id=f"ptv-{unique}", environment="prod"),
        call_info=CallInfo(
            provider="openai",
            model="gpt-4o",
            start_time=started,
            end_time=started + 1.25,
            usage=UsageTokens(prompt_tokens=12, completion_tokens=3),
        ),
        eval_results={"correct": True, "score": 0.9},
        completion_id=completion_id,
    )
    recorded = client.recordings.create(payload)
    assert recorded.completion_id == str(completion_id)
    # A retry with the same completion_id does not duplicate it.
    assert client.recordings.create(payload).completion_id == str(completion_id)
    assert [c["id"] for c in _by_tag(rest, f"freeplay.project_id={project_id}")] == [str(completion_id)]

    completion = rest.get(f"/api/v1/completions/{completion_id}").json
    assert completion["source"] == "freeplay"
    assert completion["status"] == "finished" and completion["kind"] == "chat"
    assert completion["session_id"] == session_id
    assert completion["model"] == "gpt-4o"
    assert (completion["prompt_tokens"], completion["completion_tokens"], completion["total_tokens"]) == (12, 3, 15)
    assert abs(completion["duration"] - 1.25) < 1e-3
    assert [m["role"] for m in completion["request"]["messages"]] == ["system", "user"]
    assert completion["response"]["choices"][0]["message"] == {"role": "assistant", "content": "Paris."}
    kept = completion["metadata"]["freeplay"]
    assert kept["project_id"] == project_id
    assert kept["prompt_info"] == {"prompt_template_version_id": f"ptv-{unique}", "environment": "prod"}
    assert kept["inputs"] == {"country": "France"}
    assert kept["eval_results"] == {"correct": True, "score": 0.9}
    assert kept["session_info"] == {"custom_metadata": {"customer": unique}}
    assert kept["call_info"]["provider"] == "openai"
    assert f"freeplay.prompt_template_version_id=ptv-{unique}" in completion["tags"]


def test_freeplay_sdk_updates_a_recorded_completion(rest: Rest, unique: str) -> None:
    from freeplay import Freeplay
    from freeplay.resources.recordings import RecordPayload, RecordUpdatePayload
    from freeplay.resources.sessions import SessionInfo

    client = Freeplay(freeplay_api_key=rest.key, api_base=f"{rest.base_url}/api")
    recorded = client.recordings.create(
        RecordPayload(
            project_id=unique,
            all_messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
            session_info=SessionInfo(session_id=str(uuid.uuid4()), custom_metadata=None),
        )
    )
    client.recordings.update(
        RecordUpdatePayload(
            project_id=unique,
            completion_id=recorded.completion_id,
            new_messages=[{"role": "user", "content": "thanks"}],
            eval_results={"helpful": True},
        )
    )
    kept = rest.get(f"/api/v1/completions/{recorded.completion_id}").json["metadata"]["freeplay"]
    assert kept["new_messages"] == [{"role": "user", "content": "thanks"}]
    assert kept["eval_results"] == {"helpful": True}


def test_freeplay_seed_body_keeps_every_field(rest: Rest, unique: str) -> None:
    body = _seed_json("freeplay-record-completion.txt")
    body["surprise"] = {"kept": True}
    session_id = str(uuid.uuid4())
    result = rest.post(
        f"/api/v2/projects/{unique}/sessions/{session_id}/completions",
        body,
        headers={"Authorization": f"Bearer {rest.key}"},
        auth=False,
    )
    assert result.status == 200, result.text
    completion = rest.get(f"/api/v1/completions/{result.json['completion_id']}").json
    kept = completion["metadata"]["freeplay"]
    for key, value in body.items():
        if key == "messages" or value is None:
            continue  # messages are the request/response; nulls are "not sent"
        assert _without_nulls(kept[key]) == _without_nulls(value), key
    assert completion["request"]["messages"] == []
    assert completion["response"]["choices"][0]["message"] == body["messages"][-1]
    assert completion["prompt_tokens"] == 123 and completion["total_tokens"] == 246


def test_freeplay_without_messages_is_400(rest: Rest, unique: str) -> None:
    result = rest.post(f"/api/v2/projects/{unique}/sessions/s/completions", {"messages": []})
    assert result.status == 400
    assert result.json["details"]
    assert "messages" in json.dumps(result.json["details"])


# --- Keywords AI ------------------------------------------------------------------------------


def test_keywords_ai_sdk_logs_a_request(rest: Rest, unique: str) -> None:
    from keywordsai.logs.api import LogAPI

    client = LogAPI(api_key=rest.key, base_url=f"{rest.base_url}/api")
    answer = client.create(
        {
            "model": "gpt-4o-mini",
            "prompt_messages": [{"role": "user", "content": "Hi"}],
            "completion_message": {"role": "assistant", "content": "Hi, how can I help?"},
            "customer_identifier": f"cust-{unique}",
            "cost": 0.0021,
            "prompt_tokens": 5,
            "completion_tokens": 7,
            "generation_time": 0.8,
            "metadata": {"plan": "pro"},
            "status_code": 200,
        }
    )
    assert answer["message"] == "log successful"
    (completion,) = _by_tag(rest, f"keywordsai.customer_identifier=cust-{unique}")
    assert completion["id"] == answer["id"]
    assert completion["source"] == "keywordsai"
    assert completion["status"] == "finished"
    assert completion["request"]["messages"] == [{"role": "user", "content": "Hi"}]
    assert completion["response"]["choices"][0]["message"]["content"] == "Hi, how can I help?"
    assert (completion["prompt_tokens"], completion["completion_tokens"], completion["total_tokens"]) == (5, 7, 12)
    assert completion["cost"] == 0.0021 and completion["duration"] == 0.8
    kept = completion["metadata"]["keywordsai"]
    assert kept["metadata"] == {"plan": "pro"}
    assert kept["customer_identifier"] == f"cust-{unique}"
    assert "disable_log" in kept  # a field the SDK adds that tenlog does not name: kept too


def test_keywords_ai_failures_and_both_paths(rest: Rest, unique: str) -> None:
    failing = {
        "model": "gpt-4o",
        "prompt_messages": [{"role": "user", "content": "Hi"}],
        "completion_message": {},
        "status_code": 429,
        "error_message": "rate limited",
        "customer_identifier": 42,
        "full_request": {"temperature": 0.5},
        "tool_choice": "auto",
    }
    for path in ("/api/request-logs/create/", "/request-logs/create"):
        result = rest.post(
            path, {**failing, "metadata": {"run": unique}}, headers={"Authorization": f"Bearer {rest.key}"}
        )
        assert result.status == 200, result.text
        completion = rest.get(f"/api/v1/completions/{result.json['id']}").json
        assert completion["status"] == "failed"
        assert completion["failure_reason"] == "rate limited"
        assert completion["request"]["temperature"] == 0.5 and completion["request"]["tool_choice"] == "auto"
        assert completion["metadata"]["keywordsai"]["status_code"] == 429
        assert "keywordsai.customer_identifier=42" in completion["tags"]


# --- logs API ---------------------------------------------------------------------------------


def _log(unique: str, **extra: object) -> dict:
    return {
        "model": "gpt-4o",
        "duration": 2.3,
        "initiator": f"user:{unique}",
        "description": "Chat completion request",
        "request_data": {"messages": [{"role": "user", "content": "Hello"}], "temperature": 0.7},
        "response_data": {
            "choices": [{"message": {"role": "assistant", "content": "Hi there!"}}],
            "usage": {"total_tokens": 25},
        },
        "metadata": {"client_version": "1.0.0", "session_id": f"sess-{unique}"},
        "cost": 0.001,
        **extra,
    }


def test_logs_api_insert_and_partial_update(rest: Rest, unique: str) -> None:
    headers = {"x-api-key": rest.key}
    small_png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 100).decode()
    media = {
        "request": [{"type": "image", "title": "Input", "data": small_png}],
        "response": [{"type": "image", "title": "Out", "data": "https://example.com/image.jpg"}],
    }
    inserted = rest.post("/api/logs/insert", _log(unique, media=media), headers=headers, auth=False)
    assert inserted.status == 200, inserted.text
    log_id = inserted.json["id"]

    completion = rest.get(f"/api/v1/completions/{log_id}").json
    assert completion["source"] == "logs_api"
    assert completion["model"] == "gpt-4o" and completion["duration"] == 2.3 and completion["cost"] == 0.001
    assert completion["total_tokens"] == 25
    assert completion["session_id"] == f"sess-{unique}"
    assert completion["request"]["temperature"] == 0.7
    kept = completion["metadata"]["logs_api"]
    assert kept["initiator"] == f"user:{unique}" and kept["description"] == "Chat completion request"
    assert kept["media"] == media  # base64 and URL, stored and returned as sent
    assert f"logs_api.initiator=user:{unique}" in completion["tags"]

    updated = rest.post(
        "/api/logs/update",
        {"id": log_id, "update_data": {"description": "Updated description", "cost": 0.5}},
        headers=headers,
        auth=False,
    )
    assert updated.status == 200, updated.text
    assert updated.json == {"id": log_id, "success": True}
    after = rest.get(f"/api/v1/completions/{log_id}").json
    assert after["cost"] == 0.5
    assert after["metadata"]["logs_api"]["description"] == "Updated description"
    # Everything not in update_data is kept.
    assert after["metadata"]["logs_api"]["initiator"] == f"user:{unique}"
    assert after["metadata"]["logs_api"]["media"] == media
    assert after["model"] == "gpt-4o" and after["duration"] == 2.3
    assert after["request"] == completion["request"]


def test_logs_api_refuses_images_over_10_mb_with_413(rest: Rest, unique: str) -> None:
    eleven_mb = base64.b64encode(b"\0" * (11 * 1024 * 1024)).decode()
    media = {"request": [{"type": "image", "title": "huge", "data": eleven_mb}]}
    result = rest.post("/api/logs/insert", _log(unique, media=media), headers={"x-api-key": rest.key}, auth=False)
    assert result.status == 413, result.text[:500]
    assert "10 MB" in result.json["message"]
    bad_request = next(d for d in result.json["details"] if d["@type"].endswith("BadRequest"))
    violations = bad_request["field_violations"]
    assert violations[0]["field"] == "media.request[0].data"
    assert _by_tag(rest, f"logs_api.initiator=user:{unique}") == []


def test_logs_api_update_of_unknown_id_is_404(rest: Rest, unique: str) -> None:
    result = rest.post("/api/logs/update", {"id": f"nope-{unique}", "update_data": {"cost": 1}})
    assert result.status == 404


def test_vendor_rpcs_need_a_key(rest: Rest, unique: str) -> None:
    for path, body in (
        ("/api/logs/insert", _log(unique)),
        ("/api/request-logs/create/", {"model": "m"}),
        (f"/api/v2/projects/{unique}/sessions/s/completions", {"messages": [{"role": "user", "content": "x"}]}),
    ):
        assert rest.post(path, body, auth=False).status == 401, path
