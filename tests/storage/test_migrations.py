"""Migrations carry stored data across: 0004 re-encodes completion documents from JSON text to Struct bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.database import create_db_engine
from tenlog_server.storage.migrate import alembic_config, upgrade

REQUEST = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "n": 2, "t": 0.5}
ROWS = 1_234  # more than one page of the rewrite


@pytest.fixture
def empty_engine(database_url: str, tmp_path: Path, unique: str) -> Iterator[Engine]:
    """An engine on a database of its own, with no tables yet."""
    if database_url.startswith("sqlite"):
        engine = create_db_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
    else:
        name = f"migrate_{unique}".replace("-", "_")
        with create_engine(database_url, isolation_level="AUTOCOMMIT").connect() as admin:
            admin.execute(text(f"CREATE DATABASE {name}"))
        engine = create_db_engine(make_url(database_url).set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()


def _insert_v3_rows(engine: Engine) -> None:
    columns = (
        "organization_id, id, kind, status, tags, request, response, metadata, extra, session_id, failure_kind, "
        "failure_reason, model, prompt_tokens, completion_tokens, total_tokens, source, "
        "reported_organization_id, created_at_us, updated_at_us"
    )
    values = (
        "'o', :id, 'chat', 'finished', '[\"t\"]', :request, '{}', NULL, '{\"k\":[1,true,null]}', '', '', '', "
        "'gpt-4o', 0, 0, 0, 'log10', '', :t, :t"
    )
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organizations (id, created_at_us) VALUES ('o', 0)"))
        conn.execute(
            text(f"INSERT INTO completions ({columns}) VALUES ({values})"),
            [{"id": f"c{i:05d}", "request": '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],'
              '"n":2,"t":0.5}', "t": i} for i in range(ROWS)],
        )  # fmt: skip


def test_0004_re_encodes_json_documents_and_downgrades_back(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0003")
    _insert_v3_rows(empty_engine)
    upgrade(empty_engine, "0004")

    store = CompletionStore(empty_engine)
    for cid in ("c00000", f"c{ROWS - 1:05d}"):
        stored = store.get("o", cid)
        assert stored is not None and stored.request is not None and stored.response is not None
        assert stored.request.to_dict() == REQUEST
        assert len(stored.response) == 0  # an empty document stays present
        assert stored.metadata is None
        assert stored.extra == {"k": [1, True, None]}

    cfg = alembic_config()
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    with empty_engine.connect() as conn:
        request, response = conn.execute(text("SELECT request, response FROM completions WHERE id = 'c00001'")).one()
    assert json.loads(request) == REQUEST  # integers are integers again
    assert json.loads(response) == {}
