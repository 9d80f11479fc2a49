"""completion documents are stored as serialized google.protobuf.Struct, not JSON text

Revision ID: 0004
Revises: 0003
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from google.protobuf import json_format, struct_pb2

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENTS = ("request", "response", "metadata", "extra")
_PAGE = 1000


def _json_to_struct(value: str | bytes | None) -> bytes | None:
    if value is None:
        return None
    struct = struct_pb2.Struct()
    struct.update(json.loads(value))
    return struct.SerializeToString()


def _integers(value: Any) -> Any:
    # Struct numbers are doubles; JSON text had the client's integers. A copy of domain.json_numbers,
    # kept here on purpose: a migration must behave the same however the app code changes later.
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _integers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integers(v) for v in value]
    return value


def _struct_to_json(value: bytes | None) -> bytes | None:
    if value is None:
        return None
    document = json_format.MessageToDict(struct_pb2.Struct.FromString(value))
    return json.dumps(_integers(document), separators=(",", ":")).encode()


def _rewrite(convert: Callable[[Any], bytes | None]) -> None:
    """Convert every stored document, a page of completions at a time (keyset on the primary key)."""
    bind = op.get_bind()
    table = sa.table("completions", sa.column("organization_id"), sa.column("id"), *map(sa.column, DOCUMENTS))
    key = sa.tuple_(table.c.organization_id, table.c.id)
    write = (
        table.update()
        .where(table.c.organization_id == sa.bindparam("o"), table.c.id == sa.bindparam("i"))
        .values({name: sa.bindparam(f"v_{name}", type_=sa.LargeBinary()) for name in DOCUMENTS})
    )
    after: tuple[str, str] = ("", "")
    while True:
        query = sa.select(table).where(key > sa.tuple_(*after)).order_by(*key.clauses).limit(_PAGE)
        rows = bind.execute(query).all()
        if not rows:
            return
        bind.execute(
            write,
            [
                {"o": row.organization_id, "i": row.id, **{f"v_{n}": convert(getattr(row, n)) for n in DOCUMENTS}}
                for row in rows
            ],
        )
        after = (rows[-1].organization_id, rows[-1].id)


def upgrade() -> None:
    """Retype the four document columns to binary and re-encode what they hold."""
    if op.get_bind().dialect.name == "postgresql":
        for name in DOCUMENTS:
            op.alter_column("completions", name, type_=sa.LargeBinary(), postgresql_using=f"convert_to({name}, 'UTF8')")
    else:
        with op.batch_alter_table("completions") as batch:
            for name in DOCUMENTS:
                batch.alter_column(name, type_=sa.LargeBinary(), existing_type=sa.Text())
    _rewrite(_json_to_struct)


def downgrade() -> None:
    """Back to JSON text."""
    _rewrite(_struct_to_json)
    if op.get_bind().dialect.name == "postgresql":
        for name in DOCUMENTS:
            op.alter_column("completions", name, type_=sa.Text(), postgresql_using=f"convert_from({name}, 'UTF8')")
    else:
        with op.batch_alter_table("completions") as batch:
            for name in DOCUMENTS:
                batch.alter_column(name, type_=sa.Text(), existing_type=sa.LargeBinary())
