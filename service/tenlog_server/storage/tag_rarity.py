"""Which of several tags is rarest: a multi-tag listing is driven by the rarest tag's index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Connection, Table, func, select

from .schema import CompletionTag

completion_tags = cast(Table, CompletionTag.__table__)


def rarest_first(conn: Connection, org: str, tags: Sequence[str]) -> list[str]:
    """Tags ordered by how many completions carry them (counted up to a cap), rarest first.

    A multi-tag listing is driven by its first tag's index, so the rarest tag
    keeps the scan short; counting stops at the cap so common tags stay cheap.
    """
    unique = list(dict.fromkeys(tags))
    if len(unique) < 2:
        return unique
    counts = {}
    for tag in unique:
        capped = (
            select(completion_tags.c.completion_id)
            .where(completion_tags.c.organization_id == org, completion_tags.c.tag == tag)
            .limit(_RARITY_CAP)
            .subquery()
        )
        counts[tag] = conn.execute(select(func.count()).select_from(capped)).scalar_one()
    return sorted(unique, key=lambda t: counts[t])


_RARITY_CAP = 1_000  # enough to tell a rare tag from a common one
