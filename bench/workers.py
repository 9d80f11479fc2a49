"""Section 4: `--workers 2` versus `--workers 1`, unary CreateCompletion at concurrency 64, SQLite and PostgreSQL."""

from __future__ import annotations

import os

from .report import NO_TARGET, Table, times, verdict
from .servers import database, running_server
from .settings import BenchSettings
from .stats import Throughput, mirrored
from .unary import measure_create, throughput_cells

CONCURRENCY = 64
RATIO_TARGET = 1.5
BACKENDS = ("sqlite", "postgresql")
ORDER = mirrored(1, 2)


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Each backend with one and two worker processes, a fresh database for each run."""
    table = Table(
        f"4. Scaling over processes: unary CreateCompletion at c={CONCURRENCY}",
        ["backend", "workers", "completions/s", "p50", "p99", "server CPU", "client CPU", "target", "result"],
    )
    for backend in BACKENDS:
        runs: dict[int, list[Throughput]] = {1: [], 2: []}
        try:
            for workers in ORDER:
                with database(backend) as url, running_server(url, workers=workers) as server:
                    runs[workers].append(measure_create(server, settings, CONCURRENCY))
        except (RuntimeError, OSError) as exc:
            table.add(backend, "-", "not measured", "", "", "", "", f">= {times(RATIO_TARGET)}", "MISS")
            table.note(f"{backend}: {str(exc).splitlines()[0]}")
            continue
        results = {workers: Throughput.pooled(measured) for workers, measured in runs.items()}
        for workers, result in results.items():
            table.add(backend, str(workers), *throughput_cells(result), NO_TARGET, "")
        ratio = results[2].rate / results[1].rate if results[1].rate else 0.0
        table.add(
            backend, "2 / 1", times(ratio), "", "", "", f">= {times(RATIO_TARGET)}", verdict(ratio >= RATIO_TARGET)
        )
        figures[f"workers_ratio_{backend}"] = ratio
    table.note(
        f"each row pools two runs, taken in the order {', '.join(map(str, ORDER))} workers; "
        f"the load generator ({settings.client_processes} processes) shares the machine's {os.cpu_count()} CPUs "
        "with the server processes: a second worker can only use what the clients leave"
    )
    return table
