"""Section 7: the read side at scale (filters, full-text search, aggregates) on both backends, and its ingest cost.

For each backend the listing fixture (bench/listing_fixture.py, BENCH_ROWS
completions, default 1,000,000) is loaded, a server is started on it, and
sequential gRPC calls are timed: ListCompletions with indexed filters, with
full-text search for a rare and a common word, AggregateCompletions by model
per day over every row, and (PostgreSQL never having been measured at this
size) the listing section's own queries.

Ingest cost: the same server code with and without the read side's index
writes cannot be had from one tree, so the baseline is the code just before
the read side (the parent of the commit that added migration 0005, or
BENCH_BASELINE_REF), exported with `git archive` and run through PYTHONPATH.
Unary CreateCompletion at concurrency 64 and UploadCompletions are measured
on fresh SQLite files in ABBA order.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from tenlog.v1 import completion_service_pb2 as api
from tenlog.v1 import completion_service_pb2_grpc

from . import listing
from .clients import metadata
from .listing_fixture import ListingFixture, load_listing_fixture
from .report import NO_TARGET, Table, ms, percent, rate, verdict
from .servers import ORG, database, mint_key, running_server, sqlite_database
from .settings import BenchSettings
from .stats import Throughput, mirrored, percentile
from .stream_load import UPLOAD, StreamResult
from .streams import _measure as measure_stream
from .unary import measure_create

FILTER_TARGET_MS = 50.0
SEARCH_TARGET_MS = 200.0
AGGREGATE_TARGET_MS = 300.0
INGEST_TARGET = 0.85  # with the index / before, at least
PAGE_SIZE = 50
ROOT = Path(__file__).resolve().parents[1]
MIGRATION = "service/tenlog_server/storage/migrations/versions/0005_read_side_indexes.py"


def _rfc3339(us: int) -> str:
    return datetime.fromtimestamp(us / 1_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(calls: int, call: Callable[[], Any]) -> list[float]:
    for _ in range(min(5, calls)):
        call()
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


def _queries(fixture: ListingFixture, rng: random.Random) -> list[tuple[str, str, Callable[[], dict[str, str]]]]:
    """(name, kind, request fields) of each measured read; kind picks the target."""
    common_tags, rare_tags = listing._tag_classes(fixture)
    oldest, newest = fixture.span_us
    subjects = sorted(fixture.subject_counts.items(), key=lambda kv: kv[1])
    rare_words = [w for w, n in subjects if n <= max(1, fixture.rows // 5000)] or [subjects[0][0]]
    customers = [t for t, n in fixture.tag_counts.items() if t.startswith("customer-") and n >= 20]

    def day_window() -> dict[str, str]:
        start = rng.randrange(oldest, newest - 86_400_000_000)
        end = start + 86_400_000_000
        return {"filter": f"created_at >= {_rfc3339(start)} AND created_at < {_rfc3339(end)}"}

    def cost_range() -> dict[str, str]:
        low = rng.choice([0.001, 0.002, 0.004, 0.008])
        return {"filter": f"cost >= {low} AND cost < {low * 1.25:.6f}"}

    return [
        ("filter model = (10% of rows)", "filter", lambda: {"filter": 'model = "claude-3-5-sonnet"'}),
        ("filter status = failed (2%)", "filter", lambda: {"filter": "status = failed"}),
        ("filter tags: common", "filter", lambda: {"filter": f'tags:"{rng.choice(common_tags)}"'}),
        ("filter tags: rare", "filter", lambda: {"filter": f'tags:"{rng.choice(rare_tags)}"'}),
        (
            "filter session_id =",
            "filter",
            lambda: {"filter": f'session_id = "{rng.choice(fixture.session_sample)}"'},
        ),
        (
            "filter metadata.customer_identifier =",
            "filter",
            lambda: {"filter": f'metadata.customer_identifier = "{rng.choice(customers)}"'},
        ),
        ("filter cost range", "filter", cost_range),
        (
            "filter feedback.<common task>.score >= 4",
            "filter",
            lambda: {"filter": f'feedback."{fixture.tasks[0].name}".score >= 4'},
        ),
        (
            "filter feedback.<rare task>.score = 5",
            "filter",
            lambda: {"filter": f'feedback."{fixture.tasks[-1].name}".score = 5'},
        ),
        ("filter created_at 1-day window", "filter", day_window),
        ("search rare word", "search", lambda: {"search": rng.choice(rare_words)}),
        ("search common word (every row)", "search", lambda: {"search": "question"}),
        (
            "search common word + model filter",
            "search",
            lambda: {"search": "question", "filter": 'model = "gpt-4o-mini"'},
        ),
        ("order_by cost desc (info)", "info", lambda: {"order_by": "cost desc"}),
        (
            "order_by duration asc, status = failed (info)",
            "info",
            lambda: {"order_by": "duration", "filter": "status = failed"},
        ),
    ]


def _measure_backend(backend: str, settings: BenchSettings, table: Table, listing_tables: list[Table]) -> None:
    calls = max(20, settings.listing_calls // 3)
    with database(backend) as url:
        mint_key(url, ORG)
        fixture = load_listing_fixture(url, ORG, settings.rows)
        table.note(f"{backend}: fixture of {fixture.rows:,} completions loaded in {fixture.seconds:.0f} s")
        with running_server(url) as server, grpc.insecure_channel(server.grpc_target) as channel:
            stub = completion_service_pb2_grpc.CompletionServiceStub(channel)
            md = metadata(server.key)
            rng = random.Random(13)
            for name, kind, fields in _queries(fixture, rng):
                rows = 0

                def call(fields: Callable[[], dict[str, str]] = fields) -> None:
                    nonlocal rows
                    request = api.ListCompletionsRequest(page_size=PAGE_SIZE)
                    for key, value in fields().items():
                        setattr(request, key, value)
                    rows += len(stub.ListCompletions(request, metadata=md, timeout=120).completions)

                timed = _time(calls, call)
                target = {"filter": FILTER_TARGET_MS, "search": SEARCH_TARGET_MS}.get(kind)
                _row(table, backend, name, timed, target, rows / (len(timed) + min(5, calls)))
            aggregate = api.AggregateCompletionsRequest(group_by=["model"], interval="1d")
            groups = 0

            def aggregate_call() -> None:
                nonlocal groups
                groups = len(stub.AggregateCompletions(aggregate, metadata=md, timeout=300).groups)

            timed = _time(max(5, calls // 4), aggregate_call)
            _row(table, backend, "AggregateCompletions by model per day, all rows", timed, AGGREGATE_TARGET_MS, groups)
            totals = api.AggregateCompletionsRequest(filter='model = "claude-3-5-sonnet"')
            timed = _time(max(5, calls // 4), lambda: stub.AggregateCompletions(totals, metadata=md, timeout=300))
            _row(table, backend, "AggregateCompletions totals, model = (10%) (info)", timed, None, 1)
            if backend == "postgresql":
                results = listing._measure(stub, server.key, fixture, settings.listing_calls, random.Random(6))
                listing_tables.append(_listing_table(fixture, results))


def _row(table: Table, backend: str, name: str, timed: list[float], target: float | None, rows: float) -> None:
    p99 = percentile(timed, 0.99)
    table.add(
        backend,
        name,
        str(len(timed)),
        f"{rows:.0f}",
        ms(percentile(timed, 0.50)),
        ms(p99),
        f"p99 <= {target:g} ms" if target else NO_TARGET,
        verdict(p99 <= target) if target else "",
    )


def _listing_table(fixture: ListingFixture, results: list[listing.Latencies]) -> Table:
    table = Table(
        f"7b. Listing section's queries over {fixture.rows:,} completions on PostgreSQL (page_size {PAGE_SIZE})",
        ["query", "calls", "p50", "p99", "target", "result"],
    )
    for result in results:
        ordered = sorted(result.calls_ms)
        informational = result.name.endswith("(info)")
        p99 = percentile(ordered, 0.99) if ordered else 0.0
        table.add(
            result.name,
            str(len(ordered)),
            ms(percentile(ordered, 0.50)) if ordered else "-",
            ms(p99) if ordered else "-",
            NO_TARGET if informational else f"p99 <= {listing.P99_TARGET_MS:g} ms",
            "" if informational or not ordered else verdict(p99 <= listing.P99_TARGET_MS),
        )
    return table


def _baseline_ref() -> str | None:
    explicit = os.environ.get("BENCH_BASELINE_REF")
    if explicit:
        return explicit
    found = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", MIGRATION], cwd=ROOT, capture_output=True, text=True
    )
    commits = found.stdout.split()
    return f"{commits[-1]}^" if found.returncode == 0 and commits else None


@contextlib.contextmanager
def _baseline_tree(ref: str) -> Iterator[list[Path]]:
    """The server and its generated protobuf modules as of `ref`, exported to a temporary folder.

    The protobuf modules come along: the server builds its REST routes from the
    descriptors it imports, and today's would name services the old server lacks.
    """
    parts = ["service", "clients/python/src"]
    with tempfile.TemporaryDirectory(prefix="tenlog-baseline-") as folder:
        archive = subprocess.run(["git", "archive", ref, *parts], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        yield [Path(folder) / part for part in parts]


@contextlib.contextmanager
def _python_path(paths: list[Path] | None) -> Iterator[None]:
    """PYTHONPATH for servers started inside (their tenlog_server and tenlog come from there)."""
    before = os.environ.get("PYTHONPATH")
    if paths is not None:
        os.environ["PYTHONPATH"] = os.pathsep.join(str(path) for path in paths)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = before


def _ingest(settings: BenchSettings, table: Table) -> None:
    ref = _baseline_ref()
    if ref is None:
        table.note("ingest cost: no git history to find the code before the read side; not measured")
        return
    unary: dict[str, list[Throughput]] = {}
    upload: dict[str, list[StreamResult]] = {}
    with _baseline_tree(ref) as baseline:
        for side in mirrored("read side", "before"):
            path = baseline if side == "before" else None
            with _python_path(path), sqlite_database() as url, running_server(url) as server:
                unary.setdefault(side, []).append(measure_create(server, settings, 64))
                upload.setdefault(side, []).append(measure_stream(server, settings, UPLOAD))
    for name, after, before in (
        (
            "unary CreateCompletion c=64",
            Throughput.pooled(unary["read side"]).rate,
            Throughput.pooled(unary["before"]).rate,
        ),
        (
            "UploadCompletions",
            StreamResult.pooled(upload["read side"]).rate,
            StreamResult.pooled(upload["before"]).rate,
        ),
    ):
        ratio = after / before if before else 0.0
        table.add(
            "sqlite",
            f"ingest {name}: {rate(after)} with the index, {rate(before)} before",
            "",
            "",
            "",
            percent(ratio),
            f">= {percent(INGEST_TARGET)} of before",
            verdict(ratio >= INGEST_TARGET),
        )
    what = "BENCH_BASELINE_REF" if os.environ.get("BENCH_BASELINE_REF") else "the code before the read side"
    table.note(f"ingest baseline: {ref} ({what}), ABBA, seed payload, fresh SQLite files")


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Read latencies on both backends at BENCH_ROWS completions, then the ingest cost of the index."""
    table = Table(
        f"7. Read side over {settings.rows:,} completions (page_size {PAGE_SIZE}, sequential gRPC calls)",
        ["backend", "query", "calls", "rows/call", "p50", "p99", "target", "result"],
    )
    listing_tables: list[Table] = []
    only = os.environ.get("BENCH_READSIDE_BACKENDS", "sqlite,postgresql").split(",")
    for backend in ("sqlite", "postgresql"):
        if backend in only:
            _measure_backend(backend, settings, table, listing_tables)
    if os.environ.get("BENCH_READSIDE_INGEST", "1") != "0":
        _ingest(settings, table)
    for extra in listing_tables:
        table.note("")
        table.note(extra.render())
    return table
