"""Rollup eligibility and the duration histogram's error bound (pure domain)."""

from __future__ import annotations

import random

import pytest
from tenlog_server.domain.completion_query import build_query
from tenlog_server.domain.completion_rollups import (
    DAY_US,
    HOUR_US,
    RELATIVE_ERROR,
    bin_value,
    duration_bin,
    histogram_percentile,
    rollup_width,
)
from tenlog_server.domain.model import CompletionFilter

BOUND = RELATIVE_ERROR + 1e-9  # the bound is inclusive: a duration at a bin's edge is off by exactly it


def _exact(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@pytest.mark.parametrize("seed", range(5))
def test_histogram_percentiles_are_within_the_relative_error(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.lognormvariate(0, 1.5) for _ in range(rng.randrange(1, 400))] + [0.0] * rng.randrange(3)
    bins: dict[int, int] = {}
    for v in values:
        bins[duration_bin(v)] = bins.get(duration_bin(v), 0) + 1
    for fraction in (0.0, 0.5, 0.95, 0.99, 1.0):
        got = histogram_percentile(sorted(bins.items()), fraction)
        assert got == pytest.approx(_exact(values, fraction), rel=BOUND, abs=1e-12)
    assert histogram_percentile([], 0.5) == 0.0
    for v in (1e-6, 0.2, 1.0, 7.5, 3600.0):
        assert bin_value(duration_bin(v)) == pytest.approx(v, rel=BOUND)


@pytest.mark.parametrize(
    ("filter_text", "search", "group_by", "interval", "width"),
    [
        ("", "", ["model"], DAY_US, DAY_US),
        ("", "", [], None, DAY_US),
        ('model = "a" OR NOT status = failed', "", ["source", "kind"], 7 * DAY_US, DAY_US),
        ("created_at >= 2024-05-01T00:00:00Z AND created_at < 2024-05-02T00:00:00Z", "", ["model"], DAY_US, DAY_US),
        ("created_at >= 2024-05-01T10:00:00Z", "", ["model"], HOUR_US, HOUR_US),
        ("", "", ["model"], 3 * HOUR_US, HOUR_US),
        ("created_at >= 2024-05-01T10:30:00Z", "", [], None, None),  # not a whole hour
        ("created_at > 2024-05-01T10:00:00Z", "", [], None, None),  # > is not a whole-bucket bound
        ("", "", ["model"], 60_000_000, None),  # minutes
        ("cost > 1", "", [], None, None),
        ('tags:"x"', "", [], None, None),
        ("", "walrus", [], None, None),
        ("", "", ["tags"], None, None),
        ("", "", ["metadata.plan"], None, None),
    ],
)
def test_rollup_width(
    filter_text: str, search: str, group_by: list[str], interval: int | None, width: int | None
) -> None:
    assert rollup_width(build_query(filter_text=filter_text, search=search), group_by, interval) == width


def test_fixed_fields_use_the_rows() -> None:
    assert rollup_width(build_query(CompletionFilter(model="a")), [], None) is None
