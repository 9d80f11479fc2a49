"""REST ingest throughput: POST /api/v1/completions through the HTTP gateway at a fixed concurrency.

The load runs in as many client processes as the gRPC unary load it is compared
with (bench.clients), so the ratio compares the servers, not a one-process
HTTP client with a two-process gRPC one.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp

from .clients import Window, run_in_processes, sleep_until, split
from .stats import Throughput, summarize

CREATED = 201


@dataclass(frozen=True, slots=True)
class RestLoad:
    """One closed-loop REST run."""

    http_url: str
    key: str
    payload: dict[str, Any]
    concurrency: int
    seconds: float
    warmup: float


@dataclass(slots=True)
class _ProcessFigures:
    items: int = 0
    cpu_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)


async def _closed_loop(load: RestLoad, start_at: float) -> _ProcessFigures:
    """Every request gets a fresh id so each one is a real insert; a non-201 answer stops the run."""
    figures = _ProcessFigures()
    url = load.http_url.rstrip("/") + "/api/v1/completions"
    headers = {"X-Log10-Token": load.key, "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=load.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await sleep_until(start_at)
        begin = time.perf_counter() + load.warmup
        end = begin + load.seconds

        async def meter() -> None:
            await asyncio.sleep(max(0.0, begin - time.perf_counter()))
            cpu = time.process_time()
            await asyncio.sleep(max(0.0, end - time.perf_counter()))
            figures.cpu_seconds = time.process_time() - cpu

        async def worker() -> None:
            while (started := time.perf_counter()) < end:
                body = json.dumps({**load.payload, "id": str(uuid.uuid4())})
                async with session.post(url, data=body, headers=headers) as response:
                    text = await response.read()
                    if response.status != CREATED:
                        raise RuntimeError(f"POST {url} answered {response.status}: {text[:300]!r}")
                if started >= begin:
                    figures.latencies_ms.append((time.perf_counter() - started) * 1000)
                    figures.items += 1

        await asyncio.gather(meter(), *(worker() for _ in range(load.concurrency)))
    return figures


def _process_main(load: RestLoad, start_at: float) -> _ProcessFigures:
    return asyncio.run(_closed_loop(load, start_at))


def run_rest_ingest(load: RestLoad, processes: int, server_pid: int | None = None) -> Throughput:
    """Run the load split over client processes; completions/s, latency and server CPU over the measured window."""
    jobs = [replace(load, concurrency=c) for c in split(load.concurrency, processes)]
    parts, cores = run_in_processes(
        _process_main, jobs, server_pid=server_pid, window=Window(load.warmup, load.seconds)
    )
    latencies = [ms for part in parts for ms in part.latencies_ms]
    result = summarize(sum(p.items for p in parts), load.seconds, latencies)
    return replace(result, server_cpu=cores, client_cpu=sum(p.cpu_seconds for p in parts) / load.seconds)
