"""Organizations and API keys (stored only as hashes)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Engine, Table, delete, func, or_, select

from .bulk_writes import dialect_insert
from .database import write_transaction
from .schema import ApiKey, Organization

organizations = cast(Table, Organization.__table__)
api_keys = cast(Table, ApiKey.__table__)


class KeyStore:
    """Reads and writes organizations and API key hashes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add_key(self, org: str, key_hash: str, prefix: str, now_us: int) -> None:
        """Store a key hash for the organization, creating the organization if new."""
        with write_transaction(self.engine) as conn:
            conn.execute(
                dialect_insert(conn)(organizations).on_conflict_do_nothing(),
                [{"id": org, "created_at_us": now_us}],
            )
            conn.execute(
                api_keys.insert().values(key_hash=key_hash, organization_id=org, prefix=prefix, created_at_us=now_us)
            )

    def org_of_key(self, key_hash: str) -> str | None:
        """The organization a key hash belongs to, or None for an unknown key."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(api_keys.c.organization_id).where(api_keys.c.key_hash == key_hash)
            ).scalar_one_or_none()

    def list_keys(self, org: str = "") -> list[tuple[str, str, int]]:
        """(prefix, organization, created_at_us) of every key, or of one organization's, oldest first."""
        query = select(api_keys.c.prefix, api_keys.c.organization_id, api_keys.c.created_at_us)
        if org:
            query = query.where(api_keys.c.organization_id == org)
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(query.order_by(api_keys.c.created_at_us))]  # type: ignore[misc]

    def matching_keys(self, key_hash: str, prefix: str) -> list[tuple[str, str]]:
        """(key_hash, prefix) of the key with this hash, or of the keys whose prefix starts with `prefix`."""
        condition = api_keys.c.key_hash == key_hash
        if prefix:
            condition = or_(condition, api_keys.c.prefix.startswith(prefix, autoescape=True))
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(api_keys.c.key_hash, api_keys.c.prefix).where(condition))]  # type: ignore[misc]

    def delete_key(self, key_hash: str) -> None:
        """Delete one key; calls with it fail once servers' auth caches expire."""
        with write_transaction(self.engine) as conn:
            conn.execute(delete(api_keys).where(api_keys.c.key_hash == key_hash))

    def organization_count(self) -> int:
        """How many organizations exist (zero on a fresh install)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(organizations)).scalar_one())
