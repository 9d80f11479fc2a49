"""listing indexes end in (created_at_us, id); tag rows carry a graded flag

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REPLACED = {
    "ix_completions_org_session_created": ("ix_completions_org_session_created_id", "session_id"),
    "ix_completions_org_status_created": ("ix_completions_org_status_created_id", "status"),
    "ix_completions_org_model_created": ("ix_completions_org_model_created_id", "model"),
}


def upgrade() -> None:
    """Swap the listing indexes; add completion_tags.graded (backfilled) to the tag index."""
    for old, (new, column) in _REPLACED.items():
        op.drop_index(old, table_name="completions")
        op.create_index(new, "completions", ["organization_id", column, "created_at_us", "id"])
    with op.batch_alter_table("completion_tags") as batch:
        batch.add_column(sa.Column("graded", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE completion_tags SET graded = TRUE WHERE EXISTS (SELECT 1 FROM feedback_completions f "
        "WHERE f.organization_id = completion_tags.organization_id "
        "AND f.completion_id = completion_tags.completion_id)"
    )
    # One tag index: it still orders by time, and now ungraded listings filter on it too.
    op.drop_index("ix_completion_tags_org_tag_created", table_name="completion_tags")
    op.create_index(
        "ix_completion_tags_org_tag_created_graded",
        "completion_tags",
        ["organization_id", "tag", "created_at_us", "completion_id", "graded"],
    )


def downgrade() -> None:
    """Undo upgrade()."""
    op.drop_index("ix_completion_tags_org_tag_created_graded", table_name="completion_tags")
    op.create_index(
        "ix_completion_tags_org_tag_created",
        "completion_tags",
        ["organization_id", "tag", "created_at_us", "completion_id"],
    )
    with op.batch_alter_table("completion_tags") as batch:
        batch.drop_column("graded")
    for old, (new, column) in _REPLACED.items():
        op.drop_index(new, table_name="completions")
        op.create_index(old, "completions", ["organization_id", column, "created_at_us"])
