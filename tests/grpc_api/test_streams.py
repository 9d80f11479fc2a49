"""Bulk ingest (batch, client stream, bidi stream) and live tail, on SQLite and PostgreSQL."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb

from tests.support.grpc_api import Api, chat_completion, list_all_ids


def list_ids(api: Api, tag: str) -> list[str]:
    return list_all_ids(api, tags=[tag])


def drain(call: Iterator[api_pb.TailCompletionsResponse], events: queue.Queue[api_pb.TailCompletionsResponse]) -> None:
    """Move tail events onto a queue until the call is cancelled."""
    try:
        for event in call:
            events.put(event)
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.CANCELLED:
            raise


def test_batch_create_is_partial_success(api: Api, unique: str) -> None:
    items = [chat_completion(id=f"b{i}-{unique}", tags=[unique]) for i in range(5)]
    items[1].duration = -3
    items[3].tags.append("")
    resp = api.call(api.completions.BatchCreateCompletions, api_pb.BatchCreateCompletionsRequest(completions=items))
    assert resp.accepted_count == 3 and resp.rejected_count == 2
    assert list(resp.accepted_ids) == [f"b{i}-{unique}" for i in (0, 2, 4)]
    assert [(r.index, r.id) for r in resp.rejected] == [(1, f"b1-{unique}"), (3, f"b3-{unique}")]
    assert resp.rejected[0].field_violations[0].field == "completions[1].duration"
    assert sorted(list_ids(api, unique)) == sorted(resp.accepted_ids)


def test_upload_stream_summarises_accepted_and_rejected(api: Api, unique: str) -> None:
    def items() -> Iterator[api_pb.UploadCompletionsRequest]:
        for i in range(1200):
            c = chat_completion(id=f"u{i}-{unique}", tags=[unique])
            if i % 400 == 7:
                c.status = 99  # type: ignore[assignment]  # an unknown enum number
            yield api_pb.UploadCompletionsRequest(completion=c)

    resp = api.completions.UploadCompletions(items(), metadata=api.metadata, timeout=60)
    assert resp.accepted_count == 1197 and resp.rejected_count == 3
    assert [r.index for r in resp.rejected] == [7, 407, 807]
    assert "status" in resp.rejected[0].field_violations[0].field
    assert len(list_ids(api, unique)) == 1197


def test_stream_acks_each_id_after_commit_and_resends_are_idempotent(api: Api, unique: str) -> None:
    sent = [chat_completion(id=f"s{i}-{unique}", tags=[unique]) for i in range(300)]
    requests: queue.Queue[api_pb.StreamCompletionsRequest | None] = queue.Queue()

    def request_iter() -> Iterator[api_pb.StreamCompletionsRequest]:
        while (item := requests.get()) is not None:
            yield item

    call = api.completions.StreamCompletions(request_iter(), metadata=api.metadata, timeout=60)
    acked: list[str] = []
    for c in sent[:200]:
        requests.put(api_pb.StreamCompletionsRequest(completion=c))
    for ack in call:
        assert ack.accepted
        acked.append(ack.id)
        # An acknowledged id is already readable: acks come after the commit.
        assert api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=ack.id)).id == ack.id
        if len(acked) == 150:
            break
    call.cancel()  # the connection drops with some items unacknowledged
    assert acked == [c.id for c in sent[:150]]

    # Reconnect and resend everything not acknowledged, plus the rest.
    unacked = [c for c in sent if c.id not in set(acked)]
    resend = iter([api_pb.StreamCompletionsRequest(completion=c) for c in unacked])
    acks = list(api.completions.StreamCompletions(resend, metadata=api.metadata, timeout=60))
    assert [a.id for a in acks] == [c.id for c in unacked] and all(a.accepted for a in acks)
    assert sorted(list_ids(api, unique)) == sorted(c.id for c in sent)  # no duplicates, none lost


def test_stream_rejects_bad_items_by_index_and_keeps_going(api: Api, unique: str) -> None:
    items = [chat_completion(id=f"r{i}-{unique}", tags=[unique]) for i in range(4)]
    items[2].duration = -1
    acks = list(
        api.completions.StreamCompletions(
            iter([api_pb.StreamCompletionsRequest(completion=c) for c in items]), metadata=api.metadata, timeout=30
        )
    )
    assert [(a.index, a.accepted) for a in acks] == [(0, True), (1, True), (2, False), (3, True)]
    assert acks[2].rejected.field_violations[0].field.endswith("duration")


def test_tail_sees_matching_creates_and_updates_only(api: Api, unique: str) -> None:
    events: queue.Queue[api_pb.TailCompletionsResponse] = queue.Queue()
    call = api.completions.TailCompletions(
        api_pb.TailCompletionsRequest(tags=[unique]), metadata=api.metadata, timeout=60
    )
    call.initial_metadata()  # headers arrive once the subscription is live
    threading.Thread(target=drain, args=(call, events), daemon=True).start()
    create = api_pb.CreateCompletionRequest(completion=chat_completion(id=f"t-{unique}", tags=[unique, "x"]))
    api.call(api.completions.CreateCompletion, create)
    other = api_pb.CreateCompletionRequest(completion=chat_completion(id=f"other-{unique}", tags=["unrelated"]))
    api.call(api.completions.CreateCompletion, other)
    update = api_pb.UpdateCompletionRequest(completion=pb.Completion(id=f"t-{unique}", status=pb.STATUS_FAILED))
    api.call(api.completions.UpdateCompletion, update)
    first, second = events.get(timeout=10), events.get(timeout=10)
    call.cancel()
    assert (first.event, first.completion.id) == (api_pb.TAIL_EVENT_CREATED, f"t-{unique}")
    assert (second.event, second.completion.id, second.completion.status) == (
        api_pb.TAIL_EVENT_UPDATED,
        f"t-{unique}",
        pb.STATUS_FAILED,
    )
    assert events.empty() or all(e.completion.id != f"other-{unique}" for e in list(events.queue))


def test_batch_size_limit_names_the_limit(api: Api) -> None:
    # The test server runs with the default TENLOG_MAX_BATCH_ITEMS (10,000).
    items = [pb.Completion() for _ in range(10_001)]
    try:
        api.call(api.completions.BatchCreateCompletions, api_pb.BatchCreateCompletionsRequest(completions=items))
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT and "TENLOG_MAX_BATCH_ITEMS" in exc.details()
    else:
        raise AssertionError("an oversized batch was accepted")
