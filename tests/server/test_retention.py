"""Retention: `tenlog prune --older-than` and `tenlog serve --retention` delete only old completions.

Completions get their created time from the server, so the old rows here are
written through the storage layer straight into the database the CLI or the
server then runs against.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator

import grpc
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog_server.domain.clock import now_us
from tenlog_server.domain.model import CompletionFilter, CompletionRecord, FeedbackRecord, FeedbackTaskRecord, Page
from tenlog_server.domain.retention import parse_duration
from tenlog_server.storage.completion_store import CompletionStore
from tenlog_server.storage.database import create_db_engine, is_sqlite
from tenlog_server.storage.feedback_store import FeedbackStore
from tenlog_server.storage.migrate import upgrade

from tests.support.grpc_api import Api, chat_completion
from tests.support.server import TENLOG, mint_key, start_server

DAY_US = 86_400 * 1_000_000


def prune(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TENLOG, "prune", *args, "--database-url", database_url], capture_output=True, text=True, timeout=120
    )


def write(engine: Engine, org: str, ids: list[str], *, age_days: float, tags: list[str] | None = None) -> None:
    """Store completions created age_days ago, as the storage layer would have stored them then."""
    created = now_us() - int(age_days * DAY_US)
    recs = [CompletionRecord(id=cid, tags=tags or [], created_at_us=created, updated_at_us=created) for cid in ids]
    CompletionStore(engine).upsert_batch([(org, rec) for rec in recs])


def stored_ids(engine: Engine, org: str, tags: list[str] | None = None) -> set[str]:
    rows = CompletionStore(engine).list_completions(org, CompletionFilter(tags=tags or []), Page(limit=1000))
    return {r.id for r in rows}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The backend's shared test database, migrated."""
    eng = create_db_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database of the backend, for prunes that cover every organization."""
    if is_sqlite(database_url):
        return f"sqlite:///{tmp_path_factory.mktemp('retention') / 'tenlog.db'}"
    name = f"retention_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(database_url).set(database=name).render_as_string(hide_password=False)


def test_durations() -> None:
    assert parse_duration("30d") == 30 * 86400
    assert parse_duration("12h") == 12 * 3600
    assert parse_duration("1d12h") == 36 * 3600
    assert parse_duration("90m") == parse_duration("1.5h") == 5400
    assert parse_duration("2w") == 14 * 86400
    for bad in ("", "30", "d", "30x", "-1d", "0d", "1d 2h", "12hours"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_prune_deletes_only_the_orgs_old_completions_in_batches(engine: Engine, database_url: str) -> None:
    org, other = f"prune-{uuid.uuid4().hex[:8]}", f"prune-other-{uuid.uuid4().hex[:8]}"
    old = [f"old-{i}" for i in range(5)]
    write(engine, org, old, age_days=40, tags=["t"])
    write(engine, org, ["recent"], age_days=29, tags=["t"])
    write(engine, org, ["new"], age_days=0, tags=["t"])
    write(engine, other, ["old-0"], age_days=40, tags=["t"])
    feedback = FeedbackStore(engine)
    feedback.create_task(org, FeedbackTaskRecord("task", "q", "i", {"type": "object"}, ["t"], created_at_us=now_us()))
    feedback.create_feedback(
        org, FeedbackRecord("fb", "task", {"ok": True}, matched_completion_ids=["old-0", "new"], created_at_us=now_us())
    )

    result = prune(database_url, "--older-than", "30d", "--org", org, "--batch-size", "2")
    assert result.returncode == 0, result.stderr
    assert "deleted 5 completions" in result.stdout

    assert stored_ids(engine, org) == {"recent", "new"}
    assert stored_ids(engine, org, ["t"]) == {"recent", "new"}  # the tag rows went too
    kept = feedback.get_feedback(org, "fb")
    assert kept is not None and kept.matched_completion_ids == ["new"]  # the feedback stays, unlinked from old-0
    assert stored_ids(engine, other) == {"old-0"}  # another organization's old rows are not touched

    again = prune(database_url, "--older-than", "30d", "--org", org)
    assert again.returncode == 0 and "deleted 0 completions" in again.stdout


def test_prune_without_org_covers_every_organization(fresh_database_url: str) -> None:
    engine = create_db_engine(fresh_database_url)
    upgrade(engine)
    try:
        for org in ("a", "b", "c"):
            write(engine, org, [f"{org}-{i}" for i in range(3)], age_days=2, tags=[org])
            write(engine, org, [f"{org}-new"], age_days=0.25)  # 6 hours old
        result = prune(fresh_database_url, "--older-than", "12h", "--batch-size", "2")
        assert result.returncode == 0, result.stderr
        assert "deleted 9 completions" in result.stdout
        assert [stored_ids(engine, org) for org in ("a", "b", "c")] == [{"a-new"}, {"b-new"}, {"c-new"}]
    finally:
        engine.dispose()


def test_bad_durations_are_refused_before_anything_runs(sqlite_path: str) -> None:
    result = prune(sqlite_path, "--older-than", "30 days")
    assert result.returncode == 2 and "is not a duration" in result.stderr
    serve = subprocess.run(
        [TENLOG, "serve", "--database-url", sqlite_path, "--retention", "soon"], capture_output=True, text=True
    )
    assert serve.returncode == 2 and "--retention" in serve.stderr


def test_server_retention_deletes_old_completions_in_the_background(fresh_database_url: str) -> None:
    engine = create_db_engine(fresh_database_url)
    upgrade(engine)
    org = "org-a"
    write(engine, org, ["old-at-start"], age_days=3, tags=["t"])
    key = mint_key(fresh_database_url, org)
    server = start_server(
        fresh_database_url,
        ["--no-bootstrap", "--retention", "1d"],
        env={"TENLOG_RETENTION_INTERVAL_SECONDS": "0.2"},
    )
    try:
        with grpc.insecure_channel(server.grpc_target) as channel:
            api = Api(channel, key, org)
            api.call(
                api.completions.CreateCompletion, api_pb.CreateCompletionRequest(completion=chat_completion(id="new"))
            )

            def wait_until_gone(cid: str) -> None:
                request = api_pb.GetCompletionRequest(id=cid)
                deadline = time.monotonic() + 60
                while True:
                    try:
                        api.call(api.completions.GetCompletion, request)
                    except grpc.RpcError as exc:
                        assert exc.code() == grpc.StatusCode.NOT_FOUND
                        return
                    assert time.monotonic() < deadline, f"{cid} was not pruned"
                    time.sleep(0.1)

            wait_until_gone("old-at-start")
            write(engine, org, ["old-later"], age_days=2)  # pruned by a later pass, not only at start
            wait_until_gone("old-later")
            assert api.call(api.completions.GetCompletion, api_pb.GetCompletionRequest(id="new")).id == "new"
    finally:
        assert server.stop() == 0, "".join(server.output)
        engine.dispose()
    assert any("retention: deleting completions older than 1d" in line for line in server.output), server.output
