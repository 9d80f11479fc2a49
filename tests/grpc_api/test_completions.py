"""CompletionService over a real socket, on SQLite and PostgreSQL: the Log10 completion rules."""

from __future__ import annotations

import concurrent.futures

import grpc
from google.protobuf import field_mask_pb2, timestamp_pb2
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog_server.domain.documents import struct_to_dict

from tests.support.grpc_api import Api, chat_completion, error_details, list_all_ids, rpc_error


def create(api: Api, completion: pb.Completion) -> pb.Completion:
    return api.call(api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=completion))


def get(api: Api, completion_id: str) -> pb.Completion:
    return api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=completion_id))


def list_ids(api: Api, **kwargs: object) -> list[str]:
    resp = api.call(api.completions.ListCompletions, api_pb.ListCompletionsRequest(**kwargs))
    return [c.id for c in resp.completions]


def test_create_without_id_generates_one_and_lifts_fields(api: Api, unique: str) -> None:
    made = create(api, chat_completion(tags=[unique], session_id=f"s-{unique}", duration=1.34))
    assert made.id
    assert made.status == pb.STATUS_FINISHED and made.kind == pb.KIND_CHAT
    assert (made.model, made.prompt_tokens, made.completion_tokens, made.total_tokens) == ("gpt-4o", 28, 9, 37)
    assert made.created_at.seconds > 0 and made.updated_at == made.created_at
    assert get(api, made.id) == made


def test_request_and_response_come_back_exactly_as_sent(api: Api, unique: str) -> None:
    request = {
        "model": "gpt-4o",
        "temperature": 0.25,
        "max_tokens": 100,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}, {"role": "tool", "content": None}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    }
    made = create(api, chat_completion(id=f"exact-{unique}", request=request))
    assert struct_to_dict(get(api, made.id).request) == request


def test_unknown_fields_are_kept_in_extra(api: Api, unique: str) -> None:
    msg = chat_completion(id=f"extra-{unique}")
    msg.extra.update({"vendor_field": {"nested": [1, 2]}, "trace": "abc"})
    assert get(api, create(api, msg).id).extra == msg.extra


def test_create_with_existing_id_is_an_upsert_not_a_duplicate(api: Api, unique: str) -> None:
    cid = f"c-{unique}"
    first = create(api, chat_completion(id=cid, tags=[unique], status=pb.STATUS_STARTED, response=None))
    second = create(api, chat_completion(id=cid, tags=[unique, "done"], status=pb.STATUS_FINISHED))
    assert list_ids(api, tags=[unique]) == [cid]
    stored = get(api, cid)
    assert stored.status == pb.STATUS_FINISHED and list(stored.tags) == [unique, "done"]
    assert stored.created_at == first.created_at  # an upsert keeps the original creation time
    assert second.updated_at.ToMicroseconds() >= first.updated_at.ToMicroseconds()


def test_late_started_write_never_moves_a_finished_completion_back(api: Api, unique: str) -> None:
    for terminal in (pb.STATUS_FINISHED, pb.STATUS_FAILED):
        cid = f"late-{terminal}-{unique}"
        create(api, chat_completion(id=cid, status=terminal, tags=["final"]))
        answer = create(api, chat_completion(id=cid, status=pb.STATUS_STARTED, response=None, tags=["early"]))
        stored = get(api, cid)
        assert stored.status == terminal and list(stored.tags) == ["final"]
        assert answer.status == terminal  # the answer tells the client what is stored


def test_concurrent_started_and_finished_writes_end_finished(api: Api, unique: str) -> None:
    ids = [f"race-{unique}-{i}" for i in range(40)]
    writes = []
    for cid in ids:
        writes.append(chat_completion(id=cid, status=pb.STATUS_FINISHED, tags=[unique]))
        writes.append(chat_completion(id=cid, status=pb.STATUS_STARTED, response=None, tags=[unique]))
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda c: create(api, c), writes))
    listed = api.call(api.completions.ListCompletions, api_pb.ListCompletionsRequest(tags=[unique], page_size=100))
    assert sorted(c.id for c in listed.completions) == sorted(ids)
    assert {c.status for c in listed.completions} == {pb.STATUS_FINISHED}


def test_update_replaces_present_fields_and_keeps_absent_ones(api: Api, unique: str) -> None:
    cid = f"u-{unique}"
    create(api, chat_completion(id=cid, tags=["a"], session_id=f"s-{unique}", duration=2.0))
    patch = pb.Completion(id=cid, status=pb.STATUS_FAILED, failure_reason="timeout")
    updated = api.call(api.completions.UpdateCompletion, api_pb.UpdateCompletionRequest(completion=patch))
    assert updated.status == pb.STATUS_FAILED and updated.failure_reason == "timeout"
    assert list(updated.tags) == ["a"] and updated.session_id == f"s-{unique}" and updated.duration == 2.0
    assert updated.request.fields["model"].string_value == "gpt-4o"
    masked = api_pb.UpdateCompletionRequest(
        completion=pb.Completion(id=cid, tags=["b"]), update_mask=field_mask_pb2.FieldMask(paths=["tags"])
    )
    assert list(api.call(api.completions.UpdateCompletion, masked).tags) == ["b"]
    assert list_ids(api, tags=["b"], session_id=f"s-{unique}") == [cid]
    assert get(api, cid).failure_reason == "timeout"


