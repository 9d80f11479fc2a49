"""Migrations carry stored data across: 0004 re-encodes documents as Struct bytes, 0007 cuts them into contents."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from tenlog_server.domain.documents import Document
from tenlog_server.storage import message_codec
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
    upgrade(empty_engine)  # 0004, then the later ones on top (0007 cuts documents into contents)

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


SYSTEM_PROMPT = {"role": "system", "content": "Answer as a ship's navigator would, briefly. " * 6}
CONVERSATION_ROWS = 1_100  # more than one keyset page of 0007's rewrite


def _conversation_turn(n: int) -> tuple[dict[str, object], dict[str, object]]:
    """Turn n of a chat that resends its history: the system prompt and every earlier question and answer."""
    messages: list[object] = [SYSTEM_PROMPT]
    for i in range(n % 6 + 1):
        messages += [
            {"role": "user", "content": f"question {i} about bearing {n // 6} " * 3},
            {"role": "assistant", "content": f"answer {i} on bearing {n // 6} " * 3},
        ]
    request = {"model": "gpt-4o", "messages": messages[:-1], "temperature": 0.5, "n": 1}
    reply = messages[-1]
    return request, {"id": f"r{n}", "choices": [{"index": 0, "message": reply}], "usage": {"total_tokens": n}}


def _insert_v6_rows(engine: Engine) -> dict[tuple[str, str], tuple[object, object]]:
    columns = (
        "organization_id, id, kind, status, tags, request, response, metadata, extra, session_id, failure_kind, "
        "failure_reason, model, prompt_tokens, completion_tokens, total_tokens, source, "
        "reported_organization_id, created_at_us, updated_at_us"
    )
    values = (
        ":o, :id, 'chat', 'finished', '[]', :request, :response, NULL, NULL, '', '', '', 'gpt-4o', 0, 0, 0, "
        "'log10', '', :t, :t"
    )
    sent: dict[tuple[str, str], tuple[object, object]] = {}
    rows = []
    for i in range(CONVERSATION_ROWS):
        org = "o" if i % 10 else "p"  # the same content in two organizations: stored once in each
        request, response = _conversation_turn(i)
        if i % 97 == 0:
            response = None  # a started completion has no response
        sent[(org, f"c{i:05d}")] = (request, response)
        rows.append(
            {
                "o": org,
                "id": f"c{i:05d}",
                "request": Document.of(request).encoded,
                "response": None if response is None else Document.of(response).encoded,
                "t": i,
            }
        )
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organizations (id, created_at_us) VALUES ('o', 0), ('p', 0)"))
        conn.execute(text(f"INSERT INTO completions ({columns}) VALUES ({values})"), rows)
    return sent


def test_0007_cuts_stored_documents_into_counted_contents_and_downgrades_back(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0006_rollups")
    sent = _insert_v6_rows(empty_engine)
    upgrade(empty_engine)  # 0007, then the later ones on top (0008 adds token counts the store reads)

    store = CompletionStore(empty_engine)
    for (org, cid), (request, response) in list(sent.items())[::37]:
        got = store.get(org, cid)
        assert got is not None and got.request == request
        assert got.response == response if response is not None else got.response is None
    with empty_engine.connect() as conn:
        held: Counter[tuple[str, bytes]] = Counter()
        for org, refs in conn.execute(text("SELECT organization_id, content_refs FROM completions")):
            held.update((org, h) for h in message_codec.ref_hashes(refs))
        stored = Counter(
            {
                (org, bytes(h)): n
                for org, h, n in conn.execute(text("SELECT organization_id, hash, refcount FROM contents"))
            }
        )
    assert held == stored
    prompt = Document.of({"m": SYSTEM_PROMPT}).struct.fields["m"].SerializeToString(deterministic=True)
    prompt_hash = message_codec.content_hash(prompt)
    assert stored[("o", prompt_hash)] == sum(1 for org, _ in sent if org == "o")
    assert stored[("p", prompt_hash)] == sum(1 for org, _ in sent if org == "p")

    cfg = alembic_config()
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006_rollups")
    with empty_engine.connect() as conn:
        assert "contents" not in inspect(conn).get_table_names()
        rows = conn.execute(text("SELECT organization_id, id, request, response FROM completions")).all()
    assert len(rows) == CONVERSATION_ROWS
    for org, cid, request, response in rows:
        want_request, want_response = sent[(org, cid)]
        assert Document(bytes(request)) == want_request
        assert (Document(bytes(response)) == want_response) if want_response is not None else response is None
