"""Section 2: REST ingest (POST /api/v1/completions through the in-process gateway) versus gRPC unary."""

from __future__ import annotations

import asyncio

from .payloads import seed_body
from .processes import CpuMeter
from .report import NO_TARGET, Table, ms, percent, rate, verdict
from .rest_ingest import run_rest_ingest
from .servers import running_server, sqlite_database
from .settings import BenchSettings
from .unary import measure_create

CONCURRENCIES = (16, 64)
RATIO_TARGET = 0.30


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """REST at each concurrency, compared with gRPC unary from section 1 (or measured here when run alone)."""
    table = Table(
        "2. REST ingest, POST /api/v1/completions, SQLite, one server process",
        ["run", "conc", "completions/s", "p50", "p99", "server CPU", "target", "result"],
    )
    rest: dict[int, dict[str, float]] = {}
    server_cpu: dict[int, float] = {}
    with sqlite_database() as url, running_server(url) as server:
        for concurrency in CONCURRENCIES:
            asyncio.run(run_rest_ingest(server.http_url, server.key, seed_body(), concurrency, settings.warmup))
            with CpuMeter(server.pid) as cpu:
                rest[concurrency] = asyncio.run(
                    run_rest_ingest(server.http_url, server.key, seed_body(), concurrency, settings.seconds)
                )
            server_cpu[concurrency] = cpu.cores
            if f"grpc_unary_c{concurrency}" not in figures:
                figures[f"grpc_unary_c{concurrency}"] = measure_create(server, settings, concurrency).rate
                table.note(f"gRPC c={concurrency} measured in this section (section 1 did not run)")
    for concurrency in CONCURRENCIES:
        result = rest[concurrency]
        cells = [rate(result["rps"]), ms(result["p50_ms"]), ms(result["p99_ms"]), f"{server_cpu[concurrency]:.2f}"]
        table.add("REST", str(concurrency), *cells, NO_TARGET)
    for concurrency in CONCURRENCIES:
        grpc_rate = figures[f"grpc_unary_c{concurrency}"]
        ratio = rest[concurrency]["rps"] / grpc_rate if grpc_rate else 0.0
        table.add(
            "REST / gRPC unary",
            str(concurrency),
            percent(ratio),
            "",
            "",
            "",
            f">= {percent(RATIO_TARGET)}",
            verdict(ratio >= RATIO_TARGET),
        )
    table.note("REST client: bench.rest_ingest (aiohttp, one process); every POST is a new completion, 201 required")
    return table
