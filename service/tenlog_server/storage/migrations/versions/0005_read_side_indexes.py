"""read side: metadata and full-text index tables, sort indexes for order_by

Revision ID: 0005_read_side
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.storage.read_index import create_search_table, drop_search_table, index_completions

revision: str = "0005_read_side"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAGE = 1000
_SORTED = ("cost", "duration", "total_tokens")


def _backfill() -> None:
    """Index the completions already stored, a page at a time (keyset on the primary key).

    It uses the app's own indexer on purpose: the index must hold what ingest would have written.
    """
    bind = op.get_bind()
    table = sa.table(
        "completions",
        *map(sa.column, ("organization_id", "id", "request", "response", "metadata", "created_at_us")),
    )
    key = sa.tuple_(table.c.organization_id, table.c.id)
    last: tuple[str, str] | None = None
    while True:
        query = sa.select(table).order_by(table.c.organization_id, table.c.id).limit(_PAGE)
        if last is not None:
            query = query.where(key > sa.tuple_(sa.literal(last[0]), sa.literal(last[1])))
        rows = bind.execute(query).all()
        if not rows:
            return
        written = {
            (r.organization_id, r.id): CompletionRecord(
                id=r.id,
                organization_id=r.organization_id,
                request=None if r.request is None else Document(r.request),
                response=None if r.response is None else Document(r.response),
                metadata=None if r.metadata is None else Document(r.metadata),
                created_at_us=r.created_at_us,
            )
            for r in rows
        }
        index_completions(bind, written, [])
        last = (rows[-1].organization_id, rows[-1].id)


def upgrade() -> None:
    """Create completion_metadata, completion_search and the order_by indexes; index stored completions."""
    op.create_table(
        "completion_metadata",
        sa.Column("organization_id", sa.String(128), nullable=False),
        sa.Column("completion_id", sa.String(256), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.Column("number", sa.Double(), nullable=True),
        sa.Column("created_at_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "completion_id"],
            ["completions.organization_id", "completions.id"],
            name="fk_completion_metadata_organization_id_completions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "completion_id", "key", name="pk_completion_metadata"),
    )
    op.create_index(
        "ix_completion_metadata_org_key_value_created",
        "completion_metadata",
        ["organization_id", "key", "value", "created_at_us", "completion_id"],
    )
    op.create_index(
        "ix_completion_metadata_org_key_number", "completion_metadata", ["organization_id", "key", "number"]
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _SORTED:
        # PostgreSQL sorts NULLs last ascending; built NULLS FIRST, a backward scan gives
        # `desc` with NULLs last, which is SQLite's order too.
        column = sa.text(f"{name} NULLS FIRST") if postgres and name != "total_tokens" else name
        op.create_index(f"ix_completions_org_{name}_id", "completions", ["organization_id", column, "id"])
    create_search_table(op.get_bind())
    _backfill()


def downgrade() -> None:
    """Undo upgrade()."""
    drop_search_table(op.get_bind())
    for name in _SORTED:
        op.drop_index(f"ix_completions_org_{name}_id", table_name="completions")
    op.drop_index("ix_completion_metadata_org_key_number", table_name="completion_metadata")
    op.drop_index("ix_completion_metadata_org_key_value_created", table_name="completion_metadata")
    op.drop_table("completion_metadata")
