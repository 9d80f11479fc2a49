"""CompletionStore and WriteBatcher against a real database on each backend."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, inspect
from tenlog_server.domain.model import CompletionFilter, CompletionRecord, Page
from tenlog_server.domain.stores import Overloaded
from tenlog_server.domain.tag_selector import TagSelector
from tenlog_server.storage import message_codec
from tenlog_server.storage.bulk_writes import lookup_ids, upsert_rows
from tenlog_server.storage.completion_rows import record_to_row
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.database import create_db_engine, refresh_statistics, write_transaction
from tenlog_server.storage.migrate import upgrade
from tenlog_server.storage.session_store import SessionStore
from tenlog_server.storage.write_batcher import WriteBatcher

from tests.domain.late_started_cases import LATE_STARTED_CASES, LateStartedCase, case_id


def rec(
    cid: str, status: str = "finished", tags: list[str] | None = None, t: int = 1, **kw: object
) -> CompletionRecord:
    return CompletionRecord(id=cid, status=status, tags=tags or [], created_at_us=t, updated_at_us=t, **kw)  # type: ignore[arg-type]


def test_batch_applies_repeated_ids_in_order(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    org = f"o-{unique}"
    results = store.upsert_batch(
        [
            (org, rec("x", "started", ["a"])),
            (org, rec("x", "finished", ["b"])),
            (org, rec("x", "started", ["c"])),  # late started: ignored
            (org, rec("y", "started", ["a"], session_id="s")),
        ]
    )
    assert [r.applied for r in results] == [True, True, False, True]
    assert [r.created for r in results] == [True, False, False, True]
    stored = store.get(org, "x")
    assert stored is not None and stored.status == "finished" and stored.tags == ["b"]
    assert store.list_completions(org, CompletionFilter(tags=["b"]), Page(limit=10))[0].id == "x"
    assert store.list_completions(org, CompletionFilter(tags=["c"]), Page(limit=10)) == []
    assert SessionStore(engine).get(org, "s") is not None


def test_late_started_in_a_later_batch_returns_the_stored_row(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    org = f"o-{unique}"
    store.upsert_batch([(org, rec("z", "failed", ["f"], failure_reason="boom"))])
    (result,) = store.upsert_batch([(org, rec("z", "started", ["s"]))])
    assert not result.applied and result.record.status == "failed" and result.record.failure_reason == "boom"


def test_same_id_in_two_organizations_are_two_rows(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    store.upsert_batch([(f"a-{unique}", rec("same", tags=["a"])), (f"b-{unique}", rec("same", tags=["b"]))])
    a, b = store.get(f"a-{unique}", "same"), store.get(f"b-{unique}", "same")
    assert a is not None and b is not None and (a.tags, b.tags) == (["a"], ["b"])


def test_indexes_cover_the_hot_listings(engine: Engine) -> None:
    insp = inspect(engine)
    tag_indexes = {tuple(ix["column_names"]) for ix in insp.get_indexes("completion_tags")}
    assert ("organization_id", "tag", "created_at_us", "completion_id", "graded") in tag_indexes
    completion_indexes = {tuple(ix["column_names"]) for ix in insp.get_indexes("completions")}
    assert ("organization_id", "session_id", "created_at_us", "id") in completion_indexes
    link_indexes = {tuple(ix["column_names"]) for ix in insp.get_indexes("feedback_completions")}
    assert ("organization_id", "completion_id") in link_indexes


@pytest.mark.asyncio
async def test_batcher_groups_concurrent_writes_and_answers_after_commit(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    batcher = WriteBatcher(store, max_batch=500, max_pending=10_000)
    batcher.start()
    try:
        org = f"o-{unique}"
        results = await asyncio.gather(*(batcher.submit([(org, rec(f"c{i}", t=i + 1))]) for i in range(300)))
        assert [r[0].record.id for r in results] == [f"c{i}" for i in range(300)]
        assert batcher.batches < 300  # shared transactions, not one per call
        # Each answered write is readable: the answer came after the commit.
        assert all(store.get(org, f"c{i}") is not None for i in range(0, 300, 37))
    finally:
        await batcher.stop()


@pytest.mark.asyncio
async def test_batcher_rejects_when_full_and_isolates_a_failing_caller(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    batcher = WriteBatcher(store, max_batch=100, max_pending=50)
    batcher.start()
    try:
        # An idle queue takes an entry larger than its bound; while it is pending, more is refused.
        first = asyncio.ensure_future(batcher.submit([(f"o-{unique}", rec(f"big{i}")) for i in range(60)]))
        await asyncio.sleep(0)
        with pytest.raises(Overloaded) as info:
            await batcher.submit([(f"o-{unique}", rec("more"))])
        assert info.value.retry_after > 0 and "60 of 50" in str(info.value)
        assert len(await first) == 60
        bad = rec("bad", prompt_tokens=2**40)  # overflows the INTEGER column on PostgreSQL; SQLite accepts it
        good = [batcher.submit([(f"o-{unique}", rec(f"g{i}"))]) for i in range(5)]
        outcomes = await asyncio.gather(batcher.submit([(f"o-{unique}", bad)]), *good, return_exceptions=True)
        assert all(not isinstance(o, BaseException) for o in outcomes[1:])
        assert all(store.get(f"o-{unique}", f"g{i}") is not None for i in range(5))
    finally:
        await batcher.stop()


def test_graded_flag_follows_feedback_through_tag_rewrites(engine: Engine, unique: str) -> None:
    from tenlog_server.domain.model import FeedbackRecord, FeedbackTaskRecord
    from tenlog_server.storage.feedback_store import FeedbackStore

    store, feedback = CompletionStore(engine), FeedbackStore(engine)
    org = f"o-{unique}"
    store.upsert_batch([(org, rec("g1", tags=["t"], t=1)), (org, rec("g2", tags=["t"], t=2))])
    feedback.create_task(org, FeedbackTaskRecord("task", "n", "i", {"type": "object"}, ["t"], 1))
    feedback.create_feedback(org, FeedbackRecord("fb", "task", {}, matched_completion_ids=["g1"], created_at_us=3))
    assert [r.id for r in store.list_ungraded(org, [TagSelector.of(["t"])], Page(limit=10))] == ["g2"]
    # Re-creating g1 (an upsert) and re-tagging it keep it graded.
    store.upsert_batch([(org, rec("g1", tags=["t", "u"], t=4))])
    store.update(org, "g1", {"tags": ["t", "v"]})
    assert [r.id for r in store.list_ungraded(org, [TagSelector.of(["t"])], Page(limit=10))] == ["g2"]
    assert [r.id for r in store.list_ungraded(org, [TagSelector.of(["v"]), TagSelector.of(["t"])], Page(limit=10))] == [
        "g2"
    ]


def test_multi_tag_listing_is_the_same_whichever_tag_is_rarer(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    org = f"o-{unique}"
    items = [(org, rec(f"m{i}", tags=["common"] + (["rare"] if i % 10 == 0 else []), t=i + 1)) for i in range(50)]
    store.upsert_batch(items)
    expected = [f"m{i}" for i in range(40, -1, -10)]
    for tags in (["common", "rare"], ["rare", "common"]):
        assert [r.id for r in store.list_completions(org, CompletionFilter(tags=tags), Page(limit=10))] == expected


def test_write_path_lookups_search_the_primary_key(tmp_path: Path) -> None:
    """A covering listing index must never turn the per-batch id lookup into an organization scan.

    The server migrates and ANALYZEs an empty database at first start; with those
    near-empty statistics SQLite once chose a covering listing index here.
    """
    engine = create_db_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade(engine)
    refresh_statistics(engine)
    store = CompletionStore(engine)
    store.upsert_batch([("org", rec(f"p{i}", tags=["t"], t=i + 1)) for i in range(200)])
    captured: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        if statement.startswith("SELECT") and "FROM completions" in statement and "id IN" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        # A batch-sized IN list: with a handful of ids SQLite searches the key either way.
        store.existing_ids("org", [f"p{i}" for i in range(64)])
        store.upsert_batch([("org", rec(f"p{i}", tags=["t"], t=999)) for i in range(64)])
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(captured) == 3  # existing_ids, the upsert's lookup, the search index's rowid lookup
    with engine.connect() as conn:
        for statement, parameters in captured:
            plan = " ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "INDEX sqlite_autoindex_completions_1 (organization_id=? AND id=?)" in plan, plan
    engine.dispose()


def test_id_lookup_of_no_ids_finds_nothing(engine: Engine, unique: str) -> None:
    """The lookup's IN list is written for the driver: an empty one must still be valid SQL on both backends."""
    CompletionStore(engine).upsert_batch([(f"o-{unique}", rec("x"))])
    with engine.connect() as conn:
        assert lookup_ids(conn, "id", f"o-{unique}", [], lock=False).all() == []
        assert [row.id for row in lookup_ids(conn, "id", f"o-{unique}", ["x", "x", "y"], lock=False)] == ["x"]


