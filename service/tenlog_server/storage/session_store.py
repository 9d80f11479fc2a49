"""Session queries."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Engine, Table, select

from tenlog_server.domain.model import Page, SessionRecord

from .bulk_writes import ensure_sessions
from .database import write_transaction
from .json_columns import load_json
from .paging import newest_first
from .schema import Session

sessions = cast(Table, Session.__table__)


class SessionStore:
    """Reads and writes sessions for one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, org: str, session_id: str, now_us: int) -> SessionRecord:
        """Create the session if new (idempotent) and return it as stored."""
        with write_transaction(self.engine) as conn:
            ensure_sessions(conn, [(org, session_id)], now_us)
        found = self.get(org, session_id)
        assert found is not None  # just written in a committed transaction
        return found

    def get(self, org: str, session_id: str) -> SessionRecord | None:
        """One session of the organization, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sessions.c.id, sessions.c.created_at_us, sessions.c.metadata).where(
                    sessions.c.organization_id == org, sessions.c.id == session_id
                )
            ).first()
        return SessionRecord(row.id, row.created_at_us, load_json(row.metadata)) if row else None

    def list(self, org: str, page: Page) -> list[SessionRecord]:
        """Sessions of the organization, newest first."""
        query = select(sessions.c.id, sessions.c.created_at_us, sessions.c.metadata).where(
            sessions.c.organization_id == org
        )
        query = newest_first(query, sessions.c.created_at_us, sessions.c.id, page)
        with self.engine.connect() as conn:
            return [SessionRecord(r.id, r.created_at_us, load_json(r.metadata)) for r in conn.execute(query)]
