"""The change feed: completions of every organization written since a time (what the live tail polls)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Engine, Table, select

from tenlog_server.domain.model import CompletionRecord

from .completion_rows import read_records
from .schema import Completion

completions = cast(Table, Completion.__table__)


def changed_since(engine: Engine, since_us: int, limit: int) -> list[CompletionRecord]:
    """Completions of every organization written at or after since_us, oldest write first (the change feed)."""
    query = (
        select(completions)
        .where(completions.c.updated_at_us >= since_us)
        .order_by(completions.c.updated_at_us, completions.c.organization_id, completions.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return read_records(conn, lambda: conn.execute(query))
