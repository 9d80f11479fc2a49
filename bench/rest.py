"""Section 2: REST ingest (POST /api/v1/completions through the in-process gateway) versus gRPC unary."""

from __future__ import annotations

from .payloads import seed_body
from .report import NO_TARGET, Table, ms, percent, rate, verdict
from .rest_ingest import RestLoad, run_rest_ingest
from .servers import running_server, sqlite_database
from .settings import BenchSettings
from .stats import Throughput
from .unary import measure_create

CONCURRENCIES = (16, 64)
RATIO_TARGET = 0.70


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """REST at each concurrency, compared with gRPC unary from section 1 (or measured here when run alone)."""
    table = Table(
        "2. REST ingest, POST /api/v1/completions, SQLite, one server process",
        ["run", "conc", "completions/s", "p50", "p99", "server CPU", "target", "result"],
    )
    rest: dict[int, Throughput] = {}
    with sqlite_database() as url, running_server(url) as server:
        for concurrency in CONCURRENCIES:
            load = RestLoad(server.http_url, server.key, seed_body(), concurrency, settings.seconds, settings.warmup)
            rest[concurrency] = run_rest_ingest(load, settings.client_processes, server.pid)
            if f"grpc_unary_c{concurrency}" not in figures:
                figures[f"grpc_unary_c{concurrency}"] = measure_create(server, settings, concurrency).rate
                table.note(f"gRPC c={concurrency} measured in this section (section 1 did not run)")
    for concurrency in CONCURRENCIES:
        result = rest[concurrency]
        cells = [rate(result.rate), ms(result.p50_ms), ms(result.p99_ms), f"{result.server_cpu:.2f}"]
        table.add("REST", str(concurrency), *cells, NO_TARGET)
    for concurrency in CONCURRENCIES:
        grpc_rate = figures[f"grpc_unary_c{concurrency}"]
        ratio = rest[concurrency].rate / grpc_rate if grpc_rate else 0.0
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
    table.note(
        "REST client: bench.rest_ingest (aiohttp, as many processes as the gRPC load); "
        "every POST is a new completion, 201 required"
    )
    return table
