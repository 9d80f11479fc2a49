"""Load-generator processes: the bench's clients run in their own processes, away from its bookkeeping.

Work is split over `processes` spawned interpreters that all start at the same
wall-clock instant; each returns its raw figures, and the parent merges them.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from .processes import cpu_seconds, process_tree

Job = TypeVar("Job")
Result = TypeVar("Result")

START_DELAY = 2.0  # seconds for spawned interpreters to import grpc before the common start


def channel_options(index: int) -> list[tuple[str, Any]]:
    """Options that give each channel its own TCP connection (so SO_REUSEPORT can spread them)."""
    return [
        ("grpc.use_local_subchannel_pool", 1),
        ("grpc.max_receive_message_length", 64 * 2**20),
        ("grpc.max_send_message_length", 64 * 2**20),
        ("bench.channel", index),
    ]


def metadata(key: str) -> tuple[tuple[str, str], ...]:
    """The auth metadata of every bench call."""
    return (("x-log10-token", key),)


def split(total: int, parts: int) -> list[int]:
    """total spread as evenly as possible over parts (no part is zero unless total < parts)."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


@dataclass(frozen=True, slots=True)
class Window:
    """The measured part of a run, relative to its common start: after `warmup`, for `seconds`."""

    warmup: float
    seconds: float


def run_in_processes(
    target: Callable[[Job, float], Result],
    jobs: list[Job],
    *,
    server_pid: int | None = None,
    window: Window | None = None,
) -> tuple[list[Result], float]:
    """Run target(job, start_at) in one spawned process per job; every job starts at the same start_at.

    Returns the jobs' results and, when server_pid and window are given, the
    CPU the server's process tree used over the window, in cores.
    """
    start_at = time.time() + START_DELAY
    context = multiprocessing.get_context("spawn")
    cores = 0.0
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool:
        futures = [pool.submit(target, job, start_at) for job in jobs]
        if server_pid is not None and window is not None:
            time.sleep(max(0.0, start_at + window.warmup - time.time()))
            pids = process_tree(server_pid)
            before, began = cpu_seconds(pids), time.perf_counter()
            time.sleep(window.seconds)
            cores = (cpu_seconds(pids) - before) / (time.perf_counter() - began)
        return [f.result() for f in futures], cores


async def sleep_until(wall_time: float) -> None:
    """Sleep until a time.time() instant."""
    await asyncio.sleep(max(0.0, wall_time - time.time()))


WITH_RETRY_INFO = "+RetryInfo"


def refusal_name(exc: grpc.aio.AioRpcError) -> str:
    """code_name, with WITH_RETRY_INFO appended when the status carries a RetryInfo (a retryable refusal)."""
    name = code_name(exc)
    try:
        status = rpc_status.from_call(exc)  # type: ignore[arg-type]
    except ValueError:  # details that contradict the status: not ours
        return name
    if status is not None and any(detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR) for detail in status.details):
        return name + WITH_RETRY_INFO
    return name


def code_name(exc: grpc.aio.AioRpcError) -> str:
    """The status code's name of a failed call, e.g. RESOURCE_EXHAUSTED."""
    code = exc.code()
    return str(code.name) if code is not None else "UNKNOWN"
