"""The asyncio client against a live server."""

from __future__ import annotations

import asyncio

import grpc
import pytest
import tenlog
from tenlog import errors
from tenlog.v1 import completion_pb2


async def test_create_get_update_list(server, tag):
    async with tenlog.AsyncClient(server.grpc_target, server.key) as client:
        created = await asyncio.gather(
            *(client.create_completion(tenlog.new_completion(tags=[tag], status="started")) for _ in range(5))
        )
        assert len({c.id for c in created}) == 5
        updated = await client.update_completion(
            tenlog.Completion(id=created[0].id, status=completion_pb2.STATUS_FINISHED), ["status"]
        )
        assert updated.status == completion_pb2.STATUS_FINISHED
        assert (await client.get_completion(created[0].id)).status == completion_pb2.STATUS_FINISHED

        page = await client.list_completions(tags=[tag], status="started")
        assert len(page.completions) == 4
        every = [c.id async for c in client.iter_completions(tags=[tag], page_size=2)]
        assert sorted(every) == sorted(c.id for c in created)

        await client.delete_completion(created[1].id)
        assert len((await client.list_completions(tags=[tag])).completions) == 4


async def test_sessions_tasks_and_feedback(server, tag):
    async with tenlog.AsyncClient(server.grpc_target, server.key) as client:
        session = await client.create_session()
        assert (await client.get_session(session.id)).id == session.id
        completion = await client.create_completion(tenlog.new_completion(tags=[tag], session_id=session.id))
        task = await client.create_feedback_task(
            name="thumbs", json_schema={"type": "object", "properties": {"up": {"type": "boolean"}}}
        )
        feedback = await client.upload_feedback(
            task_id=task.id, json_values={"up": True}, completion_ids=[completion.id]
        )
        assert list(feedback.matched_completion_ids) == [completion.id]
        assert (await client.list_feedback(task_id=task.id)).feedback[0].id == feedback.id


async def test_errors_carry_details(server):
    async with tenlog.AsyncClient(server.grpc_target, server.key) as client:
        with pytest.raises(grpc.RpcError) as failure:
            await client.create_completion(tenlog.new_completion(duration=-1))
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert any(field.endswith("duration") for field, _ in errors.field_violations(failure.value))
