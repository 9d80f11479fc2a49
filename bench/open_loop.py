"""Open-loop unary load: calls are started on a fixed schedule whatever the server answers.

Used to overload the server on purpose. The load is bounded: at most
rate x seconds calls, to one target, each with a deadline, and at most
`max_in_flight` unanswered calls per process (past that the client sheds the
call and counts it, rather than piling up memory of its own).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import grpc

from .clients import channel_options, metadata, refusal_name, run_in_processes, sleep_until
from .payloads import ingest_request
from .unary_load import CREATE

TICK = 0.002  # seconds between launches of the calls that have come due


@dataclass(frozen=True, slots=True)
class OpenLoad:
    """A fixed call rate for a fixed time."""

    target: str
    key: str
    completion: bytes
    rate: float  # calls per second (per process once split)
    seconds: float
    channels: int = 8
    max_in_flight: int = 4096
    deadline: float = 10.0


@dataclass(slots=True)
class OpenFigures:
    """What happened to the calls one process started."""

    launched: int = 0
    shed: int = 0  # not started: the process already had max_in_flight calls unanswered
    accepted: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # of accepted calls
    failures: Counter[str] = field(default_factory=Counter)  # by status code (+RetryInfo when it had one)
    drained_after: float = 0.0  # seconds from start until the last call was answered


async def _open_loop(load: OpenLoad, start_at: float) -> OpenFigures:
    figures = OpenFigures()
    opened = [grpc.aio.insecure_channel(load.target, options=channel_options(i)) for i in range(load.channels)]
    calls = [ch.unary_unary(CREATE) for ch in opened]
    md = metadata(load.key)
    running: set[asyncio.Task[None]] = set()

    async def one(index: int) -> None:
        started = time.perf_counter()
        try:
            await calls[index % len(calls)](ingest_request(load.completion, 1), metadata=md, timeout=load.deadline)
        except grpc.aio.AioRpcError as exc:
            figures.failures[refusal_name(exc)] += 1
            return
        figures.accepted += 1
        figures.latencies_ms.append((time.perf_counter() - started) * 1000)

    try:
        await asyncio.gather(*(ch.channel_ready() for ch in opened))
        await sleep_until(start_at)
        began = time.perf_counter()
        end = began + load.seconds
        while (now := time.perf_counter()) < end:
            due = int((now - began) * load.rate) - figures.launched - figures.shed
            for _ in range(due):
                if len(running) >= load.max_in_flight:
                    figures.shed += 1
                    continue
                task = asyncio.create_task(one(figures.launched))
                running.add(task)
                task.add_done_callback(running.discard)
                figures.launched += 1
            await asyncio.sleep(TICK)
        if running:
            await asyncio.gather(*running)
        figures.drained_after = time.perf_counter() - began
    finally:
        await asyncio.gather(*(ch.close() for ch in opened))
    return figures


def _process_main(load: OpenLoad, start_at: float) -> OpenFigures:
    return asyncio.run(_open_loop(load, start_at))


def run_open_loop(load: OpenLoad, processes: int) -> OpenFigures:
    """Split the rate over client processes and merge what they saw."""
    parts, _ = run_in_processes(_process_main, [replace(load, rate=load.rate / processes)] * processes)
    merged = OpenFigures()
    for part in parts:
        merged.launched += part.launched
        merged.shed += part.shed
        merged.accepted += part.accepted
        merged.latencies_ms += part.latencies_ms
        merged.failures += part.failures
        merged.drained_after = max(merged.drained_after, part.drained_after)
    return merged
