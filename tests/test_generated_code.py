"""The committed stubs are exactly what `make protos` generates, and migrations match the models."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from tenlog_server.storage.migrate import upgrade
from tenlog_server.storage.schema import Base

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "clients" / "python" / "src" / "tenlog" / "v1"


def test_generated_stubs_match_the_protos(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_protos.py"), str(tmp_path)], check=True)
    fresh = tmp_path / "tenlog" / "v1"
    generated = sorted(p.name for p in fresh.iterdir() if p.suffix in (".py", ".pyi"))
    committed = sorted(p.name for p in COMMITTED.iterdir() if p.suffix in (".py", ".pyi"))
    assert generated == committed, "stubs were added or removed: run `make protos`"
    _, mismatch, errors = filecmp.cmpfiles(fresh, COMMITTED, generated, shallow=False)
    assert not mismatch and not errors, f"stale generated code in {mismatch}: run `make protos`"


def test_migrations_produce_exactly_the_models(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        # The full-text index is an FTS5 virtual table (and its shadow tables), which models cannot describe.
        opts = {
            "include_name": lambda name, kind, _parent: not (kind == "table" and name.startswith("completion_search"))
        }
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == [], f"models changed without a migration: {diff}"
