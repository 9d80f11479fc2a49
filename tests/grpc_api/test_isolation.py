"""Organizations: keys, and proof that one organization never sees or touches another's rows."""

from __future__ import annotations

import grpc
import pytest
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import feedback_service_pb2 as fb_pb
from tenlog.v1 import feedback_task_service_pb2 as task_pb
from tenlog.v1 import session_service_pb2 as sess_pb
from tenlog.v1 import vendor_ingest_service_pb2 as vendor_pb
from tenlog.v1 import vendor_ingest_service_pb2_grpc as vendor_grpc

from tests.support.grpc_api import Api, chat_completion, rpc_error
from tests.support.server import ServerProcess


@pytest.fixture(scope="session")
def other_org(tenlog_server: ServerProcess, grpc_channel: grpc.Channel) -> Api:
    return Api(grpc_channel, tenlog_server.mint_key("org-b"), "org-b")


def test_no_key_unknown_key_and_wrong_org(api: Api, grpc_channel: grpc.Channel, other_org: Api) -> None:
    req = api_pb.ListCompletionsRequest()
    no_key = Api(grpc_channel, "")
    assert (
        rpc_error(lambda: no_key.call(no_key.completions.ListCompletions, req)).code()
        == grpc.StatusCode.UNAUTHENTICATED
    )
    bogus = Api(grpc_channel, "tlk_not-a-real-key")
    assert (
        rpc_error(lambda: bogus.call(bogus.completions.ListCompletions, req)).code() == grpc.StatusCode.UNAUTHENTICATED
    )
    wrong_org = Api(grpc_channel, other_org.key, api.org)  # org-b's key asking for org-a
    err = rpc_error(lambda: wrong_org.call(wrong_org.completions.ListCompletions, req))
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED and api.org in err.details()
    key_only = Api(grpc_channel, api.key)  # the organization defaults to the key's
    key_only.call(key_only.completions.ListCompletions, req)


