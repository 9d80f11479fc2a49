"""Every statement is bounded (issue 9): a query past the statement timeout is DeadlineExceeded on both backends.

On PostgreSQL the server cancels it (statement_timeout); on SQLite a progress handler
interrupts it. The connection stays usable afterwards.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from tenlog_server.domain.errors import DeadlineExceeded
from tenlog_server.storage.database import create_db_engine, set_statement_timeout

# A query that runs for minutes on either backend unless stopped.
ENDLESS = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) SELECT count(*) FROM n"
)


def test_a_statement_past_the_timeout_is_stopped_and_the_connection_stays_usable(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        set_statement_timeout(engine, 0.3)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded, match=r"statement timeout of 0\.3 s"), engine.connect() as connection:
            connection.execute(ENDLESS)
        assert time.monotonic() - started < 10  # stopped, not run to the end (that takes minutes)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
