"""SessionService: explicit creation, and sessions created by the completions that name them."""

from __future__ import annotations

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import session_service_pb2 as sess_pb

from tests.support.grpc_api import Api, chat_completion, rpc_error


def test_create_returns_a_new_id_each_time(api: Api) -> None:
    first = api.call(api.sessions.CreateSession, sess_pb.CreateSessionRequest()).session
    second = api.call(api.sessions.CreateSession, sess_pb.CreateSessionRequest()).session
    assert first.id and second.id and first.id != second.id
    assert api.call(api.sessions.GetSession, sess_pb.GetSessionRequest(id=first.id)).id == first.id


def test_client_chosen_session_id_is_idempotent(api: Api, unique: str) -> None:
    req = sess_pb.CreateSessionRequest(session=pb.Session(id=f"mine-{unique}"))
    first = api.call(api.sessions.CreateSession, req).session
    again = api.call(api.sessions.CreateSession, req).session
    assert first == again


def test_a_completion_naming_an_unknown_session_creates_it(api: Api, unique: str) -> None:
    sid = f"implicit-{unique}"
    assert (
        rpc_error(lambda: api.call(api.sessions.GetSession, sess_pb.GetSessionRequest(id=sid))).code()
        == grpc.StatusCode.NOT_FOUND
    )
    api.call(
        api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=chat_completion(session_id=sid))
    )
    assert api.call(api.sessions.GetSession, sess_pb.GetSessionRequest(id=sid)).id == sid
    listed = api.call(api.sessions.ListSessions, sess_pb.ListSessionsRequest(page_size=1000)).sessions
    assert sid in [s.id for s in listed]
