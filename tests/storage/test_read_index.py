"""The search and metadata index rows follow every write, replace, delete and prune, and 0005 backfills them."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from tenlog_server.domain.completion_query import build_query
from tenlog_server.domain.documents import Document
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.migrate import upgrade

from tests.storage.test_migrations import empty_engine  # noqa: F401  (fixture)


def _rec(cid: str, words: str, status: str = "finished", t: int = 1, customer: str = "acme") -> CompletionRecord:
    return CompletionRecord(
        id=cid,
        status=status,
        request=Document.of({"messages": [{"role": "user", "content": words}]}),
        metadata=Document.of({"customer": customer}),
        created_at_us=t,
        updated_at_us=t,
    )


def _found(store: CompletionStore, org: str, search: str = "", filter_text: str = "") -> list[str]:
    from tenlog_server.domain.completion_query import QueryPage

    query = build_query(filter_text=filter_text, search=search)
    return sorted(r.id for r in store.query_completions(org, query, QueryPage(limit=100)))


def test_index_rows_follow_replace_delete_and_prune(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    org = f"o-{unique}"
    store.upsert_batch([(org, _rec("a", "red fox", "started")), (org, _rec("b", "blue fox", t=5))])
    assert _found(store, org, "fox") == ["a", "b"]
    store.upsert_batch([(org, _rec("a", "green frog", customer="globex"))])  # started -> finished replaces
    assert _found(store, org, "red") == [] and _found(store, org, "frog") == ["a"]
    assert _found(store, org, filter_text='metadata.customer = "acme"') == ["b"]
    assert store.delete(org, "a")
    assert _found(store, org, "frog") == [] and _found(store, org, filter_text="metadata.customer:*") == ["b"]
    assert store.delete_created_before(org, 10, 100) == 1
    assert _found(store, org, "fox") == [] and _found(store, org, filter_text="metadata.customer:*") == []
    with engine.connect() as conn:
        left = conn.execute(
            text("SELECT count(*) FROM completion_metadata WHERE organization_id = :o"), {"o": org}
        ).scalar_one()
    assert left == 0


def test_0005_indexes_completions_stored_before_it(empty_engine: Engine) -> None:  # noqa: F811
    upgrade(empty_engine, "0004")
    request = Document.of({"messages": [{"role": "user", "content": "ancient walrus"}]}).encoded
    metadata = Document.of({"customer": "acme", "n": 3}).encoded
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO organizations (id, created_at_us) VALUES ('o', 0)"))
        conn.execute(
            text(
                "INSERT INTO completions (organization_id, id, kind, status, tags, request, metadata, session_id, "
                "failure_kind, failure_reason, model, prompt_tokens, completion_tokens, total_tokens, source, "
                "reported_organization_id, created_at_us, updated_at_us) VALUES ('o', :id, 'chat', 'finished', '[]', "
                ":request, :metadata, '', '', '', 'gpt-4o', 0, 0, 0, 'log10', '', :t, :t)"
            ),
            [{"id": f"c{i:04d}", "request": request, "metadata": metadata, "t": i} for i in range(1_500)],
        )
    upgrade(empty_engine)
    store = CompletionStore(empty_engine)
    assert len(_found(store, "o", "walrus", "metadata.n = 3 AND metadata.customer = acme")) == 100


def test_common_and_rare_searches_find_the_same_rows(
    engine: Engine, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite reads few matches off the index and probes it per row for many; both answer alike."""
    from tenlog_server.domain.completion_query import QueryPage
    from tenlog_server.storage import completion_query_sql

    store = CompletionStore(engine)
    org = f"o-{unique}"
    store.upsert_batch([(org, _rec(f"c{i}", f"lemur {'quokka' if i % 3 else 'koala'}", t=i)) for i in range(30)])
    query = build_query(filter_text="created_at > 1970-01-01T00:00:00.000005Z", search="lemur quokka")
    expected = [f"c{i}" for i in range(29, 5, -1) if i % 3]
    page = QueryPage(limit=100)
    assert [r.id for r in store.query_completions(org, query, page)] == expected
    monkeypatch.setattr(completion_query_sql, "FTS_RARE_CAP", 2)
    assert [r.id for r in store.query_completions(org, query, page)] == expected
