"""Rollups: per-hour and per-day totals that answer AggregateCompletions without reading every completion.

Ingest keeps, for each (hour or day, model, status, source, kind), the count
and the sums of tokens and cost, and a histogram of durations in logarithmic
bins (as DDSketch does): a duration d > 0 falls in bin ceil(log_GAMMA(d)), and
the bin stands for 2 * GAMMA**i / (GAMMA + 1), which is within RELATIVE_ERROR
of every duration in the bin. So from rollups counts and sums are exact and
duration percentiles are within RELATIVE_ERROR of the exact value.

An aggregate is answered from rollups when everything it asks can be read off
them (`rollup_width`); otherwise from the completions themselves, exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from .completion_query import AllOf, AnyOf, CompletionQuery, Condition, NoneOf, Predicate
from .model import CompletionFilter

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
WIDTHS_US = (DAY_US, HOUR_US)  # coarsest first: the fewest rows to read
DIMENSIONS = ("model", "status", "source", "kind")
RELATIVE_ERROR = 0.02
GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
ZERO_BIN = -(2**31)  # durations of (about) zero
_SMALLEST = 1e-9  # seconds; shorter durations count as zero
_LOG_GAMMA = math.log(GAMMA)


def duration_bin(duration: float) -> int:
    """The histogram bin of a duration in seconds."""
    if duration <= _SMALLEST:
        return ZERO_BIN
    return math.ceil(math.log(duration) / _LOG_GAMMA)


def bin_value(index: int) -> float:
    """The duration a bin stands for: within RELATIVE_ERROR of every duration in it."""
    if index == ZERO_BIN:
        return 0.0
    return 2 * GAMMA**index / (GAMMA + 1)


def histogram_percentile(bins: Sequence[tuple[int, int]], fraction: float) -> float:
    """The percentile (linear interpolation between ranks, as percentile_cont) of a histogram.

    bins: (bin, count) sorted by bin. Each rank's value is its bin's value, so the
    result is within RELATIVE_ERROR of the exact percentile. 0 for an empty histogram.
    """
    counted = [(index, n) for index, n in bins if n > 0]
    total = sum(n for _, n in counted)
    if total == 0:
        return 0.0

    def value_at(rank: int) -> float:  # 0-based rank in ascending order
        seen = 0
        for index, n in counted:
            seen += n
            if rank < seen:
                return bin_value(index)
        return bin_value(counted[-1][0])

    position = fraction * (total - 1)
    low = math.floor(position)
    below, above = value_at(low), value_at(min(low + 1, total - 1))
    return below + (above - below) * (position - low)


def _conditions(predicate: Predicate | None) -> Iterator[Condition]:
    if predicate is None:
        return
    if isinstance(predicate, Condition):
        yield predicate
    elif isinstance(predicate, NoneOf):
        yield from _conditions(predicate.part)
    else:
        assert isinstance(predicate, AllOf | AnyOf)
        for part in predicate.parts:
            yield from _conditions(part)


def rollup_width(query: CompletionQuery, group_by: Sequence[str], interval_us: int | None) -> int | None:
    """The rollup width (DAY_US or HOUR_US) that answers this aggregate, or None when only the rows can.

    Rollups know the dimensions, the bucket and the sums, nothing else: no search,
    filter conditions only on the dimensions and on created_at (>= or <) at whole
    buckets, group_by only dimensions, interval a whole number of buckets.
    """
    if query.search or query.fixed != CompletionFilter():
        return None
    if any(name not in DIMENSIONS for name in group_by):
        return None
    times: list[int] = []
    for cond in _conditions(query.predicate):
        if cond.field in DIMENSIONS:
            continue
        if cond.field == "created_at" and cond.operator in (">=", "<") and isinstance(cond.value, int):
            times.append(cond.value)
            continue
        return None
    for width in WIDTHS_US:
        if (interval_us is None or interval_us % width == 0) and all(t % width == 0 for t in times):
            return width
    return None
