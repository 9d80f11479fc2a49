"""Section 8: OTLP TraceService/Export of 512 GenAI spans with content vs BatchCreateCompletions of the same rows.

Both are closed loops over gRPC against a durable SQLite server; each side runs twice,
each time on a fresh server and database, in ABBA order, and the runs are pooled.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from tenlog.v1 import completion_service_pb2 as api

from .clients import Window, channel_options, code_name, metadata, run_in_processes, sleep_until, split
from .otlp_payloads import OtlpBatch, otlp_batch
from .report import NO_TARGET, Table, ms, percent, rate, verdict
from .servers import BenchServer, running_server, sqlite_database
from .settings import BenchSettings
from .stats import Throughput, mirrored, summarize
from .unary_load import BATCH_CREATE

EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
SPANS = 512
CONCURRENCY = 4  # calls in flight: two per client process
RATIO_TARGET = 0.70
ORDER = mirrored("otlp", "batch")
NAMES = {"otlp": "OTLP TraceService/Export", "batch": "BatchCreateCompletions"}


@dataclass(frozen=True, slots=True)
class BatchLoad:
    """One closed-loop run of one side."""

    target: str
    key: str
    side: str  # "otlp" or "batch"
    payload: OtlpBatch
    concurrency: int
    seconds: float
    warmup: float


@dataclass(slots=True)
class _Figures:
    items: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def _stored(side: str, answer: bytes) -> tuple[int, int]:
    """Items stored and refused, read from the answer."""
    if side == "otlp":
        response = ExportTraceServiceResponse.FromString(answer)
        refused = response.partial_success.rejected_spans
        return SPANS - refused, refused
    batch = api.BatchCreateCompletionsResponse.FromString(answer)
    return batch.accepted_count, batch.rejected_count


async def _closed_loop(load: BatchLoad, start_at: float) -> _Figures:
    figures = _Figures()
    channel = grpc.aio.insecure_channel(load.target, options=channel_options(0))
    call = channel.unary_unary(EXPORT if load.side == "otlp" else BATCH_CREATE)
    body = load.payload.fresh_export if load.side == "otlp" else load.payload.fresh_batch
    md = metadata(load.key)
    try:
        await channel.channel_ready()
        await sleep_until(start_at)
        begin = time.perf_counter() + load.warmup
        end = begin + load.seconds

        async def caller() -> None:
            while (started := time.perf_counter()) < end:
                try:
                    answer = await call(body(), metadata=md, timeout=120)
                except grpc.aio.AioRpcError as exc:
                    if started >= begin:
                        figures.errors[code_name(exc)] += 1
                    await asyncio.sleep(0.01)
                    continue
                if started < begin:
                    continue
                figures.latencies_ms.append((time.perf_counter() - started) * 1000)
                stored, refused = _stored(load.side, answer)
                figures.items += stored
                figures.errors["refused item"] += refused

        await asyncio.gather(*(caller() for _ in range(load.concurrency)))
    finally:
        await channel.close()
    return figures


def _process_main(load: BatchLoad, start_at: float) -> _Figures:
    return asyncio.run(_closed_loop(load, start_at))


def measure(server: BenchServer, settings: BenchSettings, side: str, payload: OtlpBatch) -> Throughput:
    """Items stored per second by one side's closed loop, with call latency and server CPU."""
    load = BatchLoad(server.grpc_target, server.key, side, payload, CONCURRENCY, settings.seconds, settings.warmup)
    jobs = [replace(load, concurrency=c) for c in split(CONCURRENCY, settings.client_processes)]
    parts, cores = run_in_processes(
        _process_main, jobs, server_pid=server.pid, window=Window(settings.warmup, settings.seconds)
    )
    errors = sum((p.errors for p in parts), Counter[str]())
    latencies = [x for p in parts for x in p.latencies_ms]
    result = summarize(sum(p.items for p in parts), settings.seconds, latencies, errors=sum(errors.values()))
    return replace(result, server_cpu=cores)


def _cpu_per_k(result: Throughput) -> str:
    return f"{1000 * 1000 * result.server_cpu / result.rate:.0f}" if result.rate else "-"


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Both sides in ABBA order, pooled; the ratio OTLP / BatchCreate beside its target."""
    payload = otlp_batch(SPANS)
    runs: dict[str, list[Throughput]] = {}
    for side in ORDER:
        with sqlite_database() as url, running_server(url) as server:
            runs.setdefault(side, []).append(measure(server, settings, side, payload))
    results = {side: Throughput.pooled(measured) for side, measured in runs.items()}
    table = Table(
        f"8. OTLP trace ingest over gRPC vs BatchCreateCompletions, {SPANS}-span batches, SQLite, one server process",
        ["run", "spans/s", "p50", "p99", "server CPU", "CPU ms / 1k spans", "target", "result"],
    )
    for side in ("otlp", "batch"):
        result = results[side]
        cells = [
            rate(result.rate),
            ms(result.p50_ms),
            ms(result.p99_ms),
            f"{result.server_cpu:.2f}",
            _cpu_per_k(result),
        ]
        table.add(NAMES[side], *cells, NO_TARGET, "")
        if result.errors:
            table.note(f"{NAMES[side]}: {result.errors} failed calls or refused items")
    batch_rate = results["batch"].rate
    ratio = results["otlp"].rate / batch_rate if batch_rate else 0.0
    table.add(
        "OTLP / BatchCreate", percent(ratio), "", "", "", f">= {percent(RATIO_TARGET)}", verdict(ratio >= RATIO_TARGET)
    )
    table.note(
        f"each call carries {SPANS} GenAI chat spans with content ({len(payload.export) / SPANS:,.0f} bytes a span "
        f"in OTLP, {sum(map(len, payload.completions)) / SPANS:,.0f} bytes a completion in BatchCreate), "
        f"fresh ids every call; {CONCURRENCY} calls in flight from {settings.client_processes} client processes"
    )
    table.note(
        f"each row pools two runs on fresh servers, in the order {', '.join(ORDER)}; "
        "CPU ms / 1k spans is the server's CPU per thousand stored: when other work shares the machine, "
        "it says more than spans/s"
    )
    figures["otlp_spans_per_second"] = results["otlp"].rate
    figures["otlp_over_batch"] = ratio
    return table
