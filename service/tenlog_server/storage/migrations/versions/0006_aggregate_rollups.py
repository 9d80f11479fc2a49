"""aggregate rollups: per-hour and per-day totals and duration histograms, filled from the stored completions

Revision ID: 0006_rollups
Revises: 0005_read_side
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from tenlog_server.storage.completion_rollups import rebuild_rollups

revision: str = "0006_rollups"
down_revision: str | Sequence[str] | None = "0005_read_side"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> list[sa.Column[Any]]:
    """The key columns (fresh objects: a Column belongs to one table)."""
    return [
        sa.Column("organization_id", sa.String(128), nullable=False),
        sa.Column("width_us", sa.BigInteger(), nullable=False),
        sa.Column("bucket_us", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    ]


_KEY_NAMES = [c.name for c in _key()]


def upgrade() -> None:
    """Create the rollup tables and fill them (with the app's own code: they must hold what ingest would)."""
    op.create_table(
        "completion_rollups",
        *_key(),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), nullable=False),
        sa.Column("total_tokens", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY_NAMES, name="pk_completion_rollups"),
    )
    op.create_table(
        "completion_rollup_durations",
        *_key(),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY_NAMES, "bin", name="pk_completion_rollup_durations"),
    )
    rebuild_rollups(op.get_bind())


def downgrade() -> None:
    """Undo upgrade()."""
    op.drop_table("completion_rollup_durations")
    op.drop_table("completion_rollups")
