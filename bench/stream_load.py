"""Streamed ingest load: client streams (UploadCompletions) and bidi streams with acks (StreamCompletions).

Each stream sends fresh-id copies of the seed completion as fast as the server
lets it (HTTP/2 flow control) until the window closes, then half-closes. The
rate is the completions the server confirmed (the Upload summary's
accepted_count, or accepted acks) over the time until the last confirmation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import grpc
from tenlog.v1 import completion_service_pb2 as api

from .clients import Window, channel_options, metadata, run_in_processes, sleep_until, split
from .payloads import ingest_request

UPLOAD = "/tenlog.v1.CompletionService/UploadCompletions"
STREAM = "/tenlog.v1.CompletionService/StreamCompletions"


@dataclass(frozen=True, slots=True)
class StreamLoad:
    """Concurrent streams of one ingest RPC for a fixed window."""

    target: str
    key: str
    completion: bytes
    method: str  # UPLOAD or STREAM
    streams: int
    seconds: float
    warmup: float


@dataclass(frozen=True, slots=True)
class StreamFigures:
    """What the server confirmed, and when the last confirmation arrived (seconds after the window opened)."""

    sent: int
    confirmed: int
    rejected: int
    finished_after: float


async def _requests(completion: bytes, until: float, counter: list[int]) -> AsyncIterator[bytes]:
    while time.perf_counter() < until:
        counter[0] += 1
        yield ingest_request(completion, 1)


async def _one_stream(channel: grpc.aio.Channel, load: StreamLoad, until: float) -> tuple[int, int, int]:
    sent = [0]
    md = metadata(load.key)
    timeout = load.seconds + load.warmup + 120
    if load.method == UPLOAD:
        call = channel.stream_unary(UPLOAD)
        answer = await call(_requests(load.completion, until, sent), metadata=md, timeout=timeout)
        summary = api.UploadCompletionsResponse.FromString(answer)
        return sent[0], summary.accepted_count, summary.rejected_count
    bidi = channel.stream_stream(STREAM)(_requests(load.completion, until, sent), metadata=md, timeout=timeout)
    accepted = rejected = 0
    async for raw in bidi:
        if api.StreamCompletionsResponse.FromString(raw).accepted:
            accepted += 1
        else:
            rejected += 1
    return sent[0], accepted, rejected


async def _streams(load: StreamLoad, start_at: float) -> StreamFigures:
    opened = [grpc.aio.insecure_channel(load.target, options=channel_options(i)) for i in range(load.streams)]
    try:
        await asyncio.gather(*(ch.channel_ready() for ch in opened))
        await sleep_until(start_at)
        # Warm up on short streams (not counted), then measure on fresh ones.
        warm_until = time.perf_counter() + load.warmup
        await asyncio.gather(*(_one_stream(ch, load, warm_until) for ch in opened))
        began = time.perf_counter()
        parts = await asyncio.gather(*(_one_stream(ch, load, began + load.seconds) for ch in opened))
        finished_after = time.perf_counter() - began
    finally:
        await asyncio.gather(*(ch.close() for ch in opened))
    return StreamFigures(
        sent=sum(p[0] for p in parts),
        confirmed=sum(p[1] for p in parts),
        rejected=sum(p[2] for p in parts),
        finished_after=finished_after,
    )


def _process_main(load: StreamLoad, start_at: float) -> StreamFigures:
    return asyncio.run(_streams(load, start_at))


@dataclass(frozen=True, slots=True)
class StreamResult:
    """Confirmed completions per second over all streams, and what the server used."""

    rate: float
    confirmed: int
    sent: int
    rejected: int
    seconds: float
    server_cpu: float

    @staticmethod
    def pooled(runs: list[StreamResult]) -> StreamResult:
        """Several runs of one configuration as one: counts and time add up; server CPU is averaged."""
        confirmed, seconds = sum(r.confirmed for r in runs), sum(r.seconds for r in runs)
        return StreamResult(
            rate=confirmed / seconds if seconds > 0 else 0.0,
            confirmed=confirmed,
            sent=sum(r.sent for r in runs),
            rejected=sum(r.rejected for r in runs),
            seconds=seconds,
            server_cpu=sum(r.server_cpu for r in runs) / len(runs),
        )


def run_stream_load(load: StreamLoad, processes: int, server_pid: int | None = None) -> StreamResult:
    """Run the streams split over client processes."""
    jobs = [replace(load, streams=n) for n in split(load.streams, processes)]
    # The warm-up streams take a little longer than `warmup` to be confirmed; start the CPU window a bit later.
    window = Window(load.warmup + 0.5, max(0.5, load.seconds - 1.0))
    parts, cores = run_in_processes(_process_main, jobs, server_pid=server_pid, window=window)
    seconds = max(p.finished_after for p in parts)
    confirmed = sum(p.confirmed for p in parts)
    return StreamResult(
        rate=confirmed / seconds if seconds > 0 else 0.0,
        confirmed=confirmed,
        sent=sum(p.sent for p in parts),
        rejected=sum(p.rejected for p in parts),
        seconds=seconds,
        server_cpu=cores,
    )
