"""The streaming RPCs through both Python clients: UploadCompletions, StreamCompletions, TailCompletions."""

from __future__ import annotations

import asyncio
import threading
import time

import grpc
import tenlog
from tenlog.v1 import completion_pb2, completion_service_pb2


def test_upload_a_list_and_a_generator(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client:
        listed = [tenlog.new_completion(tags=[tag]) for _ in range(50)]
        answer = client.upload_completions(listed)
        assert answer.accepted_count == 50
        assert list(answer.accepted_ids) == [c.id for c in listed]

        generated = (tenlog.Completion(tags=[tag, "gen"]) for _ in range(30))  # no ids: the client adds them
        answer = client.upload_completions(generated)
        assert answer.accepted_count == 30
        assert len(set(answer.accepted_ids)) == 30
        assert len(list(client.iter_completions(tags=[tag]))) == 80


def test_stream_acknowledges_each_item_by_id_and_index(server, tag):
    with tenlog.Client(server.grpc_target, server.key) as client:
        sent = [tenlog.new_completion(tags=[tag]) for _ in range(20)]
        sent.insert(5, tenlog.new_completion(tags=[tag, ""]))  # invalid: rejected, the stream goes on
        acks = list(client.stream_completions(iter(sent)))
    assert [a.index for a in acks] == list(range(21))
    assert [a.id for a in acks] == [c.id for c in sent]
    assert [a.accepted for a in acks].count(False) == 1
    assert not acks[5].accepted and acks[5].rejected.field_violations


def test_tail_sees_creates_and_updates_matching_its_filter(server, tag):
    seen: list[completion_service_pb2.TailCompletionsResponse] = []
    errors: list[BaseException] = []
    with tenlog.Client(server.grpc_target, server.key) as client:
        tail = client.tail_completions(tags=[tag])

        def read() -> None:
            try:
                for event in tail:
                    seen.append(event)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.CANCELLED:
                    errors.append(error)

        reader = threading.Thread(target=read)
        reader.start()
        # The tail is live once the server has subscribed it; write until it has seen one of ours.
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            client.create_completion(tenlog.new_completion(tags=[tag], status="started"))
            client.create_completion(tenlog.new_completion(tags=["someone-else"]))
            time.sleep(0.1)
        target = seen[-1].completion.id
        client.update_completion(
            tenlog.Completion(id=target, status=completion_pb2.STATUS_FINISHED), update_mask=["status"]
        )
        while not any(e.event == completion_service_pb2.TAIL_EVENT_UPDATED for e in seen):
            assert time.monotonic() < deadline, seen
            time.sleep(0.02)
        tail.cancel()
        reader.join(timeout=5)
    assert not errors
    assert all(tag in e.completion.tags for e in seen)
    update = next(e for e in seen if e.event == completion_service_pb2.TAIL_EVENT_UPDATED)
    assert update.completion.id == target
    assert update.completion.status == completion_pb2.STATUS_FINISHED


async def test_async_upload_stream_and_tail(server, tag):
    async with tenlog.AsyncClient(server.grpc_target, server.key) as client:

        async def generated():
            for _ in range(25):
                yield tenlog.Completion(tags=[tag])

        assert (await client.upload_completions(generated())).accepted_count == 25

        sent = [tenlog.new_completion(tags=[tag, "streamed"]) for _ in range(10)]
        acks = [ack async for ack in client.stream_completions(sent)]
        assert [a.id for a in acks] == [c.id for c in sent] and all(a.accepted for a in acks)

        tail = client.tail_completions(tags=[tag, "tailed"])
        seen: list[completion_service_pb2.TailCompletionsResponse] = []

        async def read() -> None:
            async for event in tail:
                seen.append(event)
                return

        reader = asyncio.create_task(read())
        tailed = 0
        while not reader.done() and tailed < 100:
            await client.create_completion(tenlog.new_completion(tags=[tag, "tailed"]))
            tailed += 1
            await asyncio.sleep(0.1)
        await asyncio.wait_for(reader, timeout=5)
        tail.cancel()
        stored = [c.id async for c in client.iter_completions(tags=[tag])]
    assert seen and seen[0].event == completion_service_pb2.TAIL_EVENT_CREATED
    assert "tailed" in seen[0].completion.tags
    assert len(stored) == 25 + 10 + tailed
