"""Apply Alembic migrations (tenlog migrate, and at server start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at tenlog's migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to `revision` (idempotent; safe for concurrent servers on PostgreSQL)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two servers starting at once must not both create the tables.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7283746501)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def pending_migrations(engine: Engine) -> str:
    """ "" when the database answers and is at the newest migration; else what is wrong (for /readyz)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current != heads:
        return f"database is at migration {sorted(current) or 'none'}, this server needs {sorted(heads)}"
    return ""
