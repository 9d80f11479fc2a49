"""Which of several tags is rarest: a multi-tag listing is driven by the rarest tag's index."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, func, select

from tenlog_server.domain.tag_selector import TagSelector

from .schema import CompletionTag

completion_tags = cast(Table, CompletionTag.__table__)


def rarest_first(conn: Connection, org: str, selector: TagSelector) -> TagSelector:
    """The selector with its tags ordered by how many completions carry them (counted up to a cap), rarest first.

    A multi-tag listing is driven by its first tag's index, so the rarest tag
    keeps the scan short; counting stops at the cap so common tags stay cheap.
    """
    unique = selector.tags
    if len(unique) < 2:
        return selector
    counts = {}
    for tag in unique:
        capped = (
            select(completion_tags.c.completion_id)
            .where(completion_tags.c.organization_id == org, completion_tags.c.tag == tag)
            .limit(_RARITY_CAP)
            .subquery()
        )
        counts[tag] = conn.execute(select(func.count()).select_from(capped)).scalar_one()
    return TagSelector(tuple(sorted(unique, key=lambda t: counts[t])))


_RARITY_CAP = 1_000  # enough to tell a rare tag from a common one
