"""SessionService servicer."""

from __future__ import annotations

import grpc
from tenlog.v1 import completion_pb2 as pb
from tenlog.v1 import session_service_pb2 as api
from tenlog.v1 import session_service_pb2_grpc as api_grpc

from tenlog_server.domain.pagination import make_page, next_token
from tenlog_server.domain.sessions import SessionsService

from .auth import current_org
from .completion_mapping import session_to_message
from .handlers import rpc


class SessionServicer(api_grpc.SessionServiceServicer):
    """Implements SessionService."""

    def __init__(self, sessions: SessionsService) -> None:
        self.sessions = sessions

    @rpc
    async def CreateSession(
        self, request: api.CreateSessionRequest, context: grpc.aio.ServicerContext
    ) -> api.CreateSessionResponse:
        rec = await self.sessions.create(current_org(context), request.session.id)
        return api.CreateSessionResponse(session=session_to_message(rec), session_id=rec.id)

    @rpc
    async def GetSession(self, request: api.GetSessionRequest, context: grpc.aio.ServicerContext) -> pb.Session:
        return session_to_message(await self.sessions.get(current_org(context), request.id))

    @rpc
    async def ListSessions(
        self, request: api.ListSessionsRequest, context: grpc.aio.ServicerContext
    ) -> api.ListSessionsResponse:
        page = make_page(request.page_size, request.limit, request.offset, request.page_token)
        rows = await self.sessions.list(current_org(context), page)
        token = next_token(page, rows)
        return api.ListSessionsResponse(sessions=[session_to_message(r) for r in rows], next_page_token=token)
