"""The listing benchmark's data: many realistic completions bulk-loaded straight into the server's tables.

This is a fixture, not the thing measured, so it is written through
SQLAlchemy Core in large transactions rather than through the API. The rows
look like production traffic:

- tags from a vocabulary with a skewed distribution: an environment tag on
  every row (production is most of them), a feature tag (Zipf over 30
  features), a customer tag (Zipf over 5,000 customers, whose tail is rare),
  and on one row in ten an experiment tag (1,000 experiments, each rare);
- sessions of 5 to 15 completions (about 10), interleaved in time with the
  other sessions open at the same moment;
- a user question naming a subject (Zipf over 5,000 subjects, so some words are
  rare) and metadata naming the customer and a plan, indexed for full-text
  search and metadata filters as ingest would index them;
- a few feedback tasks with tag selectors (common to rare), and feedback on
  part of their matching completions: graders have worked through the newest
  ones and a random share of the older ones, so an ungraded listing must skip
  graded rows.
"""

from __future__ import annotations

import itertools
import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, create_engine, event, exists, insert, text, update
from sqlalchemy.orm import DeclarativeBase
from tenlog_server.domain.documents import Document
from tenlog_server.domain.search_text import lifted_metadata, search_text
from tenlog_server.storage import content_store, message_codec
from tenlog_server.storage.completion_rollups import ROLLUP_COLUMNS, Contribution, apply_contributions
from tenlog_server.storage.read_index import TS_CONFIG
from tenlog_server.storage.schema import (
    Completion,
    CompletionMetadata,
    CompletionTag,
    Content,
    Feedback,
    FeedbackCompletion,
    FeedbackTask,
    Session,
)

from .payloads import seed_body

CHUNK = 50_000  # rows built and inserted at a time
TRANSACTION_ROWS = 250_000  # completions per transaction
OPEN_SESSIONS = 256
SPAN_US = 30 * 24 * 3600 * 1_000_000  # the rows span the last 30 days
ENVIRONMENTS = [("production", 0.80), ("staging", 0.15), ("development", 0.05)]
FEATURES = [f"feature-{name}" for name in ("support", "summarize", "search", "classify", "extract", "draft")] + [
    f"feature-{i:02d}" for i in range(24)
]
CUSTOMERS = [f"customer-{i:04d}" for i in range(5000)]
EXPERIMENTS = [f"experiment-{i:04d}" for i in range(1000)]
MODELS = [("gpt-4o", 0.6), ("gpt-4o-mini", 0.3), ("claude-3-5-sonnet", 0.1)]
SUBJECTS = 5000  # words `subject0` .. `subject4999`, Zipf-distributed over the questions
PLANS = ["free", "pro", "enterprise"]
STATUSES = [("finished", 0.97), ("failed", 0.02), ("started", 0.01)]
NEWEST_GRADED = 2_000  # per task, the newest matching completions are all graded ...
GRADED_SHARE = 0.30  # ... and this share of the older ones
SCORE_SCHEMA = {
    "type": "object",
    "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}, "note": {"type": "string"}},
    "required": ["score"],
}


