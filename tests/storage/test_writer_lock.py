"""The cross-process writer lock that keeps SQLite worker processes from sleeping in its busy handler."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from tenlog_server.storage.database import WriterLock, create_db_engine


def test_a_second_holder_waits_until_the_first_releases(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'w.db'}")
    # Two locks on one file stand for two processes: each opens its own descriptor.
    first, second = WriterLock(engine), WriterLock(engine)
    acquired = threading.Event()

    def take_second() -> None:
        with second.held():
            acquired.set()

    with first.held():
        waiter = threading.Thread(target=take_second)
        waiter.start()
        assert not acquired.wait(0.3), "the second holder got the lock while the first held it"
    assert acquired.wait(10), "the second holder never got the lock after the first released it"
    waiter.join()
    assert (tmp_path / "w.db-tenlog-writer.lock").exists()


def test_an_in_memory_database_needs_no_lock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with WriterLock(create_engine("sqlite://")).held():
        pass
    assert list(tmp_path.iterdir()) == []
