"""Freeplay's and Keywords AI's calls beyond logging, made by their real SDKs against a live server.

Each call must answer as the SDK expects (it checks status codes) and land as
first-class tenlog data: feedback under a task tenlog creates, traces as
linked completions, metadata changes, a session delete that deletes.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from tenlog.v1 import feedback_service_pb2 as fb_api
from tenlog.v1 import session_service_pb2 as session_api

from tests.gateway.conftest import Rest
from tests.support.grpc_api import Api
from tests.support.server import ServerProcess


def _feedback(rest: Rest, task_id: str, completion_id: str) -> list[dict]:
    result = rest.get(f"/api/v1/feedback?task_id={task_id}&completion_id={completion_id}&limit=100")
    assert result.status == 200, result.text
    rows: list[dict] = result.json["feedback"]
    return rows


def test_freeplay_sdk_feedback_traces_metadata_and_session_delete(
    rest: Rest, api: Api, gateway_server: ServerProcess, unique: str
) -> None:
    from freeplay import Freeplay
    from freeplay.errors import FreeplayError
    from freeplay.resources.recordings import RecordPayload
    from freeplay.resources.traces import TraceUpdatePayload

    client = Freeplay(freeplay_api_key=rest.key, api_base=f"{rest.base_url}/api")
    project = f"proj-{unique}"
    session = client.sessions.create(custom_metadata={"user": unique})
    recorded = client.recordings.create(
        RecordPayload(
            project_id=project,
            all_messages=[{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
            session_info=session.session_info,
        )
    )

    # Customer feedback (the SDK wants 201) lands as Feedback under a task tenlog made.
    client.customer_feedback.update(project, recorded.completion_id, {"thumbs_up": True, "comment": "great"})
    (customer,) = _feedback(rest, "freeplay.customer_feedback", recorded.completion_id)
    assert customer["json_values"] == {"thumbs_up": True, "comment": "great"}
    assert customer["matched_completion_ids"] == [recorded.completion_id]
    task = rest.get("/api/v1/feedback_task/freeplay.customer_feedback")
    assert task.status == 200 and task.json["name"] == "Freeplay customer feedback"

    # Traces: a parent and a child, linked by ids.
    parent = session.create_trace(input="What is 2+2?", agent_name="calc", custom_metadata={"step": 1})
    parent.record_output(project, output={"answer": 4}, eval_results={"ok": True})
    child = session.create_trace(input="check", parent_id=uuid.UUID(parent.trace_id), kind="tool", name="verify")
    child.record_output(project, output="checked")
    stored = rest.get(f"/api/v1/completions/{parent.trace_id}").json
    assert stored["source"] == "freeplay" and stored["session_id"] == session.session_id
    assert stored["request"] == {"input": "What is 2+2?"} and stored["response"] == {"output": {"answer": 4}}
    assert f"freeplay.trace_id={parent.trace_id}" in stored["tags"]
    assert stored["metadata"]["freeplay"]["agent_name"] == "calc"
    assert stored["duration"] >= 0
    child_stored = rest.get(f"/api/v1/completions/{child.trace_id}").json
    assert f"freeplay.parent_id={parent.trace_id}" in child_stored["tags"]
    listed = rest.get(f"/api/v1/completions?tags=freeplay.parent_id={parent.trace_id}").json["completions"]
    assert [c["id"] for c in listed] == [child.trace_id]

    # Trace feedback, trace metadata, trace update, session metadata.
    client.customer_feedback.update_trace(project, parent.trace_id, {"rating": 5})
    client.metadata.update_trace(project, session.session_id, parent.trace_id, {"resolved": True})
    client.traces.update(
        TraceUpdatePayload(
            project_id=project,
            session_id=session.session_id,
            trace_id=parent.trace_id,
            output="four",
            feedback={"helpful": True},
        )
    )
    client.metadata.update_session(project, session.session_id, {"ticket": "T-1"})
    client.metadata.update_session(project, session.session_id, {"status": "closed"})
    stored = rest.get(f"/api/v1/completions/{parent.trace_id}").json
    assert stored["metadata"]["freeplay"]["custom_metadata"] == {"step": 1, "resolved": True}
    assert stored["response"] == {"output": "four"}
    over_grpc = api.call(
        api.feedback.ListFeedback,
        fb_api.ListFeedbackRequest(task_id="freeplay.trace_feedback", completion_id=parent.trace_id),
    )
    assert sorted(key for f in over_grpc.feedback for key in f.json_values) == ["helpful", "rating"]
    session_read = api.call(api.sessions.GetSession, session_api.GetSessionRequest(id=session.session_id))
    assert dict(session_read.metadata) == {"ticket": "T-1", "status": "closed"}
    assert rest.get(f"/api/v1/sessions/{session.session_id}").json["metadata"] == {"ticket": "T-1", "status": "closed"}

    # Another organization reaches none of it.
    other_org = f"other-{unique}"
    other = Freeplay(freeplay_api_key=gateway_server.mint_key(other_org), api_base=f"{rest.base_url}/api")
    with pytest.raises(FreeplayError):
        other.customer_feedback.update(project, recorded.completion_id, {"thumbs_up": False})
    with pytest.raises(FreeplayError):
        other.metadata.update_session(project, session.session_id, {"ticket": "stolen"})
    other.sessions.delete(project, session.session_id)  # deletes nothing of org-a
    assert rest.get(f"/api/v1/completions/{parent.trace_id}").status == 200

    # Deleting the session deletes its completions; feedback is kept, detached.
    client.sessions.delete(project, session.session_id)
    for completion_id in (recorded.completion_id, parent.trace_id, child.trace_id):
        assert rest.get(f"/api/v1/completions/{completion_id}").status == 404
    kept = rest.get(f"/api/v1/feedback/{customer['id']}").json
    assert kept["json_values"] == {"thumbs_up": True, "comment": "great"} and kept["matched_completion_ids"] == []
    with pytest.raises(FreeplayError):  # feedback on a deleted trace is 404
        client.customer_feedback.update_trace(project, parent.trace_id, {"rating": 1})


def test_named_feedback_task_is_created_once_under_concurrent_first_use(
    rest: Rest, gateway_server: ServerProcess, unique: str
) -> None:
    org = f"race-{unique}"
    racer = Rest(rest.base_url, gateway_server.mint_key(org), org)
    ids = [racer.post("/api/v1/completions", {"tags": [unique]}).json["id"] for _ in range(8)]
    start = threading.Barrier(len(ids))

    def give(completion_id: str) -> int:
        start.wait()
        url = f"/api/v2/projects/p/completion-feedback/id/{completion_id}"
        return racer.post(url, {"score": 1}, headers={"Authorization": f"Bearer {racer.key}"}, auth=False).status

    with ThreadPoolExecutor(len(ids)) as pool:
        assert list(pool.map(give, ids)) == [201] * len(ids)
    tasks = racer.get("/api/v1/feedback_task?limit=100").json
    assert [t["id"] for t in tasks] == ["freeplay.customer_feedback"]
    assert len(racer.get("/api/v1/feedback?task_id=freeplay.customer_feedback&limit=100").json["feedback"]) == 8


def test_keywords_ai_sdk_lists_gets_and_updates_logs(rest: Rest, gateway_server: ServerProcess, unique: str) -> None:
    from keywordsai.logs.api import LogAPI

    client = LogAPI(api_key=rest.key, base_url=f"{rest.base_url}/api")
    customer = f"cust-{unique}"
    ids = [
        client.create(
            {
                "model": "gpt-4o-mini",
                "prompt_messages": [{"role": "user", "content": f"question {i}"}],
                "completion_message": {"role": "assistant", "content": f"answer {i}"},
                "customer_identifier": customer,
                "metadata": {"plan": "pro"},
                "prompt_tokens": 5,
                "completion_tokens": 7,
            }
        )["id"]
        for i in range(3)
    ]
    first = client.list(page=1, page_size=2, customer_identifier=customer)
    assert first.count == 3 and [r.id for r in first.results] == [ids[2], ids[1]]
    assert first.next and first.previous is None
    second = client.list(page=2, page_size=2, customer_identifier=customer)
    assert [r.id for r in second.results] == [ids[0]] and second.next is None and second.previous

    log = client.get(ids[0])
    assert log.unique_id == ids[0] and log.model == "gpt-4o-mini"
    assert log.completion_message.content == "answer 0"
    assert log.prompt_tokens == 5 and log.status_code == 200 and log.positive_feedback is None

    # positive_feedback given on create (the logging API takes it; the SDK's create model drops it).
    headers = {"Authorization": f"Bearer {rest.key}"}
    liked = requests.post(
        f"{rest.base_url}/api/request-logs/create/",
        json={"model": "gpt-4o", "prompt_messages": [{"role": "user", "content": "hi"}], "positive_feedback": True},
        headers=headers,
        timeout=30,
    ).json()["id"]
    assert client.get(liked).positive_feedback is True

    # The update APIs Keywords AI documents (the 1.0.4 SDK has none): single and batch.
    single = requests.patch(
        f"{rest.base_url}/api/request-logs/{ids[1]}/",
        json={"metadata": {"ticket": "K-1"}, "note": "needs work", "positive_feedback": False, "custom_identifier": 7},
        headers=headers,
        timeout=30,
    )
    assert single.status_code == 200, single.text
    assert single.json()["metadata"] == {"plan": "pro", "ticket": "K-1"} and single.json()["note"] == "needs work"
    batch = requests.patch(
        f"{rest.base_url}/api/request-logs/batch-update/",
        json={"logs": [{"unique_id": ids[1], "note": "fixed"}, {"unique_id": ids[2], "positive_feedback": True}]},
        headers=headers,
        timeout=30,
    )
    assert batch.status_code == 200, batch.text
    assert batch.json()["updated_count"] == 2
    unknown = requests.patch(
        f"{rest.base_url}/api/request-logs/batch-update/",
        json={"logs": [{"unique_id": ids[0], "note": "never"}, {"unique_id": f"missing-{unique}", "note": "x"}]},
        headers=headers,
        timeout=30,
    )
    assert unknown.status_code == 404

    updated = client.get(ids[1])
    assert updated.note == "fixed" and updated.positive_feedback is False
    assert updated.metadata == {"plan": "pro", "ticket": "K-1"} and updated.custom_identifier == 7
    assert client.get(ids[0]).note is None  # the rejected batch changed nothing
    completion = rest.get(f"/api/v1/completions/{ids[1]}").json
    assert "keywordsai.custom_identifier=7" in completion["tags"]
    notes = [f["json_values"] for f in _feedback(rest, "keywordsai.feedback", ids[1])]
    assert notes == [{"note": "fixed"}, {"note": "needs work", "positive_feedback": False}]

    other = LogAPI(api_key=gateway_server.mint_key(f"other-{unique}"), base_url=f"{rest.base_url}/api")
    assert other.list(customer_identifier=customer).count == 0
    with pytest.raises(Exception, match="404"):
        other.get(ids[0])


def test_concurrent_metadata_patches_keep_every_key(rest: Rest, unique: str) -> None:
    # Each PATCH merges its key into the stored metadata: read, merge, write. Run at once, none may be lost.
    log_id = rest.post("/api/request-logs/create/", {"model": "m", "metadata": {"plan": "pro"}}).json["id"]
    trace = f"trace-{unique}"
    freeplay = f"/api/v2/projects/p/sessions/s-{unique}/traces/id/{trace}"
    assert (
        rest.post(freeplay, {"input": "q", "output": "a"}, headers={"Authorization": f"Bearer {rest.key}"}).status
        == 201
    )
    keys = [f"k{i}" for i in range(12)]
    start = threading.Barrier(len(keys))

    def patch(key: str) -> tuple[int, int]:
        start.wait()
        log = rest.call("PATCH", f"/api/request-logs/{log_id}/", {"metadata": {key: 1}}).status
        meta = rest.call("PATCH", f"/api/v2/projects/p/sessions/s-{unique}/traces/id/{trace}/metadata", {key: 1})
        return log, meta.status

    with ThreadPoolExecutor(len(keys)) as pool:
        statuses = list(pool.map(patch, keys))
    assert all(log == 200 and meta in (200, 201) for log, meta in statuses), statuses
    view = rest.get(f"/api/request-logs/{log_id}/").json
    assert view["metadata"] == {"plan": "pro", **dict.fromkeys(keys, 1)}
    custom = rest.get(f"/api/v1/completions/{trace}").json["metadata"]["freeplay"]["custom_metadata"]
    assert custom == dict.fromkeys(keys, 1)
