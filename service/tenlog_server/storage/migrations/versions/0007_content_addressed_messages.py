"""messages, system prompts and tool lists are stored once per organization, zstd-compressed, in `contents`

Revision ID: 0007_contents
Revises: 0006_rollups

Uses the storage package's codec (message_codec, content_store) rather than a
copy: its stored format is versioned by this revision, and a later change of it
must come with a migration of its own.
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from tenlog_server.domain.documents import Document
from tenlog_server.storage import content_store, message_codec

revision: str = "0007_contents"
down_revision: str | Sequence[str] | None = "0006_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAGE = 1000

_table = sa.table(
    "completions",
    sa.column("organization_id"),
    sa.column("id"),
    sa.column("request", sa.LargeBinary()),
    sa.column("response", sa.LargeBinary()),
    sa.column("content_refs", sa.LargeBinary()),
)


def _pages(only_with_refs: bool) -> Any:
    """Pages of completions rows in primary-key order (keyset: each page starts after the last one's key)."""
    bind = op.get_bind()
    key = sa.tuple_(_table.c.organization_id, _table.c.id)
    after: tuple[str, str] = ("", "")
    while True:
        query = sa.select(_table).where(key > sa.tuple_(*after))
        if only_with_refs:
            query = query.where(_table.c.content_refs.is_not(None))
        rows = bind.execute(query.order_by(*key.clauses).limit(_PAGE)).all()
        if not rows:
            return
        yield rows
        after = (rows[-1].organization_id, rows[-1].id)


def _write(rows: list[dict[str, Any]]) -> None:
    statement = (
        _table.update()
        .where(_table.c.organization_id == sa.bindparam("o"), _table.c.id == sa.bindparam("i"))
        .values(
            request=sa.bindparam("q", type_=sa.LargeBinary()),
            response=sa.bindparam("r", type_=sa.LargeBinary()),
            content_refs=sa.bindparam("c", type_=sa.LargeBinary()),
        )
    )
    op.get_bind().execute(statement, rows)


def _document(data: bytes | None) -> Document | None:
    return None if data is None else Document(bytes(data))


def _split_page(rows: Sequence[Any]) -> None:
    by_org: dict[str, tuple[list[bytes], dict[bytes, bytes]]] = {}
    updates = []
    for row in rows:
        split = message_codec.split(_document(row.request), _document(row.response))
        if split.refs is None:
            continue
        added, pieces = by_org.setdefault(row.organization_id, ([], {}))
        added.extend(split.hashes)
        pieces.update(split.pieces)
        updates.append(
            {"o": row.organization_id, "i": row.id, "q": split.request, "r": split.response, "c": split.refs}
        )
    for org, (added, pieces) in by_org.items():
        content_store.change_references(op.get_bind(), org, content_store.reference_delta(added, []), pieces)
    if updates:
        _write(updates)


def _join_page(rows: Sequence[Any]) -> None:
    bind = op.get_bind()
    updates = []
    for org in {row.organization_id for row in rows}:
        mine = [row for row in rows if row.organization_id == org]
        hashes = [h for row in mine for h in message_codec.ref_hashes(row.content_refs)]
        pieces = content_store.load_pieces(bind, org, hashes)
        for row in mine:
            refs = message_codec.decode_refs(row.content_refs)
            request = message_codec.join(row.request, message_codec.REQUEST, refs, pieces)
            response = message_codec.join(row.response, message_codec.RESPONSE, refs, pieces)
            updates.append(
                {
                    "o": org,
                    "i": row.id,
                    "q": None if request is None else request.encoded,
                    "r": None if response is None else response.encoded,
                    "c": None,
                }
            )
    if updates:
        _write(updates)


def _each_page(convert: Callable[[Sequence[Any]], None], only_with_refs: bool) -> None:
    for rows in _pages(only_with_refs):
        convert(rows)


def upgrade() -> None:
    """Create `contents`, add completions.content_refs, and cut every stored request and response."""
    op.create_table(
        "contents",
        sa.Column("organization_id", sa.String(128), nullable=False),
        sa.Column("hash", sa.LargeBinary(16), nullable=False),
        sa.Column("refcount", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "hash", name="pk_contents"),
        sqlite_with_rowid=False,
    )
    op.add_column("completions", sa.Column("content_refs", sa.LargeBinary(), nullable=True))
    _each_page(_split_page, only_with_refs=False)


def downgrade() -> None:
    """Put every document back whole, then drop `contents` and completions.content_refs."""
    _each_page(_join_page, only_with_refs=True)
    with op.batch_alter_table("completions") as batch:
        batch.drop_column("content_refs")
    op.drop_table("contents")
