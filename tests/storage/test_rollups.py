"""Rollups follow every write, replace, update, delete and prune, and answer aggregates as the rows do."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tenlog_server.domain.completion_query import build_query
from tenlog_server.domain.completion_rollups import DAY_US, HOUR_US, RELATIVE_ERROR
from tenlog_server.domain.model import CompletionRecord
from tenlog_server.storage.completion_rollups import rebuild_rollups, rollup_durations, rollups
from tenlog_server.storage.completion_store import CompletionStore

MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet")
EPOCH = 1_700_000_000_000_000 - 1_700_000_000_000_000 % DAY_US  # a midnight UTC


def _rec(i: int, rng: random.Random, status: str = "") -> CompletionRecord:
    t = EPOCH + rng.randrange(3 * DAY_US)
    prompt, completion = rng.randrange(1, 500), rng.randrange(0, 200)
    return CompletionRecord(
        id=f"r{i:03d}",
        model=rng.choice(MODELS),
        status=status or rng.choice(("finished", "finished", "failed")),
        duration=None if i % 7 == 0 else round(rng.uniform(0.05, 9.0), 3),
        cost=None if i % 5 == 0 else rng.uniform(0.0001, 0.02),
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        created_at_us=t,
        updated_at_us=t,
    )


def _snapshot(engine: Engine, org: str) -> tuple[list[Any], list[Any]]:
    with engine.connect() as conn:
        totals = [
            (*r[:-1], round(r[-1], 9))
            for r in conn.execute(
                select(*(c for c in rollups.c if c.name != "organization_id"))
                .where(rollups.c.organization_id == org, rollups.c["count"] != 0)
                .order_by(*rollups.primary_key.columns)
            )
        ]
        bins = [
            tuple(r)
            for r in conn.execute(
                select(rollup_durations)
                .where(rollup_durations.c.organization_id == org, rollup_durations.c["count"] != 0)
                .order_by(*rollup_durations.primary_key.columns)
            )
        ]
    return totals, bins


def test_rollups_follow_writes_replaces_updates_deletes_and_prunes(engine: Engine, unique: str) -> None:
    store = CompletionStore(engine)
    org = f"o-{unique}"
    rng = random.Random(7)
    store.upsert_batch([(org, _rec(i, rng, "started" if i % 4 == 0 else "")) for i in range(60)])
    store.upsert_batch([(org, _rec(i, rng, "finished")) for i in range(0, 60, 4)])  # started -> finished
    store.update(org, "r001", {"status": "failed", "duration": 12.5, "model": "other", "cost": 1.0})
    store.update(org, "r002", {"tags": ["x"]})
    assert store.delete(org, "r003")
    assert store.delete_created_before(org, EPOCH + DAY_US, 1000) > 0
    incremental = _snapshot(engine, org)
    assert incremental[0] and incremental[1]
    with engine.begin() as conn:
        rebuild_rollups(conn)
    assert _snapshot(engine, org) == incremental


def _groups(store: CompletionStore, org: str, filter_text: str, group_by: list[str], interval: int | None) -> Any:
    return store.aggregate(org, build_query(filter_text=filter_text), group_by, interval)


@pytest.mark.parametrize(
    ("filter_text", "group_by", "interval"),
    [
        ("", ["model"], DAY_US),
        ("", [], None),
        ('status = failed OR model = "gpt-4o"', ["status"], HOUR_US * 6),
        ("created_at >= 2023-11-15T00:00:00Z AND NOT model = claude-3-5-sonnet", ["model", "status"], None),
    ],
)
def test_aggregates_from_rollups_match_the_rows(
    engine: Engine, unique: str, filter_text: str, group_by: list[str], interval: int | None
) -> None:
    """Counts and sums are exact; percentiles are within the stated relative error of the exact ones."""
    store = CompletionStore(engine)
    org = f"o-{unique}"
    rng = random.Random(11)
    store.upsert_batch([(org, _rec(i, rng)) for i in range(300)])
    from_rollups = _groups(store, org, filter_text, group_by, interval)
    # total_tokens >= 0 holds for every row and is no rollup dimension: it forces the exact path.
    exact = _groups(store, org, f"({filter_text}) AND total_tokens >= 0" if filter_text else "total_tokens >= 0",
                    group_by, interval)  # fmt: skip
    assert len(from_rollups) == len(exact) > 0
    for got, want in zip(from_rollups, exact, strict=True):
        assert (got.key, got.bucket_start_us, got.count, got.failed_count) == (
            want.key,
            want.bucket_start_us,
            want.count,
            want.failed_count,
        )
        assert (got.prompt_tokens, got.completion_tokens, got.total_tokens) == (
            want.prompt_tokens,
            want.completion_tokens,
            want.total_tokens,
        )
        assert got.cost == pytest.approx(want.cost, rel=1e-9)
        for a, b in ((got.duration_p50, want.duration_p50), (got.duration_p95, want.duration_p95),
                     (got.duration_p99, want.duration_p99)):  # fmt: skip
            assert a == pytest.approx(b, rel=RELATIVE_ERROR + 1e-9)


def test_concurrent_writes_of_the_same_ids_keep_rollups_and_tags_exact(engine: Engine, unique: str) -> None:
    # Two writers (as two server processes would) upsert the same ids at once; each transaction must see
    # what it replaces, or rollup counts drift and tag rows collide.
    org = f"o-{unique}"
    stores = [CompletionStore(engine), CompletionStore(engine)]
    start = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def write(store: CompletionStore, seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        try:
            for _ in range(15):
                ids = rng.sample(range(40), 12)
                batch = [(org, _rec(i, rng, rng.choice(("started", "finished", "failed")))) for i in ids]
                for _, rec in batch:
                    rec.tags = [f"t{rec.id}", "shared"]
                store.upsert_batch(batch)
        except BaseException as exc:  # reported below, with the drift check
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    incremental = _snapshot(engine, org)
    with engine.begin() as conn:
        rebuild_rollups(conn)
    assert _snapshot(engine, org) == incremental
