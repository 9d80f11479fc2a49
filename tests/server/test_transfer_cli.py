"""`tenlog export` / `tenlog import` move an organization to an empty server; CSV and Parquet are readable."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import grpc
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tenlog.v1 import completion_service_pb2 as api_pb
from tenlog.v1 import feedback_service_pb2 as fb_pb
from tenlog.v1 import feedback_task_service_pb2 as task_pb

from tests.support.grpc_api import Api, chat_completion
from tests.support.server import TENLOG, ServerProcess, start_server

ORG = "org-move"
KINDS = ("feedback_tasks", "sessions", "completions", "feedback")  # the import order
ROWS = 40


@pytest.fixture(scope="module")
def source(tenlog_server: ServerProcess, grpc_channel: grpc.Channel) -> Api:
    """An organization with completions (priced, tagged, in sessions, with extra keys), a task and feedback."""
    api = Api(grpc_channel, tenlog_server.mint_key(ORG), ORG)
    completions = []
    for i in range(ROWS):
        completion = chat_completion(id=f"mv-{i:03d}", tags=["move", f"t{i % 4}"], session_id=f"sess-{i % 5}")
        completion.response.fields["usage"].struct_value.update({"prompt_tokens": 100 + i, "completion_tokens": 7})
        completion.extra.update({"client_field": {"n": i}})
        completions.append(completion)
    api.call(api.completions.BatchCreateCompletions, api_pb.BatchCreateCompletionsRequest(completions=completions))
    task = task_pb.CreateFeedbackTaskRequest()
    task.task.name = "quality"
    task.task.completion_tags_selector.append("t0")
    task.task.json_schema.update({"type": "object", "properties": {"score": {"type": "number"}}})
    created = api.call(api.tasks.CreateFeedbackTask, task)
    feedback = fb_pb.UploadFeedbackRequest(task_id=created.id, completion_ids=["mv-000", "mv-004"], comment="good")
    feedback.json_values.update({"score": 4})
    api.call(api.feedback.UploadFeedback, feedback)
    return api


@pytest.fixture(scope="module")
def empty_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A second server on an empty database of the same backend."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.db'}"
    else:
        name = f"empty_{tmp_path_factory.mktemp('pg').name}".replace("-", "_").lower()
        with create_engine(database_url, isolation_level="AUTOCOMMIT").connect() as admin:
            admin.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            admin.execute(text(f"CREATE DATABASE {name}"))
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    server = start_server(url, ["--no-bootstrap"])
    server.key = server.mint_key(ORG)
    yield server
    server.stop()


def tenlog(server: ServerProcess, *args: str, key: str = "") -> subprocess.CompletedProcess[str]:
    command = [TENLOG, *args, "--target", server.grpc_target, "--api-key", key or server.key, "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_round_trip_into_an_empty_server_is_identical(
    tenlog_server: ServerProcess, source: Api, empty_server: ServerProcess, tmp_path: Path
) -> None:
    for what in KINDS:
        done = tenlog(tenlog_server, "export", "--what", what, "-o", str(tmp_path / f"{what}.jsonl"), key=source.key)
        if what == "completions":
            assert f"wrote {ROWS} completions" in done.stderr
    for what in KINDS:
        done = tenlog(empty_server, "import", str(tmp_path / f"{what}.jsonl"), "--what", what)
        assert "rejected 0" in done.stderr
    # A second import changes nothing (idempotent by id; tests/grpc_api/test_transfer.py checks each row too).
    tenlog(empty_server, "import", str(tmp_path / "completions.jsonl"))
    for what in KINDS:
        tenlog(empty_server, "export", "--what", what, "-o", str(tmp_path / f"{what}.again.jsonl"))
        first = (tmp_path / f"{what}.jsonl").read_bytes()
        assert first and first == (tmp_path / f"{what}.again.jsonl").read_bytes(), what
    rows = [json.loads(line) for line in (tmp_path / "completions.jsonl").read_text().splitlines()]
    assert len(rows) == ROWS and rows[0]["client_field"] == {"n": 0}  # extra keys at the top level, as REST has them
    assert rows[1]["cost"] == pytest.approx((101 * 2.5 + 7 * 10.0) / 1e6)
    feedback = json.loads((tmp_path / "feedback.jsonl").read_text())
    assert feedback["matched_completion_ids"] == ["mv-000", "mv-004"]
    # The moved feedback still grades: the ungraded listing of the new server skips its completions.
    with grpc.insecure_channel(empty_server.grpc_target) as channel:
        moved = Api(channel, empty_server.key, ORG)
        ungraded = moved.call(
            moved.completions.ListUngradedCompletions, api_pb.ListUngradedCompletionsRequest(page_size=100)
        )
    assert {c.id for c in ungraded.completions} == {f"mv-{i:03d}" for i in range(8, ROWS, 4)}


def test_csv_and_parquet_flatten_the_lifted_columns(
    tenlog_server: ServerProcess, source: Api, tmp_path: Path, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the file formats are written by the CLI from the API's messages, whatever the backend")
    csv_path, parquet_path = tmp_path / "c.csv", tmp_path / "c.parquet"
    tenlog(tenlog_server, "export", "--tag", "t1", "-o", str(csv_path), key=source.key)
    tenlog(tenlog_server, "export", "--filter", 'tags:"t1"', "-o", str(parquet_path), key=source.key)
    with csv_path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [f"mv-{i:03d}" for i in range(1, ROWS, 4)]
    assert rows[0]["prompt_tokens"] == "101" and rows[0]["model"] == "gpt-4o" and rows[0]["status"] == "finished"
    assert json.loads(rows[0]["request"])["model"] == "gpt-4o"  # documents are JSON strings
    assert json.loads(rows[0]["extra"]) == {"client_field": {"n": 1}}
    assert json.loads(rows[0]["tags"]) == ["move", "t1"]

    table = pq.read_table(parquet_path)
    assert table.num_rows == len(rows)
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=UTC]"
    assert table.column("tags").to_pylist()[0] == ["move", "t1"]
    frame = pd.read_parquet(parquet_path)
    assert list(frame["id"]) == [r["id"] for r in rows]
    assert frame["prompt_tokens"].sum() == sum(100 + i for i in range(1, ROWS, 4))
    assert frame["created_at"].dt.tz is not None and list(frame["tags"].iloc[0]) == ["move", "t1"]
    found = duckdb.sql(
        f"SELECT count(*), sum(prompt_tokens), min(id) FROM read_parquet('{parquet_path}') WHERE model = 'gpt-4o'"
    ).fetchall()[0]
    assert found == (len(rows), sum(100 + i for i in range(1, ROWS, 4)), "mv-001")


def test_prices_lists_the_table_in_effect_with_operator_overrides(tmp_path: Path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text('[models."gpt-4o"]\ninput = 1\noutput = 2\n')
    done = subprocess.run([TENLOG, "prices", "--prices-file", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[2:]}
    assert {"gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro", "mistral-large"} <= lines.keys()
    assert lines["gpt-4o"].split()[2:5] == ["1", "1", "2"] and str(path) in lines["gpt-4o"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[models."x"]\ninput = 1\n')
    refused = subprocess.run([TENLOG, "prices", "--prices-file", str(bad)], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "needs both input and output" in refused.stderr
