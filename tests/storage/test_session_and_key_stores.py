"""SessionStore, KeyStore and FeedbackStore on each backend: the Protocols of domain/stores.py, implemented."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tenlog_server.domain.model import Cursor, FeedbackRecord, FeedbackTaskRecord, Page
from tenlog_server.domain.stores import DuplicateId
from tenlog_server.domain.tag_selector import TagSelector
from tenlog_server.storage.feedback_store import FeedbackStore
from tenlog_server.storage.key_store import KeyStore
from tenlog_server.storage.session_store import SessionStore


def test_sessions_are_created_once_and_listed_newest_first(engine: Engine, unique: str) -> None:
    store, org = SessionStore(engine), f"s-{unique}"
    first = store.create(org, "a", 10)
    again = store.create(org, "a", 99)  # idempotent: the first creation time stays
    store.create(org, "b", 20)
    assert (first.created_at_us, again.created_at_us) == (10, 10)
    assert store.get(org, "missing") is None and store.get(f"other-{unique}", "a") is None
    assert [s.id for s in store.list(org, Page(limit=10))] == ["b", "a"]
    assert [s.id for s in store.list(org, Page(limit=10, after=Cursor(20, "b")))] == ["a"]


def test_keys_map_hashes_to_organizations_and_can_be_revoked(engine: Engine, unique: str) -> None:
    store, org = KeyStore(engine), f"k-{unique}"
    count = store.organization_count()
    store.add_key(org, f"hash-{unique}-1", f"pre{unique}1", 1)
    store.add_key(org, f"hash-{unique}-2", f"pre{unique}2", 2)  # same organization: created once
    assert store.organization_count() == count + 1
    assert store.org_of_key(f"hash-{unique}-1") == org and store.org_of_key("nope") is None
    assert [(p, o) for p, o, _ in store.list_keys(org)] == [(f"pre{unique}1", org), (f"pre{unique}2", org)]
    assert {h for h, _ in store.matching_keys("", f"pre{unique}")} == {f"hash-{unique}-1", f"hash-{unique}-2"}
    store.delete_key(f"hash-{unique}-1")
    assert store.org_of_key(f"hash-{unique}-1") is None
    assert [p for p, _, _ in store.list_keys(org)] == [f"pre{unique}2"]


def test_feedback_tasks_keep_their_selectors_and_ids_are_unique(engine: Engine, unique: str) -> None:
    store, org = FeedbackStore(engine), f"f-{unique}"
    store.create_task(org, FeedbackTaskRecord("t1", "n", "i", {"type": "object"}, ["a", "b"], 1))
    store.create_task(org, FeedbackTaskRecord("t2", "n", "i", {"type": "object"}, [], 2))
    with pytest.raises(DuplicateId):
        store.create_task(org, FeedbackTaskRecord("t1", "n", "i", {"type": "object"}, [], 3))
    assert sorted(store.all_selectors(org), key=lambda s: len(s.tags)) == [TagSelector(), TagSelector(("a", "b"))]
    assert store.all_selectors(org, "t1") == [TagSelector(("a", "b"))]
    assert [t.id for t in store.list_tasks(org, Page(limit=10))] == ["t2", "t1"]
    store.create_feedback(org, FeedbackRecord("fb", "t1", {"ok": True}, created_at_us=5))
    with pytest.raises(DuplicateId):
        store.create_feedback(org, FeedbackRecord("fb", "t1", {"ok": False}, created_at_us=6))
    found = store.get_feedback(org, "fb")
    assert found is not None and found.json_values == {"ok": True}
    assert [f.id for f in store.list_feedback(org, "t1", "", Page(limit=10))] == ["fb"]
    assert store.list_feedback(org, "t2", "", Page(limit=10)) == []