def _table(model: type[DeclarativeBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _zipf(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1 / (k**s) for k in range(1, n + 1)))


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A feedback task of the fixture and its selector."""

    id: str
    name: str
    selector: tuple[str, ...]


@dataclass
class ListingFixture:
    """What was loaded, for choosing realistic queries."""

    org: str
    rows: int = 0
    tag_rows: int = 0
    sessions: int = 0
    graded: int = 0
    seconds: float = 0.0
    tag_counts: dict[str, int] = field(default_factory=dict)
    session_sample: list[str] = field(default_factory=list)
    id_sample: list[str] = field(default_factory=list)  # completions to read by id
    tasks: list[TaskSpec] = field(default_factory=list)
    subject_counts: dict[str, int] = field(default_factory=dict)
    span_us: tuple[int, int] = (0, 0)  # created_at_us of the oldest and newest row


class _RowMaker:
    """Generates completion rows in time order, deterministically from a seed."""

    def __init__(self, org: str, rows: int, rng: random.Random) -> None:
        self.org = org
        self.rows = rows
        self.rng = rng
        self.now_us = int(time.time() * 1_000_000)
        self.step_us = max(1, SPAN_US // max(rows, 1))
        self.feature_weights = _zipf(len(FEATURES), 1.0)
        self.customer_weights = _zipf(len(CUSTOMERS), 1.1)
        self.subject_weights = _zipf(SUBJECTS, 1.0)
        self.subject_counts: dict[str, int] = {}
        self.open: list[list[Any]] = []  # [session id, completions left]
        self.new_sessions: list[str] = []
        self.references: dict[bytes, int] = {}  # content hash -> references, as the server stores them
        self.pieces: dict[bytes, bytes] = {}
        body = seed_body()
        self.request = body["request"]
        self.response = body["response"]

    def _session(self) -> str:
        if len(self.open) < OPEN_SESSIONS:
            self.open.append([str(uuid.uuid4()), self.rng.randint(5, 15)])
            self.new_sessions.append(self.open[-1][0])
        slot = self.rng.randrange(len(self.open))
        session = self.open[slot]
        session[1] -= 1
        if session[1] <= 0:
            self.open.pop(slot)
        return str(session[0])

    def tags(self) -> list[str]:
        rng = self.rng
        env = rng.choices([e for e, _ in ENVIRONMENTS], weights=[w for _, w in ENVIRONMENTS])[0]
        tags = [
            env,
            rng.choices(FEATURES, cum_weights=self.feature_weights)[0],
            rng.choices(CUSTOMERS, cum_weights=self.customer_weights)[0],
        ]
        if rng.random() < 0.10:
            tags.append(rng.choice(EXPERIMENTS))
        return tags

    def row(self, index: int) -> dict[str, Any]:
        rng = self.rng
        created = self.now_us - SPAN_US + index * self.step_us + rng.randrange(self.step_us)
        model = rng.choices([m for m, _ in MODELS], weights=[w for _, w in MODELS])[0]
        status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
        request = {**self.request, "model": model}
        subject = f"subject{rng.choices(range(SUBJECTS), cum_weights=self.subject_weights)[0]}"
        self.subject_counts[subject] = self.subject_counts.get(subject, 0) + 1
        question = f"Question {index} about {subject}?"
        request["messages"] = [*self.request["messages"][:-1], {"role": "user", "content": question}]
        prompt, completion = rng.randint(20, 2000), rng.randint(5, 800)
        response = {**self.response, "model": model, "id": f"chatcmpl-{index}"}
        response["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        tags = self.tags()
        metadata = {"customer_identifier": tags[2], "plan": rng.choice(PLANS)}
        # Stored as the server stores them: messages cut out into `contents`, counted per reference.
        split = message_codec.split(Document.of(request), Document.of(response) if status != "started" else None)
        for digest in split.hashes:
            self.references[digest] = self.references.get(digest, 0) + 1
            self.pieces.setdefault(digest, split.pieces[digest])
        return {
            "organization_id": self.org,
            "id": str(uuid.uuid4()),
            "search_text": search_text(request, response if status != "started" else None),  # popped before insert
            "lifted": lifted_metadata(metadata),  # popped before insert
            "kind": "chat",
            "status": status,
            "tags": tags,  # replaced by its JSON text once the tag rows are made
            "request": split.request,
            "response": split.response,
            "content_refs": split.refs,
            "stacktrace": None,
            "session_id": self._session(),
            "duration": round(rng.uniform(0.2, 8.0), 3),
            "failure_kind": "API_ERROR" if status == "failed" else "",
            "failure_reason": "rate limited" if status == "failed" else "",
            "model": model,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "cost": round((prompt * 2.5 + completion * 10) / 1_000_000, 6),
            "source": "log10",
            "metadata": Document.of(metadata).encoded,
            "extra": None,
            "reported_organization_id": "",
            "created_at_us": created,
            "updated_at_us": created,
        }

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        for start in range(0, self.rows, CHUNK):
            yield [self.row(i) for i in range(start, min(self.rows, start + CHUNK))]


def _fast_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=OFF")  # a fixture: a crash while loading just means loading again
    cursor.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the random-uuid primary key stays in memory
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _index_chunk(conn: Connection, org: str, chunk: list[dict[str, Any]]) -> None:
    """The metadata, full-text index and rollup rows of freshly inserted completions, as ingest writes them."""
    texts = [row.pop("search_text") for row in chunk]
    metadata_rows = [
        {
            "organization_id": org,
            "completion_id": row["id"],
            "key": key,
            "value": value,
            "number": number,
            "created_at_us": row["created_at_us"],
        }
        for row in chunk
        for key, value, number in row.pop("lifted")
    ]
    conn.execute(insert(_table(CompletionMetadata)), metadata_rows)
    apply_contributions(conn, [(org, Contribution(*(row[name] for name in ROLLUP_COLUMNS)), 1) for row in chunk])
    if conn.dialect.name == "sqlite":
        # Rows were just appended in order to a table nothing deletes from: their rowids are the last len(chunk).
        last = conn.exec_driver_sql("SELECT max(rowid) FROM completions").scalar_one()
        first = last - len(chunk) + 1
        conn.exec_driver_sql(
            "INSERT INTO completion_search (rowid, body) VALUES (?, ?)",
            [(first + i, body) for i, body in enumerate(texts) if body],
        )
    else:
        conn.execute(
            text(
                "INSERT INTO completion_search (organization_id, completion_id, document) "
                f"VALUES (:o, :c, to_tsvector('{TS_CONFIG}', :t))"
            ),
            [{"o": org, "c": row["id"], "t": body} for row, body in zip(chunk, texts, strict=True) if body],
        )


def _choose_tasks(counts: dict[str, int]) -> list[TaskSpec]:
    """Selectors from common to rare, chosen from what was actually generated."""
    by_count = sorted((n, tag) for tag, n in counts.items())
    feature = max((n, t) for t, n in counts.items() if t.startswith("feature-"))[1]
    customers = sorted(((n, t) for t, n in counts.items() if t.startswith("customer-")), reverse=True)
    experiment = next(t for n, t in reversed(by_count) if t.startswith("experiment-"))
    return [
        TaskSpec("task-helpfulness", "Helpfulness", ("production", feature)),
        TaskSpec("task-escalations", "Escalations", (customers[min(2, len(customers) - 1)][1],)),
        TaskSpec("task-staging", "Staging regressions", ("staging",)),
        TaskSpec("task-experiment", "Experiment review", (experiment,)),
    ]


def _grade(
    conn: Connection, fixture: ListingFixture, matches: dict[str, list[tuple[int, str]]], rng: random.Random
) -> None:
    """Feedback for the newest NEWEST_GRADED matches of each task and a share of the rest (1-3 completions each)."""
    graded: set[str] = set()
    feedback_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    for task in fixture.tasks:
        ordered = sorted(matches[task.id], reverse=True)  # newest first
        chosen = [
            (created, cid)
            for rank, (created, cid) in enumerate(ordered)
            if cid not in graded and (rank < NEWEST_GRADED or rng.random() < GRADED_SHARE)
        ]
        start = 0
        while start < len(chosen):
            size = rng.randint(1, 3)
            group, start = chosen[start : start + size], start + size
            feedback_id = str(uuid.uuid4())
            feedback_rows.append(
                {
                    "organization_id": fixture.org,
                    "id": feedback_id,
                    "task_id": task.id,
                    "json_values": json.dumps({"score": rng.randint(1, 5)}),
                    "comment": "",
                    "completions_summary": "",
                    "created_at_us": group[0][0] + 3_600_000_000,
                }
            )
            for position, (_, cid) in enumerate(group):
                graded.add(cid)
                link_rows.append(
                    {
                        "organization_id": fixture.org,
                        "feedback_id": feedback_id,
                        "completion_id": cid,
                        "position": position,
                    }
                )
    for start in range(0, len(feedback_rows), CHUNK):
        conn.execute(insert(_table(Feedback)), feedback_rows[start : start + CHUNK])
    for start in range(0, len(link_rows), CHUNK):
        conn.execute(insert(_table(FeedbackCompletion)), link_rows[start : start + CHUNK])
    # As UploadFeedback does: graded completions' tag rows leave the ungraded index range.
    tags, links = _table(CompletionTag), _table(FeedbackCompletion)
    conn.execute(
        update(tags)
        .where(
            exists().where(
                links.c.organization_id == tags.c.organization_id, links.c.completion_id == tags.c.completion_id
            )
        )
        .values(graded=True)
    )
    fixture.graded = len(graded)


def load_listing_fixture(database_url: str, org: str, rows: int, seed: int = 10) -> ListingFixture:
    """Load `rows` completions (with tags, sessions, tasks, feedback and index rows) into a migrated database."""
    began = time.perf_counter()
    rng = random.Random(seed)
    engine = create_engine(database_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _fast_sqlite)
    fixture = ListingFixture(org)
    maker = _RowMaker(org, rows, rng)
    matches: dict[str, list[tuple[int, str]]] = {}
    counts: dict[str, int] = {}
    pending_tasks: list[TaskSpec] = []
    try:
        conn = engine.connect()
        transaction = conn.begin()
        in_transaction = 0
        for chunk in maker.chunks():
            tag_rows = []
            for row in chunk:
                for tag in row["tags"]:
                    counts[tag] = counts.get(tag, 0) + 1
                    tag_rows.append(
                        {
                            "organization_id": org,
                            "completion_id": row["id"],
                            "tag": tag,
                            "created_at_us": row["created_at_us"],
                        }
                    )
            if not pending_tasks and not fixture.tasks:
                pending_tasks = _choose_tasks(counts)  # from the first chunk's distribution
                fixture.tasks = pending_tasks
            for row in chunk:
                tags = set(row["tags"])
                for task in fixture.tasks:
                    if tags.issuperset(task.selector):
                        matches.setdefault(task.id, []).append((row["created_at_us"], row["id"]))
                row["tags"] = json.dumps(row["tags"])
            pending = [(row.pop("search_text"), row.pop("lifted")) for row in chunk]
            conn.execute(insert(_table(Completion)), chunk)
            for row, (body, lifted) in zip(chunk, pending, strict=True):
                row["search_text"], row["lifted"] = body, lifted
            _index_chunk(conn, org, chunk)
            conn.execute(insert(_table(CompletionTag)), tag_rows)
            session_rows = [
                {"organization_id": org, "id": s, "created_at_us": chunk[0]["created_at_us"]}
                for s in maker.new_sessions
            ]
            if session_rows:
                conn.execute(insert(_table(Session)), session_rows)
            if len(fixture.session_sample) < 10_000:
                fixture.session_sample += maker.new_sessions[: 10_000 - len(fixture.session_sample)]
            fixture.sessions += len(maker.new_sessions)
            maker.new_sessions = []
            fixture.rows += len(chunk)
            fixture.id_sample += [row["id"] for row in chunk[:: max(1, rows // 2000)]]
            fixture.tag_rows += len(tag_rows)
            in_transaction += len(chunk)
            if in_transaction >= TRANSACTION_ROWS:
                transaction.commit()
                transaction = conn.begin()
                in_transaction = 0
        created = maker.now_us - SPAN_US
        conn.execute(
            insert(_table(FeedbackTask)),
            [
                {
                    "organization_id": org,
                    "id": task.id,
                    "name": task.name,
                    "instruction": f"Grade the {task.name.lower()} of this completion from 1 to 5.",
                    "json_schema": json.dumps(SCORE_SCHEMA),
                    "completion_tags_selector": json.dumps(list(task.selector)),
                    "created_at_us": created,
                }
                for task in fixture.tasks
            ],
        )
        content_rows = [
            {"organization_id": org, "hash": h, "refcount": n, "data": content_store.compress(maker.pieces[h])}
            for h, n in maker.references.items()
        ]
        if content_rows:
            conn.execute(insert(_table(Content)), content_rows)
        for task in fixture.tasks:
            matches.setdefault(task.id, [])
        _grade(conn, fixture, matches, rng)
        transaction.commit()
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")  # as autovacuum would have by now on a live database
            conn.commit()
        conn.close()
    finally:
        engine.dispose()
    fixture.tag_counts = counts
    fixture.subject_counts = maker.subject_counts
    fixture.span_us = (maker.now_us - SPAN_US, maker.now_us)
    fixture.seconds = time.perf_counter() - began
    return fixture
