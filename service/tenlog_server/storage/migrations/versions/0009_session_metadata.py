"""sessions carry a metadata JSON object (Freeplay's session metadata)

Revision ID: 0009_session_metadata
Revises: 0008_cost_tokens
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_session_metadata"
down_revision: str | Sequence[str] | None = "0008_cost_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add sessions.metadata (NULL: no metadata)."""
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("metadata", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop sessions.metadata."""
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("metadata")
