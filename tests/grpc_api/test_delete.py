"""DeleteCompletion: the completion, its tag rows and its feedback links go; feedback and other orgs stay."""

from __future__ import annotations

import grpc
import pytest
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import feedback_service_pb2 as fb_pb
from tenlog.v1 import feedback_task_service_pb2 as task_pb
from tenlog.v1 import session_service_pb2 as sess_pb

from tests.support.grpc_api import Api, chat_completion, error_details, list_all_ids, rpc_error
from tests.support.server import ServerProcess

NOT_FOUND = grpc.StatusCode.NOT_FOUND


@pytest.fixture(scope="session")
def deleting_org(tenlog_server: ServerProcess, grpc_channel: grpc.Channel) -> Api:
    """A second organization for isolation checks."""
    return Api(grpc_channel, tenlog_server.mint_key("org-delete"), "org-delete")


def create(api: Api, cid: str, tags: list[str], **fields: object) -> pb.Completion:
    request = api_pb.CreateCompletionRequest(completion=chat_completion(id=cid, tags=tags, **fields))
    completion: pb.Completion = api.call(api.completions.CreateCompletion, request)
    return completion


def delete(api: Api, cid: str) -> None:
    api.call(api.completions.DeleteCompletion, api_pb.DeleteCompletionRequest(id=cid))


def ungraded_ids(api: Api, task_id: str) -> list[str]:
    request = api_pb.ListUngradedCompletionsRequest(task_id=task_id, page_size=1000)
    return [c.id for c in api.call(api.completions.ListUngradedCompletions, request).completions]


def make_task(api: Api, selector: list[str]) -> pb.FeedbackTask:
    task = pb.FeedbackTask(name="quality", instruction="grade it", completion_tags_selector=selector)
    task.json_schema.update({"type": "object"})
    created: pb.FeedbackTask = api.call(api.tasks.CreateFeedbackTask, task_pb.CreateFeedbackTaskRequest(task=task))
    return created


def test_deleted_completion_is_gone_from_get_list_tags_and_ungraded(api: Api, unique: str) -> None:
    gone, kept = f"gone-{unique}", f"kept-{unique}"
    session = f"sess-{unique}"
    create(api, gone, [unique, "second"], session_id=session)
    create(api, kept, [unique, "second"], session_id=session)
    task = make_task(api, [unique])
    assert set(ungraded_ids(api, task.id)) == {gone, kept}

    delete(api, gone)

    err = rpc_error(lambda: api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=gone)))
    assert err.code() == NOT_FOUND
    assert list_all_ids(api, tags=[unique]) == [kept]
    assert list_all_ids(api, tags=[unique, "second"]) == [kept]
    assert list_all_ids(api, session_id=session) == [kept]
    assert gone not in list_all_ids(api)
    assert ungraded_ids(api, task.id) == [kept]
    delete(api, kept)
    assert api.call(api.sessions.GetSession, sess_pb.GetSessionRequest(id=session)).id == session  # sessions stay
    create(api, gone, [unique])  # the id can be used again: a fresh completion
    assert list_all_ids(api, tags=[unique]) == [gone]


def test_deleting_a_graded_completion_keeps_the_feedback(api: Api, unique: str) -> None:
    first, second = f"first-{unique}", f"second-{unique}"
    create(api, first, [unique])
    create(api, second, [unique])
    task = make_task(api, [unique])
    upload = fb_pb.UploadFeedbackRequest(task_id=task.id, completion_ids=[first, second])
    upload.json_values.update({"score": 4})
    shared = api.call(api.feedback.UploadFeedback, upload)
    alone = fb_pb.UploadFeedbackRequest(task_id=task.id, completion_ids=[first])
    alone.json_values.update({"score": 2})
    only_first = api.call(api.feedback.UploadFeedback, alone)

    delete(api, first)

    kept = api.call(api.feedback.GetFeedback, fb_pb.GetFeedbackRequest(id=shared.id))
    assert list(kept.matched_completion_ids) == [second] and kept.json_values["score"] == 4
    orphan = api.call(api.feedback.GetFeedback, fb_pb.GetFeedbackRequest(id=only_first.id))
    assert list(orphan.matched_completion_ids) == [] and orphan.json_values["score"] == 2
    by_task = api.call(api.feedback.ListFeedback, fb_pb.ListFeedbackRequest(task_id=task.id))
    assert {f.id for f in by_task.feedback} == {shared.id, only_first.id}
    assert not api.call(api.feedback.ListFeedback, fb_pb.ListFeedbackRequest(completion_id=first)).feedback

    # Recreated under the same id, it is a new, ungraded completion: the old links went with it.
    create(api, first, [unique])
    assert ungraded_ids(api, task.id) == [first]
    delete(api, second)
    assert list(api.call(api.feedback.GetFeedback, fb_pb.GetFeedbackRequest(id=shared.id)).matched_completion_ids) == []


def test_unknown_id_is_not_found_and_a_second_delete_too(api: Api, unique: str) -> None:
    err = rpc_error(lambda: delete(api, f"never-{unique}"))
    assert err.code() == NOT_FOUND and f"never-{unique}" in (err.details() or "")
    create(api, f"once-{unique}", [unique])
    delete(api, f"once-{unique}")
    assert rpc_error(lambda: delete(api, f"once-{unique}")).code() == NOT_FOUND


def test_empty_id_is_invalid_argument(api: Api) -> None:
    err = rpc_error(lambda: delete(api, ""))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "id" in error_details(err)["violations"]


def test_deleting_in_one_org_leaves_the_same_id_in_another(api: Api, deleting_org: Api, unique: str) -> None:
    cid = f"shared-{unique}"
    create(api, cid, [unique])
    theirs = create(deleting_org, cid, [unique], status=pb.STATUS_FAILED)

    # An id only they have is NOT_FOUND for us, and their row stays.
    create(deleting_org, f"theirs-only-{unique}", [unique])
    assert rpc_error(lambda: delete(api, f"theirs-only-{unique}")).code() == NOT_FOUND
    delete(api, cid)
    assert rpc_error(lambda: delete(api, cid)).code() == NOT_FOUND
    fetched = deleting_org.call(deleting_org.completions.GetCompletion, api_pb.GetCompletionRequest(id=cid))
    assert fetched == theirs
    assert set(list_all_ids(deleting_org, tags=[unique])) == {cid, f"theirs-only-{unique}"}
