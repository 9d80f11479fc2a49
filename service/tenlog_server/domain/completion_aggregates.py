"""AggregateCompletions: what may be grouped by, time buckets, exact percentiles, and the groups it answers."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .errors import FieldViolation, InvalidArgument
from .search_text import MAX_METADATA_KEY

GROUPABLE = ("model", "status", "source", "kind", "session_id", "tags")
MAX_GROUP_BY = 4
MAX_GROUPS = 10_000
PERCENTILES = (0.50, 0.95, 0.99)
_UNITS_US = {"s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000}
_INTERVAL = re.compile(r"(\d{1,6})([smhd])")


@dataclass(slots=True)
class AggregateGroup:
    """Totals of one group; bucket_start_us is set when the request asked for an interval."""

    key: dict[str, str] = field(default_factory=dict)
    bucket_start_us: int | None = None
    count: int = 0
    failed_count: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float = 0.0
    duration_p50: float = 0.0
    duration_p95: float = 0.0
    duration_p99: float = 0.0


def parse_group_by(names: Sequence[str]) -> tuple[str, ...]:
    """Validated group_by fields: GROUPABLE ones and metadata.<key>, each at most once."""
    violations = []
    for i, name in enumerate(names):
        is_metadata = name.startswith("metadata.") and 0 < len(name) - len("metadata.") <= MAX_METADATA_KEY
        if name not in GROUPABLE and not is_metadata:
            violations.append(
                FieldViolation(
                    f"group_by[{i}]", f"cannot group by {name!r}; use {', '.join(GROUPABLE)} or metadata.<key>"
                )
            )
    if len(set(names)) != len(names):
        violations.append(FieldViolation("group_by", "names a field twice"))
    if len(names) > MAX_GROUP_BY:
        violations.append(FieldViolation("group_by", f"names more than {MAX_GROUP_BY} fields"))
    if violations:
        raise InvalidArgument("invalid group_by", violations)
    return tuple(names)


def parse_interval(text: str) -> int | None:
    """The bucket width in microseconds of `1m`, `5m`, `1h`, `1d` ... (None when empty)."""
    if not text:
        return None
    match = _INTERVAL.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise InvalidArgument(
            "invalid interval",
            [FieldViolation("interval", "write a positive whole number and a unit s, m, h or d, e.g. 1h or 1d")],
        )
    return int(match.group(1)) * _UNITS_US[match.group(2)]


def percentile_ranks(count: int, fraction: float) -> tuple[int, int]:
    """The 1-based ranks whose values interpolate the percentile (as PostgreSQL's percentile_cont)."""
    position = fraction * (count - 1)
    low = math.floor(position)
    return low + 1, min(low + 2, count)


def interpolate(count: int, fraction: float, ranked: Mapping[int, float]) -> float:
    """The exact percentile from the values at percentile_ranks (linear interpolation)."""
    if count == 0:
        return 0.0
    position = fraction * (count - 1)
    low, high = percentile_ranks(count, fraction)
    below, above = ranked[low], ranked[high]
    return below + (above - below) * (position - math.floor(position))


def too_many_groups() -> InvalidArgument:
    """The error for an aggregate answering more than MAX_GROUPS groups."""
    return InvalidArgument(
        f"the aggregate has more than {MAX_GROUPS} groups",
        [FieldViolation("group_by", f"yields more than {MAX_GROUPS} groups: narrow the filter or widen the interval")],
    )
