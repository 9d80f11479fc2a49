"""Storage fixtures: a migrated engine per backend (the same tests run on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from tenlog_server.storage.database import create_db_engine
from tenlog_server.storage.migrate import upgrade


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = create_db_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()
