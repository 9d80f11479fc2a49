"""Section 1: unary CreateCompletion on SQLite, durable versus the no-op ceiling, at concurrency 1, 16 and 64."""

from __future__ import annotations

import os

from .payloads import seed_completion
from .report import NO_TARGET, Table, ms, percent, rate, verdict
from .servers import BenchServer, running_server, sqlite_database
from .settings import BenchSettings
from .stats import Throughput, mirrored
from .unary_load import UnaryLoad, run_unary_load

CONCURRENCIES = (1, 16, 64)
RATIO_TARGET = 0.50  # durable / no-op at concurrency 64


def measure_create(server: BenchServer, settings: BenchSettings, concurrency: int) -> Throughput:
    """Closed-loop CreateCompletion with the seed payload at one concurrency."""
    load = UnaryLoad(
        target=server.grpc_target,
        key=server.key,
        completion=seed_completion().SerializeToString(),
        concurrency=concurrency,
        seconds=settings.seconds,
        warmup=settings.warmup,
    )
    processes = 1 if concurrency == 1 else settings.client_processes
    return run_unary_load(load, processes, server.pid)


def throughput_cells(result: Throughput) -> list[str]:
    """completions/s, p50, p99, server and client CPU cells of a row."""
    return [
        rate(result.rate),
        ms(result.p50_ms),
        ms(result.p99_ms),
        f"{result.server_cpu:.2f}",
        f"{result.client_cpu:.2f}",
    ]


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Measure both servers and tabulate; records grpc_unary_c{N} completions/s for later sections."""
    runs: dict[tuple[str, int], list[Throughput]] = {}
    for mode in mirrored("durable", "noop"):
        with sqlite_database() as url, running_server(url, ["--noop"] if mode == "noop" else []) as server:
            for concurrency in CONCURRENCIES:
                runs.setdefault((mode, concurrency), []).append(measure_create(server, settings, concurrency))
    results = {key: Throughput.pooled(measured) for key, measured in runs.items()}
    table = Table(
        "1. gRPC unary CreateCompletion, SQLite, one server process (seed payload)",
        ["run", "conc", "completions/s", "p50", "p99", "server CPU", "client CPU", "target", "result"],
    )
    for mode, label in (("durable", "durable (SQLite)"), ("noop", "no-op (--noop)")):
        for concurrency in CONCURRENCIES:
            result = results[(mode, concurrency)]
            table.add(label, str(concurrency), *throughput_cells(result), NO_TARGET, "")
            if result.errors:
                table.note(f"{label} c={concurrency}: {result.errors} failed calls")
    for concurrency in CONCURRENCIES:
        noop = results[("noop", concurrency)].rate
        ratio = results[("durable", concurrency)].rate / noop if noop else 0.0
        target, outcome = NO_TARGET, ""
        if concurrency == max(CONCURRENCIES):
            target, outcome = f">= {percent(RATIO_TARGET)}", verdict(ratio >= RATIO_TARGET)
        table.add("durable / no-op", str(concurrency), percent(ratio), "", "", "", "", target, outcome)
        figures[f"grpc_unary_c{concurrency}"] = results[("durable", concurrency)].rate
    table.note(
        f"clients: grpc.aio, {settings.client_processes} processes for c>1, one connection per 4 callers; "
        "each row pools two runs (servers in the order durable, no-op, no-op, durable); "
        "CPU columns are cores used over the measured window (the machine has "
        f"{os.cpu_count()}; server and load generator share them)"
    )
    return table