def test_feedback_linking_a_deleted_completion_is_completion_gone_not_duplicate(engine: Engine, unique: str) -> None:
    from tenlog_server.domain.model import FeedbackRecord, FeedbackTaskRecord
    from tenlog_server.domain.stores import CompletionGone, DuplicateId
    from tenlog_server.storage.feedback_store import FeedbackStore

    store, feedback = CompletionStore(engine), FeedbackStore(engine)
    org = f"o-{unique}"
    store.upsert_batch([(org, rec("kept", tags=["t"]))])
    feedback.create_task(org, FeedbackTaskRecord("task", "n", "i", {"type": "object"}, ["t"], 1))
    # Matched, then deleted before the feedback's transaction: the link has nothing to point at.
    with pytest.raises(CompletionGone):
        feedback.create_feedback(org, FeedbackRecord("fb", "task", {}, matched_completion_ids=["kept", "gone"]))
    assert feedback.get_feedback(org, "fb") is None  # nothing of it was stored
    feedback.create_feedback(org, FeedbackRecord("fb", "task", {}, matched_completion_ids=["kept"]))
    with pytest.raises(DuplicateId):
        feedback.create_feedback(org, FeedbackRecord("fb", "task", {}, matched_completion_ids=["kept"]))


@pytest.mark.parametrize("case", LATE_STARTED_CASES, ids=case_id)
def test_late_started_table_through_the_store(engine: Engine, unique: str, case: LateStartedCase) -> None:
    store, org = CompletionStore(engine), f"late-{unique}"
    if case.stored is not None:
        store.upsert_batch([(org, rec("x", case.stored, t=1))])
    (result,) = store.upsert_batch([(org, rec("x", case.incoming, t=2))])
    assert result.applied is case.applied
    stored = store.get(org, "x")
    assert stored is not None and stored.status == result.record.status == case.final


