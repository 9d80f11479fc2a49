"""index completions by update time for the live-tail change feed

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ix_completions_updated."""
    op.create_index("ix_completions_updated", "completions", ["updated_at_us"])


def downgrade() -> None:
    """Drop ix_completions_updated."""
    op.drop_index("ix_completions_updated", table_name="completions")
