"""Section 6: listing latency over a large organization (ListCompletions by tag and session, ListUngraded)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from tenlog.v1 import completion_service_pb2 as api
from tenlog.v1 import completion_service_pb2_grpc

from .clients import metadata
from .listing_fixture import ListingFixture, load_listing_fixture
from .report import NO_TARGET, Table, ms, verdict
from .servers import ORG, mint_key, running_server, sqlite_database
from .settings import BenchSettings
from .stats import percentile

PAGE_SIZE = 50
P99_TARGET_MS = 50.0
GET_P99_TARGET_MS = 5.0  # reading one completion by id (issue 15)
WARMUP_CALLS = 20
COMMON_SHARE = 0.05  # a common tag is on at least this share of rows ...
RARE_SHARE = 0.0002  # ... a rare one on at most this share
INFORMATIONAL_CALLS = 20
INFORMATIONAL_BUDGET_S = 30.0


@dataclass
class Latencies:
    """Latencies of one kind of listing call, and how many rows the calls returned."""

    name: str
    calls_ms: list[float] = field(default_factory=list)
    rows: int = 0

    def time(self, call: Callable[[], Any]) -> Any:
        """Run one call and record its latency and row count."""
        started = time.perf_counter()
        response = call()
        self.calls_ms.append((time.perf_counter() - started) * 1000)
        self.rows += len(response.completions)
        return response


def _tag_classes(fixture: ListingFixture) -> tuple[list[str], list[str]]:
    common = [t for t, n in fixture.tag_counts.items() if n >= COMMON_SHARE * fixture.rows]
    rare = [t for t, n in fixture.tag_counts.items() if n <= max(1, RARE_SHARE * fixture.rows)]
    return sorted(common), sorted(rare)


def _measure(stub: Any, key: str, fixture: ListingFixture, calls: int, rng: random.Random) -> list[Latencies]:
    md = metadata(key)
    common, rare = _tag_classes(fixture)

    def list_completions(**fields: Any) -> Callable[[], Any]:
        request = api.ListCompletionsRequest(page_size=PAGE_SIZE, **fields)
        return lambda: stub.ListCompletions(request, metadata=md, timeout=60)

    def list_ungraded(**fields: Any) -> Callable[[], Any]:
        request = api.ListUngradedCompletionsRequest(page_size=PAGE_SIZE, **fields)
        return lambda: stub.ListUngradedCompletions(request, metadata=md, timeout=60)

    for _ in range(WARMUP_CALLS):
        list_completions(tags=[rng.choice(common)])()
        list_ungraded()()

    by_common, by_rare = Latencies("ListCompletions by common tag"), Latencies("ListCompletions by rare tag")
    for i in range(calls):
        if i % 2 == 0:
            by_common.time(list_completions(tags=[rng.choice(common)]))
        else:
            by_rare.time(list_completions(tags=[rng.choice(rare)]))
    # Page 2 too: a user scrolling a busy tag.
    by_common_next = Latencies("ListCompletions by common tag, page 2")
    for _ in range(calls // 4):
        tag = rng.choice(common)
        first = list_completions(tags=[tag])()
        if first.next_page_token:
            by_common_next.time(list_completions(tags=[tag], page_token=first.next_page_token))
    by_session = Latencies("ListCompletions by session")
    for _ in range(calls):
        by_session.time(list_completions(session_id=rng.choice(fixture.session_sample)))
    ungraded_all = Latencies("ListUngraded, all tasks, pages 1-3")
    ungraded_task = Latencies("ListUngraded, one task")
    for _ in range(calls // 3):
        token = ""
        for _page in range(3):
            response = ungraded_all.time(list_ungraded(page_token=token))
            token = response.next_page_token
            if not token:
                break
    for _ in range(calls // 2):
        ungraded_task.time(list_ungraded(task_id=rng.choice(fixture.tasks).id))

    def get_completion(cid: str) -> Callable[[], Any]:
        request = api.GetCompletionRequest(id=cid)
        return lambda: _One([stub.GetCompletion(request, metadata=md, timeout=60)])

    by_id = Latencies("GetCompletion by id")
    for _ in range(calls):
        by_id.time(get_completion(rng.choice(fixture.id_sample)))

    two_tags = Latencies("by 2 tags, common first (info)")
    deadline = time.perf_counter() + INFORMATIONAL_BUDGET_S
    for _ in range(INFORMATIONAL_CALLS):
        if time.perf_counter() > deadline:
            break
        two_tags.time(list_completions(tags=[rng.choice(common), rng.choice(rare)]))
    return [by_common, by_common_next, by_rare, by_session, ungraded_all, ungraded_task, by_id, two_tags]


@dataclass
class _One:
    """A single-completion answer, counted like a page of one."""

    completions: list[Any]


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Load the fixture into a fresh SQLite database, start a server on it, and time sequential gRPC calls."""
    with sqlite_database() as url:
        mint_key(url, ORG)  # migrates the database and creates the organization
        fixture = load_listing_fixture(url, ORG, settings.rows)
        with running_server(url) as server, grpc.insecure_channel(server.grpc_target) as channel:
            stub = completion_service_pb2_grpc.CompletionServiceStub(channel)
            results = _measure(stub, server.key, fixture, settings.listing_calls, random.Random(6))
    table = Table(
        f"6. Listing latency over {fixture.rows:,} completions (SQLite, page_size {PAGE_SIZE}, sequential gRPC calls)",
        ["query", "calls", "rows/call", "p50", "p99", "target", "result"],
    )
    for result in results:
        ordered = sorted(result.calls_ms)
        p99 = percentile(ordered, 0.99)
        informational = result.name.endswith("(info)")
        target = GET_P99_TARGET_MS if result.name.startswith("GetCompletion") else P99_TARGET_MS
        table.add(
            result.name,
            str(len(ordered)),
            f"{result.rows / len(ordered):.0f}" if ordered else "-",
            ms(percentile(ordered, 0.50)),
            ms(p99),
            NO_TARGET if informational else f"p99 <= {target:g} ms",
            "" if informational or not ordered else verdict(p99 <= target),
        )
    common, rare = _tag_classes(fixture)
    table.note(
        f"fixture: {fixture.tag_rows:,} tag rows, {len(fixture.tag_counts):,} distinct tags "
        f"({len(common)} on >= {COMMON_SHARE:.0%} of rows, {len(rare):,} on <= {RARE_SHARE:.2%}), "
        f"{fixture.sessions:,} sessions, {len(fixture.tasks)} feedback tasks, {fixture.graded:,} graded completions; "
        f"loaded in {fixture.seconds:.0f} s"
    )
    table.note("tasks: " + "; ".join(f"{t.id} {list(t.selector)}" for t in fixture.tasks))
    return table
