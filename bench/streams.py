"""Section 3: streamed ingest (UploadCompletions, StreamCompletions) and BatchCreateCompletions on SQLite."""

from __future__ import annotations

from .payloads import seed_completion
from .report import NO_TARGET, Table, ms, percent, rate, verdict
from .servers import BenchServer, running_server, sqlite_database
from .settings import BenchSettings
from .stats import mirrored
from .stream_load import STREAM, UPLOAD, StreamLoad, StreamResult, run_stream_load
from .unary_load import BATCH_CREATE, UnaryLoad, run_unary_load

STREAMS = 4  # concurrent streams over all client processes
RATE_TARGET = 20_000.0
RATIO_TARGET = 0.50
BATCH_SIZE = 100
BATCH_CONCURRENCY = 8

NAMES = {UPLOAD: "UploadCompletions", STREAM: "StreamCompletions"}
ORDER = mirrored("durable", "noop")


def _measure(server: BenchServer, settings: BenchSettings, method: str) -> StreamResult:
    load = StreamLoad(
        target=server.grpc_target,
        key=server.key,
        completion=seed_completion().SerializeToString(),
        method=method,
        streams=STREAMS,
        seconds=settings.seconds,
        warmup=settings.warmup,
    )
    return run_stream_load(load, settings.client_processes, server.pid)


def run(settings: BenchSettings, figures: dict[str, float]) -> Table:
    """Both stream RPCs against a durable and a no-op server, then batches of 100 on the durable one."""
    table = Table(
        "3. Streamed and batched ingest, SQLite, one server process",
        ["run", "completions/s", "server CPU", "target", "result"],
    )
    runs: dict[tuple[str, str], list[StreamResult]] = {}
    batch = None
    for mode in ORDER:
        with sqlite_database() as url, running_server(url, ["--noop"] if mode == "noop" else []) as server:
            for method in (UPLOAD, STREAM):
                runs.setdefault((mode, method), []).append(_measure(server, settings, method))
            if mode == "durable" and batch is None:
                batch = run_unary_load(
                    UnaryLoad(
                        target=server.grpc_target,
                        key=server.key,
                        completion=seed_completion().SerializeToString(),
                        concurrency=BATCH_CONCURRENCY,
                        seconds=settings.seconds,
                        warmup=settings.warmup,
                        method=BATCH_CREATE,
                        per_call=BATCH_SIZE,
                        channels=2,
                    ),
                    settings.client_processes,
                    server.pid,
                )
    assert batch is not None
    results = {key: StreamResult.pooled(measured) for key, measured in runs.items()}
    for method in (UPLOAD, STREAM):
        durable, noop = results[("durable", method)], results[("noop", method)]
        name = NAMES[method]
        table.add(
            f"{name} durable",
            rate(durable.rate),
            f"{durable.server_cpu:.2f}",
            f">= {rate(RATE_TARGET)}",
            verdict(durable.rate >= RATE_TARGET),
        )
        table.add(f"{name} no-op", rate(noop.rate), f"{noop.server_cpu:.2f}", NO_TARGET, "")
        ratio = durable.rate / noop.rate if noop.rate else 0.0
        table.add(
            f"{name} durable / no-op", percent(ratio), "", f">= {percent(RATIO_TARGET)}", verdict(ratio >= RATIO_TARGET)
        )
        for mode, result in (("durable", durable), ("noop", noop)):
            if result.rejected or result.confirmed != result.sent:
                table.note(
                    f"{name} {mode}: sent {result.sent}, confirmed {result.confirmed}, rejected {result.rejected}"
                )
    table.add(
        f"BatchCreateCompletions x{BATCH_SIZE}, c={BATCH_CONCURRENCY}",
        rate(batch.rate),
        f"{batch.server_cpu:.2f}",
        NO_TARGET,
        "",
    )
    table.note(
        f"batch calls: p50 {ms(batch.p50_ms)}, p99 {ms(batch.p99_ms)}"
        + (f", {batch.errors} errors" if batch.errors else "")
    )
    table.note(
        f"{STREAMS} concurrent streams from {settings.client_processes} client processes, each sending for "
        f"{settings.seconds:g} s; rate = confirmed completions / time until the last confirmation; "
        f"each stream row pools two runs, servers in the order {', '.join(ORDER)}"
    )
    figures["upload_durable"] = results[("durable", UPLOAD)].rate
    return table
