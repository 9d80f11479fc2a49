"""Deleting completions with their content references, search index, rollup shares, tag rows and feedback links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Connection, Table, delete, select

from . import message_codec
from .completion_rollups import ROLLUP_COLUMNS, apply_contributions, contribution_of_row
from .content_store import change_references, reference_delta
from .read_index import forget_completions
from .schema import Completion, CompletionTag, FeedbackCompletion

completions = cast(Table, Completion.__table__)
completion_tags = cast(Table, CompletionTag.__table__)
feedback_completions = cast(Table, FeedbackCompletion.__table__)


def delete_created_before(conn: Connection, org: str, cutoff_us: int, limit: int) -> int:
    """Delete up to `limit` of the organization's completions created before cutoff_us, oldest first (the prune).

    Returns how many were deleted; fewer than `limit` means none are left.
    """
    query = (
        select(completions.c.id)
        .where(completions.c.organization_id == org, completions.c.created_at_us < cutoff_us)
        .order_by(completions.c.created_at_us, completions.c.id)
        .limit(limit)
    )
    ids = [r[0] for r in conn.execute(query)]
    return delete_completions(conn, org, ids, created_before_us=cutoff_us) if ids else 0


def delete_completions(conn: Connection, org: str, ids: Sequence[str], created_before_us: int | None = None) -> int:
    """Delete these completions of the organization (only those created before the cutoff, if given).

    Links and tag rows go first: feedback_completions references completions
    without a cascade. On PostgreSQL the completions are locked first, so an
    UploadFeedback racing the delete cannot link to a row about to vanish. The
    cutoff is re-checked inside the write because SQLite runs the SELECT that
    chose the ids outside the transaction.
    """
    conditions = [completions.c.organization_id == org, completions.c.id.in_(ids)]
    if created_before_us is not None:
        conditions.append(completions.c.created_at_us < created_before_us)
    chosen = select(completions.c.id, completions.c.content_refs).where(*conditions)
    if conn.dialect.name == "postgresql":
        chosen = chosen.with_for_update()
    found = conn.execute(chosen).all()
    if not found:
        return 0
    conditions = [completions.c.organization_id == org, completions.c.id.in_([r[0] for r in found])]
    removed = [h for _, refs in found for h in message_codec.ref_hashes(refs)]
    # Content counts change before the rollups, as in a write: every transaction takes completions,
    # then content, then rollup rows, so a delete and a write cannot deadlock on them.
    change_references(conn, org, reference_delta([], removed), {})  # content no completion names any more goes
    doomed = select(completions.c.id).where(*conditions)
    forget_completions(conn, org, doomed)
    gone = conn.execute(select(*(completions.c[name] for name in ROLLUP_COLUMNS)).where(*conditions))
    apply_contributions(conn, [(org, contribution_of_row(row), -1) for row in gone])
    conn.execute(
        delete(feedback_completions).where(
            feedback_completions.c.organization_id == org, feedback_completions.c.completion_id.in_(doomed)
        )
    )
    conn.execute(
        delete(completion_tags).where(
            completion_tags.c.organization_id == org, completion_tags.c.completion_id.in_(doomed)
        )
    )
    return int(conn.execute(delete(completions).where(*conditions)).rowcount)
