"""completions carry cached and reasoning token counts (priced apart from the other tokens)

Revision ID: 0008_cost_tokens
Revises: 0007_contents
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_cost_tokens"
down_revision: str | Sequence[str] | None = "0007_contents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add completions.cached_tokens and completions.reasoning_tokens (0 for existing rows).

    Plain ADD COLUMN, never a batch copy: SQLite's full-text index is keyed by completions' rowids.
    """
    op.add_column("completions", sa.Column("cached_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column(
        "completions", sa.Column("reasoning_tokens", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )


def downgrade() -> None:
    """Drop the two columns."""
    op.drop_column("completions", "reasoning_tokens")  # SQLite 3.35+ drops a column in place
    op.drop_column("completions", "cached_tokens")
