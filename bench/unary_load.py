"""Closed-loop unary ingest load: `concurrency` callers each send the next call as soon as the last returns."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import grpc
from tenlog.v1 import completion_service_pb2 as api

from .clients import Window, channel_options, code_name, metadata, run_in_processes, sleep_until, split
from .payloads import ingest_request
from .stats import Throughput, summarize

CREATE = "/tenlog.v1.CompletionService/CreateCompletion"
BATCH_CREATE = "/tenlog.v1.CompletionService/BatchCreateCompletions"


@dataclass(frozen=True, slots=True)
class UnaryLoad:
    """One closed-loop run: which RPC, how many callers over how many connections, for how long."""

    target: str
    key: str
    completion: bytes  # the serialized seed completion; each item gets a fresh id
    concurrency: int
    seconds: float
    warmup: float
    method: str = CREATE
    per_call: int = 1  # completions per call (BatchCreateCompletions)
    channels: int = 0  # 0: one connection per 4 callers, at most 8 per process


@dataclass(slots=True)
class _ProcessFigures:
    items: int = 0
    cpu_seconds: float = 0.0  # this client process's CPU over the window
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


async def _closed_loop(load: UnaryLoad, start_at: float) -> _ProcessFigures:
    figures = _ProcessFigures()
    channels = load.channels or max(1, min(8, load.concurrency // 4))
    opened = [grpc.aio.insecure_channel(load.target, options=channel_options(i)) for i in range(channels)]
    calls = [ch.unary_unary(load.method) for ch in opened]  # bytes in, bytes out: no client-side protobuf work
    md = metadata(load.key)
    try:
        await asyncio.gather(*(ch.channel_ready() for ch in opened))
        await sleep_until(start_at)
        begin = time.perf_counter() + load.warmup
        end = begin + load.seconds

        async def meter() -> None:
            await asyncio.sleep(max(0.0, begin - time.perf_counter()))
            cpu = time.process_time()
            await asyncio.sleep(max(0.0, end - time.perf_counter()))
            figures.cpu_seconds = time.process_time() - cpu

        async def caller(index: int) -> None:
            call = calls[index % len(calls)]
            while (started := time.perf_counter()) < end:
                body = ingest_request(load.completion, load.per_call)
                try:
                    answer = await call(body, metadata=md, timeout=60)
                except grpc.aio.AioRpcError as exc:
                    if started >= begin:
                        figures.errors[code_name(exc)] += 1
                    await asyncio.sleep(0.01)
                    continue
                if started < begin:
                    continue
                figures.latencies_ms.append((time.perf_counter() - started) * 1000)
                if load.per_call == 1:
                    figures.items += 1
                else:
                    response = api.BatchCreateCompletionsResponse.FromString(answer)
                    figures.items += response.accepted_count
                    figures.errors["rejected item"] += response.rejected_count

        await asyncio.gather(meter(), *(caller(i) for i in range(load.concurrency)))
    finally:
        await asyncio.gather(*(ch.close() for ch in opened))
    return figures


def _process_main(load: UnaryLoad, start_at: float) -> _ProcessFigures:
    return asyncio.run(_closed_loop(load, start_at))


def run_unary_load(load: UnaryLoad, processes: int, server_pid: int | None = None) -> Throughput:
    """Run the load split over client processes; items/s, call latency and server CPU over the measured window."""
    jobs = [replace(load, concurrency=c) for c in split(load.concurrency, processes)]
    window = Window(load.warmup, load.seconds)
    parts, cores = run_in_processes(_process_main, jobs, server_pid=server_pid, window=window)
    latencies = [ms for part in parts for ms in part.latencies_ms]
    errors = sum((part.errors for part in parts), Counter[str]())
    result = summarize(sum(p.items for p in parts), load.seconds, latencies, errors=sum(errors.values()))
    return replace(result, server_cpu=cores, client_cpu=sum(p.cpu_seconds for p in parts) / load.seconds)