def test_other_org_cannot_read_list_update_or_grade_our_rows(api: Api, other_org: Api, unique: str) -> None:
    b = other_org
    cid, sid = f"secret-{unique}", f"sess-{unique}"
    api.call(
        api.completions.CreateCompletion,
        api_pb.CreateCompletionRequest(completion=chat_completion(id=cid, tags=[unique], session_id=sid)),
    )
    task = pb.FeedbackTask(name="t", instruction="i", completion_tags_selector=[unique])
    task.json_schema.update({"type": "object"})
    task = api.call(api.tasks.CreateFeedbackTask, task_pb.CreateFeedbackTaskRequest(task=task))
    req = fb_pb.UploadFeedbackRequest(task_id=task.id, completion_ids=[cid])
    req.json_values.update({"ok": True})
    fb = api.call(api.feedback.UploadFeedback, req)

    not_found = grpc.StatusCode.NOT_FOUND
    assert (
        rpc_error(lambda: b.call(b.completions.GetCompletion, api_pb.GetCompletionRequest(id=cid))).code() == not_found
    )
    update = api_pb.UpdateCompletionRequest(completion=pb.Completion(id=cid, status=pb.STATUS_FAILED))
    assert rpc_error(lambda: b.call(b.completions.UpdateCompletion, update)).code() == not_found
    assert not b.call(b.completions.ListCompletions, api_pb.ListCompletionsRequest(tags=[unique])).completions
    assert not b.call(b.completions.ListCompletions, api_pb.ListCompletionsRequest(session_id=sid)).completions
    assert cid not in [
        c.id for c in b.call(b.completions.ListCompletions, api_pb.ListCompletionsRequest(page_size=1000)).completions
    ]
    ungraded = b.call(b.completions.ListUngradedCompletions, api_pb.ListUngradedCompletionsRequest(page_size=1000))
    assert cid not in [c.id for c in ungraded.completions]
    assert rpc_error(lambda: b.call(b.sessions.GetSession, sess_pb.GetSessionRequest(id=sid))).code() == not_found
    assert sid not in [
        s.id for s in b.call(b.sessions.ListSessions, sess_pb.ListSessionsRequest(page_size=1000)).sessions
    ]
    get_task = task_pb.GetFeedbackTaskRequest(id=task.id)
    assert rpc_error(lambda: b.call(b.tasks.GetFeedbackTask, get_task)).code() == not_found
    assert task.id not in [t.id for t in b.call(b.tasks.ListFeedbackTasks, task_pb.ListFeedbackTasksRequest()).tasks]
    assert rpc_error(lambda: b.call(b.feedback.GetFeedback, fb_pb.GetFeedbackRequest(id=fb.id))).code() == not_found
    assert not b.call(b.feedback.ListFeedback, fb_pb.ListFeedbackRequest(completion_id=cid)).feedback
    assert not b.call(b.feedback.ListFeedback, fb_pb.ListFeedbackRequest(task_id=task.id)).feedback

    # Attaching feedback to our completion through their own task fails, by id and by tags.
    their_task = pb.FeedbackTask(name="t", instruction="i", completion_tags_selector=[unique])
    their_task.json_schema.update({"type": "object"})
    their_task = b.call(b.tasks.CreateFeedbackTask, task_pb.CreateFeedbackTaskRequest(task=their_task))
    by_id = fb_pb.UploadFeedbackRequest(task_id=their_task.id, completion_ids=[cid])
    by_id.json_values.update({"ok": False})
    assert rpc_error(lambda: b.call(b.feedback.UploadFeedback, by_id)).code() == not_found
    by_tags = fb_pb.UploadFeedbackRequest(task_id=their_task.id, completion_tags_selector=[unique])
    by_tags.json_values.update({"ok": False})
    assert rpc_error(lambda: b.call(b.feedback.UploadFeedback, by_tags)).code() == grpc.StatusCode.FAILED_PRECONDITION
    their_fb = fb_pb.UploadFeedbackRequest(task_id=task.id, completion_ids=[cid])  # our task id
    their_fb.json_values.update({"ok": False})
    assert rpc_error(lambda: b.call(b.feedback.UploadFeedback, their_fb)).code() == not_found

    # The same id in their organization is a different row: ours is untouched.
    b.call(
        b.completions.CreateCompletion,
        api_pb.CreateCompletionRequest(completion=chat_completion(id=cid, tags=["theirs"], status=pb.STATUS_FAILED)),
    )
    ours = api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=cid))
    assert ours.status == pb.STATUS_FINISHED and list(ours.tags) == [unique]
    assert list(api.call(api.feedback.GetFeedback, fb_pb.GetFeedbackRequest(id=fb.id)).matched_completion_ids) == [cid]


def test_other_org_cannot_touch_our_rows_through_the_vendor_apis(
    api: Api, other_org: Api, grpc_channel: grpc.Channel, unique: str
) -> None:
    cid = f"vendor-secret-{unique}"
    original = api.call(
        api.completions.CreateCompletion,
        api_pb.CreateCompletionRequest(completion=chat_completion(id=cid, tags=[unique])),
    )
    vendor = vendor_grpc.VendorIngestServiceStub(grpc_channel)
    md = other_org.metadata
    not_found = grpc.StatusCode.NOT_FOUND
    update_log = vendor_pb.UpdateLogRequest(id=cid, update_data=vendor_pb.LogEntry(model="hijacked"))
    assert rpc_error(lambda: vendor.UpdateLog(update_log, metadata=md, timeout=10)).code() == not_found
    update_fp = vendor_pb.UpdateFreeplayCompletionRequest(project_id="p", completion_id=cid)
    update_fp.eval_results.update({"hijacked": True})
    assert rpc_error(lambda: vendor.UpdateFreeplayCompletion(update_fp, metadata=md, timeout=10)).code() == not_found
    # A legacy write names an id: in their organization it is their own row, never ours.
    legacy = vendor_pb.WriteLegacyCompletionRequest(
        completion=pb.Completion(id=cid, status=pb.STATUS_FAILED, tags=["theirs"])
    )
    vendor.WriteLegacyCompletion(legacy, metadata=md, timeout=10)
    assert api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id=cid)) == original
