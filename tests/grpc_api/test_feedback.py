"""FeedbackTaskService and FeedbackService: schema checks, matching, limits, ungraded."""

from __future__ import annotations

from typing import Any

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import feedback_service_pb2 as fb_pb
from tenlog.v1 import feedback_task_service_pb2 as task_pb

from tests.support.grpc_api import Api, chat_completion, error_details, rpc_error

SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "labels": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["score"],
    "additionalProperties": False,
}


def make_task(api: Api, selector: list[str], schema: dict[str, Any] | None = None, **kw: Any) -> pb.FeedbackTask:
    task = pb.FeedbackTask(name="quality", instruction="Rate it", completion_tags_selector=selector, **kw)
    task.json_schema.update(schema or SCHEMA)
    return api.call(api.tasks.CreateFeedbackTask, task_pb.CreateFeedbackTaskRequest(task=task))


def upload(api: Api, task_id: str, values: dict[str, Any], **kw: Any) -> pb.Feedback:
    req = fb_pb.UploadFeedbackRequest(task_id=task_id, **kw)
    req.json_values.update(values)
    return api.call(api.feedback.UploadFeedback, req)


def completion(api: Api, tags: list[str], cid: str = "") -> str:
    made = api.call(
        api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=chat_completion(id=cid, tags=tags))
    )
    return str(made.id)


def test_task_schema_must_be_valid_json_schema(api: Api, unique: str) -> None:
    err = rpc_error(lambda: make_task(api, [unique], {"type": "not-a-type"}))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    (where,) = error_details(err)["violations"]
    assert where.startswith("json_schema") and "not valid JSON Schema" in err.details() + str(
        error_details(err)["violations"]
    )
    task = make_task(api, [unique, "x"])
    assert task.id and task.created_at_ms > 0 and list(task.completion_tags_selector) == [unique, "x"]
    assert api.call(api.tasks.GetFeedbackTask, task_pb.GetFeedbackTaskRequest(id=task.id)) == task
    listed = api.call(api.tasks.ListFeedbackTasks, task_pb.ListFeedbackTasksRequest(page_size=1000)).tasks
    assert task.id in [t.id for t in listed]


def test_upload_needs_an_existing_task(api: Api, unique: str) -> None:
    err = rpc_error(lambda: upload(api, f"no-task-{unique}", {"score": 3}, allow_unmatched_feedback=True))
    assert err.code() == grpc.StatusCode.NOT_FOUND and error_details(err)["reason"] == "TASK_NOT_FOUND"


def test_values_are_validated_with_every_violation_at_its_json_path(api: Api, unique: str) -> None:
    task = make_task(api, [unique])
    cid = completion(api, [unique])
    err = rpc_error(lambda: upload(api, task.id, {"score": 9, "labels": ["ok", 3], "extra": 1}, completion_ids=[cid]))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = error_details(err)["violations"]
    assert set(violations) == {"json_values.score", "json_values.labels[1]", "json_values"}
    assert "9 is greater than the maximum of 5" in violations["json_values.score"]
    listed = api.call(api.feedback.ListFeedback, fb_pb.ListFeedbackRequest(task_id=task.id))
    assert list(listed.feedback) == []  # nothing stored


def test_explicit_completion_ids_must_exist(api: Api, unique: str) -> None:
    task = make_task(api, [unique])
    cid = completion(api, [unique])
    err = rpc_error(lambda: upload(api, task.id, {"score": 4}, completion_ids=[cid, f"ghost-{unique}"]))
    assert err.code() == grpc.StatusCode.NOT_FOUND and f"ghost-{unique}" in err.details()
    fb = upload(api, task.id, {"score": 4, "labels": ["good"]}, completion_ids=[cid], comment="nice")
    assert list(fb.matched_completion_ids) == [cid] and fb.comment == "nice" and fb.created_at_ms > 0
    assert api.call(api.feedback.GetFeedback, fb_pb.GetFeedbackRequest(id=fb.id)) == fb


def test_selector_matching_and_its_limits(api: Api, unique: str) -> None:
    task = make_task(api, [unique])
    ids = [completion(api, [unique, "sel"]) for _ in range(3)]
    completion(api, [unique])  # lacks "sel": never matched
    err = rpc_error(
        lambda: upload(api, task.id, {"score": 2}, completion_tags_selector=[unique, "sel"], max_matched_completions=2)
    )
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert (
        error_details(err)["reason"] == "MAX_MATCHED_COMPLETIONS_EXCEEDED"
        and "max_matched_completions" in err.details()
    )
    fb = upload(api, task.id, {"score": 2}, completion_tags_selector=[unique, "sel"])
    assert sorted(fb.matched_completion_ids) == sorted(ids)


def test_unmatched_feedback_needs_allow_unmatched(api: Api, unique: str) -> None:
    task = make_task(api, [unique])
    err = rpc_error(lambda: upload(api, task.id, {"score": 1}, completion_tags_selector=[f"none-{unique}"]))
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_details(err)["reason"] == "UNMATCHED_FEEDBACK" and "allow_unmatched_feedback" in err.details()
    fb = upload(api, task.id, {"score": 1}, completion_tags_selector=[f"none-{unique}"], allow_unmatched_feedback=True)
    assert list(fb.matched_completion_ids) == []


def test_list_feedback_by_task_and_completion_with_offset_limit(api: Api, unique: str) -> None:
    task = make_task(api, [unique])
    c1, c2 = completion(api, [unique]), completion(api, [unique])
    f1 = upload(api, task.id, {"score": 1}, completion_ids=[c1])
    f2 = upload(api, task.id, {"score": 2}, completion_ids=[c1, c2])
    f3 = upload(api, task.id, {"score": 3}, completion_ids=[c2])

    def ids(**kw: Any) -> list[str]:
        return [f.id for f in api.call(api.feedback.ListFeedback, fb_pb.ListFeedbackRequest(**kw)).feedback]

    assert ids(task_id=task.id) == [f3.id, f2.id, f1.id]
    assert ids(completion_id=c1) == [f2.id, f1.id]
    assert ids(task_id=task.id, completion_id=c2) == [f3.id, f2.id]
    assert ids(task_id=task.id, offset=1, limit=1) == [f2.id]


def test_ungraded_lists_selector_matches_without_feedback(api: Api, unique: str) -> None:
    task = make_task(api, [unique, "grade-me"])
    graded = completion(api, [unique, "grade-me"])
    waiting = [completion(api, [unique, "grade-me"]) for _ in range(2)]
    completion(api, [unique])  # matches no selector
    upload(api, task.id, {"score": 5}, completion_ids=[graded])
    resp = api.call(api.completions.ListUngradedCompletions, api_pb.ListUngradedCompletionsRequest(task_id=task.id))
    assert [c.id for c in resp.completions] == waiting[::-1]
    every = api.call(api.completions.ListUngradedCompletions, api_pb.ListUngradedCompletionsRequest(page_size=1000))
    found = {c.id for c in every.completions}
    assert set(waiting) <= found and graded not in found