def test_update_unknown_id_is_not_found(api: Api, unique: str) -> None:
    err = rpc_error(
        lambda: api.call(
            api.completions.UpdateCompletion,
            api_pb.UpdateCompletionRequest(completion=pb.Completion(id=f"missing-{unique}", status=pb.STATUS_FAILED)),
        )
    )
    assert err.code() == grpc.StatusCode.NOT_FOUND and "missing-" in err.details()
    err = rpc_error(lambda: get(api, f"missing-{unique}"))
    assert err.code() == grpc.StatusCode.NOT_FOUND


def test_bad_input_names_each_field_and_stores_nothing(api: Api, unique: str) -> None:
    bad = chat_completion(id=f"bad-{unique}", tags=["", "ok"], duration=-1, request={"messages": "nope"})
    err = rpc_error(lambda: create(api, bad))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = error_details(err)
    assert details["reason"] == "INVALID_ARGUMENT"
    assert set(details["violations"]) == {"completion.tags[0]", "completion.duration", "completion.request.messages"}
    assert rpc_error(lambda: get(api, f"bad-{unique}")).code() == grpc.StatusCode.NOT_FOUND


def test_bad_update_changes_nothing(api: Api, unique: str) -> None:
    cid = f"bu-{unique}"
    before = create(api, chat_completion(id=cid, tags=["keep"]))
    err = rpc_error(
        lambda: api.call(
            api.completions.UpdateCompletion,
            api_pb.UpdateCompletionRequest(
                completion=pb.Completion(id=cid, tags=["x"]), update_mask=field_mask_pb2.FieldMask(paths=["nope"])
            ),
        )
    )
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "update_mask.paths" in error_details(err)["violations"]
    assert get(api, cid) == before


def test_list_filters_by_every_tag_session_status_model_and_time(api: Api, unique: str) -> None:
    a = create(api, chat_completion(id=f"la-{unique}", tags=[unique, "x", "y"], session_id=f"s1-{unique}"))
    b = create(api, chat_completion(id=f"lb-{unique}", tags=[unique, "x"], session_id=f"s2-{unique}"))
    c = create(
        api,
        chat_completion(
            id=f"lc-{unique}",
            tags=[unique],
            status=pb.STATUS_FAILED,
            request={"model": "claude-3", "messages": []},
            response=None,
        ),
    )
    assert list_ids(api, tags=[unique]) == [c.id, b.id, a.id]  # newest first
    assert list_ids(api, tags=[unique, "x"]) == [b.id, a.id]
    assert list_ids(api, tags=[unique, "x", "y"]) == [a.id]
    assert list_ids(api, tags=[unique], session_id=f"s2-{unique}") == [b.id]
    assert list_ids(api, tags=[unique], status=pb.STATUS_FAILED) == [c.id]
    assert list_ids(api, tags=[unique], model="claude-3") == [c.id]
    after = timestamp_pb2.Timestamp()
    after.FromMicroseconds(b.created_at.ToMicroseconds())
    assert list_ids(api, tags=[unique], created_after=after) == [c.id, b.id]
    assert list_ids(api, tags=[unique], created_before=after) == [a.id]


def test_list_pages_with_tokens_and_with_offset_limit(api: Api, unique: str) -> None:
    ids = [create(api, chat_completion(id=f"p{i:02d}-{unique}", tags=[unique])).id for i in range(7)]
    newest_first = ids[::-1]
    seen = list_all_ids(api, page_size=3, tags=[unique])
    assert seen == newest_first
    assert list_ids(api, tags=[unique], offset=2, limit=3) == newest_first[2:5]
    err = rpc_error(lambda: list_ids(api, page_token="garbage!"))
    assert "page_token" in error_details(err)["violations"]


def test_masked_kind_left_unspecified_falls_back_to_the_default(api: Api, unique: str) -> None:
    cid = f"k-{unique}"
    prompt = chat_completion(id=cid)
    prompt.kind = pb.KIND_PROMPT
    assert create(api, prompt).kind == pb.KIND_PROMPT
    masked = api_pb.UpdateCompletionRequest(
        completion=pb.Completion(id=cid), update_mask=field_mask_pb2.FieldMask(paths=["kind"])
    )
    assert api.call(api.completions.UpdateCompletion, masked).kind == pb.KIND_CHAT
    assert get(api, cid).kind == pb.KIND_CHAT
