"""Session use cases."""

from __future__ import annotations

import asyncio

from .clock import new_id, now_us
from .completion_rules import could_exist, id_violations
from .errors import InvalidArgument, NotFound
from .model import Page, SessionRecord
from .stores import SessionStore


class SessionsService:
    """Create, get and list sessions."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store

    async def create(self, org: str, session_id: str = "") -> SessionRecord:
        """Create a session; a client-chosen id that exists returns the existing one."""
        violations = id_violations("session.id", session_id)
        if violations:
            raise InvalidArgument("the session id is not valid", violations)
        return await asyncio.to_thread(self.store.create, org, session_id or new_id(), now_us())

    async def get(self, org: str, session_id: str) -> SessionRecord:
        """One session; NotFound when it is not in the organization."""
        found = await asyncio.to_thread(self.store.get, org, session_id) if could_exist(session_id) else None
        if found is None:
            raise NotFound(f"session {session_id!r} not found")
        return found

    async def list(self, org: str, page: Page) -> list[SessionRecord]:
        """Sessions, newest first."""
        return await asyncio.to_thread(self.store.list, org, page)