@pytest.mark.parametrize("case", LATE_STARTED_CASES, ids=case_id)
def test_late_started_table_in_sql_alone(engine: Engine, unique: str, case: LateStartedCase) -> None:
    """The ON CONFLICT guard by itself: a writer that looked before another process committed."""
    org = f"sql-{unique}"
    with write_transaction(engine) as conn:
        if case.stored is not None:
            upsert_rows(conn, [record_to_row(org, rec("x", case.stored, t=1), message_codec.split(None, None))])
        upsert_rows(conn, [record_to_row(org, rec("x", case.incoming, t=2), message_codec.split(None, None))])
    stored = CompletionStore(engine).get(org, "x")
    assert stored is not None and stored.status == case.final
    assert stored.updated_at_us == (2 if case.applied else 1)


def test_ungraded_listing_agrees_with_the_domain_rule(engine: Engine, unique: str) -> None:
    """store.list_ungraded returns exactly what domain.ungraded.is_ungraded selects, newest first."""
    from tenlog_server.domain.model import FeedbackRecord, FeedbackTaskRecord
    from tenlog_server.domain.ungraded import essential_selectors, is_ungraded
    from tenlog_server.storage.feedback_store import FeedbackStore

    store, feedback = CompletionStore(engine), FeedbackStore(engine)
    org = f"u-{unique}"
    tag_sets = [["a"], ["a", "b"], ["b"], ["b", "c"], [], ["c"], ["a", "c"], ["a", "b", "c"]]
    store.upsert_batch([(org, rec(f"c{i}", tags=tags, t=i + 1)) for i, tags in enumerate(tag_sets)])
    graded = {"c1", "c5"}
    feedback.create_task(org, FeedbackTaskRecord("task", "n", "i", {"type": "object"}, [], 1))
    feedback.create_feedback(org, FeedbackRecord("fb", "task", {}, matched_completion_ids=sorted(graded)))
    for selectors in ([["a"]], [["b"], ["a", "b"]], [["c"], ["a"]], [[]], [["a", "b"], ["b", "c"]]):
        chosen = [TagSelector.of(s) for s in selectors]
        expected = [
            f"c{i}" for i in reversed(range(len(tag_sets))) if is_ungraded(tag_sets[i], f"c{i}" in graded, chosen)
        ]
        for given in (chosen, essential_selectors(chosen)):
            assert [r.id for r in store.list_ungraded(org, given, Page(limit=100))] == expected, selectors
