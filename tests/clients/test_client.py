"""The synchronous Client against a live server: every unary RPC, auth, errors, configuration."""

from __future__ import annotations

import time

import grpc
import pytest
import tenlog
from tenlog import errors
from tenlog.v1 import completion_pb2


def test_create_get_update_roundtrip(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client:
        sent = tenlog.new_completion(
            request={"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]},
            response={"model": "gpt-4o", "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}},
            status="started",
            tags=[tag, "roundtrip"],
            duration=0.25,
        )
        created = client.create_completion(sent)
        assert created.id == sent.id
        assert created.organization_id == server.org
        assert created.model == "gpt-4o"  # lifted by the server from the response
        assert created.total_tokens == 8
        assert tenlog.from_struct(created.request)["messages"] == [{"role": "user", "content": "Hi"}]

        patch = tenlog.Completion(id=sent.id, status=tenlog.Status.Value("STATUS_FINISHED"))
        updated = client.update_completion(patch, update_mask=["status"])
        assert updated.status == completion_pb2.STATUS_FINISHED
        assert list(updated.tags) == [tag, "roundtrip"]  # not in the mask: kept

        fetched = client.get_completion(sent.id)
        assert fetched.status == completion_pb2.STATUS_FINISHED
        assert fetched.duration == pytest.approx(0.25)


def test_create_without_id_gets_one_and_leaves_callers_message_alone(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client:
        bare = tenlog.Completion(status=completion_pb2.STATUS_FINISHED, tags=[tag])
        created = client.create_completion(bare)
        assert created.id
        assert bare.id == ""


def test_list_filters_and_pages(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client:
        ids = [client.create_completion(tenlog.new_completion(tags=[tag], status="finished")).id for _ in range(5)]
        client.create_completion(tenlog.new_completion(tags=[tag], status="failed"))

        page = client.list_completions(tags=[tag], status="finished", page_size=2)
        assert len(page.completions) == 2
        assert page.next_page_token

        every = [c.id for c in client.iter_completions(tags=[tag], status="finished", page_size=2)]
        assert sorted(every) == sorted(ids)
        assert len(list(client.iter_completions(tags=[tag]))) == 6


def test_batch_create_reports_rejected_items(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client:
        good = tenlog.new_completion(tags=[tag])
        bad = tenlog.new_completion(tags=[tag, " "])  # an empty tag is invalid
        answer = client.batch_create_completions([good, bad])
        assert answer.accepted_count == 1
        assert list(answer.accepted_ids) == [good.id]
        assert [r.index for r in answer.rejected] == [1]
        assert client.get_completion(good.id).id == good.id


def test_sessions(server):
    with tenlog.Client(server.grpc_target, server.key) as client:
        session = client.create_session()
        assert session.id
        assert client.get_session(session.id).id == session.id
        assert client.create_session(session.id).id == session.id  # idempotent
        listed = client.list_sessions(page_size=1000)
        assert session.id in [s.id for s in listed.sessions]


def test_feedback_tasks_feedback_and_ungraded(server, tag):
    schema = {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}
    with tenlog.Client(server.grpc_target, server.key) as client:
        task = client.create_feedback_task(name="quality", json_schema=schema, completion_tags_selector=[tag])
        assert client.get_feedback_task(task.id).name == "quality"
        assert task.id in [t.id for t in client.list_feedback_tasks(page_size=1000).tasks]

        graded = client.create_completion(tenlog.new_completion(tags=[tag]))
        ungraded = client.create_completion(tenlog.new_completion(tags=[tag]))
        feedback = client.upload_feedback(task_id=task.id, json_values={"score": 4}, completion_ids=[graded.id])
        assert list(feedback.matched_completion_ids) == [graded.id]
        assert client.get_feedback(feedback.id).comment == ""
        assert [f.id for f in client.list_feedback(completion_id=graded.id).feedback] == [feedback.id]

        waiting = [c.id for c in client.list_ungraded_completions(task_id=task.id, page_size=1000).completions]
        assert ungraded.id in waiting and graded.id not in waiting

        with pytest.raises(grpc.RpcError) as failure:
            client.upload_feedback(task_id=task.id, json_values={"score": "high"}, completion_ids=[graded.id])
        assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_bad_input_raises_with_field_violations(server):
    with tenlog.Client(server.grpc_target, server.key) as client, pytest.raises(grpc.RpcError) as failure:
        client.create_completion(tenlog.new_completion(tags=[""], duration=-1))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = [field for field, _ in errors.field_violations(failure.value)]
    assert "completion.duration" in fields or "duration" in fields
    assert errors.retry_delay(failure.value) is None


def test_not_found(server):
    with tenlog.Client(server.grpc_target, server.key) as client, pytest.raises(grpc.RpcError) as failure:
        client.get_completion("no-such-completion")
    assert failure.value.code() == grpc.StatusCode.NOT_FOUND


def test_delete_completion(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client:
        created = client.create_completion(tenlog.new_completion(tags=[tag]))
        assert client.delete_completion(created.id) is None
        with pytest.raises(grpc.RpcError) as failure:
            client.get_completion(created.id)
        assert failure.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.RpcError) as failure:
            client.delete_completion(created.id)
        assert failure.value.code() == grpc.StatusCode.NOT_FOUND


def test_wrong_key_is_unauthenticated_and_not_retried(server):
    started = time.monotonic()
    with tenlog.Client(server.grpc_target, "tlk_not-a-key") as client, pytest.raises(grpc.RpcError) as failure:
        client.list_completions()
    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert time.monotonic() - started < 1.0


def test_organization_header_is_sent(server):
    other = "org-other"
    other_key = server.mint_key(other)
    with tenlog.Client(server.grpc_target, server.key, organization=other) as client:
        with pytest.raises(grpc.RpcError) as failure:
            client.list_completions()
        assert failure.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with tenlog.Client(server.grpc_target, other_key, organization=other) as client:
        created = client.create_completion(tenlog.new_completion())
        assert created.organization_id == other


def test_target_and_key_from_environment(server, monkeypatch, tag):
    monkeypatch.setenv("TENLOG_TARGET", server.grpc_target)
    monkeypatch.setenv("TENLOG_API_KEY", server.key)
    with tenlog.Client() as client:
        assert client.create_completion(tenlog.new_completion(tags=[tag])).organization_id == server.org


def test_missing_key_fails_at_construction(monkeypatch):
    monkeypatch.delenv("TENLOG_API_KEY", raising=False)
    with pytest.raises(ValueError, match="TENLOG_API_KEY"):
        tenlog.Client("127.0.0.1:1")


def test_vendor_ingest_shapes_land_as_completions(server):
    from tenlog.v1 import vendor_ingest_service_pb2 as vendor

    with tenlog.Client(server.grpc_target, server.key) as client:
        entry = vendor.LogEntry(id=tenlog.new_id(), model="gpt-4o", duration=1.5)
        entry.request_data.update({"messages": [{"role": "user", "content": "Hi"}]})
        inserted = client.insert_log(vendor.InsertLogRequest(log=entry))
        assert inserted.id == entry.id
        stored = client.get_completion(entry.id)
        assert stored.source == completion_pb2.SOURCE_LOGS_API
        assert stored.model == "gpt-4o"

        freeplay = vendor.RecordFreeplayCompletionRequest(
            project_id="proj-1",
            session_id=tenlog.new_id(),
            completion=vendor.FreeplayCompletion(completion_id=tenlog.new_id()),
        )
        freeplay.completion.messages.add().update({"role": "user", "content": "Hi"})
        freeplay.completion.messages.add().update({"role": "assistant", "content": "Hello"})
        recorded = client.record_freeplay_completion(freeplay)
        assert recorded.completion_id == freeplay.completion.completion_id
        assert client.get_completion(recorded.completion_id).source == completion_pb2.SOURCE_FREEPLAY
