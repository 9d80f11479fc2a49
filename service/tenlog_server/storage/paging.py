"""Newest-first keyset paging shared by every listing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_

from tenlog_server.domain.model import Page


def newest_first(query: Any, created: Any, ident: Any, page: Page) -> Any:
    """Order by (created, id) descending, start after the page's cursor, and apply limit/offset."""
    if page.after is not None:
        after = page.after
        query = query.where(or_(created < after.created_at_us, and_(created == after.created_at_us, ident < after.id)))
    query = query.order_by(created.desc(), ident.desc()).limit(page.limit)
    return query.offset(page.offset) if page.offset else query
