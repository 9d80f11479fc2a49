"""How long and how big each measurement is: full (`make bench`) or `--quick`, plus BENCH_* overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").replace("_", "").replace(",", "")
    return float(raw) if raw else default


@dataclass(frozen=True, slots=True)
class BenchSettings:
    """Durations and sizes of one bench run."""

    quick: bool
    seconds: float  # measured window of each throughput run
    warmup: float  # unmeasured load before each window
    client_processes: int  # load-generator processes for concurrent runs
    overload_seconds: float  # BENCH_OVERLOAD_SECONDS
    overload_factor: float  # offered load as a multiple of the sustainable rate
    overload_max_pending: int  # --max-pending-writes of the overload server
    rows: int  # BENCH_ROWS: completions loaded for the listing latencies
    listing_calls: int  # measured calls per listing kind

    @classmethod
    def load(cls, quick: bool) -> BenchSettings:
        """Defaults for a full or quick run, overridden by BENCH_* environment variables."""
        return cls(
            quick=quick,
            seconds=_env_number("BENCH_SECONDS", 2.0 if quick else 8.0),
            warmup=_env_number("BENCH_WARMUP_SECONDS", 0.5 if quick else 2.0),
            client_processes=int(_env_number("BENCH_CLIENT_PROCESSES", 2)),
            overload_seconds=_env_number("BENCH_OVERLOAD_SECONDS", 5.0 if quick else 60.0),
            overload_factor=_env_number("BENCH_OVERLOAD_FACTOR", 3.0),
            overload_max_pending=int(_env_number("BENCH_OVERLOAD_MAX_PENDING", 20_000)),
            rows=int(_env_number("BENCH_ROWS", 20_000 if quick else 1_000_000)),
            listing_calls=int(_env_number("BENCH_LISTING_CALLS", 40 if quick else 300)),
        )
