"""Prometheus metrics of one server process, served at `/metrics` on the HTTP port.

The metric objects live here, at the entry-point level: transports record calls
through the gRPC interceptor and the aiohttp middleware below, and the state of
the domain and storage objects (write queue, tail, database pool) is sampled once
a second, so neither layer imports prometheus-client.

With `--workers N` every worker writes its samples to PROMETHEUS_MULTIPROC_DIR
(set by the parent before the workers start) and any worker's `/metrics`
answers for all of them (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
SAMPLE_SECONDS = 1.0
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)

RPC_CALLS = Counter(
    "tenlog_rpc_calls_total",
    "Calls answered, by transport (grpc or http), method (the RPC, or the HTTP route) and code "
    "(the gRPC code name, or the HTTP status).",
    ["transport", "method", "code"],
)
RPC_DURATION = Histogram(
    "tenlog_rpc_duration_seconds",
    "Time from a call's arrival to its answer (for streams, to the end of the stream).",
    ["transport", "method"],
    buckets=_LATENCY_BUCKETS,
)
STREAM_ITEMS = Counter(
    "tenlog_stream_items_total",
    "Messages received on client streams and sent on server streams.",
    ["transport", "method", "direction"],
)
WRITE_QUEUE_DEPTH = Gauge(
    "tenlog_write_queue_depth",
    "Completions waiting in the group-commit queue or being written.",
    multiprocess_mode="livesum",
)
COMMIT_BATCH_SIZE = Histogram(
    "tenlog_commit_batch_size",
    "Completions committed per group-commit transaction.",
    buckets=_BATCH_BUCKETS,
)
COMMIT_DURATION = Histogram(
    "tenlog_commit_duration_seconds",
    "Duration of each group-commit transaction.",
    buckets=_LATENCY_BUCKETS,
)
COMPLETIONS_COMMITTED = Counter("tenlog_completions_committed_total", "Completions committed by group commit.")
REFUSED = Counter(
    "tenlog_refused_total",
    "Calls refused before any work was done, by reason (overload, rate limit).",
    ["reason"],
)
TAIL_SUBSCRIBERS = Gauge("tenlog_tail_subscribers", "Live tail streams open.", multiprocess_mode="livesum")
TAIL_EVENTS_DROPPED = Counter(
    "tenlog_tail_events_dropped_total", "Tail events dropped because a subscriber did not keep up."
)
DB_POOL_IN_USE = Gauge(
    "tenlog_db_pool_connections_in_use", "Database connections checked out of the pool.", multiprocess_mode="livesum"
)
DB_POOL_SIZE = Gauge("tenlog_db_pool_size", "Configured database pool size.", multiprocess_mode="livesum")


def observe_commit(size: int, seconds: float) -> None:
    """Record one group-commit transaction (the write batcher's commit observer)."""
    COMMIT_BATCH_SIZE.observe(size)
    COMMIT_DURATION.observe(seconds)
    COMPLETIONS_COMMITTED.inc(size)


@dataclass(slots=True)
class Probes:
    """Readers of process state that the sampler turns into gauges; each returns a number."""

    write_queue_depth: Callable[[], int]
    tail_subscribers: Callable[[], int]
    tail_events_dropped: Callable[[], int]
    db_pool_in_use: Callable[[], int]
    db_pool_size: Callable[[], int]


async def sample_forever(probes: Probes) -> None:
    """Copy the probes into their gauges every SAMPLE_SECONDS until cancelled."""
    dropped_seen = 0
    while True:
        WRITE_QUEUE_DEPTH.set(probes.write_queue_depth())
        TAIL_SUBSCRIBERS.set(probes.tail_subscribers())
        DB_POOL_IN_USE.set(probes.db_pool_in_use())
        DB_POOL_SIZE.set(probes.db_pool_size())
        dropped = probes.tail_events_dropped()
        if dropped > dropped_seen:
            TAIL_EVENTS_DROPPED.inc(dropped - dropped_seen)
        dropped_seen = dropped
        await asyncio.sleep(SAMPLE_SECONDS)


def start_sampler(probes: Probes) -> asyncio.Task[None]:
    """Start sampling on the running loop; cancel the task to stop."""
    return asyncio.create_task(sample_forever(probes), name="tenlog-metrics-sampler")


async def stop_sampler(task: asyncio.Task[None]) -> None:
    """Cancel the sampler and wait for it."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def exposition() -> tuple[bytes, str]:
    """The text exposition of every metric (all workers' in multiprocess mode) and its content type."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (multiprocess mode), so they stop counting."""
    if os.environ.get(MULTIPROCESS_ENV):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
