"""Latency percentiles and throughput summaries shared by every measurement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an ascending list (0.0 for an empty one)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def mirrored(first: T, second: T) -> tuple[T, T, T, T]:
    """The run order first, second, second, first (ABBA).

    This machine's speed drifts over minutes; measuring each side twice in
    mirrored order keeps the drift from landing on one side of a ratio.
    """
    return (first, second, second, first)


@dataclass(frozen=True, slots=True)
class Throughput:
    """Items done over a measured window, with the latency of the calls that did them."""

    items: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    server_cpu: float = 0.0  # server CPU seconds per wall second over the window (1.0 = one core)
    client_cpu: float = 0.0  # the same for the load-generator processes

    @property
    def rate(self) -> float:
        """Items per second."""
        return self.items / self.seconds if self.seconds > 0 else 0.0

    @staticmethod
    def pooled(runs: list[Throughput]) -> Throughput:
        """Several runs of one configuration as one: items and time add up; latencies and CPU are averaged."""
        n = len(runs)
        return Throughput(
            items=sum(r.items for r in runs),
            seconds=sum(r.seconds for r in runs),
            p50_ms=sum(r.p50_ms for r in runs) / n,
            p99_ms=sum(r.p99_ms for r in runs) / n,
            errors=sum(r.errors for r in runs),
            server_cpu=sum(r.server_cpu for r in runs) / n,
            client_cpu=sum(r.client_cpu for r in runs) / n,
        )


def summarize(items: int, seconds: float, latencies_ms: list[float], errors: int = 0) -> Throughput:
    """A Throughput from a count, a window and the (unsorted) call latencies."""
    ordered = sorted(latencies_ms)
    return Throughput(items, seconds, percentile(ordered, 0.50), percentile(ordered, 0.99), errors)
